"""Normalization and BM25 terms: accents, tone placement, questions typed without diacritics."""

from __future__ import annotations

import unicodedata

import pytest

from bot.normalize import canonical, fix_tones, fold, has_diacritics
from bot.tokenize import FOLDED, index_terms, query_terms


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà bình", "hòa bình"),
        ("Uỷ viên", "Ủy viên"),
        ("Thanh Thuỷ", "Thanh Thủy"),
        ("khoẻ", "khỏe"),
        ("quý", "quý"),
        ("hoàng", "hoàng"),
        ("thuyền", "thuyền"),
    ],
)
def test_old_tone_placement_is_rewritten(old: str, new: str) -> None:
    assert fix_tones(old) == new


def test_decomposed_input_matches_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Hướng Hoá")
    assert canonical(decomposed) == canonical("Hướng Hóa") == "hướng hóa"


def test_fold_removes_every_mark() -> None:
    assert fold("Đại tướng Ngô Xuân Lịch") == "dai tuong ngo xuan lich"
    assert has_diacritics("Lào") and not has_diacritics("Lao Bao")


def test_index_terms_hold_compounds_syllables_and_folded_forms() -> None:
    terms = index_terms("Bộ trưởng đã ký Nghị định thư")
    assert {"bộ_trưởng", "bộ", "trưởng", "ký", "nghị_định_thư", "nghị", "thư"} <= set(terms)
    assert {FOLDED + "ky", FOLDED + "nghi", FOLDED + "truong"} <= set(terms)
    assert "." not in terms and "," not in terms


def test_question_words_are_not_content() -> None:
    assert query_terms("Ai đã ký Nghị định thư khi nào?") == ["ký", "nghị_định_thư", "nghị", "định", "thư"]
    assert "ở" not in query_terms("Hội đàm diễn ra ở đâu?") and "đâu" not in query_terms(
        "Hội đàm diễn ra ở đâu?"
    )


def test_question_without_diacritics_gives_folded_terms() -> None:
    assert query_terms("ai da ky nghi dinh thu khi nao") == [
        FOLDED + s for s in ("ky", "nghi", "dinh", "thu")
    ]


def test_tone_placement_does_not_change_terms() -> None:
    assert query_terms("Uỷ viên hoà bình") == query_terms("Ủy viên hòa bình")
