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
- retrieval alone, as `--retrieval-only` runs it (below).

`--retrieval-only` times retrieval alone, without answering (so without building what else a
cache entry holds): for each size it opens the project's BM25 index of the folder, from an entry of
the index cache that was built from exactly those files (`python -m bot index`), or builds the
index by itself (pyvi over both cores, about as long as `index`); then top 10 of the project's
index and of tantivy (whitespace-tokenized, its own BM25, its index built from the same terms),
both warm, side by side in one process: for each question the two engines take turns, which goes
first alternating, `--repeat` times; each question's median, then p50 / p99 over the questions and
their ratios. rank-bm25 (it scans every document) runs the first `--rank-bm25-queries`, whose top
10 must be the project's. Questions are made as for the answers above, from random sentences.
With `--cache DIR` the links, indexes and tantivy's index are kept in DIR for the next run:

    python benchmarks/bench_archive.py --retrieval-only --archive DIR --sizes 5000 0 --cache /tmp/bench

Then (`--big-mb`, default 5) an article of that many megabytes of archive words without
any punctuation: `python -m bot index` on it beside the seeds from nothing, and, in process,
the reply latency of questions asked every 20 ms on one thread while another refreshes the
knowledge base to take it in (as the bot's answer and refresh threads do).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.library.index import BM25Index

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARCHIVE = Path(os.environ.get("NEWS_ARCHIVE", ROOT.parent.parent / "news" / "vn_news" / "data"))
RESERVED = [ROOT.parent / "shared" / "eval", ROOT.parent.parent / "shared" / "eval"]
K = 10
ASK = "Ai đã ký Nghị định thư hợp tác về cứu hộ cứu nạn?"
FRAMES = ("Ai {} ?", "{} ở đâu?", "{} khi nào?", "{} bao nhiêu?", "{} là gì?")


def _reserved() -> set[str]:
    for folder in RESERVED:
        path = folder / "reserved-real-news.txt"
        if path.is_file():
            return {line.strip() for line in path.read_text().splitlines() if line.strip() and line[0] != "#"}
    return set()


def _folder(archive: Path, size: int, tmp: Path) -> Path:
    """A folder of links to the first `size` usable article names (all when 0), reserved left out;
    one left by an earlier run with the same links is kept (its paths are what a cache knows)."""
    reserved = _reserved()
    names = sorted(p.name for p in archive.glob("*.txt") if p.name not in reserved)[: size or None]
    folder = tmp / f"articles-{size or 'all'}"
    if folder.is_dir() and sorted(p.name for p in folder.iterdir()) == names:
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    for name in names:
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


def _question(rng: random.Random, words: list[str]) -> str | None:
    """A question made from 4-8 consecutive words of a sentence (punctuation left out), if it has 6."""
    if len(words) < 6:
        return None
    lo = rng.randrange(len(words) - 5)
    return rng.choice(FRAMES).format(" ".join(words[lo : lo + rng.randint(4, 8)]))


def serve(folder: str, count: str) -> None:
    """In-process answering: questions from random sentences, timed one by one."""
    sys.path.insert(0, str(ROOT))
    from bot.answering.answer import Answerer
    from bot.library.knowledge import KnowledgeBase
    from bot.settings import load_settings

    settings = load_settings()
    start = time.perf_counter()
    kb = KnowledgeBase.build(settings, [Path(folder)])
    opened = time.perf_counter() - start
    answerer = Answerer(kb, settings)
    rng = random.Random(7)
    questions: list[str] = []
    while len(questions) < int(count):
        words = [w.text for w in kb.words(rng.randrange(len(kb.sentences))) if w.pos != "F"]
        question = _question(rng, words)
        if question:
            questions.append(question)
    answerer.ask(ASK)  # first-call costs (imports, caches) are not an answer's
    times, found = [], 0
    for q in questions:
        t = time.perf_counter()
        found += answerer.ask(q).found
        times.append((time.perf_counter() - t) * 1000)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        json.dumps(
            {
                "open_s": opened,
                "answers": [_ms(times, 50), _ms(times, 95), _ms(times, 99)],
                "found": found / len(questions),
                "rss": rss,
            }
        )
    )


