"""Vietnamese language data: one list per concept in `bot/lang/vi/<concept>.txt`, loaded once.

One entry per line; `#` starts a comment. Entries are NFC-normalised on load, so the files can
be edited with any editor.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.lang.normalize import fold, nfc

DATA = Path(__file__).parent / "vi"


@cache
def entries(concept: str) -> tuple[str, ...]:
    """The entries of `vi/<concept>.txt`, in file order."""
    path = DATA / f"{concept}.txt"
    if not path.is_file():
        raise ValueError(f"no language data {concept!r}: expected {path}")
    lines = (nfc(line.split("#", 1)[0]).strip() for line in path.read_text(encoding="utf-8").splitlines())
    return tuple(line for line in lines if line)


@cache
def folded(concept: str) -> frozenset[str]:
    """The entries without accents, lowercased: how they are matched."""
    return frozenset(fold(e) for e in entries(concept))
