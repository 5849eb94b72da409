"""Benchmark the whole pipeline on the real news archive, as a user runs it.

    python benchmarks/bench_archive.py [--archive DIR] [--sizes 5000 0] [--questions 300]

Needs the Vietnamese news archive of github:magizbox/scraper (`vn_news/data`, 35,440 `.txt`
files; no licence is stated, so it is never committed). Fetch it with the search tool's
`fetch github:magizbox/scraper` and extract `vn_news/data`, or clone the repository, then pass
`--archive …/vn_news/data` (default: `../../news/vn_news/data` from the repository, or
`$NEWS_ARCHIVE`). Files listed in `../shared/eval/reserved-real-news.txt` are left out.

For each size (0 = every article), in separate processes so each figure is its own:
- `python -m bot index` from nothing: sentences, wall time, sentences/s, peak RSS (of the
  largest process: the main one or a worker);
- the same from the warm cache (a restart), and `python -m bot ask "…"` warm (median of 3);
- answers in process (retrieve, rerank, extract) on questions made from random archive
  sentences: p50 / p95 / p99 ms, and serving RSS;
- retrieval alone with the same terms, top 10: the project's index, rank-bm25 (a few
  queries: it scans every document) and tantivy (whitespace-tokenized, its own BM25).

Then (`--big-mb`, default 5) an article of that many megabytes of archive words without
any punctuation: `python -m bot index` on it beside the seeds from nothing, and, in process,
the reply latency of questions asked every 20 ms on one thread while another refreshes the
knowledge base to take it in (as the bot's answer and refresh threads do).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARCHIVE = Path(os.environ.get("NEWS_ARCHIVE", ROOT.parent.parent / "news" / "vn_news" / "data"))
RESERVED = [ROOT.parent / "shared" / "eval", ROOT.parent.parent / "shared" / "eval"]
K = 10
ASK = "Ai đã ký Nghị định thư hợp tác về cứu hộ cứu nạn?"


def _reserved() -> set[str]:
    for folder in RESERVED:
        path = folder / "reserved-real-news.txt"
        if path.is_file():
            return {line.strip() for line in path.read_text().splitlines() if line.strip() and line[0] != "#"}
    return set()


def _folder(archive: Path, size: int, tmp: Path) -> Path:
    """A folder of links to the first `size` usable article names (all when 0), reserved left out."""
    reserved = _reserved()
    names = sorted(p.name for p in archive.glob("*.txt") if p.name not in reserved)
    folder = tmp / f"articles-{size or 'all'}"
    folder.mkdir()
    for name in names[: size or None]:
        (folder / name).symlink_to(archive / name)
    return folder


def _run(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """(wall s, peak RSS MiB of the largest process, stdout) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed")
    return wall, usage.ru_maxrss // 1024, out


def _helper(mode: str, *args: str, env: dict[str, str]) -> dict:
    return json.loads(_run([sys.executable, __file__, f"--{mode}", *args], env)[2].splitlines()[-1])


def _ms(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def serve(folder: str, count: str, terms_out: str) -> None:
    """In-process answering: questions from random sentences, timed one by one."""
    sys.path.insert(0, str(ROOT))
    from bot.answer import Answerer
    from bot.knowledge import KnowledgeBase
    from bot.question import analyze
    from bot.settings import load_settings

    settings = load_settings()
    start = time.perf_counter()
    kb = KnowledgeBase.build(settings, [Path(folder)])
    opened = time.perf_counter() - start
    answerer = Answerer(kb, settings)
    rng = random.Random(7)
    frames = ("Ai {} ?", "{} ở đâu?", "{} khi nào?", "{} bao nhiêu?", "{} là gì?")
    questions = []
    while len(questions) < int(count):
        words = [w.text for w in kb.words(rng.randrange(len(kb.sentences))) if w.pos != "F"]
        if len(words) >= 6:
            lo = rng.randrange(len(words) - 5)
            questions.append(rng.choice(frames).format(" ".join(words[lo : lo + rng.randint(4, 8)])))
    answerer.ask(ASK)  # first-call costs (imports, caches) are not an answer's
    times, found = [], 0
    for q in questions:
        t = time.perf_counter()
        found += answerer.ask(q).found
        times.append((time.perf_counter() - t) * 1000)
    terms = [list(analyze(q).search_terms) for q in questions]
    retrieval = []
    for t_ in terms:
        t = time.perf_counter()
        kb.index.top_k(t_, K)
        retrieval.append((time.perf_counter() - t) * 1000)
    Path(terms_out).write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        json.dumps(
            {
                "open_s": opened,
                "answers": [_ms(times, 50), _ms(times, 95), _ms(times, 99)],
                "found": found / len(questions),
                "retrieval": [_ms(retrieval, 50), _ms(retrieval, 99)],
                "rss": rss,
                "top": [kb.index.top_k(t_, K) for t_ in terms[:5]],
            }
        )
    )


