"""benchmarks/unaccented.py: the question a user types without accents, and the bound it measures."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import bot.answering.candidates as candidates
from bot.lang.normalize import fold
from bot.lang.restore import restore

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "unaccented.py"
_SPEC = importlib.util.spec_from_file_location("unaccented", _PATH)
assert _SPEC and _SPEC.loader
unaccented = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(unaccented)


def test_stripping_removes_every_mark_and_keeps_letter_case() -> None:
    typed = "Hội đàm diễn ra ở Đà Nẵng vào ngày nào?"
    bare = unaccented.stripped(typed)
    assert bare == "Hoi dam dien ra o Da Nang vao ngay nao?"
    assert fold(typed) == bare.lower()


def test_e5_reads_the_original_only_inside_the_block() -> None:
    original = "Hội đàm diễn ra ở đâu?"
    bare = unaccented.stripped(original)
    local = {"hoi dam": Counter({"hội đàm": 1})}
    with unaccented.reading({bare: original}):
        assert candidates.restore(bare, local, {}) == original
        assert candidates.restore("khac", local, {}) == "khac"
    assert candidates.restore is restore
    assert candidates.restore(bare, local, {}) != original  # `dien ra` is nowhere in `local`
