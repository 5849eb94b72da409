"""Fits the ranker, the two reply models and their thresholds: `python -m bot fit`.

Over every retrieved candidate of every question in the tuning sets (the committed sets and the
tuning halves of the Wikipedia and real-news sets; never a held-back half):
- ranking: pairwise logistic regression on standardised features (the gold sentence against each
  other candidate of its question), its regularisation chosen by cross-validated top-1;
- replies: from cross-validated rankings (each question ranked by weights fitted without it), a
  logistic model of "the best candidate is gold" and one of "a gold sentence is among the first
  three", on standardised features, regularisation chosen by cross-validated log-loss (each
  question's probability the mean over REPLY_REPEATS ways of folding);
- thresholds: the answer's is the lowest probability at which no more than FALSE_ANSWER_RATE of
  the answers given (cross-validated) would be wrong, in the groups that ask what their articles
  do not say too (`asking_unanswerable`); "the articles do not say" is said, of the
  questions not answered, below the highest probability of "one of the first three answers" at
  which no more than the same rate of those replies would be wrong (the articles did say it);
  above it, "not sure" quotes the likeliest sentences.
In ranking every set weighs the same; in replies every group of sets (the committed sets,
Wikipedia, real news) does, whatever its size.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from bot.answering import spanrank
from bot.answering.answer import Answerer
from bot.answering.evidence import first_of_either
from bot.answering.question import Question, analyze
from bot.answering.ranker import (
    FEATURES,
    LICENSED_PATH,
    MODEL_PATH,
    REPLY_FEATURES,
    TUNED_PATH,
    Logistic,
    Ranker,
    reply_values,
)
from bot.errors import BotError
from bot.fitting.evalsets import QuestionSet, known_sets
from bot.lang.normalize import canonical
from bot.library.knowledge import KnowledgeBase
from bot.settings import Settings

log = logging.getLogger(__name__)

# The share of given answers that may be wrong: the stated false-answer rate.
FALSE_ANSWER_RATE = 0.2
# Wide enough that no choice is at an end: with eight real-news sets the ranking's cross-validated
# top-1 is flat from 1000 on (the least regularisation that reaches it is kept), the reply models
# pick 0.1 or 0.01.
REGULARISATIONS = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0)
FOLDS = 5
REPLY_REPEATS = 10

Candidates = list[tuple[tuple[float, ...], bool]]
Rows = list[tuple[str, str, bool, Candidates]]  # (set, group, answerable, [(features, is-gold) per candidate])
SpanRows = list[tuple[str, list[tuple[tuple[float, ...], bool]]]]


def collect(qset: QuestionSet, settings: Settings, fold: int | None = None) -> tuple[Rows, SpanRows]:
    """Per question (of one fold of the set's articles, if given): (its set, its group, answerable,
    [(features, is-gold) per retrieved sentence, every one of them a candidate]); and, where a
    candidate holds the gold sentence, (set, [(features, is-a-good-answer) per span])."""
    kb = KnowledgeBase.build(settings, qset.folders)
    answerer = Answerer(kb, settings.model_copy(update={"candidate_k": settings.retrieve_k}), Ranker.untrained())
    rows: Rows = []
    span_rows: SpanRows = []
    for q in qset.load(fold):
        parsed = analyze(q["question"])
        gold = [canonical(s) for s in q.get("sentences", [])]
        cands = []
        spans = None
        for ev in answerer.evidence(parsed)[0]:
            text = kb.sentences[ev.index].text
            is_gold = any(g in canonical(text) for g in gold)
            if is_gold and spans is None:  # the spans of the first gold sentence
                spans = _span_labels(parsed, text, ev.answer, q.get("answers", []))
            cands.append((ev.values, is_gold))
        rows.append((qset.name, qset.group, bool(q.get("answerable", True)), cands))
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


def group_weights(groups: Sequence[str]) -> np.ndarray:
    """Each item's weight: every group (or set) weighs the same in all, whatever its size."""
    sizes: dict[str, int] = {}
    for g in groups:
        sizes[g] = sizes.get(g, 0) + 1
    return np.array([len(groups) / (len(sizes) * sizes[g]) for g in groups])


def _folds(n: int) -> list[np.ndarray]:
    """Which items each fold holds out: every FOLDS-th, deterministically."""
    return [np.arange(n) % FOLDS == f for f in range(FOLDS)]