def _docs(cache: str) -> list[list[str]]:
    sys.path.insert(0, str(ROOT))
    from bot.index import BM25Index

    entry = max(
        (p for p in Path(cache).iterdir() if p.is_dir() and p.name[0] != "."), key=lambda p: p.stat().st_mtime
    )
    enc = BM25Index.load(entry).encoded()
    terms, ptr, ids = enc.terms, enc.doc_ptr.tolist(), enc.term_ids
    return [[terms[t] for t in ids[ptr[i] : ptr[i + 1]].tolist()] for i in range(len(ptr) - 1)]


def rank_bm25(cache: str, terms_file: str, count: str) -> None:
    from rank_bm25 import BM25Okapi

    docs = _docs(cache)
    start = time.perf_counter()
    ref = BM25Okapi(docs)
    built = time.perf_counter() - start
    times, top = [], []
    for q in json.loads(Path(terms_file).read_text(encoding="utf-8"))[: int(count)]:
        t = time.perf_counter()
        scores = ref.get_scores(q)
        order = sorted(range(len(docs)), key=lambda i: (-scores[i], i))[:K]
        times.append((time.perf_counter() - t) * 1000)
        top.append([[i, float(scores[i])] for i in order])
    print(json.dumps({"build_s": built, "p50": statistics.median(times), "n": len(times), "top": top}))


def tantivy_engine(cache: str, terms_file: str) -> None:
    import tantivy

    docs = _docs(cache)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("t", stored=False, tokenizer_name="whitespace", index_option="freq")
    schema = builder.build()
    with tempfile.TemporaryDirectory() as folder:
        index = tantivy.Index(schema, path=folder)
        start = time.perf_counter()
        writer = index.writer(heap_size=200_000_000, num_threads=2)
        for doc in docs:
            writer.add_document(tantivy.Document(t=" ".join(doc)))
        writer.commit()
        writer.wait_merging_threads()
        built = time.perf_counter() - start
        index.reload()
        searcher = index.searcher()
        times = []
        for q in json.loads(Path(terms_file).read_text(encoding="utf-8")):
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "t", term)) for term in q]
            )
            t = time.perf_counter()
            searcher.search(query, K)
            times.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"build_s": built, "p50": _ms(times, 50), "p99": _ms(times, 99)}))


def bench(archive: Path, size: int, questions: int, rank_queries: int, tmp: Path) -> None:
    folder = _folder(archive, size, tmp)
    cache = tmp / f"cache-{size or 'all'}"
    env = {**os.environ, "INDEX_CACHE_DIR": str(cache), "ARTICLES_DIR": str(folder), "SEEDS_DIR": "",
           "LOG_LEVEL": "WARNING"}
    index = [sys.executable, "-m", "bot", "index", "--articles", str(folder)]
    cold, peak, out = _run(index, env)
    sentences = int(out.split()[2])
    restart, _, _ = _run(index, env)
    asks = sorted(_run([sys.executable, "-m", "bot", "ask", ASK], env)[0] for _ in range(3))
    terms = tmp / f"terms-{size or 'all'}.json"
    served = _helper("serve", str(folder), str(questions), str(terms), env=env)
    ref = _helper("rank-bm25", str(cache), str(terms), str(rank_queries), env=env)
    same = all([tuple(x) for x in a] == [tuple(x) for x in b] for a, b in zip(served["top"], ref["top"]))
    try:
        tan = _helper("tantivy", str(cache), str(terms), env=env)
        tantivy_line = (
            f"tantivy p50 {tan['p50']:.2f} ms, p99 {tan['p99']:.2f} ms (build {tan['build_s']:.1f} s)"
        )
    except (SystemExit, ValueError, IndexError):
        tantivy_line = "tantivy not installed (pip install tantivy)"
    name = f"{size:,} articles" if size else "all articles"
    a50, a95, a99 = served["answers"]
    r50, r99 = served["retrieval"]
    print(
        f"{name}: {sentences:,} sentences | index from nothing {cold:.1f} s ({sentences / cold:,.0f} sentences/s), "
        f"peak RSS {peak:,} MiB | restart (index, warm) {restart:.2f} s | ask one question warm "
        f"{asks[1]:.2f} s (median of 3)\n"
        f"  answers in process ({questions} questions, {served['found']:.0%} answered): p50 {a50:.1f} ms, "
        f"p95 {a95:.1f} ms, p99 {a99:.1f} ms; open {served['open_s']:.2f} s; serving RSS {served['rss']:,} MiB\n"
        f"  retrieval top-{K}, same terms: project p50 {r50:.3f} ms, p99 {r99:.3f} ms | rank-bm25 p50 "
        f"{ref['p50']:.0f} ms ({ref['n']} queries, same top-{K}: {'yes' if same else 'NO'}) | {tantivy_line}",
        flush=True,
    )


