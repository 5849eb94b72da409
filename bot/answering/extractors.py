"""The answer span of a candidate sentence, read in its article: the rules registered per question
type (`extract.EXTRACTORS`), and the ones that need the article around the sentence: a when-
question's day resolved from the dateline and the story's time markers, and a group of people
(`hai Bộ trưởng`) named from the article's other sentences.
"""

from __future__ import annotations

import re
from functools import partial

from bot.answering.extract import Cut, cut
from bot.answering.people import resolve_group
from bot.answering.question import QType, Question
from bot.answering.spans import anchor_spans, remember
from bot.lang.dates import (
    DateMention,
    clock_time,
    date_range,
    dateline_day,
    day_offset,
    event_date,
    find_dates,
    with_clock,
)
from bot.lang.normalize import fold
from bot.library.corpus import Article
from bot.library.knowledge import KnowledgeBase

# How many sentences back an undated sentence may take its day from, and how far into its
# sentence a date may stand to count as the story's time marker.
_NARRATIVE_REACH = 1
_MARKER_START = 16


def _nearest(q: Question, text: str, days: list[DateMention]) -> DateMention:
    """Of a sentence's days, the one written nearest a run of the question's words (`Trưa 15/5, …
    nơi sạt lở khiến 14 căn nhà sụp hoàn toàn xuống sông ngày 22/4` for `14 căn nhà sụp xuống sông
    hôm nào`), not one the question names itself; the first when it repeats no two words together."""
    own = [d for d in days if fold(d.text) not in q.folded] or days
    runs = [(start, end) for start, end, size in anchor_spans(q, text) if size >= 2]
    if len(own) == 1 or not runs:
        return own[0]
    return min(own, key=lambda d: min(max(start - d.end, d.start - end, 0) for start, end in runs))


class Extractors:
    """Cuts answer spans from one KnowledgeBase's sentences."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def cut(self, q: Question, index: int) -> Cut | None:
        """The span answering `q` in sentence `index`, with the rule that cut it, or None."""
        sentence = self.kb.sentences[index]
        article = self.kb.articles[sentence.article_id]
        if q.qtype is QType.WHEN:
            return self._when(q, index, article)
        found = cut(q, sentence.text)
        if found and found.text and q.qtype is QType.WHO:
            names = resolve_group(found.text, self._texts_of(article))
            if names:
                return Cut(f"{found.text} ({names})", f"{found.rule}+group")
        return found

    def _texts_of(self, article: Article) -> list[str]:
        """The article's sentences in reading order: where references back are resolved."""
        ids = self.kb.article_sentences(article.id)
        texts = [self.kb.sentences[i].text for i in ids]
        remember(zip(texts, (partial(self.kb.words, i) for i in ids)))
        return texts

    def _when(self, q: Question, index: int, article: Article) -> Cut | None:
        """The day (or, for `năm nào`, the year) the sentence's event happened, resolved; a question
        asking `ngày nào` is not answered by a month or a year."""
        sentence = self.kb.sentences[index]
        clock = clock_time(sentence.text) if q.intent.wants_clock else None
        if q.intent.wants_clock and clock is None:
            return None  # `lúc mấy giờ` of a sentence that gives no time of day: no day answers it
        mentions = find_dates(sentence.text, article.published)
        wants_year, wants_day = q.intent.wants_year, q.intent.wants_day
        if wants_year:
            years = [m for m in mentions if m.year and not m.day]
            if years:
                return Cut(years[0].display(), "when:year")  # as written: `Năm 2008`
        days = [m for m in mentions if m.day]
        today = dateline_day(sentence.text, article.published)
        day = _nearest(q, sentence.text, days) if days else today
        if day is not None:
            period = date_range(sentence.text, day.start, day.end) if days else None
            if period and not q.intent.wants_clock:  # `giai đoạn 1/1/2014 – 31/12/2016`: both ends
                return Cut(sentence.text[period[0] : period[1]], "when:range")
            if not q.intent.wants_clock:
                return Cut(day.display(), "when:day" if days else "when:dateline")
            timed = with_clock(sentence.text, day)
            if timed:
                return Cut(timed.display(), "when:clock")
            return Cut(f"{clock}, {day.display()}", "when:clock")
        months = [m for m in mentions if m.month]
        if months and not wants_day:
            return Cut(months[0].display(), "when:month")
        siblings = self._texts_of(article)
        event = event_date(siblings, sentence.position, article.published)
        if event is not None:
            lead = re.match(r"[^,]+", sentence.text)
            return Cut(f"{event.display()}, {lead.group(0).strip().lower() if lead else ''}", "when:event")
        narrative = self._narrative_date(siblings, sentence.position, article)
        if narrative is None and mentions and not wants_day:
            # only a year, often part of a name (`Kế hoạch … năm 2022`)
            return Cut(mentions[0].display(), "when:year-only")
        return Cut(narrative, "when:narrative") if narrative is not None else None

    def _narrative_date(self, siblings: list[str], position: int, article: Article) -> str | None:
        """The day of the nearest dated sentence before: for `Chiều cùng ngày` / `Sáng hôm sau` at
        any distance (shifted as they say), and for a plain continuation (`Sáng 14/11, … Tại cột
        mốc, …`) only from the sentence right before."""
        offset = day_offset(siblings[position])
        if offset is None:
            earlier = siblings[max(0, position - _NARRATIVE_REACH) : position]
            days = [m for text in reversed(earlier) for m in find_dates(text, article.published) if m.day]
            return days[0].display() if days else None
        dated = [
            [m for m in find_dates(text, article.published) if m.day]
            for text in reversed(siblings[:position])
        ]
        # The story's own time markers open their sentence (`Sáng 21/10, …`); dates inside a
        # sentence (`trong đêm 20/10`) are background, used only when there is no marker.
        markers = [days[0] for days in dated if days and days[0].start <= _MARKER_START]
        anyday = [days[0] for days in dated if days]
        anchor = markers[0] if markers else anyday[0] if anyday else None
        moved = anchor.shifted(offset) if anchor else None
        if moved is None:
            return None
        lead = re.match(r"[^,]+", siblings[position])
        return (
            f"{moved.display(written=False)} ({lead.group(0).strip().lower()})"
            if lead
            else moved.display(False)
        )
