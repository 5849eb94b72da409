"""Completes a typed extractor's answer with the sentence's words that belong to it.

Extraction cuts the tightest span it can tell apart, because that is what the ranking features
compare (`3 cầu thủ` fits `mấy cầu thủ`). The reply shows the whole answer as the article wrote
it: the rest of what the question counts (`3 cầu thủ nhập tịch` for `mấy cầu thủ nhập tịch`,
`4 chương 35 điều` for `mấy chương, mấy điều`), the other end of a range (`từ 4.000.000 đồng
đến 6.000.000 đồng`, `từ 2005 đến 2010`), a second name or place joined by `và` (`Geneva và
Malaysia`), the name of the person a role was cut for (`bà Phạm Thị Oanh, Phó Chủ tịch …`), and
the words a date is written with (`giữa tháng 4`, `lúc 4h35 sáng 7/5`, `tháng 7, 1961`). Each
rule only widens the span, within the same sentence; an answer not found verbatim is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.answering.people import persons
from bot.answering.question import COUNT_WORDS, QType, Question
from bot.answering.spans import clip, word_from
from bot.lang.dates import date_range, opened
from bot.lang.lists import entries
from bot.lang.normalize import fold
from bot.lang.tokenize import Word

Span = tuple[int, int]
Rule = Callable[[Question, str, Sequence[Word], Span], Span]

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_RANGE_TO = re.compile(r"\s*(?:đến|tới|-|–)\s*", re.IGNORECASE)
_APPOSITION = re.compile(r"\s*,\s*$")
_CLOCK_BEFORE = re.compile(r"(?<![\d/])(?:lúc\s+)?(?:[01]?\d|2[0-3])\s*(?:h|giờ|:)\s*(?:[0-5]\d)?(?:\s*phút)?\s+$", re.IGNORECASE)
_PERIOD_BEFORE = re.compile(rf"\b(?:{'|'.join(map(re.escape, entries('period_parts')))})\s+$", re.IGNORECASE)
_YEAR_AFTER = re.compile(r",?\s+(?:năm\s+(?:1\d|20)\d\d(?!\d)|(?:1\d|20)\d\d(?=\s*(?:[,.;:)]|$)))", re.IGNORECASE)
# Word tags that continue a name or a noun phrase after `và` (pyvi: nouns, proper nouns,
# classifiers, abbreviations).
_NOMINAL = frozenset({"N", "Np", "Nc", "Ny", "Nu"})


def _asked_rest(q: Question, sentence: str, ws: Sequence[Word], span: Span) -> Span:
    """Go on as the question goes on after the unit it counts (`mấy cầu thủ nhập tịch`: `3 cầu
    thủ` + `nhập tịch`), a number standing for a second count word (`mấy chương, mấy điều`:
    `4 chương` + `35 điều`)."""
    start, end = span
    asked = q.syllables
    unit = fold(sentence[start:end]).split()[-1:]
    if q.intent.label or not unit or unit[0] not in asked:
        return span
    at = asked.index(unit[0]) + 1
    k = word_from(ws, end)
    while k < len(ws) and at < len(asked) and sentence[end : ws[k].start].strip() == "":
        if ws[k].text == "," and k + 1 < len(ws) and _NUMBER.fullmatch(ws[k + 1].text) and asked[at] in COUNT_WORDS:
            k += 1  # `4 chương, 35 điều`
        said = fold(ws[k].text).split()
        if _NUMBER.fullmatch(ws[k].text) and asked[at] in COUNT_WORDS:
            at += 1 + (asked[at] == "bao")  # `bao nhiêu`: two syllables
        elif said == list(asked[at : at + len(said)]):
            at += len(said)
        else:
            break
        end, k = ws[k].end, k + 1
    return start, end


def _range(q: Question, sentence: str, ws: Sequence[Word], span: Span) -> Span:
    """`từ 4.000.000 đồng đến 6.000.000 đồng`: a count that opens a range takes its other end in
    the same unit, and the `từ` before it."""
    start, end = span
    joint = _RANGE_TO.match(sentence, end)
    k = word_from(ws, joint.end()) if joint else len(ws)
    if not joint or k >= len(ws) or ws[k].start != joint.end() or not _NUMBER.fullmatch(ws[k].text):
        return span
    unit = fold(sentence[start:end]).split()[-1]
    same = [j for j in range(k + 1, min(len(ws), k + 4)) if fold(ws[j].text).split()[-1:] == [unit]]
    last = k if _NUMBER.fullmatch(unit) else same[0] if same else None
    if last is None or any(w.pos == "F" for w in ws[k + 1 : last]):
        return span  # the other end in another unit: not this count's range
    return opened(sentence, start), ws[last].end


def _coordinated(q: Question, sentence: str, ws: Sequence[Word], span: Span) -> Span:
    """`Geneva và Malaysia`, `Thủ tướng … và Chủ tịch … Nguyễn Thiện Nhân`: a second name joined by
    `và` is part of the answer (the nouns up to and including its last proper name)."""
    start, end = span
    k = word_from(ws, end)
    if k >= len(ws) or fold(ws[k].text) != "va" or sentence[end : ws[k].end].strip().lower() != "và":
        return span
    last = None
    j = k + 1
    while j < len(ws) and ws[j].pos in _NOMINAL:
        if ws[j].capitalized and ws[j].pos in {"Np", "Ny"}:
            last = j
        j += 1
    return (start, ws[last].end) if last is not None else span


def _named(q: Question, sentence: str, ws: Sequence[Word], span: Span) -> Span:
    """`bà Phạm Thị Oanh, Phó Chủ tịch …`: a role cut for a who-question takes the name it
    stands in apposition to."""
    start, end = span
    first = next((w for w in ws if w.start >= start), None)
    if first is None or first.pos == "Np":
        return span  # the span opens with a name of its own
    for p in persons(sentence):
        titled = p.start < p.name_start  # `bà Phạm Thị Oanh`, not a bare name run (`tỉnh Khánh Hòa, …`)
        if titled and p.end <= start and _APPOSITION.fullmatch(sentence[p.end : start]):
            return p.start, end
    return span


def _when_range(q: Question, sentence: str, ws: Sequence[Word], span: Span) -> Span:
    """`từ ngày 14 tháng 6 đến 15 tháng 7 năm 2018`: a date that opens a range takes its other end
    (the next date written right after `đến`), and the `từ` before it."""
    return date_range(sentence, *span) or span


def _when_bounds(q: Question, sentence: str, ws: Sequence[Word], span: Span) -> Span:
    """The words a date is written with around it: the part of it (`giữa tháng 4`, `những năm
    1950`), the clock time before it (`4h35 sáng 7/5`), the year after it (`tháng 7, 1961`)."""
    start, end = span
    before = sentence[max(0, start - 24) : start]
    part = _PERIOD_BEFORE.search(before)
    clock = _CLOCK_BEFORE.search(before)
    found = part or clock
    if found:
        start -= len(before) - found.start()
    year = _YEAR_AFTER.match(sentence, end)
    return start, year.end() if year else end


RULES: dict[QType, tuple[Rule, ...]] = {
    QType.WHEN: (_when_range, _when_bounds),
    QType.HOW_MANY: (_range, _asked_rest),
    QType.WHO: (_named, _coordinated),
    QType.WHERE: (_coordinated,),
}


def complete(q: Question, sentence: str, ws: Sequence[Word], answer: str) -> str:
    """The answer widened by the rules of its question type, clipped; as it was when the sentence
    does not hold it verbatim."""
    rules = RULES.get(q.qtype) if q.qtype else None
    start = sentence.find(answer)
    if not rules or start < 0:
        return clip(answer)
    span = (start, start + len(answer))
    for rule in rules:
        span = rule(q, sentence, ws, span)
    return clip(sentence[span[0] : span[1]])
