"""Question typing, with and without diacritics, in any case."""

from __future__ import annotations

import pytest

from bot.answering.question import QType, analyze, question_type
from bot.lang.normalize import fold


@pytest.mark.parametrize(
    ("text", "qtype"),
    [
        ("Ai đã ký hiệp định?", QType.WHO),
        ("Người nào phát biểu khai mạc?", QType.WHO),
        ("Thứ trưởng nào dự lễ ký?", QType.WHO),
        ("Thỏa thuận được ký giữa những cơ quan nào?", QType.WHO),
        ("Luật sư bào chữa nào đề nghị công bố tin nhắn?", QType.WHO),
        ("Chuyên gia nào nói Triều Tiên lo lắng?", QType.WHO),
        ("Hội nghị diễn ra khi nào?", QType.WHEN),
        ("Bao giờ khánh thành cây cầu?", QType.WHEN),
        ("Lễ ký diễn ra vào ngày nào?", QType.WHEN),
        ("Việt Nam gia nhập WTO năm nào?", QType.WHEN),
        ("Công ty được cấp phép từ hồi nào vậy?", QType.WHEN),  # `hồi nào`: when, as the South says
        ("Hội đàm diễn ra ở đâu?", QType.WHERE),
        ("Cuộc tập trận tổ chức tại tỉnh nào?", QType.WHERE),
        ("Trại hè được tổ chức tại trường nào?", QType.WHERE),  # `tổ chức` the verb, not who
        ("Gạo xuất khẩu sang thị trường nào nhiều nhất?", QType.WHAT),  # a market, not a school
        ("Hai bên đã ký những văn kiện gì?", QType.WHAT),
        ("Có bao nhiêu người tham dự?", QType.HOW_MANY),
        ("Đây là lần thứ mấy hai nước đối thoại?", QType.HOW_MANY),
        # a place in a ranking, not a day of the week
        ("Việt Nam xếp thứ mấy về xuất khẩu gạo?", QType.HOW_MANY),
        ("Hội nghị diễn ra vào thứ mấy?", QType.WHEN),
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
        ("viet nam dung thu may the gioi", QType.HOW_MANY),
        ("hai ben ky nhung van kien gi", QType.WHAT),
    ],
)
def test_types_without_diacritics_and_any_case(text: str, qtype: QType) -> None:
    assert question_type(text) is qtype


def test_chat_spellings_are_read_as_the_words_they_stand_for() -> None:
    """`ko` is `không` (a yes/no question), `đc` `được`; written with accents only where the
    question has them, so an unaccented question stays one."""
    assert analyze("Bị cáo có chịu nhận tội ko?").qtype is QType.YES_NO
    typed = analyze("cong ty co lai ko")
    assert typed.qtype is QType.YES_NO and not typed.accented and typed.text == "cong ty co lai khong"
    assert analyze("dự án đc nghiệm thu năm nào nhỉ").text == "dự án được nghiệm thu năm nào nhỉ"
    assert analyze("Võ sĩ thắng KO ở hiệp mấy?").qtype is QType.HOW_MANY  # a knockout, as typed


def test_accented_question_does_not_read_may_as_how_many() -> None:
    assert question_type("Nhà máy khánh thành ở đâu?") is QType.WHERE


def test_what_question_keeps_its_head_category() -> None:
    q = analyze("Hai bên đã ký những văn kiện gì?")
    assert q.head == "văn kiện" and q.accented
    # typed without accents, the same head: what a count must be counted in
    assert analyze("hai ben ky nhung van kien gi").head_syllables == ("van", "kien")
    assert analyze("toa trieu tap bao nhieu bi hai").head_syllables == ("bi", "hai")
    assert analyze("Ai ký?").head is None


@pytest.mark.parametrize(
    ("accented", "plain"),
    [
        ("Nghị định thư được ký năm nào?", "nghi dinh thu duoc ky nam nao"),
        ("Hội đàm diễn ra lúc mấy giờ?", "hoi dam dien ra luc may gio"),
        ("Bộ trưởng hội đàm với ai?", "bo truong hoi dam voi ai"),
        ("Tỉnh nào của Lào có lãnh đạo tham dự?", "tinh nao cua lao co lanh dao tham du"),
        ("Lễ có được tổ chức trực tuyến không?", "le co duoc to chuc truc tuyen khong"),
        ("Dự án đã được phê duyệt chưa?", "du an da duoc phe duyet chua"),
    ],
)
def test_sub_intents_are_the_same_with_or_without_accents(accented: str, plain: str) -> None:
    a, b = analyze(accented).intent, analyze(plain).intent
    for name in ("wants_year", "wants_day", "wants_clock", "wants_role", "about_event"):
        assert getattr(a, name) == getattr(b, name), name
    for name in ("named_unit", "preposition", "predicate", "motion"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None) and (x is None or fold(x) == fold(y)), name


def test_phrases_are_cut_from_the_question_as_typed() -> None:
    intent = analyze("Tỉnh nào của Lào có lãnh đạo tham dự hội đàm?").intent
    assert intent.named_unit == "Tỉnh" and intent.about_event and intent.wants_role
    assert analyze("Lễ có được tổ chức trực tuyến không?").intent.predicate == "được tổ chức trực tuyến"
    # `đã … chưa` asks it too; `có phải là` / `có đúng là` only ask whether (`có dùng` is a verb)
    assert analyze("Dự án đã được phê duyệt chưa nhỉ?").intent.predicate == "được phê duyệt"
    assert analyze("Có phải là ông Minh ký không?").intent.predicate == "ông Minh ký"
    assert analyze("co dung ma tuy khong").intent.predicate == "dung ma tuy"


@pytest.mark.parametrize(
    "text",
    [
        "Có ai bị thương trong vụ tai nạn không?",
        "co ai bi thuong trong vu tai nan khong",
        "Chữ ký của giáo viên là thật, đúng không?",
        "Xuất khẩu nông sản vẫn tăng so với cùng kỳ à?",
        "Công khai kết quả kiểm định có bắt buộc không ạ?",
    ],
)
def test_asking_whether_is_yes_no_even_with_ai_or_a_trailing_particle(text: str) -> None:
    assert question_type(text) is QType.YES_NO


def test_a_measure_and_a_numbered_label_are_read_from_the_question() -> None:
    assert analyze("Cây cầu dài bao nhiêu?").intent.measure == "dai"
    assert analyze("Hà Nội cách Huế bao xa?").intent.measure == "xa"
    assert analyze("Có bao nhiêu người dự?").intent.measure is None
    assert analyze("Tuyến xe buýt số mấy chạy qua cầu?").intent.label == "so"
    assert analyze("Gio manh nhat gan tam bao la cap may").intent.label == "cap"
    assert analyze("Đây là lần thứ mấy hai nước đối thoại?").intent.label == "lan thu"
    assert question_type("Macron lên làm tổng thống năm bao nhiêu tuổi?") is QType.HOW_MANY


@pytest.mark.parametrize(
    ("typed", "written"),
    [("TPHCM", "tp hcm"), ("TP HCM", "thành phố hồ chí minh"), ("Bộ GTVT", "giao thông vận tải"), ("VN", "việt nam")],
)
def test_the_ways_one_name_is_written_are_searched_for(typed: str, written: str) -> None:
    from bot.lang.lexicon import SYNONYMS

    words = list(analyze(f"{typed} có mưa không?").search_terms)
    assert all(part in words for part in written.split()), words
    assert any(written in others for others in SYNONYMS.values())
