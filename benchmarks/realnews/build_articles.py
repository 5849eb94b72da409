"""Builds the real-news articles folder from the fetched mirror (the articles are never committed).

    python benchmarks/realnews/build_articles.py MIRROR/vn_news/data OUT_DIR

copies every article named by each question file of `benchmarks/realnews/` from the mirror of
github:magizbox/scraper (fetch it with the search tool's `fetch`, then `git archive` its
`vn_news/data`) into OUT_DIR/<set> (`realnews` for questions.jsonl, `realnews-2` for
questions-2.jsonl, `realnews-3` for questions-3.jsonl), byte for byte: each set is answered over
its own articles.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path, help="the mirror's vn_news/data folder")
    ap.add_argument("out", type=Path)
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from bot.fitting.evalsets import REALNEWS_SETS, load_questions

    for name, questions in REALNEWS_SETS.items():
        names = sorted({q["article"] for q in load_questions(questions)})
        missing = [n for n in names if not (a.data / n).is_file()]
        if missing:
            print(
                f"{len(missing)} articles missing from {a.data} (e.g. {missing[0]}): is it the mirror's vn_news/data?"
            )
            return 1
        out = a.out / name
        out.mkdir(parents=True, exist_ok=True)
        for n in names:
            shutil.copyfile(a.data / n, out / n)
        print(f"{len(names)} articles in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
