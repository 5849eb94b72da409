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

from bot import spanrank
from bot.answer import Answerer
from bot.evalsets import QuestionSet, known_sets
from bot.knowledge import KnowledgeBase
from bot.normalize import canonical
from bot.question import Question, analyze
from bot.ranker import ANSWER_FEATURES, FEATURES, MODEL_PATH, Ranker
from bot.settings import Settings

log = logging.getLogger(__name__)

# The share of unanswerable questions the bot may answer anyway: the stated false-answer rate.
FALSE_ANSWER_RATE = 0.25
# Inverse regularisation strengths, and how many of BM25's best wrong candidates each gold
# sentence is paired with (None: all), tried in every combination; the one with the best
# cross-validated top-1 is kept.
REGULARISATIONS = (10.0, 100.0, 1000.0)
NEGATIVES = (5, 12, 20, None)
FOLDS = 5

Rows = list[tuple[str, bool, list[tuple[tuple[float, ...], bool]]]]
SpanRows = list[tuple[str, list[tuple[tuple[float, ...], bool]]]]


def collect(qset: QuestionSet, settings: Settings) -> tuple[Rows, SpanRows]:
    """Per question: (set name, answerable, [(features, is-gold) per candidate]); and, where a
    candidate holds the gold sentence, (set name, [(features, is-a-good-answer) per span])."""
    kb = KnowledgeBase.build(settings, qset.folders)
    answerer = Answerer(kb, settings, Ranker.untrained())
    rows: Rows = []
    span_rows: SpanRows = []
    for q in qset.load():
        parsed = analyze(q["question"])
        gold = [canonical(s) for s in q.get("sentences", [])]
        cands = []
        spans = None
        for h, answer, values in answerer.featurize(parsed, answerer.retrieve(parsed)):
            text = kb.sentences[h.index].text
            is_gold = any(g in canonical(text) for g in gold)
            if is_gold and spans is None:  # the spans of the first gold sentence
                spans = _span_labels(parsed, text, answer, q.get("answers", []))
            cands.append((values, is_gold))
        rows.append((qset.name, bool(q.get("answerable", True)), cands))
        if spans and len(spans) > 1 and any(good for _, good in spans):
            span_rows.append((qset.name, spans))
    return rows, span_rows


def _span_labels(
    q: Question, sentence: str, extracted: str | None, answers: list[str]
) -> list[tuple[tuple[float, ...], bool]]:
    """Each span with whether it holds a gold answer."""
    golds = [canonical(a) for a in answers]
    return [
        (sp.values, any(g in canonical(sp.text) for g in golds))
        for sp in spanrank.candidates(q, sentence, extracted)
    ]


def _set_weights(rows: Rows) -> list[float]:
    """Each question's weight: every set weighs the same in all, whatever its size."""
    sizes: dict[str, int] = {}
    for name, _, _ in rows:
        sizes[name] = sizes.get(name, 0) + 1
    return [len(rows) / (len(sizes) * sizes[name]) for name, _, _ in rows]


def _pairs(
    rows: Rows, weights: list[float], negatives: int | None
) -> tuple[list[list[float]], list[int], list[float]]:
    """Gold-minus-other feature differences (and their negation) for every question that has both;
    the others are the first `negatives` wrong candidates in BM25 order, the ones to beat."""
    x: list[list[float]] = []
    y: list[int] = []
    weight: list[float] = []
    for (_, _, cands), question_weight in zip(rows, weights, strict=True):
        gold = [v for v, g in cands if g]
        other = [v for v, g in cands if not g][:negatives]
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


def _rank_weights(rows: Rows, weights: list[float], c: float, negatives: int | None) -> tuple[float, ...]:
    from sklearn.linear_model import LogisticRegression

    x, y, weight = _pairs(rows, weights, negatives)
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
    model.fit(x, y, sample_weight=weight)
    return tuple(float(w) for w in model.coef_[0])


