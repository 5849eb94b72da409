"""Writes the bundled seeds' vectors (`embed.BUNDLED`): `python -m bot.library.bundled`.

The seeds are what a fresh install answers from first, and embedding their passages is most of
that first `ask` (3–8 s of e5 on two cores). Their vectors ship with the package (about 14 KB) and
are found like an earlier entry's, by each passage's digest and for the same model only: a changed
seed or another model costs only the embedding the pack would have saved. Run it again after
either changes (`tests/library/test_bundled.py` fails until then).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bot.library import embed
from bot.library.knowledge import KnowledgeBase
from bot.settings import Settings

# The checkout's seeds/, beside bot/: the pack is written from a checkout, into it.
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FILES = tuple(f"{kind}_{part}.bin" for kind in ("sent", "title") for part in ("key", "vec", "scale"))


def write(entry: Path, to: Path, weights: str) -> None:
    """Copy an entry's passage digests and vectors, and the model that made them."""
    to.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(entry / name, to / name)
    (to / "encoder.txt").write_text(embed.model_id(weights) + "\n", encoding="utf-8")


def main(seeds: Path = SEEDS, to: Path = embed.BUNDLED) -> None:
    """Build the seeds in an empty cache and keep its vectors: those the pack holds are copied (the
    same model makes the same vectors), the others computed; all of them for another model."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, index_cache_dir=Path(tmp))  # type: ignore[call-arg]
        write(KnowledgeBase.build(settings, [seeds]).entry, to, settings.e5_weights)


if __name__ == "__main__":
    main()
