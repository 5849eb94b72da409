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

import numpy as np

from bot.answering import spanrank
from bot.answering.evidence import Evidence
from bot.answering.extract import count_fits, extract
from bot.answering.people import resolve_group
from bot.answering.question import QType, Question, analyze
from bot.answering.ranker import LICENSED_PATH, MODEL_PATH, Ranker, Reply, Scored, reply_values
from bot.answering.spans import MAX_ANSWER, clip, remember
from bot.lang.dates import (
    clock_time,
    dateline_day,
    day_offset,
    event_date,
    find_dates,
    format_day,
    with_clock,
)
from bot.lang.lists import entries
from bot.lang.normalize import canonical, fold
from bot.lang.restore import restore, runs
from bot.library.corpus import Article
from bot.library.knowledge import Hit, KnowledgeBase
from bot.settings import Settings

# How many article titles a not-found answer names.
_NOTE_TITLES = 3
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


# Words that negate a clause, and the pairs that start with one but negate nothing.
_NEGATIONS = frozenset(canonical(w) for w in entries("negation_words"))
_NOT_NEGATING = frozenset(canonical(p) for p in entries("negation_exceptions"))


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
    """`found` is False when no article holds the answer; `note` then says what the bot knows.
    `unsure`: not confident, and the citations are the likeliest sentences (the reader decides)."""

    question: str
    found: bool
    answer: str | None
    citations: tuple[Citation, ...]
    note: str | None = None
    unsure: bool = False

    def to_json(self) -> dict[str, Any]:
        row = {
            "question": self.question,
            "found": self.found,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
        }
        return {**row, "unsure": True} if self.unsure else row


@dataclass(frozen=True)
class Candidate:
    """A retrieved sentence, judged against the question."""

    index: int
    bm25: float
    answer: str | None
    score: float  # the logistic of the ranking score: near-equal sources compare as near-equal
    scored: Scored


@dataclass(frozen=True)
class Ranked:
    """What ranking made of one question: the candidates best first, how likely the best one
    answers and how likely one of the first three does, and the text the encoder read."""

    question: Question
    candidates: tuple[Candidate, ...]
    probability: float
    unsure: float
    encoded: str


@dataclass(frozen=True)
class Retrieved:
    """The candidates of one question (BM25's best and e5's closest, in BM25 order), which of them
    BM25 proposed, the question's e5 vector and the text it was made from."""

    hits: tuple[Hit, ...]
    lexical: frozenset[int]
    query: np.ndarray
    encoded: str


_NOT_SURE = "Tôi không chắc câu nào trả lời đúng câu hỏi này; đây là những câu gần nhất trong các bài báo:"