def _pairs(rows: Rows, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gold-minus-other feature differences (and their negation) for every answerable question that
    has both; a question weighs the same however many pairs it makes."""
    diffs: list[np.ndarray] = []
    shares: list[np.ndarray] = []
    for (_, _, answerable, cands), question_weight in zip(rows, weights, strict=True):
        values = np.array([v for v, _ in cands]).reshape(len(cands), -1)
        gold = np.array([g for _, g in cands], bool)
        if not answerable or not gold.any() or gold.all():
            continue
        diff = (values[gold][:, None, :] - values[~gold][None, :, :]).reshape(-1, values.shape[1])
        diffs.append(diff)
        shares.append(np.full(len(diff), question_weight / (2 * len(diff))))
    if not diffs:
        return np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0)
    x, share = np.concatenate(diffs), np.concatenate(shares)
    return np.concatenate([x, -x]), np.repeat([1.0, 0.0], len(x)), np.concatenate([share, share])


def _rank_weights(rows: Rows, weights: np.ndarray, c: float) -> tuple[float, ...]:
    """Ranking weights in the features' own units (fitted on standardised differences)."""
    from sklearn.linear_model import LogisticRegression

    x, y, weight = _pairs(rows, weights)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
    model.fit(x / scale, y, sample_weight=weight)
    return tuple(float(w) for w in model.coef_[0] / scale)


def _scores(cands: Candidates, weights: Sequence[float]) -> np.ndarray:
    return np.array([v for v, _ in cands]).reshape(len(cands), -1) @ np.asarray(weights)


def _cross_validated(rows: Rows, weights: np.ndarray, c: float) -> tuple[float, list[tuple[float, ...]]]:
    """Top-1 of each question ranked by weights fitted on the other folds, and those weights."""
    fitted: list[tuple[float, ...]] = [() for _ in rows]
    for held in _folds(len(rows)):
        train = [r for r, h in zip(rows, held) if not h]
        w = _rank_weights(train, weights[~held], c)
        for i in np.flatnonzero(held):
            fitted[i] = w
    good = total = 0.0
    for (_, _, answerable, cands), weight, w in zip(rows, weights, fitted, strict=True):
        if answerable:
            total += weight
            good += weight * bool(cands and cands[int(np.argmax(_scores(cands, w)))][1])
    return good / max(total, 1e-9), fitted


def _reply_rows(rows: Rows, fitted: list[tuple[float, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """REPLY_FEATURES of each question with candidates, ranked by its cross-validated weights, and
    whether its best candidate is gold, whether one of its first three is; and which rows."""
    x, best, three, kept = [], [], [], []
    for i, ((_, _, answerable, cands), w) in enumerate(zip(rows, fitted, strict=True)):
        if not cands:
            continue
        ranker = replace(Ranker.untrained(), weights=w)
        scored = sorted(((ranker.score(v), g) for v, g in cands), key=lambda sg: -sg[0].score)
        x.append(reply_values([s for s, _ in scored]))
        best.append(answerable and scored[0][1])
        three.append(answerable and any(g for _, g in scored[:3]))
        kept.append(i)
    return np.array(x), np.array(best, bool), np.array(three, bool), kept


def _logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray, c: float) -> Logistic:
    """A logistic model in the features' own units (fitted on standardised ones)."""
    from sklearn.linear_model import LogisticRegression

    centre, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit((x - centre) / scale, y, sample_weight=weight)
    coef = model.coef_[0] / scale
    return Logistic(tuple(float(v) for v in coef), float(model.intercept_[0] - coef @ centre))


def _oof(x: np.ndarray, y: np.ndarray, weight: np.ndarray, c: float) -> np.ndarray:
    """Each question's probability from models fitted on the other folds, averaged over
    REPLY_REPEATS ways of folding (`_folds`, then seeded shuffles of it): with one, which questions
    share a fold moved the answer's threshold by up to 0.04 (0.41 to 0.45 over eight shuffles)."""
    out = np.zeros(len(y))
    shuffle = np.random.default_rng(0)
    for repeat in range(REPLY_REPEATS):
        order = np.arange(len(y)) if repeat == 0 else shuffle.permutation(len(y))
        for held_at in _folds(len(y)):
            held = np.zeros(len(y), bool)
            held[order[held_at]] = True
            model = _logistic(x[~held], y[~held], weight[~held], c)
            out[held] += [model.probability(v) for v in x[held]]
    return out / REPLY_REPEATS


def _reply_model(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[Logistic, np.ndarray, float]:
    """The model with the best cross-validated log-loss over REGULARISATIONS, fitted on all; its
    cross-validated probabilities and regularisation."""
    best: tuple[float, float, np.ndarray] | None = None
    for c in REGULARISATIONS:
        p = np.clip(_oof(x, y, weight, c), 1e-6, 1 - 1e-6)
        loss = float(-(weight * (y * np.log(p) + (1 - y) * np.log(1 - p))).sum() / weight.sum())
        if best is None or loss < best[0]:
            best = (loss, c, p)
    assert best is not None
    return _logistic(x, y, weight, best[1]), best[2], best[1]


def answer_threshold(p: np.ndarray, right: np.ndarray, weight: np.ndarray, rate: float) -> float:
    """The lowest probability at which at most `rate` of the (weighted) answers given are wrong."""
    for t in sorted(set(np.round(p, 6).tolist())):
        given = p >= t
        if not given.any():
            break
        if (weight[given] * ~right[given]).sum() / weight[given].sum() <= rate:
            return t
    return 1.0


def asking_unanswerable(groups: Sequence[str], answerable: np.ndarray) -> np.ndarray:
    """Which items belong to a group that also asks what its articles do not say. Only those set
    the answer's threshold: a group that never does (the Wikipedia set) counts as false answers
    only wrong sentences, so a rate held on it is held as if every question had an answer, and
    it let the threshold fall as the ranking improved (real news abstained less). Every item,
    where no group asks any."""
    labels = np.array(groups)
    asking = np.isin(labels, sorted({g for g in set(groups) if not answerable[labels == g].all()}))
    return asking if asking.any() else np.ones(len(labels), bool)


def none_threshold(p: np.ndarray, answerable: np.ndarray, weight: np.ndarray, rate: float) -> float:
    """The highest probability below which at most `rate` of the (weighted) "the articles do not
    say" replies would be wrong, i.e. the question was answerable; 0 when none may be said."""
    for t in sorted(set(np.round(p, 6).tolist()), reverse=True):
        said = p < t
        if said.any() and (weight[said] * answerable[said]).sum() / weight[said].sum() <= rate:
            return t
    return 0.0


def _span_weights(span_rows: SpanRows, c: float) -> tuple[float, ...]:
    """Logistic regression over spans: does a span make a good short answer."""
    from sklearn.linear_model import LogisticRegression

    groups = [g for g, _ in span_rows]
    per_question = group_weights(groups)
    x, y, w = [], [], []
    for (_, spans), weight in zip(span_rows, per_question, strict=True):
        for values, good in spans:
            x.append(values)
            y.append(good)
            w.append(weight / len(spans))  # a question weighs ~1
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(x, y, sample_weight=w)
    return tuple(float(v) for v in model.coef_[0])


def candidates(rows: Rows, k: int) -> Rows:
    """Each question's candidates as answering sees them: the first `k` of either retriever (their
    features do not depend on which others are kept; `Gatherer.gather`)."""
    bm25_rank, e5_rank = FEATURES.index("bm25_rank"), FEATURES.index("e5_rank")
    return [
        (name, group, answerable, [(v, g) for v, g in cands if first_of_either(v[bm25_rank], v[e5_rank], k)])
        for name, group, answerable, cands in rows
    ]


def fit(rows: Rows, span_rows: SpanRows, candidate_k: int) -> dict[str, object]:
    """Ranking weights with every set weighing the same (cross-validated, the small hand-written
    sets steady it), learnt from every retrieved sentence, so from more pairs than the candidates
    alone give; reply models and threshold on the candidates as answering keeps them
    (`candidate_k`), with every group weighing the same (so that the false-answer rate is not the
    committed sets' alone), the answer's threshold over the groups that ask the unanswerable."""
    weights = group_weights([name for name, _, _, _ in rows])
    tried = {c: _cross_validated(rows, weights, c) for c in REGULARISATIONS}
    c = max(REGULARISATIONS, key=lambda c: (tried[c][0], -c))
    fitted = tried[c][1]
    rank_weights = _rank_weights(rows, weights, c)

    x, best, three, kept = _reply_rows(candidates(rows, candidate_k), fitted)
    w = group_weights([group for _, group, _, _ in rows])[kept]
    answer, answer_p, answer_c = _reply_model(x, best, w)
    unsure, unsure_p, unsure_c = _reply_model(x, three, w)
    answerable = np.array([rows[i][2] for i in kept], bool)
    groups = [rows[i][1] for i in kept]
    asks = asking_unanswerable(groups, answerable)
    asking_weights = group_weights([g for g, a in zip(groups, asks, strict=True) if a])
    threshold = answer_threshold(answer_p[asks], best[asks], asking_weights, FALSE_ANSWER_RATE)
    given = answer_p >= threshold
    unsure_threshold = none_threshold(unsure_p[~given], answerable[~given], w[~given], FALSE_ANSWER_RATE)
    said_none = ~given & (unsure_p < unsure_threshold)
    span = _span_weights(span_rows, 1.0)
    return {
        "span_features": list(spanrank.SPAN_FEATURES),
        "span_weights": _rounded(span),
        "features": list(FEATURES),
        "weights": _rounded(rank_weights),
        "reply_features": list(REPLY_FEATURES),
        "answer_weights": _rounded(answer.weights),
        "answer_bias": round(answer.bias, 6),
        "answer_threshold": round(threshold, 6),
        "unsure_weights": _rounded(unsure.weights),
        "unsure_bias": round(unsure.bias, 6),
        "unsure_threshold": round(unsure_threshold, 6),
        "false_answer_rate": FALSE_ANSWER_RATE,
        "regularisation": {"ranking": c, "answer": answer_c, "unsure": unsure_c},
        "cross_validated": {
            "top1": {str(k): round(float(v[0]), 4) for k, v in tried.items()},
            "answered": round(float((w * given).sum() / w.sum()), 4),
            "false_answers": round(float((w * (given & ~best)).sum() / max((w * given).sum(), 1e-9)), 4),
            "said_none": round(float((w * said_none).sum() / w.sum()), 4),
            "false_none": round(float((w * (said_none & answerable)).sum() / max((w * said_none).sum(), 1e-9)), 4),
            "by_group": group_outcomes(groups, given, best, answerable),
        },
        "fitted_on": sorted({name for name, _, _, _ in rows}),
        "questions": len(rows),
        "candidate_k": candidate_k,
    }


def group_outcomes(
    groups: list[str], given: np.ndarray, best: np.ndarray, answerable: np.ndarray
) -> dict[str, dict[str, float | None]]:
    """What the pooled threshold does to each group (cross-validated): the share of its questions
    answered, of its answers wrong, of its answerable questions answered right (hit@1) and of its
    unanswerable ones not answered (abstain_acc; None without any). The false-answer rate is met
    pooled, not per group."""

    def share(part: np.ndarray, whole: np.ndarray) -> float | None:
        return round(float((part & whole).sum() / whole.sum()), 4) if whole.any() else None

    labels = np.array(groups)
    out = {}
    for group in sorted(set(groups)):
        mine = labels == group
        out[group] = {
            "answered": share(given, mine),
            "false_answers": share(~best, mine & given),
            "hit1": share(given & best, mine & answerable),
            "abstain": share(~given, mine & ~answerable),
        }
    return out


def _rounded(values: Sequence[float]) -> list[float]:
    return [round(v, 6) if math.isfinite(v) else 0.0 for v in values]


def main(
    realnews_articles: Path | None, out: Path | None = None, settings: Settings | None = None, tuned: bool = False
) -> dict[str, object]:
    """Fit on every tuning set present and write the model file: with `realnews_articles`, on the
    real-news halves too (`bot/answering/data/ranker.json`; with `tuned`, on the tuned e5's cosines,
    `ranker-tuned.json`), else on the licensed and committed sets alone
    (`bot/answering/data/ranker-licensed.json`). The knowledge bases come from (and stay in) INDEX_CACHE_DIR."""
    settings = settings or Settings(_env_file=None)  # type: ignore[call-arg]
    if tuned and realnews_articles is None:
        raise BotError("the tuned e5 is fitted on real news: fit its ranker with --realnews")
    out = out or (TUNED_PATH if tuned else MODEL_PATH if realnews_articles else LICENSED_PATH)
    # With the tuned e5, each fold's features from its weights fitted without that fold: on the
    # questions they were fitted on, its cosines are better than they will be on a reader's.
    folds = [(f, f"tuned-without-{f}") for f in (0, 1)] if tuned else [(None, "bundled")]
    rows: Rows = []
    span_rows: SpanRows = []
    for qset in known_sets(realnews_articles):
        if qset.half == "held" or not qset.fitted:
            continue
        log.info("features of %s", qset.name)
        for fold, weights in folds:
            got, spans = collect(qset, settings.model_copy(update={"e5_weights": weights}), fold)
            rows += got
            span_rows += spans
    model = fit(rows, span_rows, settings.candidate_k)
    out.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return model

