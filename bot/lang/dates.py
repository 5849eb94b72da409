"""Finds date expressions in Vietnamese news sentences and resolves them to full dates.

News writes `Ngày 12/12`, `Sáng 8/9`, `Trưa 13/11` without a year (the dateline gives it),
and chains events: `Ngay sau hội đàm, ... đã ký`. A year is only ever taken from the article
itself; when it has none, the date is shown as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache

from bot.lang.lexicon import APPROXIMATORS
from bot.lang.normalize import fold

_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
_PART_OF_DAY = r"(?:(?:rạng\s+)?sáng|trưa|chiều|tối|đêm|khuya)"
_DAY_MONTH = re.compile(
    rf"(?:(?P<part>{_PART_OF_DAY})\s+(?:(?:nay|qua)\s+)?(?:ngày\s+)?|(?P<lead>ngày|hôm)\s+)?"
    r"(?<![\d/.])(?P<d>\d{1,2})\s*(?P<sep>[/.-])\s*(?P<m>\d{1,2})(?:\s*[/.-]\s*(?P<y>\d{4}))?(?![\d/]|\.\d)",
    re.IGNORECASE,
)
_LONG_FORM = re.compile(
    r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?:\s+(?:năm\s+)?(?P<y>\d{4})(?![\d.,]\d))?", re.IGNORECASE
)
_MONTH_YEAR = re.compile(
    r"tháng\s+(?P<m>\d{1,2})(?:\s*(?:[/.-]|năm)\s*(?P<y>\d{4}))?(?!\s*[/.-]?\s*\d)", re.IGNORECASE
)
# A year: `2018`, `1975`; after `năm` any from 1000 (`năm 1886`), where no count can be meant.
_YEAR = re.compile(
    r"(?:\bnăm\s+(?=1\d{3}|20\d{2})|(?=(?:19|20)\d{2}))(?<![\d/.,])(?P<y>\d{4})(?![\d/.,]\d)", re.IGNORECASE
)
# `Ngay sau hội đàm`, `Kết thúc hội đàm`, `Cũng tại cuộc hội đàm`: the time is that event's.
_RELATIVE = re.compile(
    r"^\s*(?:ngay\s+sau|sau|kết\s+thúc|cũng\s+tại|cũng\s+trong|tại|trong|bên\s+lề|trước|ngay\s+trước)\s+"
    r"(?:khi\s+)?(?:buổi\s+|cuộc\s+|lễ\s+)?(?P<event>[^\s,]+(?:\s+[^\s,]+)?)\s*,",
    re.IGNORECASE,
)


_APPROXIMATOR = re.compile(
    rf"\b(?:{'|'.join(sorted(APPROXIMATORS, key=len, reverse=True))})\s+$", re.IGNORECASE
)


def approximated(sentence: str, start: int) -> int:
    """Where a number or time starting at `start` begins with the word that says how exact it
    is (`hơn 430 triệu đồng`, `khoảng 440 km`): that word belongs to the answer."""
    m = _APPROXIMATOR.search(sentence, max(0, start - 12), start)
    return m.start() if m else start


# `Sáng nay`, `Chiều hôm qua`: days counted from the dateline (a date in brackets wins).
_FROM_DATELINE = re.compile(
    rf"\b(?:(?:{_PART_OF_DAY}\s+)?(?P<rel>hôm nay|hôm qua)|{_PART_OF_DAY}\s+(?P<short>nay|qua))\b(?!\s*\(?\s*\d)",
    re.IGNORECASE,
)
# A clock time: `5h30`, `9h`, `14 giờ 15`, `lúc 7:45`.
_CLOCK = re.compile(
    r"(?<![\d/])(?P<H>[01]?\d|2[0-3])\s*(?:h|giờ|:)\s*(?P<M>[0-5]\d)?(?:\s*phút)?(?![\d/])", re.IGNORECASE
)


def dateline_day(text: str, published: datetime | None) -> DateMention | None:
    """`Rạng sáng nay` / `Chiều hôm qua` as the dateline's day (or the day before); None without one."""
    m = _FROM_DATELINE.search(text)
    if not m or published is None:
        return None
    said = (m["rel"] or m["short"]).casefold()
    day = published.date() - timedelta(days=1 if said.endswith("qua") else 0)
    return DateMention(m.start(), m.end(), m.group(0), day.day, day.month, day.year, False)


