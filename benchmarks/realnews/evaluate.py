"""Scores the bot on the real-news sets, both halves, both rankers, with the shared scorer.

    python benchmarks/realnews/evaluate.py MIRROR/vn_news/data [--scorer ../shared/tools/score.py]

The articles (github:magizbox/scraper, no licence stated) are never committed: they are copied
from the fetched mirror into a temporary folder, the questions of each half are written beside
them, and `score.py` runs `python -m bot ask --json` on each. Only the figures are printed, never
a question, so the held-back half can be measured without being read.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from bot.evalsets import realnews_sets

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path, help="the mirror's vn_news/data folder")
    ap.add_argument("--scorer", type=Path, default=ROOT.parent / "shared" / "tools" / "score.py")
    ap.add_argument("--rankers", nargs="+", default=["rules", "fitted"])
    a = ap.parse_args()
    if not a.data.is_dir():
        print(f"{a.data} is not a folder: fetch github:magizbox/scraper and pass its vn_news/data")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        articles = Path(tmp) / "articles"
        build = [sys.executable, str(HERE / "build_articles.py"), str(a.data), str(articles)]
        subprocess.run(build, check=True, stdout=subprocess.DEVNULL)
        print("| set | ranker | " + " | ".join(_COLUMNS) + " |")
        print("|---|---|" + "---|" * len(_COLUMNS))
        for qset in realnews_sets(articles):
            path = Path(tmp) / f"{qset.name}.jsonl"
            path.write_text(
                "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in qset.load()), encoding="utf-8"
            )
            for ranker in a.rankers:
                figures = _score(a.scorer, path, qset.folders[0], ranker)
                cells = ["—" if figures.get(c) is None else str(figures[c]) for c in _COLUMNS]
                print(f"| {qset.name} | {ranker} | " + " | ".join(cells) + " |", flush=True)
    return 0


_COLUMNS = (
    "questions",
    "hit@1",
    "hit@3",
    "answer_acc",
    "short_answer_acc",
    "answer_f1",
    "strict_date_acc",
    "abstain_acc",
    "wall_s",
)


def _score(scorer: Path, questions: Path, articles: Path, ranker: str) -> dict[str, object]:
    cmd = [sys.executable, str(scorer), "--questions", str(questions), "--articles", str(articles), "--"]
    cmd += [sys.executable, "-m", "bot", "ask", "--json", "--articles", "{articles}"]
    env = {**os.environ, "RANKER": ranker}
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
