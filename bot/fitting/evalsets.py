"""The question sets the core is measured and fitted on, and their fixed tuning/held-back split.

Every set is split by article (the question's `article` field, or the passage whose text holds
its gold sentence), with a fixed hash of the article's file name: weights are fitted on the
tuning halves only, and the held-back halves are what is reported as measured.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.errors import BotError
from bot.lang.normalize import canonical

ROOT = Path(__file__).resolve().parents[2]
SHARED_EVAL = ROOT.parent / "shared" / "eval"
TESTS_DATA = ROOT / "tests" / "data"
REALNEWS = ROOT / "benchmarks" / "realnews"

Half = Literal["tune", "held"]

# The real-news question files, by set name (each: other writers, other articles). The tuning
# halves of the fitted ones are fitted on, their held-back halves only measure; the third only
# measures, whole (no half of it is ever tuned on or read). The fourth to ninth were written
# later, as fresh tuning halves and more to fit on.
REALNEWS_SETS = {
    "realnews": REALNEWS / "questions.jsonl",
    "realnews-2": REALNEWS / "questions-2.jsonl",
    "realnews-3": REALNEWS / "questions-3.jsonl",
    "realnews-4": REALNEWS / "questions-4.jsonl",
    "realnews-5": REALNEWS / "questions-5.jsonl",
    "realnews-6": REALNEWS / "questions-6.jsonl",
    "realnews-7": REALNEWS / "questions-7.jsonl",
    "realnews-8": REALNEWS / "questions-8.jsonl",
    "realnews-9": REALNEWS / "questions-9.jsonl",
}
FITTED_REALNEWS = frozenset(
    {"realnews", "realnews-2", "realnews-4", "realnews-5", "realnews-6", "realnews-7", "realnews-8", "realnews-9"}
)
# Near-miss questions, each set over a fitted set's articles: unanswerable ones about its tuning
# articles (their subject, a fact they do not give), written after the fit to measure abstention
# where it is hardest; never fitted on.
NEAR_MISS_SETS = {
    "realnews-near-miss": ("realnews", REALNEWS / "near-miss.jsonl"),
    "realnews-2-near-miss": ("realnews-2", REALNEWS / "near-miss-2.jsonl"),
}


def half_of(article_name: str) -> Half:
    """The half an article's questions belong to: a fixed hash of its file name."""
    return "tune" if hashlib.sha256(article_name.encode()).digest()[0] % 2 == 0 else "held"


def fold_of(article_name: str) -> int:
    """The fold (0 or 1) of an article's tuning questions that e5's `tuned-without-N` weights were
    fitted without: another byte of the same hash, so each half splits evenly."""
    return hashlib.sha256(article_name.encode()).digest()[1] % 2


@dataclass(frozen=True)
class QuestionSet:
    """A question file over article folders; `half` keeps only that half of its articles. A set
    that is not `fitted` is never tuned on, either half: it only measures."""

    name: str
    questions: Path
    folders: tuple[Path, ...]
    half: Half | None = None
    fitted: bool = True

    @property
    def group(self) -> str:
        """The group the set is weighed and floored with: `wiki`, `realnews` or `committed` (the
        hand-written sets of this repository and the shared dev set)."""
        return next((g for g in ("wiki", "realnews") if self.name.startswith(g)), "committed")

    def available(self) -> bool:
        return self.missing() is None

    def missing(self) -> str | None:
        """Why the set cannot be scored here (its questions or an article folder is absent), or None."""
        absent = [p for p in (self.questions, *self.folders) if not p.exists()]
        if not absent:
            return None
        where = _home(absent[0])
        return f"{absent[0]} is not here" + (f" ({where})" if where else "")

    def load(self, fold: int | None = None) -> list[dict[str, Any]]:
        """The questions of the set's half, and of one fold of its articles (`fold_of`) if given."""
        if self.half is None and fold is None:
            return load_questions(self.questions)
        return [q for f, q in self.folded() if fold is None or f == fold]

    def folded(self) -> list[tuple[int, dict[str, Any]]]:
        """The questions of the set's half, in file order, each with the fold of its article."""
        texts = {
            p.name: canonical(p.read_text(encoding="utf-8")) for f in self.folders for p in f.glob("*.txt")
        }
        articles = [(_article_of(q, texts), q) for q in load_questions(self.questions)]
        return [(fold_of(a), q) for a, q in articles if self.half is None or half_of(a) == self.half]


def load_questions(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise BotError(f"cannot read questions file {path}: {exc}") from None


def _article_of(q: dict[str, Any], texts: dict[str, str]) -> str:
    """The question's article: named, or the first passage (by name) holding its gold sentence."""
    if q.get("article"):
        return str(q["article"])
    gold = [canonical(s) for s in q.get("sentences", [])]
    for name in sorted(texts):
        if any(g in texts[name] for g in gold):
            return name
    return str(q.get("id", ""))


def realnews_sets(articles: Path) -> list[QuestionSet]:
    """Both halves of each fitted real-news set, and the measuring sets whole, over
    `articles/<set>` (what build_articles.py makes); the near-miss sets over their fitted set's."""
    sets: list[QuestionSet] = []
    for name, questions in REALNEWS_SETS.items():
        if name in FITTED_REALNEWS:
            sets += [QuestionSet(f"{name}-{h}", questions, (articles / name,), h) for h in ("tune", "held")]
        else:
            sets.append(QuestionSet(name, questions, (articles / name,), fitted=False))
    for name, (over, questions) in NEAR_MISS_SETS.items():
        sets.append(QuestionSet(name, questions, (articles / over,), fitted=False))
    return sets


def _home(path: Path) -> str:
    """Where an absent file of a set comes from, to say so when it is missing."""
    if path.is_relative_to(SHARED_EVAL.parent):
        return "the shared evaluation data, expected in ../shared beside the checkout"
    return "" if path.is_relative_to(ROOT) else "benchmarks/realnews/build_articles.py makes it"


def known_sets(realnews_articles: Path | None = None) -> list[QuestionSet]:
    """The sets of `all_sets` that are present here."""
    return [s for s in all_sets(realnews_articles) if s.available()]


def all_sets(realnews_articles: Path | None = None) -> list[QuestionSet]:
    """Every set this repository knows of, present here or not: the shared dev and Wikipedia
    sets, the committed sets, and the real-news sets when their articles folder is given."""
    dev_folders = (ROOT / "seeds", SHARED_EVAL / "articles")
    wiki = SHARED_EVAL / "wiki"
    sets = [
        QuestionSet("dev", SHARED_EVAL / "dev-questions.jsonl", dev_folders),
        QuestionSet("dev-articles-more", TESTS_DATA / "dev-articles-more-questions.jsonl", dev_folders),
        *(
            QuestionSet(name, TESTS_DATA / name / "questions.jsonl", (TESTS_DATA / name / "articles",))
            for name in ("independent", "independent-2", "independent-3", "general")
        ),
        *(
            QuestionSet(f"wiki-{h}", wiki / "questions.jsonl", (wiki / "articles",), h)
            for h in ("tune", "held")
        ),
    ]
    if realnews_articles is not None:
        sets += realnews_sets(realnews_articles)
    return sets