def _big_article(archive: Path, megabytes: float, folder: Path) -> Path:
    """Archive words in a random order, no punctuation at all: `megabytes` of one line."""
    rng = random.Random(3)
    words = [w for p in sorted(archive.glob("*.txt"))[:200] for w in p.read_text(errors="replace").split()]
    words = [w.strip('.,;:!?…"“”()') for w in words]
    words = [w for w in words if w]
    out, size = [], 0
    while size < megabytes * 1e6:
        out.append(rng.choice(words))
        size += len(out[-1].encode()) + 1
    path = folder / "big.txt"
    path.write_text("Bài báo không dấu câu\n" + " ".join(out), encoding="utf-8")
    return path


def refresh_while_answering(folder: str, big: str) -> None:
    """Reply latencies on one thread while another thread refreshes the knowledge base."""
    import shutil
    import threading

    sys.path.insert(0, str(ROOT))
    from bot.answer import Answerer
    from bot.knowledge import KnowledgeBase
    from bot.settings import load_settings

    settings = load_settings()
    kb = KnowledgeBase.build(settings, [Path(folder)])
    answerer = Answerer(kb, settings)
    questions = [
        "Ai đã ký Nghị định thư hợp tác về cứu hộ cứu nạn?",
        "Hội đàm diễn ra ở đâu?",
        "Khi nào hai bên hội đàm?",
    ]
    answerer.ask(questions[0])
    latencies: list[float] = []
    done = threading.Event()

    def ask() -> None:
        n = 0
        while not done.is_set():
            t = time.perf_counter()
            answerer.ask(questions[n % len(questions)] + " " * (n // 3))  # new text: no answer cache
            latencies.append((time.perf_counter() - t) * 1000)
            n += 1
            time.sleep(0.02)

    thread = threading.Thread(target=ask)
    thread.start()
    shutil.copy(big, Path(folder) / "big.txt")
    start = time.perf_counter()
    new = kb.refreshed()
    took = time.perf_counter() - start
    done.set()
    thread.join()
    assert new is not None and "big" in new.articles
    print(
        json.dumps({"refresh_s": took, "n": len(latencies), "p50": _ms(latencies, 50), "max": max(latencies)})
    )


def bench_big(archive: Path, megabytes: float, tmp: Path) -> None:
    import shutil

    folder = tmp / "big-and-seeds"
    shutil.copytree(ROOT / "seeds", folder)
    big = _big_article(archive, megabytes, tmp)
    env = {**os.environ, "INDEX_CACHE_DIR": str(tmp / "cache-big"), "LOG_LEVEL": "WARNING"}
    shutil.copy(big, folder / "big.txt")
    cold, peak, out = _run([sys.executable, "-m", "bot", "index", "--articles", str(folder)], env)
    (folder / "big.txt").unlink()
    env["INDEX_CACHE_DIR"] = str(tmp / "cache-big-2")
    r = _helper("refresh-while-answering", str(folder), str(big), env=env)
    print(
        f"{megabytes:g} MB article without punctuation + the seeds: index from nothing {cold:.1f} s, peak RSS "
        f"{peak:,} MiB ({out.split()[2]} sentences) | refreshed into a running knowledge base in "
        f"{r['refresh_s']:.1f} s while {r['n']} questions were answered: p50 {r['p50']:.1f} ms, max {r['max']:.1f} ms",
        flush=True,
    )


def main() -> int:
    helpers = {
        "--serve": serve,
        "--rank-bm25": rank_bm25,
        "--tantivy": tantivy_engine,
        "--refresh-while-answering": refresh_while_answering,
    }
    if len(sys.argv) > 1 and sys.argv[1] in helpers:
        helpers[sys.argv[1]](*sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--sizes", type=int, nargs="*", default=[5000, 0], help="articles; 0 = all")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--rank-bm25-queries", type=int, default=5)
    parser.add_argument(
        "--big-mb", type=float, default=5, help="size of the article without punctuation; 0 = skip"
    )
    args = parser.parse_args()
    if not args.archive.is_dir():
        print(
            f"skipped: no news archive at {args.archive}. Fetch github:magizbox/scraper (the search tool's "
            "`fetch`, or git clone), extract vn_news/data, and pass --archive DIR or set NEWS_ARCHIVE."
        )
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        for size in args.sizes:
            bench(args.archive, size, args.questions, args.rank_bm25_queries, Path(tmp))
        if args.big_mb:
            bench_big(args.archive, args.big_mb, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
