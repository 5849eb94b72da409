"""The seeds' vectors shipped with the package: current (a fresh build of the seeds embeds
nothing, and they are what the model computes), and ignored when another model made them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.library import bundled, embed, tuned
from bot.library.knowledge import KnowledgeBase
from bot.settings import Settings
from tests.conftest import SEEDS


def _refuse(encoder: embed.Encoder, texts: Sequence[str]) -> np.ndarray:
    raise AssertionError(f"embedded {len(texts)} passages the pack should hold: run python -m bot.library.bundled")


def test_a_fresh_build_of_the_seeds_embeds_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert embed.bundled(tuned.DEFAULT) == [embed.BUNDLED]
    with monkeypatch.context() as patched:
        patched.setattr(embed.Encoder, "passages", _refuse)
        kb = KnowledgeBase.build(Settings(_env_file=None, index_cache_dir=tmp_path / "cache"), [SEEDS])
    first, last = 0, len(kb.sentences) - 1
    texts = [embed.passage(kb.article_of(i).title, kb.sentences[i].text) for i in (first, last)]
    fresh = kb.encoder.passages(texts)
    assert np.abs(kb.vectors_of([first, last]) - fresh).max() < 0.01  # int8 codes of the same vectors


def test_the_pack_is_written_from_a_build_and_ignored_for_another_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = tmp_path / "pack"
    bundled.main(SEEDS, pack)
    assert sorted(p.name for p in pack.iterdir()) == sorted([*bundled.FILES, "encoder.txt"])
    for name in bundled.FILES:
        assert (pack / name).read_bytes() == (embed.BUNDLED / name).read_bytes(), name
    monkeypatch.setattr(embed, "BUNDLED", pack)
    assert embed.bundled(tuned.DEFAULT) == [pack]
    (pack / "encoder.txt").write_text("another-model/title. sentence\n", encoding="utf-8")
    assert embed.bundled(tuned.DEFAULT) == []