def _index_of(folder: Path, cache: Path, texts: list[str]) -> tuple[BM25Index, Path, str]:
    """The project's BM25 index of `folder`: that of the newest entry of the index cache `cache`
    made from exactly these files with these BM25 settings (only its index arrays are opened), or
    the one an earlier run built and kept in `cache`, or built now from `texts` (the sentences as
    the bot splits them; pyvi over every core) and kept there. With where it is and how it was had."""
    from bot.lang.tokenize import TOKENIZER_VERSION, index_terms, tokenize_many
    from bot.library.corpus import article_files
    from bot.library.index import BM25Index
    from bot.library.ingest import Record
    from bot.settings import load_settings

    settings = load_settings()
    params = {"k1": settings.bm25_k1, "b": settings.bm25_b, "epsilon": settings.bm25_epsilon}
    stats = sorted([f.path, f.size, f.mtime_ns] for f in article_files([folder]))
    cache.mkdir(parents=True, exist_ok=True)
    entries = sorted((p for p in cache.iterdir() if (p / "articles.json").is_file()), key=os.path.getmtime)
    for entry in reversed(entries):
        if sorted([r.path, r.size, r.mtime_ns] for r in Record.load(entry)) == stats:
            index = BM25Index.load(entry)
            if index.params == params:
                return index, entry, "opened from the index cache"
    key = json.dumps([TOKENIZER_VERSION, params, stats])
    own = cache / f"bm25-{hashlib.blake2b(key.encode(), digest_size=8).hexdigest()}"
    if own.is_dir():
        return BM25Index.load(own), own, "opened (built by an earlier run)"
    start = time.perf_counter()
    index = BM25Index.build(tokenize_many(texts, index_terms, progress=True), **params)
    built = time.perf_counter() - start
    work = Path(tempfile.mkdtemp(dir=cache))
    index.save(work)
    work.rename(own)
    return BM25Index.load(own), own, f"built in {built:.0f} s"


def _tantivy(docs: list[list[str]] | None, folder: Path) -> tuple[Callable[[list[str]], object], str]:
    """tantivy over the same terms (whitespace-tokenized, its own BM25), in `folder`: the index
    an earlier run left there, or built now from `docs`. A search function, and how."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("t", stored=False, tokenizer_name="whitespace", index_option="freq")
    schema = builder.build()
    how = "opened (built by an earlier run)"
    if not folder.is_dir():
        if docs is None:
            raise ValueError("no documents to build tantivy's index from")
        work = Path(tempfile.mkdtemp(dir=folder.parent))
        start = time.perf_counter()
        writer = tantivy.Index(schema, path=str(work)).writer(heap_size=200_000_000, num_threads=2)
        for doc in docs:
            writer.add_document(tantivy.Document(t=" ".join(doc)))
        writer.commit()
        writer.wait_merging_threads()
        how = f"built in {time.perf_counter() - start:.0f} s"
        work.rename(folder)
    index = tantivy.Index(schema, path=str(folder))
    index.reload()
    searcher = index.searcher()

    def search(terms: list[str]) -> object:
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "t", term)) for term in terms]
        )
        return lambda: searcher.search(query, K)  # the query is made before the clock starts

    return search, how


def retrieval(folder: str, cache: str, count: str, repeat: str, rank_queries: str) -> None:
    """Top 10 of the project's index and tantivy's side by side on the same terms, then rank-bm25."""
    sys.path.insert(0, str(ROOT))
    from rank_bm25 import BM25Okapi

    from bot.answering.question import analyze
    from bot.lang.tokenize import tag
    from bot.library.chunking import split_sentences
    from bot.library.corpus import load_articles

    texts = [s.text for a in load_articles([Path(folder)]) for s in split_sentences(a)]
    index, where, how = _index_of(Path(folder), Path(cache), texts)
    rng = random.Random(7)
    questions: list[str] = []
    while len(questions) < int(count):
        question = _question(rng, [w.text for w in tag(rng.choice(texts)) if w.pos != "F"])
        if question:
            questions.append(question)
    terms = [list(analyze(q).search_terms) for q in questions]
    stored = Path(cache) / f"tantivy-{where.name}"
    docs = None if stored.is_dir() and not int(rank_queries) else _docs(index)
    search, tantivy_how = _tantivy(docs, stored)
    engines = {
        "project": [lambda t=t: index.top_k(t, K) for t in terms],
        "tantivy": [search(t) for t in terms],
    }
    for runs in engines.values():  # warm: each engine has read its postings once
        for run in runs:
            run()
    times: dict[str, list[list[float]]] = {name: [[] for _ in terms] for name in engines}
    for r in range(int(repeat)):
        for i in range(len(terms)):
            for name in engines if (i + r) % 2 == 0 else reversed(engines):
                t = time.perf_counter()
                engines[name][i]()
                times[name][i].append((time.perf_counter() - t) * 1000)
    out: dict[str, object] = {"sentences": len(index), "index": how, "tantivy_index": tantivy_how}
    out["n"] = len(terms)
    for name, per_query in times.items():
        medians = [statistics.median(t) for t in per_query]
        out[name] = [_ms(medians, 50), _ms(medians, 99)]
    ref_times, same = [], True
    if int(rank_queries):
        ref = BM25Okapi(docs)
        for t_ in terms[: int(rank_queries)]:
            t = time.perf_counter()
            scores = ref.get_scores(t_)
            order = sorted(range(len(docs)), key=lambda i: (-scores[i], i))[:K]
            ref_times.append((time.perf_counter() - t) * 1000)
            same &= index.top_k(t_, K) == [(i, float(scores[i])) for i in order]
    out["rank_bm25"] = [statistics.median(ref_times) if ref_times else None, len(ref_times), same]
    print(json.dumps(out))


def _docs(index: BM25Index) -> list[list[str]]:
    """The index's documents as token lists (its forward index), for the other engines."""
    enc = index.encoded()
    terms, ptr, ids = enc.terms, enc.doc_ptr.tolist(), enc.term_ids
    return [[terms[t] for t in ids[ptr[i] : ptr[i + 1]].tolist()] for i in range(len(ptr) - 1)]


