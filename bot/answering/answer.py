"""The answering core: question in, short answer + quoted sentence + citation out.

Knows nothing of Telegram or the terminal; both only format an `Answer`.
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property
from typing import Any

from bot.answering import spanrank
from bot.answering.candidates import retrieve
from bot.answering.complete import complete
from bot.answering.evidence import Evidence, Gatherer
from bot.answering.extract import count_fits
from bot.answering.people import named_near
from bot.answering.question import QType, Question, analyze
from bot.answering.ranker import FEATURES, Ranker, Reply, Scored, path_for, reply_values
from bot.answering.spans import MAX_ANSWER, about, clip
from bot.lang.dates import clock_time, format_day
from bot.lang.lists import entries
from bot.lang.normalize import canonical, fold
from bot.library.corpus import Article
from bot.library.knowledge import KnowledgeBase
from bot.settings import Settings

# How many article titles a not-found answer names.
_NOTE_TITLES = 3
# Several sources: which answers can differ by date, how long such an answer is, how many.
_FACT_TYPES = frozenset({QType.WHO, QType.WHEN, QType.HOW_MANY})
_SHORT_FACT = 60
_MAX_SOURCES = 3


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
    """A candidate sentence as ranked: its evidence, its score, and the short answer it gives
    (the span its evidence cut, until the span model picks the one to show)."""

    evidence: Evidence
    answer: str | None
    score: float  # the logistic of the ranking score: near-equal sources compare as near-equal
    scored: Scored

    @property
    def index(self) -> int:
        return self.evidence.index


@dataclass(frozen=True)
class Ranked:
    """What ranking made of one question: the candidates best first, how likely the best one
    answers and how likely one of the first three does, and the text the encoder read."""

    question: Question
    candidates: tuple[Candidate, ...]
    probability: float
    unsure: float
    encoded: str


_COVER = FEATURES.index("cover_sentence"), FEATURES.index("cover_syllables")


def _undated(q: Question, best: Candidate, short: str | None, sentence: str) -> bool:
    """A when-question whose sentence no date was resolved for (`best.answer`, the extractor's),
    and whose short answer tells no time either; one asking the time of day, whose sentence gives
    none (a day is no answer to `lúc mấy giờ`)."""
    if q.qtype is not QType.WHEN or best.answer is not None:
        return False
    return clock_time(sentence) is None if q.intent.wants_clock else not _tells_time(short)


def _worded(ranked: Ranked) -> bool:
    """Some candidate has a word of the question (or one news uses instead), or one of its
    syllables accents aside. (Not BM25's score: in a few sentences a shared word's may be 0.)"""
    return any(c.evidence.values[i] > 0 for c in ranked.candidates for i in _COVER)


_NOT_SURE = "Tôi không chắc câu nào trả lời đúng câu hỏi này; đây là những câu gần nhất trong các bài báo:"


class Answerer:
    """Answers questions from one KnowledgeBase with the fitted ranker (bot/answering/data/ranker.json)."""

    def __init__(self, kb: KnowledgeBase, settings: Settings, ranker: Ranker | None = None) -> None:
        self.kb = kb
        self.settings = settings
        self.gatherer = Gatherer(kb)
        self.ranker = ranker or Ranker.load(path_for(settings.ranker_weights, settings.e5_weights))

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
        reply = self.decide(ranked)
        if reply is Reply.NONE:
            return Answer(asked, False, None, (), self.not_found_note())
        if reply is Reply.UNSURE:
            shown = tuple(self.cite(c.index, c.score) for c in candidates[: self.settings.top_k])
            return Answer(asked, False, None, shown, _NOT_SURE, unsure=True)
        best = candidates[0]
        if q.qtype is not QType.YES_NO:
            short = self._short(q, best)[0]
            if _undated(q, best, short, self.kb.sentences[best.index].text):
                # The sentence tells of the event but neither it nor its article says when: say
                # so, rather than answer a when-question with a clause.
                note = self._no_date_note(self.kb.article_of(best.index), q.intent.wants_clock)
                return Answer(asked, False, None, (), note)
            best = candidates[0] = replace(best, answer=short)
        chosen = self._other_sources(best, candidates, q.qtype)
        text = self._answer_text(chosen, best)
        if q.qtype is QType.YES_NO:
            text = self._yes(q, best, text)
        rest = [c for c in candidates if c not in chosen]
        citations = tuple(self.cite(c.index, c.score) for c in (chosen + rest)[: self.settings.top_k])
        return Answer(asked, True, text, citations)

    def _short(self, q: Question, best: Candidate) -> tuple[str | None, str]:
        """The short answer, and where it came from (`ask --explain` says): a trusted extractor's
        span completed (`complete`) or, for a who-question it found no one for, the person the
        sentence names nearest the question's words; else what the fitted span model prefers;
        never a count in another unit than the one asked."""
        sentence = self.kb.sentences[best.index].text
        extracted = best.answer
        if q.qtype is QType.HOW_MANY and q.intent.measure and extracted and not count_fits(q, extracted):
            extracted = None  # a count of something else (`13 người` for `dài bao nhiêu`) is no answer
        source = "the extractor's span, completed"
        if not extracted and q.qtype is QType.WHO:
            extracted, source = named_near(q, sentence), "the person named nearest the question's words, completed"
        if extracted and q.qtype in spanrank.TRUSTED:
            return complete(q, sentence, self.kb.words(best.index), extracted), source
        return spanrank.pick(spanrank.candidates(q, sentence, extracted), self.ranker.span_weights), "the span model"

    def evidence(self, q: Question) -> tuple[list[Evidence], str]:
        """Every candidate's evidence, and the text of the question e5 read."""
        retrieved = retrieve(self.kb, q, self.settings.retrieve_k)
        return self.gatherer.gather(q, retrieved, self.settings.candidate_k), retrieved.encoded

    def rank(self, q: Question) -> Ranked:
        """The candidates ordered by the fitted ranker, and the reply models' probabilities."""
        gathered, encoded = self.evidence(q)
        judged = []
        for ev in gathered:
            scored = self.ranker.score(ev.values)
            score = 1.0 / (1.0 + math.exp(-max(min(scored.score, 50.0), -50.0)))
            judged.append(Candidate(ev, ev.answer, score, scored))
        judged.sort(key=lambda c: -c.scored.score)
        if not judged:
            return Ranked(q, (), 0.0, 0.0, encoded)
        values = reply_values([c.scored for c in judged])
        return Ranked(q, tuple(judged), self.ranker.answer.probability(values),
                      self.ranker.unsure.probability(values), encoded)

    def decide(self, ranked: Ranked) -> Reply:
        """The fitted models' reply; but never a confident answer from meaning alone, when no
        candidate has a single word of the question: the tuning questions hold no unanswerable
        question like that for the models to learn from (1 of 1,002 questions is one, an answerable
        one with a typo), and the cosines of any text on the same subject are high."""
        reply = self.ranker.decide(ranked.probability, ranked.unsure)
        return Reply.UNSURE if reply is Reply.ANSWER and not _worded(ranked) else reply

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
            lines.append(
                f"reply: {self.decide(ranked)} (answers {ranked.probability:.3f}, threshold {ranker.answer_threshold:.3f}; "
                f"one of the first three answers {ranked.unsure:.3f}, threshold {ranker.unsure_threshold:.3f})"
                + ("" if _worded(ranked) else "; no sentence has a word of the question: not sure at most")
            )
            if q.qtype is not QType.YES_NO:
                short, source = self._short(q, ranked.candidates[0])
                if _undated(q, ranked.candidates[0], short, self.kb.sentences[ranked.candidates[0].index].text):
                    short, source = None, "the sentence and its article do not say when"
                lines.append(f"short answer: {short!r}, {source}")
        for rank, c in enumerate(ranked.candidates[:shown], start=1):
            cut = c.evidence.cut
            rule = cut.rule if cut else "none (the sentence is quoted)"
            lines.append(f"#{rank} score {c.scored.score:+.3f} bm25 {c.evidence.bm25:.2f} rule {rule}: {c.answer!r}")
            lines.append(f"   {self.kb.sentences[c.index].text[:160]}")
            parts = sorted(c.scored.contributions, key=lambda p: -abs(p[2]))
            lines.append("   " + ", ".join(f"{n}={v:.2f}({part:+.2f})" for n, v, part in parts if v))
        return lines

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

    def _yes(self, q: Question, best: Candidate, text: str) -> str:
        """The yes/no verdict first, then the quote: `Có` when the sentence states the asked
        predicate and negates nothing, `Không` when the clause stating it is negated, else
        `Bài báo không nói rõ` (the sentence is about it but does not settle it) with the clause
        that repeats most of the question."""
        sentence = self.kb.sentences[best.index].text
        clause = sentence.find(best.answer.rstrip(" …")) if best.answer else -1
        if best.answer and self._negated(best.index, max(clause, 0), max(clause, 0) + len(best.answer)):
            verdict = "Không"
        elif best.answer and not self._negated(best.index, 0, len(sentence)):
            verdict = "Có"
        else:
            verdict = "Bài báo không nói rõ"
        if not best.answer:
            text = about(q, sentence, MAX_ANSWER - len(verdict) - 2) or text
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
    def _no_date_note(article: Article, clock: bool) -> str:
        dated = f", đăng ngày {format_day(article.published_date)}" if article.published_date else ""
        asked = "lúc mấy giờ" if clock else "khi nào"
        return f"Bài “{article.title}”{dated} có nói về việc này nhưng không nêu nó diễn ra {asked}."

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
