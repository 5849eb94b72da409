"""benchmarks/unaccented.py: the bound it measures, e5 reading the question as it was written."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import bot.answering.candidates as candidates
from bot.lang.normalize import unaccented
from bot.lang.restore import restore

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "unaccented.py"
_SPEC = importlib.util.spec_from_file_location("unaccented", _PATH)
assert _SPEC and _SPEC.loader
benchmark = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(benchmark)


def test_e5_reads_the_original_only_inside_the_block() -> None:
    original = "Hội đàm diễn ra ở đâu?"
    bare = unaccented(original)
    local = {"hoi dam": Counter({"hội đàm": 1})}
    with benchmark.reading({bare: original}):
        assert candidates.restore(bare, local, {}) == original
        assert candidates.restore("khac", local, {}) == "khac"
    assert candidates.restore is restore
    assert candidates.restore(bare, local, {}) != original  # `dien ra` is nowhere in `local`
