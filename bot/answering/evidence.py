"""Features: one `Evidence` record per candidate, computed once and read by the ranker, the reply
models, `ask --explain` and the span picker."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

import numpy as np

from bot.answering.candidates import Retrieved
from bot.answering.coverage import Coverage
from bot.answering.extract import Cut, count_fits
from bot.answering.extractors import Extractors
from bot.answering.question import QType, Question
from bot.answering.spans import remember
from bot.lang.lexicon import CAUSE_WORDS
from bot.lang.normalize import canonical
from bot.library.knowledge import Hit, KnowledgeBase

# The answer types whose extraction is one ranking feature each (yes/no and untyped questions share
# the last one; a why-question's is whether the sentence gives a reason at all, `gives_reason`).
_TYPED: tuple[frozenset[QType | None], ...] = (
    *(frozenset({t}) for t in (QType.WHO, QType.WHEN, QType.WHERE, QType.HOW_MANY, QType.WHAT)),
    frozenset({QType.YES_NO, None}),
)
_E5_RANK = -1  # where `_meaning` puts 1 / (1 + the rank by cosine): last, as `e5_rank` in FEATURES


def gives_reason(sentence: str) -> bool:
    """A cause word anywhere in the sentence, as written (`do chủ quan nên …`; `do`, not `độ`)."""
    said = re.findall(r"\w+", canonical(sentence))
    return any(tuple(said[k : k + len(cause)]) == cause for k in range(len(said)) for cause in CAUSE_WORDS)


def first_of_either(bm25_rank: float, e5_rank: float, k: int) -> bool:
    """A candidate: among the first `k` of BM25 or of e5, by its `bm25_rank` and `e5_rank`
    features (1 / (1 + rank)); fitting selects them the same way."""
    return max(bm25_rank, e5_rank) > 1.0 / (1.0 + k)


@dataclass(frozen=True)
class Evidence:
    """What is known of one candidate sentence for one question: its BM25 score, the answer span
    cut from it (with its rule), and its feature values in the order of `ranker.FEATURES`."""

    index: int
    bm25: float
    cut: Cut | None
    values: tuple[float, ...]

    @property
    def answer(self) -> str | None:
        return self.cut.text if self.cut else None


class Gatherer:
    """Computes every candidate's Evidence over one KnowledgeBase."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.coverage = Coverage(kb)
        self.extractors = Extractors(kb)

    def gather(self, q: Question, retrieved: Retrieved, k: int) -> list[Evidence]:
        """The Evidence of the first `k` of either retriever, in the order retrieval gave them.

        Every retrieved sentence still informs the others' features (its article's BM25, the best
        cosine, the ranks): only the costly part, coverage and answer spans, is limited to the
        candidates the ranker can still prefer (cross-validated, its first sentence is among them
        in all but 3 of 1,002 tuning questions)."""
        hits = list(retrieved.hits)
        if not hits:
            return []
        top = max(max(h.score for h in hits), 1e-9)
        by_article: dict[str, float] = {}
        for h in hits:
            article_id = self.kb.sentences[h.index].article_id
            by_article[article_id] = by_article.get(article_id, 0.0) + max(h.score, 0.0)
        beside = [self._beside(h.index) for h in hits]
        meaning = self._meaning(hits, beside, retrieved.query)
        kept = [rank for rank in range(len(hits)) if first_of_either(1.0 / (1.0 + rank), meaning[rank][_E5_RANK], k)]
        self._remember([hits[rank] for rank in kept])
        near = self.kb.scores(q.search_terms, [i for rank in kept for i in beside[rank]])
        coverage = self.coverage
        unknown = coverage.unknown(q)
        wants_name = q.qtype in {QType.WHO, QType.WHERE}
        wants_number = q.qtype in {QType.HOW_MANY, QType.WHEN}
        out = []
        for rank in kept:
            h = hits[rank]
            sentence = self.kb.sentences[h.index]
            found = self.extractors.cut(q, h.index)
            answer = found.text if found else None
            name, number = coverage.fresh_tokens(q, h.index)
            counted = q.qtype is QType.HOW_MANY and answer is not None
            in_sentence, scattered, window, in_article, title = coverage.coverage_parts(q, h.index)
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
                coverage.syllable_cover(q, h.index),
                coverage.longest_run(q, h.index),
                float(coverage.missing(q, h.index)),
                *coverage.absent_nouns(q, h.index),
                coverage.verbs(q, h.index),
                coverage.proximity(q, h.index),
                coverage.rare_pairs(q, h.index),
                float(coverage.numbers_conflict(q, h.index)),
                float(not coverage.entities_agree(q, h.index)),
                *(float(answer is not None and q.qtype in kinds) for kinds in _TYPED),
                float(q.qtype is QType.WHY and gives_reason(sentence.text)),
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
            out.append(Evidence(h.index, h.score, found, values))
        return out

    def _remember(self, hits: list[Hit]) -> None:
        """Let extraction read the candidates' words as ingestion stored them, not run pyvi."""
        remember((self.kb.sentences[h.index].text, partial(self.kb.words, h.index)) for h in hits)

    def _beside(self, index: int) -> list[int]:
        sentence = self.kb.sentences[index]
        ids = self.kb.article_sentences(sentence.article_id)
        return [ids[p] for p in (sentence.position - 1, sentence.position + 1) if 0 <= p < len(ids)]

    def _meaning(self, hits: list[Hit], beside: list[list[int]], query: np.ndarray) -> list[tuple[float, ...]]:
        """Each hit's e5 features (`e5` … `e5_rank` of `ranker.FEATURES`): its cosine, with its
        neighbours, with its title, each also against the best of the candidates."""
        ids = sorted({i for h, near in zip(hits, beside) for i in (h.index, *near)})
        row = {i: r for r, i in enumerate(ids)}
        vectors = self.kb.vectors_of(ids)
        cos = vectors @ query
        own = np.array([cos[row[h.index]] for h in hits])
        windows = _means(vectors, [[row[i] for i in (h.index, *near)] for h, near in zip(hits, beside)])
        window = (windows @ query) / np.maximum(np.linalg.norm(windows, axis=1), 1e-9)
        titles: dict[str, float] = {}
        order = np.argsort(-own, kind="stable")
        rank = np.empty(len(hits), np.int64)
        rank[order] = np.arange(len(hits))
        out: list[tuple[float, ...]] = []
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


def _means(vectors: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """Each group's mean row: the rows added in their order, then divided by their count, which
    is what `vectors[group].mean(axis=0)` computes, to the bit, without a numpy call per group."""
    counts = np.array([len(g) for g in groups])
    sums = vectors[[g[0] for g in groups]]
    for j in range(1, int(counts.max())):
        has = counts > j
        sums[has] += vectors[[g[j] for g in groups if len(g) > j]]
    return sums / counts[:, None].astype(vectors.dtype)
