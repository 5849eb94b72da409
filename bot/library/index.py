"""BM25 over sentence token lists, scored exactly like rank-bm25's BM25Okapi, without scanning.

rank-bm25 walks every document for every query term (1.6 s a query at 1M sentences). Here
each term's postings (document ids and the precomputed BM25 weight of the term in each
document) sit contiguously in CSR arrays, so a query touches only its own terms' postings,
and `top_k` stops early (MaxScore) once no unseen document can still reach the top k.
The arrays are plain `.npy` files, memory-mapped on load, so a persisted index opens at once.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.errors import EmptyCorpusError

_ARRAYS = ("postings_ptr", "postings_doc", "postings_weight", "idf", "bound", "doc_ptr", "doc_terms")
_PARAMS = "params.json"
_ROUNDING = 2.0**-21  # per term, relative: 4 times float32's rounding, a margin for partial sums
_EXHAUSTIVE_POSTINGS = 60_000  # below this many postings, scoring them all beats MaxScore's bookkeeping
_PROBE = 4  # a MaxScore probe completes the scores of this many times k documents
_TERMS = "terms.json"
_CHUNK_TOKENS = 1 << 19  # tokens per step of the chunked build: bounded memory at any corpus size


@dataclass(frozen=True)
class Encoded:
    """Documents as term ids (a forward index): what an index is built, and rebuilt, from.

    Kept with the index so that adding an article re-tokenizes only that article.
    """

    terms: list[str]
    doc_ptr: np.ndarray  # int64, len = documents + 1; document i is term_ids[doc_ptr[i]:doc_ptr[i+1]]
    term_ids: np.ndarray  # int32

    @classmethod
    def of(cls, pieces: Sequence[range | Sequence[Sequence[str]]], base: Encoded | None = None) -> Encoded:
        """Concatenate `pieces`: a `range` takes those documents of `base`, a list is new token lists.

        The vocabulary is then renumbered in first-occurrence order and unused terms dropped, so
        the result is exactly what encoding all documents from scratch gives.
        """
        terms = list(base.terms) if base else []
        vocab = {t: i for i, t in enumerate(terms)}
        ids: list[np.ndarray] = []
        lengths: list[np.ndarray] = []
        for piece in pieces:
            if isinstance(piece, range):
                if base is None:
                    raise ValueError("a range of old documents needs a base encoding")
                lo, hi = int(base.doc_ptr[piece.start]), int(base.doc_ptr[piece.stop])
                ids.append(np.asarray(base.term_ids[lo:hi]))
                lengths.append(np.diff(base.doc_ptr[piece.start : piece.stop + 1]))
                continue
            total = sum(len(d) for d in piece)
            ids.append(
                np.fromiter(
                    (vocab.setdefault(t, len(vocab)) for d in piece for t in d), np.int32, count=total
                )
            )
            lengths.append(np.fromiter((len(d) for d in piece), np.int64, count=len(piece)))
        terms.extend(list(vocab)[len(terms) :])
        term_ids = np.concatenate(ids) if ids else np.zeros(0, np.int32)
        doc_ptr = np.zeros(sum(len(n) for n in lengths) + 1, np.int64)
        if lengths:
            np.cumsum(np.concatenate(lengths), out=doc_ptr[1:])
        if base is None and all(not isinstance(p, range) for p in pieces):
            return cls(terms, doc_ptr, term_ids)  # fresh vocabulary: already in first-occurrence order
        return cls._canonical(terms, doc_ptr, term_ids)

    @classmethod
    def _canonical(cls, terms: list[str], doc_ptr: np.ndarray, term_ids: np.ndarray) -> Encoded:
        order = first_occurrence_order(term_ids, len(terms))
        remap = np.full(len(terms), -1, np.int32)
        remap[order] = np.arange(len(order), dtype=np.int32)
        for lo in range(0, len(term_ids), _CHUNK_TOKENS):  # in place, a chunk at a time
            term_ids[lo : lo + _CHUNK_TOKENS] = remap[term_ids[lo : lo + _CHUNK_TOKENS]]
        return cls([terms[i] for i in order.tolist()], doc_ptr, term_ids)


def first_occurrence_order(term_ids: np.ndarray, n_terms: int) -> np.ndarray:
    """Ids of the terms `term_ids` uses, in order of first use: rank-bm25's vocabulary order,
    on which its average idf (a float sum) depends. Chunked, so memory stays small."""
    first = np.full(n_terms, np.iinfo(np.int64).max, np.int64)
    for lo in range(0, len(term_ids), _CHUNK_TOKENS):
        used, at = np.unique(term_ids[lo : lo + _CHUNK_TOKENS], return_index=True)
        first[used] = np.minimum(first[used], at + lo)
    present = np.flatnonzero(first < np.iinfo(np.int64).max)
    return present[np.argsort(first[present], kind="stable")]


def _doc_chunks(doc_ptr: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive document ranges of about `_CHUNK_TOKENS` tokens each (at least one document)."""
    size = len(doc_ptr) - 1
    bounds = np.searchsorted(doc_ptr, np.arange(0, int(doc_ptr[-1]), _CHUNK_TOKENS), side="right") - 1
    starts = sorted({0, *bounds.tolist()} - {size})
    return list(zip(starts, [*starts[1:], size]))


