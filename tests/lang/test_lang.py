"""The language-data loader and the lists it serves."""

from __future__ import annotations

import pytest

from bot.answering.question import QType, question_type
from bot.lang.lists import entries, folded
from bot.lang.normalize import fold, unaccented


def test_entries_skip_comments_and_blank_lines_and_come_nfc() -> None:
    words = entries("cause_words")
    assert "vì" in words and "nhằm" in words
    assert not any(w.startswith("#") or not w for w in words)
    assert "vi" in folded("cause_words")


def test_an_unknown_concept_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no language data 'nope'"):
        entries("nope")


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("Tại sao Tesla rời Edison?", QType.WHY),
        ("vi sao tran dau bi hoan", QType.WHY),
        ("Tại sao mấy năm đầu anh không lấy vợ?", QType.WHY),
        ("Hội đàm diễn ra như thế nào?", QType.HOW),
        ("ket qua tran dau ra sao", QType.HOW),
        ("VN và Lào ký những gì?", QType.WHAT),
        ("Bộ trưởng Quốc phòng Campuchia tên gì thế?", QType.WHO),
        ("hoc sinh nao nhat duoc tien", QType.WHO),
        ("Tai nạn xảy ra trên tuyến đường nào?", QType.WHERE),
    ],
)
def test_question_types_come_from_the_data_files(question: str, qtype: QType) -> None:
    assert question_type(question) is qtype


def test_abbreviations_count_as_the_words_they_stand_for() -> None:
    from bot.answering.question import analyze
    from bot.lang.lexicon import FOLDED_SYNONYMS, SYNONYMS

    assert "việt nam" in SYNONYMS["vn"] and "ủy ban nhân dân" in SYNONYMS["ubnd"]
    assert "viet nam" in FOLDED_SYNONYMS["vn"]
    assert "việt_nam" in analyze("VN và Lào ký những gì?").search_terms
    assert "~viet" in analyze("vn voi lao ky gi").search_terms


def test_synonym_groups_come_from_the_data_file() -> None:
    from bot.lang.lexicon import SYNONYMS

    assert "tử vong" in SYNONYMS["chết"] and "chết" in SYNONYMS["thiệt mạng"]


@pytest.mark.parametrize(
    "concept",
    [
        "titles",
        "places",
        "organisation_words",
        "place_nouns",
        "unit_nouns",
        "document_heads",
        "prepositions",
        "auxiliaries",
        "weak_verbs",
        "frame_words",
        "money_words",
        "venue_verbs",
        "yes_no_fillers",
        "synonyms",
        "abbreviations",
        "cause_words",
        "why_words",
        "how_words",
        "question_words",
        "function_words",
        "asked_person_nouns",
        "asked_place_nouns",
        "asked_time_nouns",
        "currency_words",
        "approximators",
        "scale_words",
        "negation_words",
    ],
)
def test_every_concept_file_loads_and_has_no_duplicates(concept: str) -> None:
    words = entries(concept)
    assert words and len(set(words)) == len(words)


def test_the_extractors_lists_come_from_the_files() -> None:
    from bot.lang.lexicon import DOCUMENT_HEADS, TITLE_WORDS, WEAK_VERBS

    assert "dai_tuong" in TITLE_WORDS and "nghị định thư" in DOCUMENT_HEADS and "la" in WEAK_VERBS


def test_unaccented_removes_every_mark_and_keeps_letter_case() -> None:
    typed = "Hội đàm diễn ra ở Đà Nẵng vào ngày nào?"
    bare = unaccented(typed)
    assert bare == "Hoi dam dien ra o Da Nang vao ngay nao?"
    assert fold(typed) == bare.lower()
