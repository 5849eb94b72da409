"""Measures what typing without accents costs: the tuning questions typed with accents, the same
questions with every accent removed, and those again with e5 reading the accented original.

    python benchmarks/unaccented.py [--realnews DIR]

People type `hoi dam dien ra o dau`. A question without accents is matched on its folded
syllables, and e5 reads it after `bot.lang.restore` has given its accents back from the
candidates' words. Every tuning question (the committed sets, the tuning halves of Wikipedia and
real news; never a held-back half) that was written with accents is answered three times, through
the shared scorer's definitions (`bot.fitting.evaluate`):

- `typed`: as written;
- `stripped`: every accent removed (case kept), as a user without a Vietnamese keyboard types it;
- `e5 reads the original`: stripped, but e5 reads the question as written (what a perfect
  restoration would give: the bound on what `restore` can still win; matching is as `stripped`).

Printed per set: the scorer's figures and `ranking@1` for each, and the share of the question's
syllables `restore` gives back as written (letter case aside). About two minutes with the real
news.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bot.answering.candidates as candidates  # noqa: E402
from bot.answering.answer import Answerer  # noqa: E402
from bot.answering.question import analyze  # noqa: E402
from bot.fitting.evalsets import QuestionSet, known_sets  # noqa: E402
from bot.fitting.evaluate import evaluate  # noqa: E402
from bot.lang.normalize import has_diacritics, unaccented  # noqa: E402
from bot.library.knowledge import KnowledgeBase  # noqa: E402
from bot.settings import Settings  # noqa: E402

_SYLLABLE = re.compile(r"\w+")
_SHOWN = ("hit@1", "short_answer_acc", "abstain_acc", "precision", "ranking@1")


@contextmanager
def reading(originals: dict[str, str]) -> Iterator[None]:
    """e5 reads each stripped question as it was written (nothing else changes)."""
    restore = candidates.restore
    candidates.restore = lambda question, *_: originals.get(question, question)  # type: ignore[assignment]
    try:
        yield
    finally:
        candidates.restore = restore  # type: ignore[assignment]


def restored_share(answerer: Answerer, questions: list[dict[str, Any]], originals: dict[str, str]) -> float:
    """The share of syllables `restore` writes as the original has them (letter case aside)."""
    right = total = 0
    for q in questions:
        encoded = candidates.retrieve(answerer.kb, analyze(q["question"]), answerer.settings.retrieve_k).encoded
        given = _SYLLABLE.findall(encoded.lower())
        written = _SYLLABLE.findall(originals[q["question"]].lower())
        if len(given) == len(written):  # restore keeps every syllable; this holds for all of them
            total += len(written)
            right += sum(a == b for a, b in zip(given, written, strict=True))
    return right / max(total, 1)


def measure(qset: QuestionSet, settings: Settings) -> list[str]:
    """The set's rows: its accented questions typed, stripped, and stripped with e5 reading them."""
    typed = [q for q in qset.load() if has_diacritics(q["question"])]
    bare = [{**q, "question": unaccented(q["question"])} for q in typed]
    originals = {b["question"]: q["question"] for b, q in zip(bare, typed, strict=True)}
    answerer = Answerer(KnowledgeBase.build(settings, qset.folders), settings)
    rows = []
    for label, questions in (("typed", typed), ("stripped", bare)):
        rows.append(_row(qset.name, len(questions), label, evaluate(answerer, questions).metrics))
    with reading(originals):
        rows.append(_row(qset.name, len(bare), "e5 reads the original", evaluate(answerer, bare).metrics))
    share = restored_share(answerer, bare, originals)
    rows.append(f"| {qset.name} | | syllables `restore` gives back as written: {share:.3f} | | | | | |")
    return rows


def _row(name: str, n: int, label: str, metrics: dict[str, Any]) -> str:
    values = " | ".join("—" if metrics.get(k) is None else f"{metrics[k]:.3f}" for k in _SHOWN)
    return f"| {name} | {n} | {label} | {values} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--realnews", type=Path, help="the real-news articles folder (build_articles.py)")
    args = parser.parse_args(argv)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    print("| set | questions | asked | " + " | ".join(_SHOWN) + " |")
    print("|---|---|---|" + "---|" * len(_SHOWN))
    for qset in known_sets(args.realnews):
        if qset.half == "held" or not qset.fitted:
            continue  # held-back halves and measuring sets are never read
        for row in measure(qset, settings):
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