def _pairs(enc: Encoded, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(term, document, term frequency) of documents lo..hi, sorted by term then document."""
    ids = np.asarray(enc.term_ids[enc.doc_ptr[lo] : enc.doc_ptr[hi]], np.int64)
    local = np.repeat(np.arange(hi - lo, dtype=np.int64), np.diff(enc.doc_ptr[lo : hi + 1]))
    keys, tf = np.unique(ids * (hi - lo) + local, return_counts=True)
    term = keys // (hi - lo)
    return term, (keys - term * (hi - lo) + lo).astype(np.int32), tf


def okapi_idf(doc_freqs: Sequence[int], size: int, epsilon: float) -> np.ndarray:
    """rank-bm25's idf, computed in its order so that the floats match bit for bit.

    Terms in more than half of the documents get `epsilon` times the average idf instead.
    """
    values = [math.log(size - n + 0.5) - math.log(n + 0.5) for n in doc_freqs]
    idf = np.array(values, np.float64)
    if values:
        idf_sum = 0.0
        for v in values:
            idf_sum += v
        idf[idf < 0] = epsilon * (idf_sum / len(values))
    return idf


class BM25Index:
    """Scores token-list documents with BM25Okapi through an inverted index."""

    def __init__(self, arrays: dict[str, np.ndarray], terms: list[str], params: dict[str, float]) -> None:
        self._arrays = arrays
        self._ptr = arrays["postings_ptr"]
        self._doc = arrays["postings_doc"]
        self._weight = arrays["postings_weight"]
        self._idf = arrays["idf"]
        self._bound = arrays["bound"]
        self._doc_ptr = arrays["doc_ptr"]
        self._doc_terms = arrays["doc_terms"]
        self._terms = terms
        self._ids = {t: i for i, t in enumerate(terms)}
        self._params = params
        self._size = len(self._doc_ptr) - 1
        self._spare: dict[type, list[np.ndarray]] = {}  # see _scratch

    @classmethod
    def build(
        cls,
        docs: Sequence[Sequence[str]],
        *,
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> BM25Index:
        return cls.from_encoded(Encoded.of([docs]), k1=k1, b=b, epsilon=epsilon)

    @classmethod
    def from_encoded(
        cls, enc: Encoded, *, k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25
    ) -> BM25Index:
        """Invert a forward index into postings with BM25Okapi weights (same float ops as rank-bm25).

        Two passes over the documents in chunks of about `_CHUNK_TOKENS` tokens: the first counts
        each term's documents, the second writes every chunk's postings into place. Only the
        result is corpus-sized, never a temporary (sorting all (term, document) pairs at once
        took 4 bytes of index for 40 of memory).
        """
        size = len(enc.doc_ptr) - 1
        if size <= 0:
            raise EmptyCorpusError("no sentences to index: add article files to the articles folder")
        lengths = np.diff(enc.doc_ptr)
        chunks = _doc_chunks(enc.doc_ptr)
        doc_freq = np.zeros(len(enc.terms), np.int64)
        for lo, hi in chunks:
            term, _, _ = _pairs(enc, lo, hi)
            doc_freq += np.bincount(term, minlength=len(enc.terms))
        ptr = np.zeros(len(enc.terms) + 1, np.int64)
        np.cumsum(doc_freq, out=ptr[1:])
        idf = okapi_idf(doc_freq.tolist(), size, epsilon)
        avgdl = int(lengths.sum()) / size
        docs = np.empty(int(ptr[-1]), np.int32)
        weight = np.empty(int(ptr[-1]), np.float64)
        fill = ptr[:-1].copy()
        for lo, hi in chunks:
            term, doc, tf = _pairs(enc, lo, hi)  # sorted by term, then document
            first = np.flatnonzero(np.diff(term, prepend=-1))  # where each term's run starts
            count = np.diff(first, append=len(term))
            at = fill[term] + (np.arange(len(term)) - np.repeat(first, count))
            fill[term[first]] += count
            docs[at] = doc
            doc_len = lengths[doc]
            weight[at] = idf[term] * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * doc_len / avgdl)))
        bound = np.maximum.reduceat(weight, ptr[:-1]) if len(weight) else np.zeros(0)
        arrays: dict[str, np.ndarray] = {
            "postings_ptr": ptr,
            "postings_doc": docs,
            "postings_weight": weight,
            "idf": idf,
            "bound": bound,
            "doc_ptr": enc.doc_ptr,
            "doc_terms": enc.term_ids,
        }
        return cls(arrays, enc.terms, {"k1": k1, "b": b, "epsilon": epsilon})

    def encoded(self) -> Encoded:
        """The forward index this index was built from."""
        return Encoded(self._terms, self._doc_ptr, self._doc_terms)

    def __len__(self) -> int:
        return self._size

    def _postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self._ptr[term], self._ptr[term + 1]
        return self._doc[lo:hi], self._weight[lo:hi]

    def _term_ids(self, query: Sequence[str]) -> list[int]:
        """Ids of the query tokens the corpus has, in query order, repeats kept (they count each time)."""
        ids = (self._ids.get(token) for token in query)
        return [term for term in ids if term is not None]

    def _accumulate(self, sequence: Sequence[int]) -> np.ndarray:
        """Dense scores, adding term weights in query order exactly as rank-bm25 does."""
        scores = np.zeros(self._size)
        for term in sequence:
            docs, weight = self._postings(term)
            scores[docs] += weight
        return scores

    def get_scores(self, query: Sequence[str]) -> np.ndarray:
        """Every document's score, bit for bit what BM25Okapi.get_scores returns."""
        return self._accumulate(self._term_ids(query))

    def top_k(self, query: Sequence[str], k: int) -> list[tuple[int, float]]:
        """Best `k` (doc index, score) pairs, best first, ties by doc index; docs sharing no term are left out.

        MaxScore: terms are taken in order of their best possible contribution and their
        postings added into a corpus-sized buffer kept from query to query, until the terms
        left cannot lift a document not seen yet to a score that k documents are known to
        reach (probed by completing the best partial scores); the documents seen that still
        can then get the other terms' weights by binary search in their postings. The buffer
        holds float32 partial sums (half the memory traffic), so every comparison allows for
        their rounding; the few documents left are scored again from the float64 weights in
        query order, so their scores equal `get_scores` exactly.
        """
        sequence = self._term_ids(query)
        if not sequence or k <= 0:
            return []
        counts: dict[int, int] = {}
        for term in sequence:
            counts[term] = counts.get(term, 0) + 1
        terms = np.fromiter(counts, np.int64, count=len(counts))
        if (self._idf[terms] <= 0).any():  # weights not all positive (tiny corpora): no bounds
            return self._top_k_sorted(sequence, k)
        lengths = self._ptr[terms + 1] - self._ptr[terms]
        if lengths.sum() <= _EXHAUSTIVE_POSTINGS:
            return self._top_k_exhaustive(sequence, k)
        bounds = self._bound[terms] * np.fromiter(counts.values(), np.float64, count=len(counts))
        order = np.argsort(-bounds, kind="stable")
        after = np.append(np.cumsum(bounds[order][::-1])[::-1], 0.0)[1:]  # after[i]: bounds of terms i+1..
        ordered, lengths = terms[order].tolist(), lengths[order].tolist()
        slack = 1 - (len(ordered) + 2) * _ROUNDING  # a float32 sum of n weights is within n roundings
        theta = -np.inf  # a score k documents are known to reach
        with self._scratch(np.float32) as scores:
            seen: list[np.ndarray] = []
            touched = 0
            for last, term in enumerate(ordered):
                docs, weight = self._postings(term)
                seen.append(_add(scores, docs, weight, counts[term]))
                touched += len(seen[-1])
                if last + 1 == len(ordered) or after[last] < theta * slack:
                    break
                # One probe, as soon as it costs less than the lists left (a second rarely paid)
                if theta == -np.inf and k <= touched <= sum(lengths[last + 1 :]):
                    seen = [np.concatenate(seen)]
                    partial = np.take(scores, seen[0]).astype(np.float64)
                    theta = self._probe(seen[0], partial, ordered[last + 1 :], counts, k)
                    if after[last] < theta * slack:
                        break
            probed = theta > -np.inf and len(seen) == 1  # nothing added since
            docs = np.concatenate(seen)
            partial = np.take(scores, docs).astype(np.float64)
            scores[docs] = 0.0
        rest = ordered[last + 1 :]
        if not probed:
            theta = max(theta, self._probe(docs, partial, rest, counts, k))
        keep = partial + after[last] >= theta * slack
        docs, partial = np.compress(keep, docs), np.compress(keep, partial)
        order = np.argsort(docs, kind="stable")  # sorted runs, merged: searches go faster in order
        docs, partial = np.take(docs, order).astype(np.int32), np.take(partial, order)
        parts: dict[int, np.ndarray] = {}  # each term's weights in `docs`
        for j, term in enumerate(rest, last + 1):  # these only add to documents already seen
            parts[term] = self._lookup(term, docs)
            partial += parts[term] * counts[term]
            theta = max(theta, _kth(partial, k))
            keep = np.flatnonzero(partial + after[j] >= theta * slack)
            docs, partial = np.take(docs, keep), np.take(partial, keep)
            parts = {t: np.take(p, keep) for t, p in parts.items()}
        parts.update((term, self._lookup(term, docs)) for term in ordered[: last + 1])
        exact = np.zeros(len(docs))
        for term in sequence:  # query order, so the sum is exactly get_scores'
            exact += parts[term]
        return _best(docs, exact, k)

    def _probe(
        self, docs: np.ndarray, partial: np.ndarray, rest: list[int], counts: dict[int, int], k: int
    ) -> float:
        """A score that k documents reach (less float32 rounding): the k-th best of the documents
        with the best `partial` scores so far, completed with the `rest` of the terms."""
        if len(docs) < k:
            return -np.inf
        m = min(len(docs), _PROBE * k)
        best = np.argpartition(partial, len(docs) - m)[len(docs) - m :]
        best = best[np.argsort(np.take(docs, best))]  # in document order: searches go faster
        docs, total = np.take(docs, best), np.take(partial, best)
        for term in rest:
            total += self._lookup(term, docs) * counts[term]
        return _kth(total, k)

    @contextmanager
    def _scratch(self, dtype: type[np.floating]) -> Iterator[np.ndarray]:
        """A corpus-sized buffer, all zero, reused from query to query: allocating and scanning
        one anew cost more than a query's postings. The user sets back to zero what it wrote; a
        buffer left by an exception is dropped, never reused. One per concurrent query."""
        spare = self._spare.setdefault(dtype, [])
        try:
            scores = spare.pop()
        except IndexError:
            scores = np.zeros(self._size, dtype)
        yield scores
        spare.append(scores)

    def _lookup(self, term: int, docs: np.ndarray) -> np.ndarray:
        """The term's weight in each of `docs` (sorted), 0 where it is absent."""
        post_docs, post_weight = self._postings(term)
        docs = docs.astype(post_docs.dtype, copy=False)  # else numpy converts all the postings
        pos = np.searchsorted(post_docs, docs)
        np.minimum(pos, len(post_docs) - 1, out=pos)
        return np.where(np.take(post_docs, pos) == docs, np.take(post_weight, pos), 0.0)

    def _top_k_exhaustive(self, sequence: Sequence[int], k: int) -> list[tuple[int, float]]:
        """Score every document that has a query term into a float64 buffer, adding in query
        order: exactly get_scores' sums, no second pass."""
        with self._scratch(np.float64) as scores:
            docs = np.concatenate([_add(scores, *self._postings(term)) for term in sequence])
            found = np.take(scores, docs)
            scores[docs] = 0.0
        return _best(docs, found, k)

    def _top_k_sorted(self, sequence: Sequence[int], k: int) -> list[tuple[int, float]]:
        """Score every document that has a query term, whatever the weights' signs: their postings
        sorted together, each document's weights summed in query order by bincount."""
        postings = [self._postings(t) for t in sequence]
        docs, inverse = np.unique(np.concatenate([d for d, _ in postings]), return_inverse=True)
        # bincount adds in input order, which is query order: the same floats as get_scores
        return _best(docs, np.bincount(inverse, np.concatenate([w for _, w in postings]), len(docs)), k)

    def scores_of(self, query: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """The scores of just `docs` (sorted), summed in query order: get_scores' values for them."""
        scores = np.zeros(len(docs))
        for term in self._term_ids(query):
            scores += self._lookup(term, docs)
        return scores

    def __contains__(self, term: object) -> bool:
        """Whether any document has the term (its idf alone cannot tell: on a tiny corpus a
        common term's idf is 0 too)."""
        return term in self._ids

    def idf(self, term: str) -> float:
        """The term's idf (with the epsilon floor); 0 for a term no document has."""
        index = self._ids.get(term)
        return 0.0 if index is None else float(self._idf[index])

    def save(self, directory: Path) -> None:
        """Write the index as `.npy` arrays plus two small JSON files into an existing `directory`."""
        for name, array in self._arrays.items():
            np.save(directory / f"{name}.npy", array, allow_pickle=False)
        (directory / _TERMS).write_text(json.dumps(self._terms, ensure_ascii=False), encoding="utf-8")
        (directory / _PARAMS).write_text(json.dumps(self._params), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> BM25Index:
        """Memory-map a saved index; ValueError (or OSError) when its files do not fit together."""
        arrays = {
            name: np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False))
            for name in _ARRAYS
        }
        terms = json.loads((directory / _TERMS).read_text(encoding="utf-8"))
        params = json.loads((directory / _PARAMS).read_text(encoding="utf-8"))
        _check_shapes(arrays, len(terms))
        return cls(arrays, terms, params)

    @property
    def params(self) -> dict[str, float]:
        """k1, b and epsilon the weights were computed with."""
        return dict(self._params)


def _check_shapes(arrays: dict[str, np.ndarray], n_terms: int) -> None:
    """Cheap consistency checks, so a truncated or mixed-up file is never used for answers."""
    ptr, doc_ptr = arrays["postings_ptr"], arrays["doc_ptr"]
    nnz, size = len(arrays["postings_doc"]), len(doc_ptr) - 1
    problems = [
        len(ptr) != n_terms + 1,
        len(ptr) == 0 or int(ptr[0]) != 0 or int(ptr[-1]) != nnz,
        len(arrays["postings_weight"]) != nnz,
        len(arrays["idf"]) != n_terms or len(arrays["bound"]) != n_terms,
        size < 1 or int(doc_ptr[0]) != 0 or int(doc_ptr[-1]) != len(arrays["doc_terms"]),
        bool((np.diff(ptr) < 0).any()),
    ]
    if any(problems):
        raise ValueError("index files do not fit together (truncated or from different builds)")


def _add(scores: np.ndarray, docs: np.ndarray, weight: np.ndarray, count: int = 1) -> np.ndarray:
    """Add `count` times `weight` into `scores` at `docs` (distinct), in the buffer's precision;
    returns the documents that were at 0, i.e. not seen before (weights are all positive)."""
    docs = docs.astype(np.intp)  # numpy indexes faster with its own integer type
    before = np.take(scores, docs)
    added = weight.astype(scores.dtype, copy=False)
    scores[docs] = before + (added * count if count > 1 else added)
    return np.compress(before == 0.0, docs)


def _kth(scores: np.ndarray, k: int) -> float:
    """The k-th largest of `scores`; -inf when there are fewer."""
    return float(np.partition(scores, len(scores) - k)[len(scores) - k]) if len(scores) >= k else -np.inf


def _best(docs: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best (doc, score) pairs, highest score first and lower doc index first among equals."""
    if len(docs) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[:k]
    return [(int(d), float(s)) for d, s in zip(docs[order], scores[order])]