class Answerer:
    """Answers questions from one KnowledgeBase with the fitted ranker (bot/answering/data/ranker.json)."""

    def __init__(self, kb: KnowledgeBase, settings: Settings, ranker: Ranker | None = None) -> None:
        self.kb = kb
        self.settings = settings
        self._evidence = Evidence(kb)
        self.ranker = ranker or Ranker.load(LICENSED_PATH if settings.ranker_weights == "licensed" else MODEL_PATH)

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
        return self.respond(question)[0]

    def respond(self, question: str) -> tuple[Answer, Ranked]:
        """The answer, and the ranking it came from (what evaluation reads besides the reply)."""
        asked = " ".join(question.split())
        ranked = self.rank(analyze(question))
        return self._reply(asked, ranked), ranked

    def _reply(self, asked: str, ranked: Ranked) -> Answer:
        q, candidates = ranked.question, list(ranked.candidates)
        if not candidates:
            return Answer(asked, False, None, (), self.not_found_note())
        reply = self.ranker.decide(ranked.probability, ranked.unsure)
        if reply is Reply.NONE:
            return Answer(asked, False, None, (), self.not_found_note())
        if reply is Reply.UNSURE:
            shown = tuple(self.cite(c.index, c.score) for c in candidates[: self.settings.top_k])
            return Answer(asked, False, None, shown, _NOT_SURE, unsure=True)
        best = candidates[0]
        if q.qtype is not QType.YES_NO:
            dated = best.answer is not None
            best = candidates[0] = replace(best, answer=self._short(q, best))
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
        """The short answer the fitted span model prefers: the extractor's or a clause; never a
        count in another unit than the one asked."""
        sentence = self.kb.sentences[best.index].text
        extracted = best.answer
        if q.qtype is QType.HOW_MANY and q.intent.measure and extracted and not count_fits(q, extracted):
            extracted = None  # a count of something else (`13 người` for `dài bao nhiêu`) is no answer
        return spanrank.pick(spanrank.candidates(q, sentence, extracted), self.ranker.span_weights)

    def rank(self, q: Question) -> Ranked:
        """The candidates ordered by the fitted ranker, and the reply models' probabilities."""
        retrieved = self.retrieve(q)
        encoded = retrieved.encoded
        judged = []
        for h, answer, values in self.featurize(q, retrieved):
            scored = self.ranker.score(values)
            score = 1.0 / (1.0 + math.exp(-max(min(scored.score, 50.0), -50.0)))
            judged.append(Candidate(h.index, h.score, answer, score, scored))
        judged.sort(key=lambda c: -c.scored.score)
        if not judged:
            return Ranked(q, (), 0.0, 0.0, encoded)
        values = reply_values([c.scored for c in judged])
        return Ranked(q, tuple(judged), self.ranker.answer.probability(values),
                      self.ranker.unsure.probability(values), encoded)

    def retrieve(self, q: Question) -> Retrieved:
        """The candidates: BM25's best sentences and e5's closest, each with its BM25 score, in
        BM25 order; with the question's vector and the text it was made from (accents given back
        to a question typed without them, from the words of BM25's candidates)."""
        if not q.terms:  # nothing to look for (`???`, only question words): no candidate at all
            return Retrieved((), frozenset(), np.zeros(0, np.float32), q.text)
        k = self.settings.retrieve_k
        lexical = self.kb.search(q.search_terms, k)
        encoded = q.text
        if not q.accented:
            words = [self.kb.sentences[h.index].text for h in lexical]
            words += [self.kb.article_of(h.index).title for h in lexical]
            encoded = restore(q.text, runs(words), self.kb.accents)
        query = self.kb.encoder.query(encoded)
        known = {h.index for h in lexical}
        extra = [h.index for h in self.kb.similar(query, k) if h.index not in known]
        scores = self.kb.scores(q.search_terms, extra)
        hits = lexical + [Hit(i, float(scores.get(i, 0.0))) for i in extra]
        hits.sort(key=lambda h: (-h.score, h.index))
        return Retrieved(tuple(hits), frozenset(known), query, encoded)

    def _remember(self, hits: list[Hit]) -> None:
        """Let extraction read the candidates' words as ingestion stored them, not run pyvi."""
        remember((self.kb.sentences[h.index].text, partial(self.kb.words, h.index)) for h in hits)

    def _beside(self, index: int) -> list[int]:
        sentence = self.kb.sentences[index]
        ids = self.kb.article_sentences(sentence.article_id)
        return [ids[p] for p in (sentence.position - 1, sentence.position + 1) if 0 <= p < len(ids)]

    def featurize(self, q: Question, retrieved: Retrieved) -> list[tuple[Hit, str | None, tuple[float, ...]]]:
        """Each hit's answer span and feature values, in the order of `ranker.FEATURES`."""
        hits = list(retrieved.hits)
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
        meaning = self._meaning(hits, beside, retrieved.query)
        evidence = self._evidence
        unknown = evidence.unknown(q)
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
                max((max(near[i], 0.0) for i in beside[rank]), default=0.0) / top,
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
                *meaning[rank],
                float(h.index in retrieved.lexical),
                unknown,
            )
            out.append((h, answer, values))
        return out

    def _meaning(self, hits: list[Hit], beside: list[list[int]], query: np.ndarray) -> list[tuple[float, ...]]:
        """Each hit's e5 features (`e5` … `e5_rank` of `ranker.FEATURES`): its cosine, with its
        neighbours, with its title, each also against the best of the candidates."""
        ids = sorted({i for h, near in zip(hits, beside) for i in (h.index, *near)})
        row = {i: r for r, i in enumerate(ids)}
        vectors = self.kb.vectors_of(ids)
        cos = vectors @ query
        own = np.array([cos[row[h.index]] for h in hits])
        windows = np.array([vectors[[row[i] for i in (h.index, *near)]].mean(axis=0) for h, near in zip(hits, beside)])
        window = (windows @ query) / np.maximum(np.linalg.norm(windows, axis=1), 1e-9)
        titles: dict[str, float] = {}
        order = np.argsort(-own, kind="stable")
        rank = np.empty(len(hits), np.int64)
        rank[order] = np.arange(len(hits))
        out = []
        for k, (h, near) in enumerate(zip(hits, beside)):
            article_id = self.kb.sentences[h.index].article_id
            if article_id not in titles:
                titles[article_id] = self.kb.title_cosine(query, article_id)
            out.append((
                float(own[k]),
                float(own[k] - own.max()),
                float(window[k]),
                float(window[k] - window.max()),
                titles[article_id],
                max((float(cos[row[i]]) for i in near), default=float(own[k])),
                1.0 / (1.0 + float(rank[k])),
            ))
        return out

    def explain(self, question: str, shown: int = 5) -> list[str]:
        """Why the answer won: the reply models' probabilities against their thresholds, then per
        candidate (best first) its score, the span cut from it, and each feature with its value
        and its part of the score."""
        ranked = self.rank(analyze(question))
        q, ranker = ranked.question, self.ranker
        lines = [f"question type: {q.qtype or 'none'}; terms: {' '.join(q.search_terms)}"]
        if ranked.encoded != q.text:
            lines.append(f"e5 read it as: {ranked.encoded}")
        if ranked.candidates:
            reply = ranker.decide(ranked.probability, ranked.unsure)
            lines.append(
                f"reply: {reply} (answers {ranked.probability:.3f}, threshold {ranker.answer_threshold:.3f}; "
                f"one of the first three answers {ranked.unsure:.3f}, threshold {ranker.unsure_threshold:.3f})"
            )
        for rank, c in enumerate(ranked.candidates[:shown], start=1):
            rule = f"{q.qtype}" if c.answer else "none (the sentence is quoted)"
            lines.append(f"#{rank} score {c.scored.score:+.3f} bm25 {c.bm25:.2f} rule {rule}: {c.answer!r}")
            lines.append(f"   {self.kb.sentences[c.index].text[:160]}")
            parts = sorted(c.scored.contributions, key=lambda p: -abs(p[2]))
            lines.append("   " + ", ".join(f"{n}={v:.2f}({part:+.2f})" for n, v, part in parts if v))
        return lines

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
        """Other articles' answers that the answer model would give on their own too (a minister in
        2020 and in 2025), newest first: each judged as if it led the list, against the best.

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
                and fold(c.answer) not in fold(best.answer)
                and self.ranker.answer.probability(reply_values([c.scored, best.scored]))
                >= self.ranker.answer_threshold
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
        sentence = self.kb.sentences[best.index].text
        clause = sentence.find(best.answer.rstrip(" …")) if best.answer else -1
        if best.answer and self._negated(best.index, max(clause, 0), max(clause, 0) + len(best.answer)):
            verdict = "Không"
        elif best.answer and not self._negated(best.index, 0, len(sentence)):
            verdict = "Có"
        else:
            verdict = "Bài báo không nói rõ"
        return clip(f"{verdict}. {text}")

    def _negated(self, index: int, start: int, end: int) -> bool:
        """Does a negation word stand, as a word of its own (pyvi's: `không khí` is air, `không quân`
        an air force), between those characters of the sentence, negating what follows?"""
        words = [w for w in self.kb.words(index) if start <= w.start < end]
        for w, after in zip(words, [*words[1:], None]):
            said = canonical(w.text)
            if said in _NEGATIONS and (after is None or f"{said} {canonical(after.text)}" not in _NOT_NEGATING):
                return True
        return False

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