def _top1(rows: Rows, ranker: Ranker) -> float:
    """Share of answerable questions whose best-scored candidate is gold."""
    answerable = [cands for _, ok, cands in rows if ok]
    good = sum(bool(c) and max(c, key=lambda vg: ranker.score(vg[0]).score)[1] for c in answerable)
    return good / max(len(answerable), 1)


def _hyperparameters(rows: Rows, weights: list[float]) -> tuple[float, int | None]:
    """The (regularisation, negatives) with the best top-1 over FOLDS folds of the questions."""
    best: tuple[float, float, int | None] = (-1.0, REGULARISATIONS[0], NEGATIVES[0])
    for c in REGULARISATIONS:
        for negatives in NEGATIVES:
            held = []
            for fold in range(FOLDS):
                train = [i for i in range(len(rows)) if i % FOLDS != fold]
                test = [rows[i] for i in range(len(rows)) if i % FOLDS == fold]
                w = _rank_weights([rows[i] for i in train], [weights[i] for i in train], c, negatives)
                held.append(_top1(test, Ranker(w, (), 0.0, 0.0)))
            score = sum(held) / FOLDS
            if score > best[0]:
                best = (score, c, negatives)
    return best[1], best[2]


def _span_weights(span_rows: SpanRows, c: float) -> tuple[tuple[float, ...], float]:
    """Logistic regression over spans: does a span make a good short answer."""
    from sklearn.linear_model import LogisticRegression

    sizes: dict[str, int] = {}
    for name, _ in span_rows:
        sizes[name] = sizes.get(name, 0) + 1
    x, y, w = [], [], []
    for name, spans in span_rows:
        for values, good in spans:
            x.append(values)
            y.append(good)
            w.append(len(span_rows) / (len(sizes) * sizes[name] * len(spans)))  # a question weighs ~1
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(x, y, sample_weight=w)
    return tuple(float(v) for v in model.coef_[0]), float(model.intercept_[0])


def fit(rows: Rows, span_rows: SpanRows) -> dict[str, object]:
    from sklearn.linear_model import LogisticRegression

    weights = _set_weights(rows)
    c, negatives = _hyperparameters(rows, weights)
    ranker = Ranker(_rank_weights(rows, weights, c, negatives), (0.0,) * len(ANSWER_FEATURES), 0.0, 0.0)

    answer_x: list[tuple[float, ...]] = []
    answer_y: list[bool] = []
    answer_w: list[float] = []
    unanswerable: list[int] = []
    for (_, answerable, cands), question_weight in zip(rows, weights, strict=True):
        if not cands:
            continue
        scored = sorted(((ranker.score(v), g) for v, g in cands), key=lambda sg: -sg[0].score)
        runner_up = scored[1][0] if len(scored) > 1 else None
        answer_x.append(ranker.answer_values(scored[0][0], runner_up))
        answer_y.append(answerable and scored[0][1])
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
    span_weights, _ = _span_weights(span_rows, c)
    return {
        "span_features": list(spanrank.SPAN_FEATURES),
        "span_weights": [round(w, 6) for w in span_weights],
        "features": list(FEATURES),
        "weights": [round(w, 6) for w in ranker.weights],
        "answer_features": list(ANSWER_FEATURES),
        "answer_weights": [round(w, 6) for w in ranker.answer_weights],
        "answer_bias": round(ranker.answer_bias, 6),
        "threshold": round(threshold, 6),
        "false_answer_rate": FALSE_ANSWER_RATE,
        "regularisation": c,
        "negatives": negatives,
        "fitted_on": sorted({name for name, _, _ in rows}),
        "questions": len(rows),
    }


def main(realnews_articles: Path | None, out: Path = MODEL_PATH) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as cache:
        settings = Settings(_env_file=None, index_cache_dir=Path(cache))
        rows: Rows = []
        span_rows: SpanRows = []
        for qset in known_sets(realnews_articles):
            if qset.half == "held" or not qset.fitted:
                continue
            log.info("features of %s", qset.name)
            got, spans = collect(qset, settings)
            rows += got
            span_rows += spans
    model = fit(rows, span_rows)
    out.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return model