def clock_time(text: str) -> str | None:
    """The first clock time in the sentence, as written (`5h30`), or None."""
    m = _CLOCK.search(text)
    return m.group(0).strip() if m else None


# What may stand between a clock time and the day it belongs to (`15 giờ ngày 4/7`, `20 giờ 30
# cùng ngày 7-5`, `9h, 4/7`): then the two are one expression of the article's.
_CLOCK_TO_DAY = re.compile(r"[\s,]*(?:[^\W\d]+\s+)?", re.IGNORECASE)


def with_clock(text: str, day: DateMention) -> DateMention | None:
    """The day with the clock time written right before it (`15 giờ ngày 4/7`), as one mention."""
    for m in _CLOCK.finditer(text[: day.start]):
        gap = _CLOCK_TO_DAY.fullmatch(text, m.end(), day.start)
        if gap:
            start = approximated(text, m.start())  # `khoảng 20 giờ 30 cùng ngày 7-5`
            return replace(day, start=start, text=text[start : day.end])
    return None


# `Chiều cùng ngày`, `Sáng hôm sau`: the day of the event told just before, or the one after it.
_SAME_DAY = re.compile(r"\b(?:cùng ngày|trong ngày|hôm đó|ngày hôm đó)\b", re.IGNORECASE)
_NEXT_DAY = re.compile(r"\b(?:hôm sau|ngày hôm sau|ngày tiếp theo|hôm tiếp theo)\b", re.IGNORECASE)
_DAY_BEFORE = re.compile(
    r"\b(?:hôm trước|ngày hôm trước|(?:một|1) ngày trước(?: khi| đó)?|trước đó (?:một|1) ngày)\b", re.IGNORECASE
)


def day_offset(text: str) -> int | None:
    """0 for `cùng ngày`, 1 for `hôm sau`, -1 for `một ngày trước khi`, None when the sentence
    says none of them."""
    if _SAME_DAY.search(text):
        return 0
    if _NEXT_DAY.search(text):
        return 1
    if _DAY_BEFORE.search(text):
        return -1
    return None


@dataclass(frozen=True)
class DateMention:
    """A date as written in a sentence, and what it resolves to."""

    start: int
    end: int
    text: str
    day: int | None
    month: int | None
    year: int | None
    year_from_text: bool

    def shifted(self, days: int) -> DateMention | None:
        """The same mention moved by `days`; None when that needs a year the article does not give."""
        if days == 0:
            return self
        full = self.resolved()
        if full is None:
            return None
        moved = full + timedelta(days=days)
        return DateMention(self.start, self.end, "", moved.day, moved.month, moved.year, self.year_from_text)

    def resolved(self) -> date | None:
        if self.day and self.month and self.year:
            try:
                return date(self.year, self.month, self.day)
            except ValueError:
                return None
        return None

    def display(self, written: bool = True) -> str:
        """`Chủ Nhật, 12/12/2021 (Ngày 12/12)`: the full date and, when it differs, the article's words.

        Without a known year it is the date as written (`8/9`): a year is never invented.
        """
        full = self.resolved()
        if full:
            shown = f"{weekday_name(full)}, {format_day(full)}"
            if not written or not self.text or format_day(full) in self.text:
                return shown
            return f"{shown} ({self.text})"
        if self.day and self.month:
            return self.text if written and self.text else f"{self.day}/{self.month}"
        if self.month and self.year:
            shown = f"tháng {self.month}/{self.year}"
            return shown if not written or shown in self.text.lower() else f"{shown} ({self.text})"
        if self.month:
            return f"tháng {self.month}"
        return self.text if written and str(self.year) in self.text else str(self.year)


def format_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def weekday_name(day: date) -> str:
    return _WEEKDAYS[day.weekday()]


def _year_for(day: int, month: int, published: datetime | None) -> int | None:
    """The dateline's year, or the one before when the date would fall after publication."""
    if not published:
        return None
    year = published.year
    if (month, day) > (published.month, published.day) and month - published.month > 1:
        year -= 1
    return year


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def find_dates(text: str, published: datetime | None) -> list[DateMention]:
    """Every date expression in `text`, in order, with years filled from the dateline."""
    return list(_dates(text, published))


