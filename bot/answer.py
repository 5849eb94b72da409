"""The answering core: question in, short answer + quoted sentence + citation out.

Knows nothing of Telegram or the terminal; both only format an `Answer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.knowledge import KnowledgeBase
from bot.settings import Settings
from bot.tokenize import query_terms


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


class Answerer:
    """Answers questions from one KnowledgeBase with the thresholds in Settings."""

    def __init__(self, kb: KnowledgeBase, settings: Settings) -> None:
        self.kb = kb
        self.settings = settings

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
        question = question.strip()
        terms = query_terms(question)
        hits = self.kb.search(terms, self.settings.retrieve_k)
        if not hits:
            return Answer(question, False, None, (), self.not_found_note())
        citations = tuple(self.cite(h.index, h.score) for h in hits[: self.settings.top_k])
        return Answer(question, True, citations[0].sentence, citations)

    def not_found_note(self) -> str:
        titles = "; ".join(a.title for a in self.kb.articles.values())
        return f"Không tìm thấy câu trả lời trong các bài báo hiện có ({titles})."
