"""Benchmark the answering core on the bundled seeds, and ingestion with and without e5.

    python benchmarks/bench_answer.py [--archive DIR] [--sample 300]

Prints figures (no pass/fail):
- `python -m bot ask "…"` on the seeds from an empty cache (pyvi, BM25, the seeds' vectors found in
  the pack shipped with the package, the answer); the same with that pack set aside (its 34
  passages embedded); and warm: each the median of 3 separate processes;
- answers in process on the seeds, each question asked once (retrieval, e5 query, features,
  ranking, span): p50 / p95 / max over the shared dev questions, 5 rounds;
- with the news archive (`--archive`, as for `bench_archive.py`): ingestion of `--sample` archive
  articles from nothing, each pass timed (`python -m bot index` says how long each took): reading,
  splitting, pyvi and the BM25 index (what ingestion costs without e5), then the e5 vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASK = "Ai đã ký Nghị định thư hợp tác về cứu hộ cứu nạn?"
# `python -m bot` as a fresh install without the seeds' bundled vectors would run it.
WITHOUT_PACK = ("import sys; from pathlib import Path; from bot.library import embed; "
                "embed.BUNDLED = Path('/nonexistent'); from bot.cli import main; sys.exit(main())")
DEV = ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"
DEFAULT_ARCHIVE = Path(os.environ.get("NEWS_ARCHIVE", ROOT.parent.parent / "news" / "vn_news" / "data"))


def _env(cache: Path, **more: str) -> dict[str, str]:
    return {**os.environ, "INDEX_CACHE_DIR": str(cache), "LOG_LEVEL": "WARNING", **more}


def _wall(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def asks(tmp: Path) -> str:
    def median(runs: list[float]) -> str:
        return f"{statistics.median(runs):.2f} s ({', '.join(f'{t:.2f}' for t in runs)})"

    cold = [_wall([sys.executable, "-m", "bot", "ask", ASK], _env(tmp / f"cold-{n}"))[0] for n in range(3)]
    unpacked = [_wall([sys.executable, "-c", WITHOUT_PACK, "ask", ASK], _env(tmp / f"unpacked-{n}"))[0]
                for n in range(3)]
    warm = [_wall([sys.executable, "-m", "bot", "ask", ASK], _env(tmp / "cold-0"))[0] for _ in range(3)]
    return (f"seeds: `ask` from an empty cache {median(cold)}; without the bundled vectors {median(unpacked)}; "
            f"warm {median(warm)}")


def in_process(tmp: Path) -> str:
    sys.path.insert(0, str(ROOT))
    from bot.answering.answer import Answerer
    from bot.library.knowledge import KnowledgeBase
    from bot.settings import Settings

    settings = Settings(_env_file=None, index_cache_dir=tmp / "cold-0")
    answerer = Answerer(KnowledgeBase.build(settings, [ROOT / "seeds"]), settings)
    questions = [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not questions:
        questions = [ASK]
    answerer.ask(questions[0])  # the model loaded
    times = []
    for round_ in range(5):
        for q in questions:
            start = time.perf_counter()
            answerer.ask(q + " " * round_)  # new text each round
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return (f"seeds: answers in process ({len(questions)} questions × 5): p50 {statistics.median(times):.1f} ms, "
            f"p95 {times[int(0.95 * len(times)) - 1]:.1f} ms, max {times[-1]:.1f} ms")


def ingestion(archive: Path, sample: int, tmp: Path) -> str:
    reserved = set()
    for folder in (ROOT.parent / "shared" / "eval",):
        path = folder / "reserved-real-news.txt"
        if path.is_file():
            reserved = {line.strip() for line in path.read_text().splitlines() if line.strip() and line[0] != "#"}
    names = sorted(p.name for p in archive.glob("*.txt") if p.name not in reserved)[:sample]
    folder = tmp / "sample"
    folder.mkdir()
    for name in names:
        (folder / name).symlink_to(archive / name)
    wall, out = _wall([sys.executable, "-m", "bot", "index", "--articles", str(folder)],
                      _env(tmp / "sample-cache", SEEDS_DIR=""))
    return f"{sample} archive articles from nothing in {wall:.1f} s: {' '.join(out.split())}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    ap.add_argument("--sample", type=int, default=300, help="archive articles indexed to time ingestion")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-answer-") as tmp:
        print(asks(Path(tmp)), flush=True)
        print(in_process(Path(tmp)), flush=True)
        if a.archive.is_dir():
            print(ingestion(a.archive, a.sample, Path(tmp)), flush=True)
        else:
            print(f"ingestion skipped: no news archive at {a.archive} (pass --archive or set NEWS_ARCHIVE)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
