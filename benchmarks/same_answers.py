"""Proves a change answer-neutral: every question of every set, answered as `ask --json` answers
it, written once before the change and compared after it.

    python benchmarks/same_answers.py write before.jsonl [--realnews DIR]
    python benchmarks/same_answers.py check before.jsonl [--realnews DIR]

`check` prints each question whose JSON differs (set, question, before, after) and exits 1 if any
does; sets absent here are skipped with their reason, and a set present on one side only counts
as a difference.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.answering.answer import Answerer
from bot.fitting.evalsets import all_sets
from bot.library.knowledge import KnowledgeBase
from bot.settings import Settings


def answers(realnews: Path | None) -> dict[str, dict[str, object]]:
    """`set\\tquestion id\\tquestion` -> the question's `ask --json` object, over every set present."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    out: dict[str, dict[str, object]] = {}
    for qset in all_sets(realnews):
        why = qset.missing()
        if why is not None:
            print(f"skipped {qset.name}: {why}", file=sys.stderr)
            continue
        answerer = Answerer(KnowledgeBase.build(settings, qset.folders), settings)
        for q in qset.load():
            out[f"{qset.name}\t{q.get('id')}\t{q['question']}"] = answerer.ask(q["question"]).to_json()
        print(f"{qset.name}: answered", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("write", "check"))
    parser.add_argument("file", type=Path, help="the answers before the change (JSON lines)")
    parser.add_argument("--realnews", type=Path, help="the real-news articles folder (build_articles.py)")
    args = parser.parse_args(argv)
    now = answers(args.realnews)
    if args.mode == "write":
        with args.file.open("w", encoding="utf-8") as f:
            f.writelines(json.dumps({"key": k, "reply": v}, ensure_ascii=False) + "\n" for k, v in now.items())
        print(f"{len(now)} answers written to {args.file}")
        return 0
    lines = args.file.read_text(encoding="utf-8").splitlines()
    before = {row["key"]: row["reply"] for row in map(json.loads, lines)}
    changed = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    for key in changed:
        print(f"{key}\n  before: {json.dumps(before.get(key), ensure_ascii=False)}")
        print(f"  after:  {json.dumps(now.get(key), ensure_ascii=False)}")
    print(f"{len(now)} answers, {len(changed)} differ")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
