"""Orders the candidate sentences and decides how to reply, with what `python -m bot fit` fitted.

Everything here comes from `bot/answering/data/ranker.json`, written by the fitting script from the tuning
halves of the question sets; nothing is set by hand. A candidate's score is Σ weight·feature
(pairwise logistic regression: the gold sentence against each other candidate of its question),
so each feature's share of the ranking (`ask --explain`) is its weight times its value. Two
logistic models then read the ranked list: the probability that the best candidate answers, and
the probability that one of the first three does. The first above its threshold (set for a stated
false-answer rate) gives the answer; else the second at or above its own gives "not sure" with the
likeliest sentences; else the articles do not say (its threshold set so that this reply is wrong no
more often than an answer may be).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from bot.answering.spanrank import SPAN_FEATURES
from bot.library import tuned

# Fitted on every tuning set, the real-news halves included (their articles have no licence), and
# on the licensed and committed sets alone (RANKER_WEIGHTS=licensed).
MODEL_PATH = Path(__file__).parent / "data" / "ranker.json"
LICENSED_PATH = Path(__file__).parent / "data" / "ranker-licensed.json"
# Fitted like ranker.json, on the cosines of the tuned e5 (E5_WEIGHTS=tuned), cross-fitted.
TUNED_PATH = Path(__file__).parent / "data" / "ranker-tuned.json"


def path_for(ranker_weights: str, e5_weights: str) -> Path:
    """The ranker file fitted for these weights."""
    if ranker_weights == "licensed":
        return LICENSED_PATH
    return MODEL_PATH if e5_weights == tuned.BUNDLED else TUNED_PATH

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
    "reason_for_why",  # a why-question, and the sentence has a cause word (`do`, `vì`, `nguyên nhân`)
    "unit_mismatch",  # a count, but not of the asked unit
    "unit_match",  # a count of the unit the question names (`mấy tấn` → `50 tấn`)
    "fresh_name",  # a who/where question, and a capitalised word the question lacks
    "fresh_number",  # a how-many/when question, and a number the question lacks
    "untyped_question",  # no question word says which kind of answer is asked
    "lead",  # the article's first sentence
    "length",  # sentence length in syllables / 100 (capped at 1)
    "e5",  # cosine of the question's e5 vector with the sentence's (written after its title)
    "e5_gap",  # … minus the best candidate's
    "e5_window",  # cosine with the mean of the sentence's and its neighbours' vectors
    "e5_window_gap",  # … minus the best candidate's
    "e5_title",  # cosine with the article's title
    "e5_beside",  # the best cosine of the sentence before or after
    "e5_rank",  # 1 / (1 + rank by cosine among the candidates)
    "from_bm25",  # among BM25's best (else only among e5's closest)
    "unknown_words",  # weighted share of the question's words no article has (the same for every candidate)
)

# What the reply models read: how far the best candidate leads, and its own evidence.
REPLY_FEATURES: tuple[str, ...] = ("rank_score", "margin", "lead3", "share", "share3", *FEATURES)


class Reply(StrEnum):
    ANSWER = "answer"  # confident: the short answer, its sentence and citation
    UNSURE = "unsure"  # the likeliest sentences, said to be uncertain
    NONE = "none"  # the articles do not say


@dataclass(frozen=True)
class Scored:
    """A candidate's ranking score, and each feature's part in it (weight × value)."""

    score: float
    contributions: tuple[tuple[str, float, float], ...]  # (feature, value, weight × value)


@dataclass(frozen=True)
class Logistic:
    """A fitted logistic model over REPLY_FEATURES."""

    weights: tuple[float, ...]
    bias: float

    def probability(self, values: Sequence[float]) -> float:
        z = self.bias + sum(w * v for w, v in zip(self.weights, values, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


@dataclass(frozen=True)
class Ranker:
    """Pairwise-fitted ranking weights, the two reply models and their thresholds."""

    weights: tuple[float, ...]
    answer: Logistic
    unsure: Logistic
    answer_threshold: float
    unsure_threshold: float
    span_weights: tuple[float, ...] = ()

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Ranker:
        return _load(path)

    @classmethod
    def untrained(cls) -> Ranker:
        """All weights zero: what the fitting script computes features with."""
        none = Logistic((0.0,) * len(REPLY_FEATURES), 0.0)
        return cls((0.0,) * len(FEATURES), none, none, 1.0, 1.0, (0.0,) * len(SPAN_FEATURES))

    def score(self, values: tuple[float, ...]) -> Scored:
        parts = tuple((n, v, w * v) for n, v, w in zip(FEATURES, values, self.weights, strict=True))
        return Scored(sum(c for _, _, c in parts), parts)

    def decide(self, probability: float, unsure: float) -> Reply:
        if probability >= self.answer_threshold:
            return Reply.ANSWER
        return Reply.UNSURE if unsure >= self.unsure_threshold else Reply.NONE


def reply_values(ranked: Sequence[Scored]) -> tuple[float, ...]:
    """REPLY_FEATURES of a ranked list (best first): the best score, its lead over the second and
    third, its share and the first three's share of the scores' softmax, then its features."""
    best = ranked[0]
    scores = [s.score for s in ranked]
    second = scores[1] if len(scores) > 1 else best.score - 10.0
    third = scores[2] if len(scores) > 2 else second - 10.0
    weights = [math.exp(s - best.score) for s in scores]
    total = sum(weights)
    return (
        best.score,
        best.score - second,
        best.score - third,
        1.0 / total,
        sum(weights[:3]) / total,
        *(v for _, v, _ in best.contributions),
    )


@cache
def _load(path: Path) -> Ranker:
    data = json.loads(path.read_text(encoding="utf-8"))
    if (
        tuple(data["features"]) != FEATURES
        or tuple(data["reply_features"]) != REPLY_FEATURES
        or tuple(data["span_features"]) != SPAN_FEATURES
    ):
        raise ValueError(f"{path} was fitted on other features; run `python -m bot fit` again")
    return Ranker(
        tuple(data["weights"]),
        Logistic(tuple(data["answer_weights"]), float(data["answer_bias"])),
        Logistic(tuple(data["unsure_weights"]), float(data["unsure_bias"])),
        float(data["answer_threshold"]),
        float(data["unsure_threshold"]),
        tuple(data["span_weights"]),
    )
