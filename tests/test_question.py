"""Question typing, with and without diacritics, in any case."""

from __future__ import annotations

import pytest

from bot.question import QType, analyze, question_type


@pytest.mark.parametrize(
    ("text", "qtype"),
    [
        ("Ai đã ký hiệp định?", QType.WHO),
        ("Người nào phát biểu khai mạc?", QType.WHO),
        ("Thứ trưởng nào dự lễ ký?", QType.WHO),
        ("Thỏa thuận được ký giữa những cơ quan nào?", QType.WHO),
        ("Hội nghị diễn ra khi nào?", QType.WHEN),
        ("Bao giờ khánh thành cây cầu?", QType.WHEN),
        ("Lễ ký diễn ra vào ngày nào?", QType.WHEN),
        ("Việt Nam gia nhập WTO năm nào?", QType.WHEN),
        ("Hội đàm diễn ra ở đâu?", QType.WHERE),
        ("Cuộc tập trận tổ chức tại tỉnh nào?", QType.WHERE),
        ("Hai bên đã ký những văn kiện gì?", QType.WHAT),
        ("Có bao nhiêu người tham dự?", QType.HOW_MANY),
        ("Đây là lần thứ mấy hai nước đối thoại?", QType.HOW_MANY),
        ("Hai nước có ký thỏa thuận không?", QType.YES_NO),
    ],
)
def test_types_with_diacritics(text: str, qtype: QType) -> None:
    assert question_type(text) is qtype


@pytest.mark.parametrize(
    ("text", "qtype"),
    [
        ("ai da ky hiep dinh", QType.WHO),
        ("HOI NGHI DIEN RA KHI NAO", QType.WHEN),
        ("hoi dam o dau", QType.WHERE),
        ("co bao nhieu nguoi tham du", QType.HOW_MANY),
        ("hai ben ky nhung van kien gi", QType.WHAT),
    ],
)
def test_types_without_diacritics_and_any_case(text: str, qtype: QType) -> None:
    assert question_type(text) is qtype


def test_accented_question_does_not_read_may_as_how_many() -> None:
    assert question_type("Nhà máy khánh thành ở đâu?") is QType.WHERE


def test_what_question_keeps_its_head_category() -> None:
    q = analyze("Hai bên đã ký những văn kiện gì?")
    assert q.head == "văn kiện" and q.accented
    assert analyze("Ai ký?").head is None