@lru_cache(maxsize=8192)
def _dates(text: str, published: datetime | None) -> tuple[DateMention, ...]:
    """Cached: a question's candidates and the sentences before them are read for dates again
    and again (by the extractors, the span model and the completer)."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], day: int | None, month: int | None, year: int | None, explicit: bool) -> None:
        if _overlaps(taken, m.start(), m.end()):
            return
        if month is not None and not 1 <= month <= 12 or day is not None and not 1 <= day <= 31:
            return
        taken.append((m.start(), m.end()))
        found.append(DateMention(m.start(), m.end(), m.group(0), day, month, year, explicit))

    for m in _LONG_FORM.finditer(text):
        d, mo = int(m["d"]), int(m["m"])
        y = int(m["y"]) if m["y"] else _year_for(d, mo, published)
        add(m, d, mo, y, bool(m["y"]))
    for m in _DAY_MONTH.finditer(text):
        if m["sep"] != "/" and not m["y"] and not (m["part"] or m["lead"]):
            continue  # `2-3 ngày`, `Covid-19`, `2.5 triệu`: dates only after `ngày`, `sáng`… (`sáng 11-7`)
        d, mo = int(m["d"]), int(m["m"])
        y = int(m["y"]) if m["y"] else _year_for(d, mo, published)
        add(m, d, mo, y, bool(m["y"]))
    for m in _MONTH_YEAR.finditer(text):
        add(m, None, int(m["m"]), int(m["y"]) if m["y"] else None, bool(m["y"]))
    for m in _YEAR.finditer(text):
        add(m, None, None, int(m["y"]), True)
    return tuple(sorted(found, key=lambda d: d.start))


_RANGE_JOINT = re.compile(r"\s*(?:đến|tới|-|–)\s*", re.IGNORECASE)
# The far end of a range may be written without its month's year or its day word (`đến 8-11`).
_BARE_DAY = re.compile(r"(?:ngày\s+)?\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{4})?(?![\d/]|[.-]\d)", re.IGNORECASE)
_FROM = re.compile(r"\btừ\s*$", re.IGNORECASE)


_FIRST_DAY = re.compile(r"(?<![\d/.-])(?:ngày\s+)?\d{1,2}\s*[-–]\s*$", re.IGNORECASE)


def date_range(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The range a date written from `start` to `end` opens (`từ ngày 31-10 đến 8-11`, `1/1/2014 –
    31/12/2016`): from its `từ`, if any, to the other end written right after `đến` or a dash; or
    the one it closes whose first day is written alone before it (`13-15/7`)."""
    first = _FIRST_DAY.search(text, max(0, start - 12), start) if text[start : start + 1].isdigit() else None
    if first:
        return opened(text, first.start()), end
    joint = _RANGE_JOINT.match(text, end)
    if not joint:
        return None
    other = next((m.end for m in find_dates(text, None) if m.start == joint.end()), None)
    if other is None:
        bare = _BARE_DAY.match(text, joint.end())
        other = bare.end() if bare else None
    if other is None:
        return None
    return opened(text, start), other


def opened(text: str, start: int) -> int:
    """Where a range starting at `start` opens: at the `từ` right before it, if there is one."""
    found = _FROM.search(text, max(0, start - 8), start)
    return found.start() if found else start


def relative_event(text: str) -> str | None:
    """The event a sentence's time hangs on (`hội đàm` in `Ngay sau hội đàm, ...`), if any."""
    m = _RELATIVE.match(text)
    return fold(m["event"]) if m else None


def event_date(sentences: list[str], position: int, published: datetime | None) -> DateMention | None:
    """Date of the event sentence `position` refers back to, from earlier sentences of the article.

    Prefers the nearest earlier sentence that names the event and has a day; otherwise the
    article's first dated sentence, which in news leads is the main event's.
    """
    event = relative_event(sentences[position])
    if event is None:
        return None
    earlier = [(text, [d for d in find_dates(text, published) if d.day]) for text in sentences[:position]]
    for text, dated in reversed(earlier):
        if dated and event in fold(text):
            return dated[0]
    return next((dated[0] for _, dated in earlier if dated), None)
