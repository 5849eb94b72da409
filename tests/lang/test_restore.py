"""Accents given back to a question typed without them, from the words of its candidates."""

from __future__ import annotations

from bot.lang.restore import restore, runs

TEXTS = [
    "Ngay sau hội đàm, hai bên đã ký Nghị định thư hợp tác về cứu hộ cứu nạn.",
    "Hội đàm diễn ra ở Hà Nội; Bộ trưởng hai bên ký kết.",
]


def test_the_candidates_runs_give_a_question_its_accents() -> None:
    question = "hoi dam dien ra o dau, hai ben ky gi"
    assert restore(question, runs(TEXTS, question), {}) == "hội đàm diễn ra ở đâu, hai bên ký gì"


def test_only_the_questions_own_runs_are_counted() -> None:
    table = runs(TEXTS, "hai ben ky gi")
    assert table["hai ben ky"] == {"hai bên ký": 1}  # the first text has `hai bên đã ký`
    assert table["ky"] == {"ký": 2} and "nghi dinh" not in table and "hoi dam" not in table
    assert runs(TEXTS, "???") == {}
