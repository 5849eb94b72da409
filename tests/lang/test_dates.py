"""Date resolution: the dateline's year, events referred back to, and no invented years."""

from __future__ import annotations

from datetime import date, datetime

from bot.lang.dates import (
    clock_time,
    date_range,
    dateline_day,
    day_offset,
    event_date,
    find_dates,
    relative_event,
    with_clock,
)

PUBLISHED = datetime(2021, 12, 13, 6, 38)


def test_day_month_takes_the_datelines_year_and_weekday() -> None:
    (mention,) = find_dates("Ngày 12/12, tại thị trấn Lao Bảo đã diễn ra hội đàm.", PUBLISHED)
    assert mention.text == "Ngày 12/12"
    assert mention.resolved() == date(2021, 12, 12)
    assert mention.display() == "Chủ Nhật, 12/12/2021 (Ngày 12/12)"


def test_part_of_day_prefixes_are_part_of_the_mention() -> None:
    (mention,) = find_dates("Trưa 13/11, tại tỉnh Tây Ninh, hai bên hội đàm.", datetime(2025, 11, 14))
    assert mention.text == "Trưa 13/11" and mention.display() == "Thứ Năm, 13/11/2025 (Trưa 13/11)"


def test_december_event_in_a_january_article_is_last_year() -> None:
    (mention,) = find_dates("Sáng 28/12, đoàn đến Hà Nội.", datetime(2022, 1, 3))
    assert mention.resolved() == date(2021, 12, 28)


def test_without_a_dateline_no_year_is_invented() -> None:
    (mention,) = find_dates("Sáng 8/9, tại Hà Nội, hai bộ trưởng điện đàm.", None)
    assert mention.resolved() is None and mention.display() == "Sáng 8/9"  # as the article wrote it


def test_a_clock_time_written_before_its_day_is_kept_with_it() -> None:
    text = "Đến khoảng 20 giờ 30 cùng ngày 7-5, nhóm thanh niên quay lại."
    (day,) = find_dates(text, None)
    timed = with_clock(text, day)
    assert timed is not None and timed.display() == "khoảng 20 giờ 30 cùng ngày 7-5"
    (later,) = find_dates("Ngày 7-5 đoàn đến, lúc 9h đoàn về.", None)
    assert with_clock("Ngày 7-5 đoàn đến, lúc 9h đoàn về.", later) is None


def test_explicit_years_months_and_long_forms() -> None:
    texts = [
        m.display()
        for m in find_dates("Ngày 10/11/2022 ký; vào tháng 6; ngày 5 tháng 3 năm 2020; năm 2019", None)
    ]
    assert texts == [
        "Thứ Năm, 10/11/2022",
        "tháng 6",
        "Thứ Năm, 05/03/2020 (ngày 5 tháng 3 năm 2020)",
        "năm 2019",  # as the article writes it
    ]


def test_a_month_and_year_joined_by_a_dash_or_a_dot() -> None:
    texts = [m.text for m in find_dates("Báo cáo trước tháng 11-2017, xong trong tháng 3.2018; tháng 6-7 mưa.", None)]
    assert texts == ["tháng 11-2017", "tháng 3.2018"]  # `tháng 6-7` is two months, not a year


def test_a_date_that_opens_a_range_reaches_its_other_end() -> None:
    text = "Vòng loại diễn ra từ ngày 30-10 đến 7-11 tại Hà Nội."
    start = text.index("ngày 30-10")
    assert date_range(text, start, start + len("ngày 30-10")) == (text.index("từ"), text.index(" tại"))
    text = "Thanh tra giai đoạn 1/1/2015 – 31/12/2017, và năm 2018."
    start = text.index("1/1")
    assert text[slice(*date_range(text, start, start + len("1/1/2015")) or (0, 0))] == "1/1/2015 – 31/12/2017"
    assert date_range("Ngày 5/3 - Hà Nội mưa.", 5, 8) is None
    text = "Từ ngày 13-15/7, các tỉnh phía Bắc có mưa; trận đấu kết thúc 2-1 ngày 16/7."
    start = text.index("15/7")
    assert date_range(text, start, start + 4) == (0, start + 4)  # its first day written alone
    start = text.index("16/7")
    assert date_range(text, start, start + 4) is None