def _retrieval_line(r: dict) -> str:
    (p50, p99), (t50, t99) = r["project"], r["tantivy"]
    ref_ms, ref_n, same = r["rank_bm25"]
    ref = (
        f"rank-bm25 p50 {ref_ms:,.0f} ms ({ref_n} questions, same top-{K}: {'yes' if same else 'NO'})"
        if ref_n
        else "rank-bm25 not run"
    )
    return (
        f"retrieval top-{K}, same terms, {r['n']} questions, side by side: project p50 {p50:.2f} ms, "
        f"p99 {p99:.2f} ms | tantivy p50 {t50:.2f} ms, p99 {t99:.2f} ms | project/tantivy p50 "
        f"{p50 / t50:.2f}x, p99 {p99 / t99:.2f}x | {ref}"
    )


def bench(archive: Path, size: int, args: argparse.Namespace, tmp: Path) -> None:
    folder = _folder(archive, size, tmp)
    cache = tmp / f"cache-{size or 'all'}"
    env = {**os.environ, "INDEX_CACHE_DIR": str(cache), "ARTICLES_DIR": str(folder), "SEEDS_DIR": "",
           "LOG_LEVEL": "WARNING"}
    name = f"{size:,} articles" if size else "all articles"
    if args.retrieval_only:
        r = _helper("retrieval", *_retrieval_args(folder, cache, args), env=env)
        print(f"{name}: {r['sentences']:,} sentences (index {r['index']}; tantivy's {r['tantivy_index']})")
        print(f"  {_retrieval_line(r)}", flush=True)
        return
    index = [sys.executable, "-m", "bot", "index", "--articles", str(folder)]
    cold, peak, out = _run(index, env)
    sentences = int(out.split()[2])
    restart, _, _ = _run(index, env)
    asks = sorted(_run([sys.executable, "-m", "bot", "ask", ASK], env)[0] for _ in range(3))
    served = _helper("serve", str(folder), str(args.questions), env=env)
    r = _helper("retrieval", *_retrieval_args(folder, cache, args), env=env)
    a50, a95, a99 = served["answers"]
    print(
        f"{name}: {sentences:,} sentences | index from nothing {cold:.1f} s ({sentences / cold:,.0f} sentences/s), "
        f"peak RSS {peak:,} MiB | restart (index, warm) {restart:.2f} s | ask one question warm "
        f"{asks[1]:.2f} s (median of 3)\n"
        f"  answers in process ({args.questions} questions, {served['found']:.0%} answered): p50 {a50:.1f} ms, "
        f"p95 {a95:.1f} ms, p99 {a99:.1f} ms; open {served['open_s']:.2f} s; serving RSS {served['rss']:,} MiB\n"
        f"  {_retrieval_line(r)}",
        flush=True,
    )


def _retrieval_args(folder: Path, cache: Path, args: argparse.Namespace) -> list[str]:
    return [str(folder), str(cache), str(args.questions), str(args.repeat), str(args.rank_bm25_queries)]


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
    import threading

    sys.path.insert(0, str(ROOT))
    from bot.answering.answer import Answerer
    from bot.library.knowledge import KnowledgeBase
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
        "--retrieval": retrieval,
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
        "--retrieval-only", action="store_true", help="time retrieval alone (see above); no answering"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each question per engine")
    parser.add_argument("--cache", type=Path, help="keep links and indexes here for the next run")
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
        work = args.cache or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            bench(args.archive, size, args, work)
        if args.big_mb and not args.retrieval_only:
            bench_big(args.archive, args.big_mb, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
