"""Candidates: the sentences worth judging for one question, BM25's best and e5's closest."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.answering.question import Question
from bot.lang.restore import restore, runs
from bot.library.knowledge import Hit, KnowledgeBase


@dataclass(frozen=True)
class Retrieved:
    """The candidates of one question (BM25's best and e5's closest, in BM25 order), which of them
    BM25 proposed, the question's e5 vector and the text it was made from."""

    hits: tuple[Hit, ...]
    lexical: frozenset[int]
    query: np.ndarray
    encoded: str


def retrieve(kb: KnowledgeBase, q: Question, k: int) -> Retrieved:
    """The candidates, each with its BM25 score, in BM25 order; with the question's vector and the
    text it was made from (accents given back to a question typed without them, from the words of
    BM25's candidates)."""
    if not q.terms:  # nothing to look for (`???`, only question words): no candidate at all
        return Retrieved((), frozenset(), np.zeros(0, np.float32), q.text)
    lexical = kb.search(q.search_terms, k)
    encoded = q.text
    if not q.accented:
        words = [kb.sentences[h.index].text for h in lexical]
        words += [kb.article_of(h.index).title for h in lexical]
        encoded = restore(q.text, runs(words, q.text), kb.accents)
    query = kb.encoder.query(encoded)
    known = {h.index for h in lexical}
    extra = [h.index for h in kb.similar(query, k) if h.index not in known]
    scores = kb.scores(q.search_terms, extra)
    hits = lexical + [Hit(i, float(scores.get(i, 0.0))) for i in extra]
    hits.sort(key=lambda h: (-h.score, h.index))
    return Retrieved(tuple(hits), frozenset(known), query, encoded)