def test_a_long_form_date_may_give_its_year_without_nam() -> None:
    """`ngày 04 Tháng 5 1959` is one date; a count after the month is not its year."""
    [m] = find_dates("Lễ trao giải đầu tiên diễn ra ngày 04 Tháng 5 1959 tại Los Angeles.", None)
    assert (m.text, m.year, m.month, m.day) == ("ngày 04 Tháng 5 1959", 1959, 5, 4)
    assert [m.text for m in find_dates("Ngày 4 tháng 5 2.000 người xuống đường.", None)] == ["Ngày 4 tháng 5"]


def test_numbers_that_are_not_dates() -> None:
    assert find_dates("Covid-19 làm 1.000 người mắc, tỷ lệ 2-3 ca.", PUBLISHED) == []
    assert find_dates("Có 1886 người dự, số 1500.", PUBLISHED) == []


def test_an_older_year_is_one_after_nam() -> None:
    """`năm 1886`: `năm` says it is a year; alone, a number before 1900 is a count."""
    assert [(m.text, m.year) for m in find_dates("Ông hợp tác với hai doanh nhân vào năm 1886.", None)] == [
        ("năm 1886", 1886)
    ]


def test_event_relative_sentence_takes_the_events_date() -> None:
    sentences = [
        "Ngày 12/12, tại Lao Bảo đã diễn ra hội đàm cấp cao.",
        "Hai bên đánh giá cao kết quả hợp tác.",
        "Ngay sau hội đàm, hai Bộ trưởng đã ký Nghị định thư.",
    ]
    assert relative_event(sentences[2]) == "hoi dam"
    mention = event_date(sentences, 2, PUBLISHED)
    assert mention is not None and mention.resolved() == date(2021, 12, 12)
    assert event_date(sentences, 1, PUBLISHED) is None


def test_same_day_and_next_day_shift_a_mention() -> None:
    (mention,) = find_dates("Ngày 3/10/2023, hai bên hội đàm.", None)
    assert day_offset("Chiều cùng ngày, đoàn thăm bệnh viện.") == 0
    assert day_offset("Sáng hôm sau, đoàn về nước.") == 1
    assert day_offset("Một ngày trước khi hội đàm, hai đoàn đã gặp nhau.") == -1
    assert day_offset("Đoàn thăm bệnh viện.") is None
    assert mention.shifted(1).display() == "Thứ Tư, 04/10/2023"
    assert mention.shifted(-1).display() == "Thứ Hai, 02/10/2023"
    (no_year,) = find_dates("Sáng 21/10, bộ đội giúp dân.", None)
    assert no_year.shifted(0) is no_year and no_year.shifted(1) is None


def test_days_counted_from_the_dateline_and_clock_times() -> None:
    published = datetime(2024, 3, 8, 7, 45)
    assert dateline_day("Chiều hôm qua, tại Hà Nội, hai bên hội đàm.", published).resolved() == date(
        2024, 3, 7
    )
    assert dateline_day("Rạng sáng nay, xe khách gặp nạn.", published).resolved() == date(2024, 3, 8)
    assert dateline_day("Quan hệ hai nước thời gian qua phát triển tốt.", published) is None
    assert dateline_day("Chiều hôm qua, hai bên hội đàm.", None) is None
    assert clock_time("Khoảng 5h30 sáng 12/3, xe khách va chạm") == "5h30"
    assert clock_time("Hội nghị khai mạc lúc 14 giờ 15 phút") == "14 giờ 15 phút"
    assert clock_time("Ngày 12/3 có 38 hành khách") is None


def test_dash_and_dot_dates_count_after_a_day_word_only() -> None:
    found = [
        (d.day, d.month)
        for d in find_dates("tuyên án vào sáng 11-7, xử ngày 22.6; tăng 2.5 lần, Covid-19", None)
    ]
    assert found == [(11, 7), (22, 6)]


def test_a_year_or_month_is_shown_as_the_article_writes_it() -> None:
    (year,) = find_dates("Năm 1900, Tesla được cấp bằng sáng chế.", None)
    assert year.display() == "Năm 1900"
    (month,) = find_dates("Vào tháng 7 năm 2015, Obama đến thăm Kenya.", None)
    assert month.display() == "tháng 7/2015 (tháng 7 năm 2015)"
