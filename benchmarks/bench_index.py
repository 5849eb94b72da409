"""Benchmark the project's BM25 index against rank-bm25 (and bm25s if installed), same tokens.

    python benchmarks/bench_index.py --sizes 10000 100000 1000000
    python benchmarks/bench_index.py --articles seeds --articles ../shared/eval/articles

Synthetic corpora (the default) are deterministic Vietnamese-like sentences: syllables and
`_`-joined compounds drawn from a Zipf-Mandelbrot law, 20-30 tokens each. They skip pyvi on
purpose: this measures indexing and scoring, not tokenization. `--articles` instead runs
real article files through the bot's pipeline (chunking + pyvi over all cores).

Each engine runs in its own process, so its peak RSS is its own (the corpus it is given
is included); the project's query times, load time and "serving" RSS come from yet another
process that only opens the persisted index, as the bot does at start-up. rank-bm25 scans
the corpus for every query, so it runs fewer queries at large sizes (the table says how many).
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from itertools import chain, islice
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.library.index import BM25Index  # noqa: E402
from bot.library.store import IndexStore  # noqa: E402

Docs = list[list[str]]
ONSETS = "b c ch d đ g gi h kh l m n ng nh ph qu s t th tr v x".split() + [""]
RHYMES = (
    "a ai am an ang anh ao at ay e em en eo ê ên êt i im in inh it o "
    "oa oai oan oi om on ong ô ôi ông ơ ơi ơn u ui um un ung ư ưa ươc ương uyên"
).split()
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]  # grave, acute, tilde, hook, dot
K = 10
STOPWORDS = 100


def vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    """Distinct syllables (onset + rhyme + tone) and two-syllable compounds, most common first."""
    syllables = sorted(
        {unicodedata.normalize("NFC", o + r[0] + t + r[1:]) for o in ONSETS for r in RHYMES for t in TONES}
    )
    rng.shuffle(syllables)
    words = list(syllables)
    seen = set(words)
    while len(words) < size:
        a, b = rng.integers(0, len(syllables), 2)
        word = f"{syllables[a]}_{syllables[b]}"
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words[:size]


def synthetic_corpus(n: int, seed: int = 42, vocab_size: int = 200_000) -> Docs:
    """`n` sentences of 20-30 tokens whose term frequencies follow Zipf-Mandelbrot (s=1.05, q=2.7)."""
    rng = np.random.default_rng(seed)
    words = np.array(vocabulary(vocab_size, rng), dtype=object)
    p = 1.0 / (np.arange(vocab_size) + 2.7) ** 1.05
    lengths = rng.integers(20, 31, n)
    ids = rng.choice(vocab_size, size=int(lengths.sum()), p=p / p.sum())
    flat = words[ids].tolist()
    ends = np.cumsum(lengths).tolist()
    return [flat[e - n_ : e] for e, n_ in zip(ends, lengths.tolist())]


def sample_queries(docs: Docs, n: int, seed: int = 7, stopwords: int = STOPWORDS) -> Docs:
    """Question-like queries: 4-10 distinct tokens of a random sentence, so each has an answer.

    The `stopwords` most frequent tokens are left out, as the bot's query_terms leaves out
    its ~100 question and function words (`của`, `và`, `là`, `khi nào`, ...).
    """
    rng = np.random.default_rng(seed)
    frequent = {t for t, _ in Counter(chain.from_iterable(docs)).most_common(stopwords)}
    queries = []
    while len(queries) < n:
        terms = [t for t in dict.fromkeys(docs[int(rng.integers(len(docs)))]) if t not in frequent]
        if terms:
            take = min(len(terms), int(rng.integers(4, 11)))
            queries.append([terms[i] for i in sorted(rng.choice(len(terms), take, replace=False))])
    return queries


def article_corpus(folders: list[Path], out: Path) -> dict:
    """Chunk and tokenize real articles once (pyvi over all cores); pickled for the engine processes."""
    from bot.lang.tokenize import tokenize_many
    from bot.library.chunking import split_sentences
    from bot.library.corpus import load_articles

    start = time.perf_counter()
    sentences = [s.text for a in load_articles(folders) for s in split_sentences(a)]
    docs = tokenize_many(sentences, progress=True)
    out.write_bytes(pickle.dumps(docs))
    return {"size": len(docs), "tokenize_s": time.perf_counter() - start}


def load_corpus(spec: dict) -> Docs:
    if spec["kind"] == "synthetic":
        return synthetic_corpus(spec["size"])
    return pickle.loads(Path(spec["path"]).read_bytes())


def peak_rss_mb() -> float:
    """VmHWM: unlike ru_maxrss, it is not inherited from the parent that forked this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_queries(run: Callable[[list[str]], object], queries: Docs) -> tuple[list[float], list[object]]:
    times, results = [], []
    for q in queries:
        start = time.perf_counter()
        results.append(run(q))
        times.append((time.perf_counter() - start) * 1000)
    return times, results


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def bench_project(docs: Docs, queries: Docs, work: Path) -> dict:
    start = time.perf_counter()
    index = BM25Index.build(docs)
    build_s = time.perf_counter() - start
    entry = IndexStore(work / "cache").save("bench", index.save)
    del index
    (work / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    served = subprocess.run(
        [sys.executable, __file__, "--serve", str(entry), str(work / "queries.json")],
        capture_output=True, text=True, check=True,
    )
    return {"build_s": build_s, "disk_mb": dir_mb(entry), **json.loads(served.stdout)}


def serve(entry: Path, queries_path: Path) -> dict:
    """What the bot does at start-up: verify and memory-map the cache, then answer queries."""
    queries = json.loads(queries_path.read_text(encoding="utf-8"))
    start = time.perf_counter()
    store = IndexStore(entry.parent)
    index = BM25Index.load(store.open(entry.name))
    load_s = time.perf_counter() - start
    times, tops = timed_queries(lambda q: index.top_k(q, K), queries)
    return {"load_s": load_s, "times": times, "top": tops[:5], "serving_rss_mb": peak_rss_mb()}


def bench_rank_bm25(docs: Docs, queries: Docs) -> dict:
    from rank_bm25 import BM25Okapi

    start = time.perf_counter()
    bm25 = BM25Okapi(docs)
    build_s = time.perf_counter() - start

    def top(q: list[str]) -> np.ndarray:
        scores = bm25.get_scores(q)
        return np.argpartition(-scores, K)[:K]

    def exact_top(q: list[str]) -> list[list]:
        """The project's contract, untimed: best first, ties by sentence order, sharing a term."""
        scores, known = bm25.get_scores(q), set(q)
        order = (int(i) for i in np.argsort(-scores, kind="stable"))
        sharing = (i for i in order if not known.isdisjoint(bm25.doc_freqs[i]))
        return [[i, float(scores[i])] for i in islice(sharing, K)]

    n = max(5, min(len(queries), 3_000_000 // len(docs)))
    times, _ = timed_queries(top, queries[:n])
    return {"build_s": build_s, "times": times, "top": [exact_top(q) for q in queries[:5]]}


def bench_bm25s(docs: Docs, queries: Docs, work: Path) -> dict:
    import bm25s

    start = time.perf_counter()
    model = bm25s.BM25(k1=1.5, b=0.75)
    model.index(docs, show_progress=False)
    build_s = time.perf_counter() - start
    model.save(work / "bm25s", show_progress=False)
    start = time.perf_counter()
    model = bm25s.BM25.load(work / "bm25s", mmap=True)
    load_s = time.perf_counter() - start
    times, _ = timed_queries(lambda q: model.retrieve([q], k=K, show_progress=False, n_threads=0), queries)
    return {"build_s": build_s, "load_s": load_s, "disk_mb": dir_mb(work / "bm25s"), "times": times}


def engine_worker(engine: str, spec: dict, n_queries: int, stopwords: int) -> dict:
    docs = load_corpus(spec)
    queries = sample_queries(docs, n_queries, stopwords=stopwords)
    corpus_rss = peak_rss_mb()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        if engine == "project":
            result = bench_project(docs, queries, Path(tmp))
        elif engine == "rank-bm25":
            result = bench_rank_bm25(docs, queries)
        else:
            result = bench_bm25s(docs, queries, Path(tmp))
    return {**result, "peak_rss_mb": peak_rss_mb(), "corpus_rss_mb": corpus_rss}


def run_engine(engine: str, spec: dict, n_queries: int, stopwords: int) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", engine, json.dumps(spec), str(n_queries), str(stopwords)],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def report(size: int, results: dict[str, dict]) -> list[str]:
    ref = results["rank-bm25"]
    ref_p50 = float(np.median(ref["times"]))
    rows = []
    for engine, r in results.items():
        t = np.array(r["times"])
        p50 = float(np.median(t))
        rows.append(
            f"| {size:>9,} | {engine:<9} | {fmt(r['build_s'], 1):>7} | {fmt(r.get('disk_mb'), 0):>7} | "
            f"{fmt(r.get('load_s'), 3):>7} | {p50:>9.3f} | {float(np.percentile(t, 99)):>9.3f} | {len(t):>4} | "
            f"{ref_p50 / p50:>8.0f}× | {r['peak_rss_mb']:>8.0f} | {fmt(r.get('serving_rss_mb'), 0):>8} |"
        )
    same = all(
        [d for d, _ in a] == [d for d, _ in b] and np.allclose([s for _, s in a], [s for _, s in b], rtol=1e-9)
        for a, b in zip(results["project"]["top"], ref["top"])
    )
    rows.append(
        f"|           | top-{K} of the first {len(ref['top'])} queries identical to rank-bm25: {'yes' if same else 'NO'};"
        f" corpus alone {results['project']['corpus_rss_mb']:.0f} MB RSS"
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--articles", type=Path, action="append", help="use these article folders instead")
    parser.add_argument("--queries", type=int, default=300, help="queries per engine (rank-bm25: fewer when large)")
    parser.add_argument("--stopwords", type=int, default=STOPWORDS, help="most frequent tokens left out of queries")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--serve", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine, spec, n, stop = args.worker
        print(json.dumps(engine_worker(engine, json.loads(spec), int(n), int(stop))))
        return
    if args.serve:
        print(json.dumps(serve(*args.serve)))
        return

    engines = ["project", "rank-bm25"]
    try:
        import bm25s  # noqa: F401

        engines.append("bm25s")
    except ImportError:
        print("bm25s not installed (pip install bm25s to compare with it)")
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        if args.articles:
            info = article_corpus(args.articles, Path(tmp) / "docs.pkl")
            print(f"articles: {info['size']} sentences, chunked + tokenized with pyvi in {info['tokenize_s']:.1f} s")
            specs = [{"kind": "pickle", "path": str(Path(tmp) / "docs.pkl"), "size": info["size"]}]
        else:
            specs = [{"kind": "synthetic", "size": n} for n in args.sizes]
        print(
            f"top-{K} per query; queries: 4-10 tokens of a random corpus sentence, the {args.stopwords} most "
            "frequent tokens left out (stopwords); times are medians (p50) and 99th percentiles in ms"
        )
        print(
            "| sentences | engine    | build s | disk MB |  load s |   p50 ms |    p99 ms |    n | vs rank-bm25 "
            "| peak RSS MB | serving RSS MB |"
        )
        for spec in specs:
            results = {engine: run_engine(engine, spec, args.queries, args.stopwords) for engine in engines}
            print("\n".join(report(spec["size"], results)), flush=True)


if __name__ == "__main__":
    main()
