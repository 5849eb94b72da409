"""BM25 over sentence token lists, with rank-bm25's BM25Okapi definition."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25Okapi

from bot.errors import EmptyCorpusError


class BM25Index:
    """Scores token-list documents; guards rank-bm25 against an empty corpus."""

    def __init__(self, bm25: BM25Okapi, size: int) -> None:
        self._bm25 = bm25
        self._size = size

    @classmethod
    def build(
        cls,
        docs: Sequence[Sequence[str]],
        *,
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> BM25Index:
        if not docs:
            raise EmptyCorpusError("no sentences to index: add article files to the articles folder")
        return cls(BM25Okapi([list(d) for d in docs], k1=k1, b=b, epsilon=epsilon), len(docs))

    def __len__(self) -> int:
        return self._size

    def get_scores(self, query: Sequence[str]) -> np.ndarray:
        return self._bm25.get_scores(list(query))

    def top_k(self, query: Sequence[str], k: int) -> list[tuple[int, float]]:
        """Best `k` (doc index, score) pairs, best first; documents sharing no term are left out."""
        if not query or k <= 0:
            return []
        scores = self.get_scores(query)
        known = set(query)
        order = np.argsort(-scores, kind="stable")
        hits: list[tuple[int, float]] = []
        for i in order:
            if len(hits) >= k:
                break
            if known.isdisjoint(self._bm25.doc_freqs[i]):
                continue
            hits.append((int(i), float(scores[i])))
        return hits

    def idf(self, term: str) -> float:
        return float(self._bm25.idf.get(term, 0.0))
