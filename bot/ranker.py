"""Scores candidate sentences with weights fitted by `python -m bot fit` (logistic regression).

The weights and the abstention threshold live in `bot/data/ranker.json`, written by the fitting
script from the tuning halves of the question sets; nothing here is set by hand. A candidate's
score is Σ weight·feature (fitted on pairs: the gold sentence against each other candidate of
the same question), so each feature's share of the ranking (`ask --explain`) is its weight
times its value; a second logistic model turns the best candidate's evidence into the
probability that it answers, compared with the calibrated threshold.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.spanrank import SPAN_FEATURES

MODEL_PATH = Path(__file__).parent / "data" / "ranker.json"

# Per-candidate evidence, in the order of the weight vector.
FEATURES: tuple[str, ...] = (
    "bm25",  # sentence BM25 over the best candidate's
    "bm25_rank",  # 1 / (1 + BM25 rank)
    "article_bm25",  # BM25 of the article's other candidates over the best candidate's (capped at 1)
    "beside_bm25",  # BM25 of the sentence before or after, over the best candidate's
    "cover_sentence",  # weighted share of the question's words in the sentence
    "cover_scattered",  # … whose syllables the sentence has, not side by side
    "cover_window",  # … in the sentence before or after
    "cover_article",  # … elsewhere in the article
    "cover_title",  # … in the article's title
    "cover_syllables",  # weighted share of the question's syllables in the sentence, accents ignored
    "longest_run",  # the longest run of question syllables the sentence repeats in order
    "missing",  # a question word is nowhere in the article
    "nouns_away",  # weighted share of the question's non-verbs neither in the sentence nor beside it
    "nouns_nowhere",  # … nor anywhere in its article
    "verbs",  # share of the question's verbs the sentence repeats
    "pairs",  # share of the question's adjacent word pairs the sentence repeats
    "rare_pairs",  # … each weighted by the idf of its rarer syllable
    "numbers_conflict",  # the sentence gives a question's word another number
    "entities_disagree",  # a proper name of the question is not in the article
    "typed_who",  # an answer of the asked type was cut from the sentence, per type
    "typed_when",
    "typed_where",
    "typed_how_many",
    "typed_what",
    "typed_other",
    "unit_mismatch",  # a count, but not of the asked unit
    "unit_match",  # a count of the unit the question names (`mấy tấn` → `50 tấn`)
    "fresh_name",  # a who/where question, and a capitalised word the question lacks
    "fresh_number",  # a how-many/when question, and a number the question lacks
    "untyped_question",  # no question word says which kind of answer is asked
    "lead",  # the article's first sentence
    "length",  # sentence length in syllables / 100 (capped at 1)
)


# What decides whether the best candidate is given as the answer: its own evidence and how far
# it leads the runner-up.
ANSWER_FEATURES: tuple[str, ...] = ("rank_score", "margin", *FEATURES)


@dataclass(frozen=True)
class Scored:
    """A candidate's ranking score, and each feature's part in it (weight × value)."""

    score: float
    contributions: tuple[tuple[str, float, float], ...]  # (feature, value, weight × value)


@dataclass(frozen=True)
class Ranker:
    """Pairwise-fitted ranking weights, and a logistic model of 'the best candidate answers'."""

    weights: tuple[float, ...]
    answer_weights: tuple[float, ...]
    answer_bias: float
    threshold: float
    span_weights: tuple[float, ...] = ()

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Ranker:
        return _load(path)

    @classmethod
    def untrained(cls) -> Ranker:
        """All weights zero: what the fitting script computes features with."""
        return cls(
            (0.0,) * len(FEATURES), (0.0,) * len(ANSWER_FEATURES), 0.0, 0.0, (0.0,) * len(SPAN_FEATURES)
        )

    def score(self, values: tuple[float, ...]) -> Scored:
        parts = tuple((n, v, w * v) for n, v, w in zip(FEATURES, values, self.weights, strict=True))
        return Scored(sum(c for _, _, c in parts), parts)

    def answer_values(self, best: Scored, runner_up: Scored | None) -> tuple[float, ...]:
        margin = best.score - runner_up.score if runner_up else 1.0
        return (best.score, margin, *(v for _, v, _ in best.contributions))

    def confidence(self, values: tuple[float, ...]) -> float:
        """Probability that the best candidate holds the answer."""
        z = self.answer_bias + sum(w * v for w, v in zip(self.answer_weights, values, strict=True))
        return 1.0 / (1.0 + math.exp(-z))


@cache
def _load(path: Path) -> Ranker:
    data = json.loads(path.read_text(encoding="utf-8"))
    if (
        tuple(data["features"]) != FEATURES
        or tuple(data["answer_features"]) != ANSWER_FEATURES
        or tuple(data["span_features"]) != SPAN_FEATURES
    ):
        raise ValueError(f"{path} was fitted on other features; run `python -m bot fit` again")
    return Ranker(
        tuple(data["weights"]),
        tuple(data["answer_weights"]),
        float(data["answer_bias"]),
        float(data["threshold"]),
        tuple(data["span_weights"]),
    )
