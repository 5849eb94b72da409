"""The answering core: question in, short answer + quoted sentence + citation out.

Knows nothing of Telegram or the terminal; both only format an `Answer`.
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property, partial
from typing import Any

from bot import spanrank
from bot.corpus import Article
from bot.dates import clock_time, dateline_day, day_offset, event_date, find_dates, format_day, with_clock
from bot.evidence import Evidence
from bot.extract import count_fits, extract
from bot.knowledge import Hit, KnowledgeBase
from bot.lang import entries
from bot.normalize import canonical, fold
from bot.people import resolve_group
from bot.question import QType, Question, analyze
from bot.ranker import Ranker, Scored
from bot.settings import Settings
from bot.spans import MAX_ANSWER, clip, remember

# How much an answer of the asked type, and raw BM25, add to coverage when ranking.
_TYPE_BONUS = 0.5
_BM25_WEIGHT = 0.25
# The question's verbs in the sentence, and its words in the same order, favour the sentence
# that states the asked-about event rather than one that merely shares its vocabulary.
_VERB_WEIGHT = 0.2
_PROXIMITY_WEIGHT = 0.3
# Another article's answer is shown too when its candidate scores this close to the best.
_SAME_ANSWER_RATIO = 0.9
# How many article titles a not-found answer names.
_NOTE_TITLES = 3
# Abstention: how far below MIN_COVERAGE an answer may be when no question word is missing
# from its article; how far a typed answer may trail an untyped best; what a sentence naming a
# different number (`số 5` for `số 6`) costs.
_LENIENCE = 0.1
_PROMOTE_MARGIN = 0.3
_CONFLICT_PENALTY = 0.5
# Only the best few candidates by the other evidence get an answer extracted.
_EXTRACT_DEPTH = 10
# The answer types whose extraction is one ranking feature each (the rest share the last one).
_TYPED: tuple[frozenset[QType | None], ...] = (
    *(frozenset({t}) for t in (QType.WHO, QType.WHEN, QType.WHERE, QType.HOW_MANY, QType.WHAT)),
    frozenset({QType.YES_NO, None}),
)
# Several sources: which answers can differ by date, how long such an answer is, how many.
_FACT_TYPES = frozenset({QType.WHO, QType.WHEN, QType.HOW_MANY})
_SHORT_FACT = 60
_MAX_SOURCES = 3
# How many sentences back an undated sentence may take its day from, and how far into its
# sentence a date may stand to count as the story's time marker.
_NARRATIVE_REACH = 1
_MARKER_START = 16


_NEGATION = re.compile(rf"\b(?:{'|'.join(entries('negation_words'))})\b", re.IGNORECASE)


def _tells_time(span: str | None) -> bool:
    """A span with a time word (`lúc`, `sáng`, `năm`, `khi`…): an answer to `khi nào`."""
    said = " " + " ".join(re.findall(r"\w+", canonical(span or ""))) + " "
    return any(f" {w} " in said for w in entries("time_words"))


@dataclass(frozen=True)
class Citation:
    """Where an answer comes from: the article and its exact sentence."""

    article_id: str
    title: str
    url: str | None
    published: date | None
    sentence: str
    score: float
    sentence_index: int

    def to_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "sentence": self.sentence,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Answer:
    """`found` is False when no article holds the answer; `note` then says what the bot knows."""

    question: str
    found: bool
    answer: str | None
    citations: tuple[Citation, ...]
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "found": self.found,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
        }


@dataclass(frozen=True)
class Candidate:
    """A retrieved sentence, judged against the question."""

    index: int
    bm25: float
    coverage: float
    answer: str | None
    score: float
    scored: Scored | None = None  # the fitted ranker's part-by-part score (`RANKER=fitted`)


class Answerer:
    """Answers questions from one KnowledgeBase with the thresholds in Settings."""

    def __init__(self, kb: KnowledgeBase, settings: Settings, ranker: Ranker | None = None) -> None:
        self.kb = kb
        self.settings = settings
        self._evidence = Evidence(kb)
        self.ranker = ranker or (Ranker.load() if settings.ranker == "fitted" else None)

    def cite(self, sentence_index: int, score: float) -> Citation:
        sentence = self.kb.sentences[sentence_index]
        article = self.kb.articles[sentence.article_id]
        return Citation(
            article_id=article.id,
            title=article.title,
            url=article.url,
            published=article.published_date,
            sentence=sentence.text,
            score=score,
            sentence_index=sentence_index,
        )

    def ask(self, question: str) -> Answer:
        asked = " ".join(question.split())
        q = analyze(question)
        if self.ranker is not None:
            candidates = self.ranked(q)
            if not candidates or self.confidence(candidates) < self.ranker.threshold:
                return Answer(asked, False, None, (), self.not_found_note())
            best = candidates[0]
        else:
            candidates = self._judge(q, self.retrieve(q))
            if not candidates:
                return Answer(asked, False, None, (), self.not_found_note())
            best = self._typed_first(q, candidates)
            if not self._answers(q, best):
                return Answer(asked, False, None, (), self.not_found_note())
        candidates = [best] + [c for c in candidates if c is not best]
        if q.qtype is not QType.YES_NO and (self.ranker is not None or best.answer is None):
            dated = best.answer is not None
            best = replace(best, answer=self._short(q, best))
            candidates[0] = best
            if q.qtype is QType.WHEN and not dated and not _tells_time(best.answer):
                # The sentence tells of the event but neither it nor its article says when: say
                # so, rather than answer a when-question with a clause.
                return Answer(asked, False, None, (), self._no_date_note(self.kb.article_of(best.index)))
        chosen = self._other_sources(best, candidates, q.qtype)
        text = self._answer_text(chosen, best)
        if q.qtype is QType.YES_NO:
            text = self._yes(best, text)
        rest = [c for c in candidates if c not in chosen]
        citations = tuple(self.cite(c.index, c.score) for c in (chosen + rest)[: self.settings.top_k])
        return Answer(asked, True, text, citations)

    def _short(self, q: Question, best: Candidate) -> str | None:
        """The short answer the fitted span model prefers: the extractor's or a clause."""
        sentence = self.kb.sentences[best.index].text
        return spanrank.pick(
            spanrank.candidates(q, sentence, best.answer), (self.ranker or Ranker.load()).span_weights
        )

    def ranked(self, q: Question) -> list[Candidate]:
        """The hits ordered by the fitted ranker (`RANKER=fitted`); a candidate's score is the
        logistic of its ranking score, so near-equal sources compare as with the rules."""
        assert self.ranker is not None
        judged = []
        for h, answer, values in self.featurize(q, self.retrieve(q)):
            scored = self.ranker.score(values)
            score = 1.0 / (1.0 + math.exp(-scored.score))
            judged.append(Candidate(h.index, h.score, values[4] + values[5], answer, score, scored))
        return sorted(judged, key=lambda c: -c.score)

    def confidence(self, candidates: list[Candidate]) -> float:
        """How likely the best candidate answers: the fitted answer model on its evidence and its
        lead over the runner-up."""
        assert self.ranker is not None
        best, runner_up = candidates[0].scored, candidates[1].scored if len(candidates) > 1 else None
        assert best is not None
        return self.ranker.confidence(self.ranker.answer_values(best, runner_up))

    def retrieve(self, q: Question) -> list[Hit]:
        """BM25's best sentences: the candidates."""
        return self.kb.search(q.search_terms, self.settings.retrieve_k) if q.terms else []

    def _remember(self, hits: list[Hit]) -> None:
        """Let extraction read the candidates' words as ingestion stored them, not run pyvi."""
        remember((self.kb.sentences[h.index].text, partial(self.kb.words, h.index)) for h in hits)

    def _beside(self, index: int) -> list[int]:
        sentence = self.kb.sentences[index]
        ids = self.kb.article_sentences(sentence.article_id)
        return [ids[p] for p in (sentence.position - 1, sentence.position + 1) if 0 <= p < len(ids)]

    def featurize(self, q: Question, hits: list[Hit]) -> list[tuple[Hit, str | None, tuple[float, ...]]]:
        """Each hit's answer span and feature values, in the order of `ranker.FEATURES`."""
        if not hits:
            return []
        self._remember(hits)
        top = max(max(h.score for h in hits), 1e-9)
        by_article: dict[str, float] = {}
        for h in hits:
            article_id = self.kb.sentences[h.index].article_id
            by_article[article_id] = by_article.get(article_id, 0.0) + max(h.score, 0.0)
        beside = [self._beside(h.index) for h in hits]
        near = self.kb.scores(q.search_terms, [i for ids in beside for i in ids])
        evidence = self._evidence
        wants_name = q.qtype in {QType.WHO, QType.WHERE}
        wants_number = q.qtype in {QType.HOW_MANY, QType.WHEN}
        out = []
        for rank, h in enumerate(hits):
            sentence = self.kb.sentences[h.index]
            answer = self._extract(q, h.index)
            name, number = evidence.fresh_tokens(q, h.index)
            counted = q.qtype is QType.HOW_MANY and answer is not None
            in_sentence, scattered, window, in_article, title = evidence.coverage_parts(q, h.index)
            others = by_article[sentence.article_id] - max(h.score, 0.0)
            values = (
                max(h.score, 0.0) / top,
                1.0 / (1.0 + rank),
                min(others / top, 1.0),
                max((near[i] for i in beside[rank]), default=0.0) / top,
                in_sentence,
                scattered,
                window,
                in_article,
                title,
                evidence.syllable_cover(q, h.index),
                evidence.longest_run(q, h.index),
                float(evidence.missing(q, h.index)),
                *evidence.absent_nouns(q, h.index),
                evidence.verbs(q, h.index),
                evidence.proximity(q, h.index),
                evidence.rare_pairs(q, h.index),
                float(evidence.numbers_conflict(q, h.index)),
                float(not evidence.entities_agree(q, h.index)),
                *(float(answer is not None and q.qtype in kinds) for kinds in _TYPED),
                float(counted and not count_fits(q, answer)),  # type: ignore[arg-type]
                float(counted and q.head is not None and count_fits(q, answer)),  # type: ignore[arg-type]
                name * wants_name,
                number * wants_number,
                float(q.qtype is None),
                float(sentence.position == 0),
                min(len(sentence.text.split()) / 100, 1.0),
            )
            out.append((h, answer, values))
        return out

    def explain(self, question: str, shown: int = 5) -> list[str]:
        """Why the answer won: per candidate (best first by the fitted ranker), its score, the rule
        that cut its span, and each feature with its value and its part of the score."""
        q = analyze(question)
        ranker = self.ranker or Ranker.load()
        fitted = self if self.ranker else Answerer(self.kb, self.settings, ranker)
        candidates = fitted.ranked(q)
        head = f"question type: {q.qtype or 'none'}; ranker: {self.settings.ranker}"
        lines = [f"{head}; terms: {' '.join(q.search_terms)}"]
        if candidates:
            confidence = fitted.confidence(candidates)
            lines.append(f"confidence {confidence:.3f} (threshold {ranker.threshold:.3f})")
        for rank, c in enumerate(candidates[:shown], start=1):
            assert c.scored is not None
            rule = f"{q.qtype}" if c.answer else "none (the sentence is quoted)"
            lines.append(f"#{rank} score {c.scored.score:+.3f} bm25 {c.bm25:.2f} rule {rule}: {c.answer!r}")
            lines.append(f"   {self.kb.sentences[c.index].text[:160]}")
            parts = sorted(c.scored.contributions, key=lambda p: -abs(p[2]))
            lines.append("   " + ", ".join(f"{n}={v:.2f}({part:+.2f})" for n, v, part in parts if v))
        return lines

    def _answers(self, q: Question, best: Candidate) -> bool:
        """Enough evidence to answer: coverage at the threshold, or a little below it when every
        word of the question is somewhere in that article (the sentence just says it shorter)."""
        floor = self.settings.min_coverage
        if best.coverage >= floor:
            return True
        return best.coverage >= floor - _LENIENCE and not self._evidence.missing(q, best.index)

    def _typed_first(self, q: Question, candidates: list[Candidate]) -> Candidate:
        """An answer of the asked kind (a name for `ai`) beats a slightly better match that holds none."""
        best = candidates[0]
        if best.answer or q.qtype not in _FACT_TYPES | {QType.WHERE}:
            return best
        for c in candidates[1:]:
            if c.answer and c.score >= best.score - _PROMOTE_MARGIN and self._answers(q, c):
                return c
        return best

    def _judge(self, q: Question, hits: list[Hit]) -> list[Candidate]:
        """Rerank BM25 hits by coverage of the question, entity agreement and answer type."""
        if not hits:
            return []
        self._remember(hits)
        top = max(h.score for h in hits) or 1.0
        evidence = self._evidence
        prelim: list[tuple[float, float, Hit]] = []
        for h in hits:
            if not evidence.entities_agree(q, h.index):
                continue
            coverage = evidence.coverage(q, h.index)
            score = (
                -_CONFLICT_PENALTY * evidence.numbers_conflict(q, h.index)
                + coverage
                + _BM25_WEIGHT * max(h.score, 0.0) / top
                + _VERB_WEIGHT * evidence.verbs(q, h.index)
                + _PROXIMITY_WEIGHT * evidence.proximity(q, h.index)
            )
            prelim.append((score, coverage, h))
        prelim.sort(key=lambda item: -item[0])
        judged: list[Candidate] = []
        for rank, (score, coverage, h) in enumerate(prelim):
            # Extraction is the costly step; one far down the list could not climb to the top.
            answer = self._extract(q, h.index) if rank < _EXTRACT_DEPTH else None
            bonus = _TYPE_BONUS if answer else 0.0
            if answer and q.qtype is QType.HOW_MANY and not count_fits(q, answer):
                bonus /= 2  # a number, but not of what is counted (`3 tàu` for `bao nhiêu sĩ quan`)
            judged.append(Candidate(h.index, h.score, coverage, answer, score + bonus))
        return sorted(judged, key=lambda c: -c.score)

    def _extract(self, q: Question, index: int) -> str | None:
        sentence = self.kb.sentences[index]
        article = self.kb.articles[sentence.article_id]
        if q.qtype is QType.WHEN:
            return self._when(q, index, article)
        answer = extract(q, sentence.text)
        if answer and q.qtype is QType.WHO:
            names = resolve_group(answer, self._texts_of(article))
            if names:
                answer = f"{answer} ({names})"
        return answer

    def _texts_of(self, article: Article) -> list[str]:
        """The article's sentences in reading order: where references back are resolved."""
        ids = self.kb.article_sentences(article.id)
        texts = [self.kb.sentences[i].text for i in ids]
        remember(zip(texts, (partial(self.kb.words, i) for i in ids)))
        return texts

    def _when(self, q: Question, index: int, article: Article) -> str | None:
        """The day (or, for `năm nào`, the year) the sentence's event happened, resolved; a question
        asking `ngày nào` is not answered by a month or a year."""
        sentence = self.kb.sentences[index]
        mentions = find_dates(sentence.text, article.published)
        wants_year, wants_day = q.intent.wants_year, q.intent.wants_day
        if wants_year:
            years = [m for m in mentions if m.year and not m.day]
            if years:
                return years[0].display()  # as written: `Năm 2008`
        days = [m for m in mentions if m.day]
        today = dateline_day(sentence.text, article.published)
        if days or today:
            day = (days or [today])[0]
            if not q.intent.wants_clock:
                return day.display()
            timed = with_clock(sentence.text, day)
            if timed:
                return timed.display()
            clock = clock_time(sentence.text)
            return f"{clock}, {day.display()}" if clock else day.display()
        months = [m for m in mentions if m.month]
        if months and not wants_day:
            return months[0].display()
        siblings = self._texts_of(article)
        event = event_date(siblings, sentence.position, article.published)
        if event is not None:
            lead = re.match(r"[^,]+", sentence.text)
            return f"{event.display()}, {lead.group(0).strip().lower() if lead else ''}"
        narrative = self._narrative_date(siblings, sentence.position, article)
        if narrative is None and mentions and not wants_day:
            return mentions[0].display()  # only a year, often part of a name (`Kế hoạch … năm 2022`)
        return narrative

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
        anchor = (markers or anyday or [None])[0]
        moved = anchor.shifted(offset) if anchor else None
        if moved is None:
            return None
        lead = re.match(r"[^,]+", siblings[position])
        return (
            f"{moved.display(written=False)} ({lead.group(0).strip().lower()})"
            if lead
            else moved.display(False)
        )

    def _other_sources(
        self, best: Candidate, candidates: list[Candidate], qtype: QType | None
    ) -> list[Candidate]:
        """Near-equal answers from other articles (e.g. a minister in 2020 and in 2025), newest first.

        Only for short factual answers (a name, a date, a number); a clause is no 'other answer'.
        """
        if not best.answer or qtype not in _FACT_TYPES or len(best.answer) > _SHORT_FACT:
            return [best]
        chosen = [best]
        seen_articles = {self.kb.sentences[best.index].article_id}
        for c in candidates[1:]:
            article_id = self.kb.sentences[c.index].article_id
            if len(chosen) == _MAX_SOURCES:
                break
            if (
                c.answer
                and len(c.answer) <= _SHORT_FACT
                and article_id not in seen_articles
                and c.score >= _SAME_ANSWER_RATIO * best.score
                and c.coverage >= best.coverage
                and fold(c.answer) not in fold(best.answer)
            ):
                chosen.append(c)
                seen_articles.add(article_id)
        if len(chosen) == 1:
            return chosen
        return sorted(
            chosen, key=lambda c: self.kb.article_of(c.index).published or datetime.min, reverse=True
        )

    def _answer_text(self, chosen: list[Candidate], best: Candidate) -> str:
        """The short answer; with several sources, each with its article's date, as many as fit."""
        if len(chosen) == 1:
            return clip(best.answer or self.kb.sentences[best.index].text)
        text = ""
        for c in chosen:
            day = self.kb.article_of(c.index).published_date
            part = f"{c.answer} ({format_day(day) if day else 'bài không ghi ngày'})"
            if text and len(text) + 2 + len(part) > MAX_ANSWER:
                break
            text = f"{text}; {part}" if text else part
        return text

    def _yes(self, best: Candidate, text: str) -> str:
        """The yes/no verdict first, then the quote: `Có` when the sentence states the asked
        predicate and negates nothing, `Không` when the clause stating it is negated, else
        `Bài báo không nói rõ` (the sentence is about it but does not settle it)."""
        if best.answer and _NEGATION.search(best.answer):
            verdict = "Không"
        elif best.answer and not _NEGATION.search(self.kb.sentences[best.index].text):
            verdict = "Có"
        else:
            verdict = "Bài báo không nói rõ"
        return clip(f"{verdict}. {text}")

    @staticmethod
    def _no_date_note(article: Article) -> str:
        dated = f", đăng ngày {format_day(article.published_date)}" if article.published_date else ""
        return f"Bài “{article.title}”{dated} có nói về việc này nhưng không nêu nó diễn ra khi nào."

    @cached_property
    def _note(self) -> str:
        """The not-found note: the same for every question, so made once (sorting 35k articles
        per abstention was the slowest answer at archive size)."""
        articles = heapq.nlargest(
            _NOTE_TITLES, self.kb.articles.values(), key=lambda a: a.published or datetime.min
        )
        titles = "; ".join(a.title for a in articles)
        total = len(self.kb.articles)
        more = f" và {total - _NOTE_TITLES} bài khác" if total > _NOTE_TITLES else ""
        return (
            "Các bài báo hiện có không nêu câu trả lời cho câu hỏi này. "
            f"Tôi đang có {total} bài: {titles}{more} (danh sách đầy đủ: lệnh sources)."
        )

    def not_found_note(self) -> str:
        """What the bot does know about: the newest few titles, and how many articles in all."""
        return self._note
