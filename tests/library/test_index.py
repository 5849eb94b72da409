"""The inverted index scores exactly like rank-bm25's BM25Okapi, and survives a save/load."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.errors import EmptyCorpusError
from bot.library import index as index_module
from bot.library.index import BM25Index, Encoded

VOCAB = [f"t{i}" for i in range(400)]
ZIPF = [1 / (i + 1) for i in range(len(VOCAB))]


def zipf_docs(rng: random.Random, n: int, max_len: int = 30) -> list[list[str]]:
    """Zipf-distributed terms, so some are in most documents (negative idf) and most are rare."""
    return [rng.choices(VOCAB, ZIPF, k=rng.randint(0, max_len)) for _ in range(n)]


def zipf_queries(rng: random.Random, n: int) -> list[list[str]]:
    queries = [rng.choices(VOCAB, ZIPF, k=rng.randint(1, 8)) for _ in range(n)]
    queries[::7] = [q + ["not-in-corpus"] for q in queries[::7]]
    queries[::5] = [q + q[:1] for q in queries[::5]]  # repeated tokens count each time
    return queries


def reference_top_k(
    ref: BM25Okapi, docs: list[list[str]], query: list[str], k: int
) -> list[tuple[int, float]]:
    """rank-bm25 scores, best first, ties by document order, documents sharing no term left out."""
    scores = ref.get_scores(query)
    order = np.argsort(-scores, kind="stable")
    known = set(query)
    return [(int(i), float(scores[i])) for i in order if not known.isdisjoint(docs[i])][:k]


@pytest.fixture(scope="module")
def corpus() -> tuple[list[list[str]], BM25Okapi, BM25Index]:
    docs = zipf_docs(random.Random(7), 3000)
    return docs, BM25Okapi(docs), BM25Index.build(docs)


def test_scores_equal_rank_bm25_for_hundreds_of_queries(corpus) -> None:
    _, ref, index = corpus
    for query in zipf_queries(random.Random(1), 200):
        np.testing.assert_allclose(index.get_scores(query), ref.get_scores(query), rtol=1e-12, atol=0)


def test_top_k_equals_rank_bm25_ranking(corpus) -> None:
    docs, ref, index = corpus
    for query in zipf_queries(random.Random(2), 150):
        for k in (1, 10, 30):
            assert index.top_k(query, k) == reference_top_k(ref, docs, query, k), (query, k)


def test_idf_matches_rank_bm25_including_epsilon_floor(corpus) -> None:
    _, ref, index = corpus
    assert any(v < ref.average_idf for v in ref.idf.values())  # the floor is exercised
    for term, value in ref.idf.items():
        assert index.idf(term) == pytest.approx(value, rel=1e-12)
    assert index.idf("not-in-corpus") == 0.0


def test_tiny_corpus_with_negative_average_idf_keeps_rank_bm25_order() -> None:
    docs = [["hà", "nội"], ["hà", "nội", "mưa"], ["hà"], ["sài", "gòn"]]
    ref = BM25Okapi(docs)
    index = BM25Index.build(docs)
    for query in (["hà"], ["hà", "mưa"], ["nội", "sài"], ["gòn", "gòn"]):
        assert index.top_k(query, 10) == reference_top_k(ref, docs, query, 10)


def test_a_document_whose_query_terms_weigh_zero_outranks_negative_scores() -> None:
    """`a` is in exactly half of the documents (idf 0) and `e` in most (a negative weight): the
    document with `a` and no `e` scores exactly 0 and comes first, as in rank-bm25."""
    docs = [
        ["a", "c", "e", "d"],
        ["c", "d", "c", "e"],
        ["e", "b"],
        ["b", "a", "e"],
        ["e", "e", "b"],
        ["a", "a", "c"],
        ["e", "a", "c", "d"],
        ["e", "b", "e"],
    ]
    ref, index = BM25Okapi(docs), BM25Index.build(docs)
    for k in (1, 2, 3, 10):
        assert index.top_k(["a", "e"], k) == reference_top_k(ref, docs, ["a", "e"], k)
    assert index.top_k(["a", "e"], 1) == [(5, 0.0)]


def test_max_score_path_equals_rank_bm25_ranking(corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every query through MaxScore (float32 partial sums, early stop, probes, binary searches):
    the same top k as rank-bm25, ties included. Without the allowance for float32 rounding
    (`_ROUNDING = 0`) some of these queries lose a tied document."""
    docs, ref, index = corpus
    monkeypatch.setattr(index_module, "_EXHAUSTIVE_POSTINGS", 0)
    calls: Counter[str] = Counter()
    add, probe = index_module._add, BM25Index._probe

    def counted_add(*args: object) -> np.ndarray:
        calls["add"] += 1
        return add(*args)

    def counted_probe(self: BM25Index, *args: object) -> float:
        calls["probe"] += 1
        return probe(self, *args)

    monkeypatch.setattr(index_module, "_add", counted_add)
    monkeypatch.setattr(BM25Index, "_probe", counted_probe)
    stopped = 0
    for query in zipf_queries(random.Random(2), 300):
        for k in (1, 10, 30):
            calls["add"] = 0
            assert index.top_k(query, k) == reference_top_k(ref, docs, query, k), (query, k)
            stopped += calls["add"] < len(set(query) - {"not-in-corpus"})
    assert stopped > 100  # most queries stop before reading every term's postings
    assert calls["probe"] > 0


