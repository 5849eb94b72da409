"""Scores the answering core on a question set, with the metrics of shared/tools/score.py, and
beside them the bot's ranking alone and plain BM25.

The shared scorer's figures: hit@1, hit@3 (the quotes of a "not sure" reply count), answer_acc,
short_answer_acc, answer_f1, strict_date_acc, abstain_acc ("not sure" abstains) and precision
(the share of given answers that are right). Besides: `ranking@1`, the bot's first sentence
before it decides how to reply, and `bm25@1`, the first sentence of plain BM25 over the same
sentences (the question's own pyvi terms, `BM25Index`), both on the answerable questions.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from bot.answering.answer import Answer, Answerer
from bot.lang.normalize import canonical
from bot.lang.tokenize import query_terms

MAX_SHORT_ANSWER = 150


@dataclass
class Report:
    metrics: dict[str, Any]
    rows: list[str] = field(default_factory=list)
    outcomes: list[dict[str, bool | float | None]] = field(default_factory=list)  # per question


def _contains_any(needles: list[str], haystack: str) -> bool:
    return any(canonical(n) in haystack for n in needles)


def _judge(
    q: dict[str, Any], a: Answer, ranked_first: str | None, bm25_first: str | None
) -> dict[str, bool | float | None]:
    sentences = [canonical(c.sentence) for c in a.citations]
    text = canonical(a.answer or "")
    if not q.get("answerable", True):
        return {"abstain": not a.found, "found": a.found, "right": False}
    gold = q.get("sentences", [])
    ok = a.found and _contains_any(q.get("answers", []), text)
    hit1 = a.found and bool(sentences) and _contains_any(gold, sentences[0])
    return {
        "hit1": hit1,
        "hit3": (a.found or a.unsure) and any(_contains_any(gold, s) for s in sentences[:3]),
        "answer": ok,
        "short": ok and len(a.answer or "") <= MAX_SHORT_ANSWER,
        "f1": max((_f1(text, canonical(x)) for x in q.get("answers", [])), default=0.0) if a.found else 0.0,
        "strict": (a.found and _contains_any(q["strict"], text)) if q.get("strict") else None,
        "found": a.found,
        "right": hit1,
        "ranking": ranked_first is not None and _contains_any(gold, canonical(ranked_first)),
        "bm25": bm25_first is not None and _contains_any(gold, canonical(bm25_first)),
    }


def _f1(pred: str, gold: str) -> float:
    """SQuAD-style syllable overlap, as the shared scorer computes answer_f1."""
    p, g = re.findall(r"\w+", pred), re.findall(r"\w+", gold)
    common = sum(min(p.count(w), g.count(w)) for w in set(p) & set(g))
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def _ratio(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def plain_bm25_first(answerer: Answerer, question: str) -> str | None:
    """The first sentence of plain BM25: the question's own pyvi terms, no synonyms, no reranking."""
    hits = answerer.kb.search(query_terms(question), 1)
    return answerer.kb.sentences[hits[0].index].text if hits else None


def evaluate(answerer: Answerer, questions: list[dict[str, Any]]) -> Report:
    judged = []
    rows = []
    started = time.perf_counter()
    for q in questions:
        a, ranked = answerer.respond(q["question"])
        first = answerer.kb.sentences[ranked.candidates[0].index].text if ranked.candidates else None
        j = _judge(q, a, first, plain_bm25_first(answerer, q["question"]))
        judged.append(j)
        flag = (
            ("hit" if j.get("hit1") else "UNSURE" if a.unsure else "MISS")
            if "hit1" in j
            else ("abstain" if j["abstain"] else "FALSE-ANSWER")
        )
        top = a.citations[0].sentence[:90] if a.citations else None
        rows.append(" | ".join(str(x) for x in (q.get("id"), flag, q["question"], a.answer, top)))
    return Report(metrics(judged, len(questions), time.perf_counter() - started), rows, judged)


def metrics(judged: list[dict[str, bool | float | None]], questions: int, wall_s: float = 0.0) -> dict[str, Any]:
    """The figures of a set (or of several pooled) from its questions' outcomes."""

    def col(name: str) -> list[bool]:
        """One figure's per-question outcomes, leaving out questions it does not apply to."""
        return [bool(j[name]) for j in judged if j.get(name) is not None]

    f1s = [float(j["f1"]) for j in judged if "f1" in j]  # type: ignore[arg-type]
    given = [bool(j["right"]) for j in judged if j["found"]]
    return {
        "questions": questions,
        "hit@1": _ratio(col("hit1")),
        "hit@3": _ratio(col("hit3")),
        "answer_acc": _ratio(col("answer")),
        "short_answer_acc": _ratio(col("short")),
        "answer_f1": round(sum(f1s) / len(f1s), 3) if f1s else None,
        "strict_date_acc": _ratio(col("strict")),
        "abstain_acc": _ratio(col("abstain")),
        "precision": _ratio(given),
        "ranking@1": _ratio(col("ranking")),
        "bm25@1": _ratio(col("bm25")),
        "wall_s": round(wall_s, 2),
    }


# The shared scorer's figures, in its order; then the two this project adds.
SCORER_COLUMNS = (
    "hit@1",
    "hit@3",
    "answer_acc",
    "short_answer_acc",
    "answer_f1",
    "strict_date_acc",
    "abstain_acc",
    "precision",
)
COLUMNS = (*SCORER_COLUMNS, "ranking@1", "bm25@1")


def table_row(name: str, metrics: dict[str, Any]) -> str:
    """One markdown table row: the set, its size and the figures (— where none applies)."""
    cells = [name, str(metrics["questions"])] + [
        "—" if metrics[c] is None else f"{metrics[c]:.3f}" for c in COLUMNS
    ]
    return "| " + " | ".join(cells) + " |"


def table_header() -> str:
    return "| set | questions | " + " | ".join(COLUMNS) + " |\n|" + "---|" * (len(COLUMNS) + 2)
