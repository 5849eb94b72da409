"""Fits the ranker's weights and abstention threshold: `python -m bot fit`.

Logistic regression (scikit-learn) over every retrieved candidate of every question in the
tuning sets (the committed sets and the tuning halves of the Wikipedia and real-news sets;
never a held-back half): a candidate is positive when it holds the question's gold sentence.
The abstention threshold is then the lowest probability at which the best candidate of no
more than FALSE_ANSWER_RATE of the unanswerable tuning questions would be given as an answer.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

from bot.answer import Answerer
from bot.evalsets import QuestionSet, known_sets
from bot.knowledge import KnowledgeBase
from bot.normalize import canonical
from bot.question import analyze
from bot.ranker import ANSWER_FEATURES, FEATURES, MODEL_PATH, Ranker
from bot.settings import Settings

log = logging.getLogger(__name__)

# The share of unanswerable questions the bot may answer anyway: the stated false-answer rate.
FALSE_ANSWER_RATE = 0.15
# Inverse regularisation strengths tried; the one with the best cross-validated top-1 is kept.
REGULARISATIONS = (1.0, 10.0, 100.0, 1000.0)
FOLDS = 3

Rows = list[tuple[str, bool, list[tuple[tuple[float, ...], bool]]]]


def collect(qset: QuestionSet, settings: Settings) -> Rows:
    """(set name, answerable, [(features, is-gold) per candidate]) for each question of the set."""
    kb = KnowledgeBase.build(settings, qset.folders)
    answerer = Answerer(kb, settings, Ranker.untrained())
    rows: Rows = []
    for q in qset.load():
        parsed = analyze(q["question"])
        hits = kb.search(parsed.search_terms, settings.retrieve_k) if parsed.terms else []
        gold = [canonical(s) for s in q.get("sentences", [])]
        cands = [
            (values, any(g in canonical(kb.sentences[h.index].text) for g in gold))
            for h, _, values in answerer.featurize(parsed, hits)
        ]
        rows.append((qset.name, bool(q.get("answerable", True)), cands))
    return rows


def _set_weights(rows: Rows) -> list[float]:
    """Each question's weight: every set weighs the same in all, whatever its size."""
    sizes: dict[str, int] = {}
    for name, _, _ in rows:
        sizes[name] = sizes.get(name, 0) + 1
    return [len(rows) / (len(sizes) * sizes[name]) for name, _, _ in rows]


def _pairs(rows: Rows, weights: list[float]) -> tuple[list[list[float]], list[int], list[float]]:
    """Gold-minus-other feature differences (and their negation) for every question that has both."""
    x: list[list[float]] = []
    y: list[int] = []
    weight: list[float] = []
    for (_, _, cands), question_weight in zip(rows, weights, strict=True):
        gold = [v for v, g in cands if g]
        other = [v for v, g in cands if not g]
        if not gold or not other:
            continue
        share = question_weight / (len(gold) * len(other))  # a question weighs the same however many pairs
        for g in gold:
            for o in other:
                diff = [a - b for a, b in zip(g, o, strict=True)]
                x += [diff, [-d for d in diff]]
                y += [1, 0]
                weight += [share, share]
    return x, y, weight


def _rank_weights(rows: Rows, weights: list[float], c: float) -> tuple[float, ...]:
    from sklearn.linear_model import LogisticRegression

    x, y, weight = _pairs(rows, weights)
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
    model.fit(x, y, sample_weight=weight)
    return tuple(float(w) for w in model.coef_[0])


def _top1(rows: Rows, ranker: Ranker) -> float:
    """Share of answerable questions whose best-scored candidate is gold."""
    answerable = [cands for _, ok, cands in rows if ok]
    good = sum(bool(c) and max(c, key=lambda vg: ranker.score(vg[0]).score)[1] for c in answerable)
    return good / max(len(answerable), 1)


def _regularisation(rows: Rows, weights: list[float]) -> float:
    """The strength with the best top-1 over FOLDS folds of the questions (cross-validated)."""
    best = (-1.0, REGULARISATIONS[0])
    for c in REGULARISATIONS:
        held = []
        for fold in range(FOLDS):
            train = [i for i in range(len(rows)) if i % FOLDS != fold]
            test = [rows[i] for i in range(len(rows)) if i % FOLDS == fold]
            w = _rank_weights([rows[i] for i in train], [weights[i] for i in train], c)
            held.append(_top1(test, Ranker(w, (), 0.0, 0.0)))
        best = max(best, (sum(held) / FOLDS, c))
    return best[1]


def fit(rows: Rows) -> dict[str, object]:
    from sklearn.linear_model import LogisticRegression

    weights = _set_weights(rows)
    c = _regularisation(rows, weights)
    ranker = Ranker(_rank_weights(rows, weights, c), (0.0,) * len(ANSWER_FEATURES), 0.0, 0.0)

    answer_x: list[tuple[float, ...]] = []
    answer_y: list[bool] = []
    answer_w: list[float] = []
    unanswerable: list[int] = []
    # Only sets with unanswerable questions say what an answerable one looks like.
    judged = {name for name, answerable, _ in rows if not answerable}
    for (name, answerable, cands), question_weight in zip(rows, weights, strict=True):
        if not cands or name not in judged:
            continue
        scored = sorted(((ranker.score(v), g) for v, g in cands), key=lambda sg: -sg[0].score)
        runner_up = scored[1][0] if len(scored) > 1 else None
        answer_x.append(ranker.answer_values(scored[0][0], runner_up))
        answer_y.append(answerable)
        answer_w.append(question_weight)
        if not answerable:
            unanswerable.append(len(answer_x) - 1)
    answering = LogisticRegression(C=c, max_iter=5000)
    answering.fit(answer_x, answer_y, sample_weight=answer_w)
    ranker = Ranker(
        ranker.weights, tuple(float(w) for w in answering.coef_[0]), float(answering.intercept_[0]), 0.0
    )
    best_unanswerable = sorted((ranker.confidence(answer_x[i]) for i in unanswerable), reverse=True)
    allowed = int(FALSE_ANSWER_RATE * len(best_unanswerable))
    threshold = best_unanswerable[allowed] + 1e-6 if best_unanswerable else 0.0
    return {
        "features": list(FEATURES),
        "weights": [round(w, 6) for w in ranker.weights],
        "answer_features": list(ANSWER_FEATURES),
        "answer_weights": [round(w, 6) for w in ranker.answer_weights],
        "answer_bias": round(ranker.answer_bias, 6),
        "threshold": round(threshold, 6),
        "false_answer_rate": FALSE_ANSWER_RATE,
        "regularisation": c,
        "fitted_on": sorted({name for name, _, _ in rows}),
        "questions": len(rows),
    }


def main(realnews_articles: Path | None, out: Path = MODEL_PATH) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as cache:
        settings = Settings(_env_file=None, index_cache_dir=Path(cache))
        rows: Rows = []
        for qset in known_sets(realnews_articles):
            if qset.half == "held":
                continue
            log.info("features of %s", qset.name)
            rows += collect(qset, settings)
    model = fit(rows)
    out.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return model