@pytest.mark.parametrize("exhaustive_below", [0, 10**9], ids=["max-score", "exhaustive"])
def test_a_query_stopped_midway_leaves_no_partial_scores_behind(
    corpus, monkeypatch: pytest.MonkeyPatch, exhaustive_below: int
) -> None:
    """The score buffers are reused from query to query: one that an exception left half-written
    is dropped, so the next queries are still exact."""
    docs, ref, index = corpus
    monkeypatch.setattr(index_module, "_EXHAUSTIVE_POSTINGS", exhaustive_below)
    queries = zipf_queries(random.Random(4), 60)
    add = index_module._add

    def failing_add(*args: object) -> np.ndarray:
        add(*args)  # the first term's weights are in the buffer
        raise MemoryError("stopped midway")

    monkeypatch.setattr(index_module, "_add", failing_add)
    for query in queries:
        if set(query) != {"not-in-corpus"}:
            with pytest.raises(MemoryError):
                index.top_k(query, 10)
    monkeypatch.setattr(index_module, "_add", add)
    for query in queries:
        assert index.top_k(query, 10) == reference_top_k(ref, docs, query, 10)
    assert all(not buffer.any() for spare in index._spare.values() for buffer in spare)


def test_top_k_edge_cases(corpus) -> None:
    _, _, index = corpus
    assert index.top_k([], 5) == []
    assert index.top_k(["not-in-corpus"], 5) == []
    assert index.top_k(["t0"], 0) == []
    assert len(index) == 3000


def test_empty_corpus_is_an_error_saying_what_to_do() -> None:
    with pytest.raises(EmptyCorpusError, match="add article files"):
        BM25Index.build([])


def test_save_and_load_round_trip_is_memory_mapped(tmp_path: Path, corpus) -> None:
    docs, _, index = corpus
    index.save(tmp_path)
    loaded = BM25Index.load(tmp_path)
    assert len(loaded) == len(docs)
    assert loaded.params == {"k1": 1.5, "b": 0.75, "epsilon": 0.25}
    for query in zipf_queries(random.Random(3), 20):
        assert np.array_equal(loaded.get_scores(query), index.get_scores(query))
        assert loaded.top_k(query, 10) == index.top_k(query, 10)
    assert isinstance(np.load(tmp_path / "postings_weight.npy", mmap_mode="r"), np.memmap)


def test_load_refuses_files_that_do_not_fit_together(tmp_path: Path, corpus) -> None:
    _, _, index = corpus
    index.save(tmp_path)
    np.save(tmp_path / "postings_doc.npy", np.zeros(5, np.int32))
    with pytest.raises(ValueError, match="do not fit together"):
        BM25Index.load(tmp_path)


def test_incremental_encoding_equals_a_fresh_build() -> None:
    rng = random.Random(11)
    old_a, removed, kept_b, added = (zipf_docs(rng, 200) for _ in range(4))
    previous = BM25Index.build(old_a + removed + kept_b)
    pieces = [range(200), added, range(400, 600)]
    merged = Encoded.of(pieces, previous.encoded())
    fresh = Encoded.of([old_a + added + kept_b])
    assert merged.terms == fresh.terms  # same vocabulary, same first-occurrence order
    assert np.array_equal(merged.term_ids, fresh.term_ids)
    assert np.array_equal(merged.doc_ptr, fresh.doc_ptr)
    rebuilt = BM25Index.from_encoded(merged)
    ref = BM25Okapi(old_a + added + kept_b)
    for query in zipf_queries(rng, 30):
        np.testing.assert_allclose(rebuilt.get_scores(query), ref.get_scores(query), rtol=1e-12, atol=0)


@pytest.mark.slow
def test_max_score_pruning_matches_rank_bm25_on_a_larger_corpus() -> None:
    rng = random.Random(5)
    docs = zipf_docs(rng, 30000)
    ref, index = BM25Okapi(docs), BM25Index.build(docs)
    for query in zipf_queries(rng, 100):
        assert index.top_k(query, 10) == reference_top_k(ref, docs, query, 10)


def test_building_in_small_chunks_gives_the_same_index(corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    docs, ref, index = corpus
    monkeypatch.setattr(index_module, "_CHUNK_TOKENS", 97)  # many chunks, cutting through documents' runs
    chunked = BM25Index.build(docs)
    for name in ("postings_ptr", "postings_doc", "postings_weight", "idf", "bound"):
        assert np.array_equal(chunked._arrays[name], index._arrays[name]), name
    for query in zipf_queries(random.Random(3), 20):
        np.testing.assert_allclose(chunked.get_scores(query), ref.get_scores(query), rtol=1e-12, atol=0)


def test_scores_of_a_few_documents_are_exactly_get_scores_for_them() -> None:
    corpus = [["a", "b", "c"], ["b", "c", "c"], ["d"], ["a", "a", "d", "e"], ["c", "e"]]
    index = BM25Index.build(corpus)
    docs = np.array([0, 2, 3])
    assert (
        index.scores_of(["a", "c", "e", "zz"], docs).tolist()
        == index.get_scores(["a", "c", "e", "zz"])[docs].tolist()
    )
