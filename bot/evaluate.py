"""Scores the answering core on a question set, with the same metrics as shared/tools/score.py."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.answer import Answer, Answerer
from bot.errors import BotError
from bot.normalize import canonical

MAX_SHORT_ANSWER = 150


@dataclass
class Report:
    metrics: dict[str, Any]
    rows: list[str] = field(default_factory=list)


def load_questions(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise BotError(f"cannot read questions file {path}: {exc}") from None


def _contains_any(needles: list[str], haystack: str) -> bool:
    return any(canonical(n) in haystack for n in needles)


def _judge(q: dict[str, Any], a: Answer) -> dict[str, bool | None]:
    sentences = [canonical(c.sentence) for c in a.citations]
    text = canonical(a.answer or "")
    if not q.get("answerable", True):
        return {"abstain": not a.found}
    gold = q.get("sentences", [])
    ok = a.found and _contains_any(q.get("answers", []), text)
    return {
        "hit1": a.found and bool(sentences) and _contains_any(gold, sentences[0]),
        "hit3": a.found and any(_contains_any(gold, s) for s in sentences[:3]),
        "answer": ok,
        "short": ok and len(a.answer or "") <= MAX_SHORT_ANSWER,
        "strict": (a.found and _contains_any(q["strict"], text)) if q.get("strict") else None,
    }


def _ratio(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def evaluate(answerer: Answerer, questions: list[dict[str, Any]]) -> Report:
    judged = []
    rows = []
    started = time.perf_counter()
    for q in questions:
        a = answerer.ask(q["question"])
        j = _judge(q, a)
        judged.append(j)
        flag = (
            ("hit" if j.get("hit1") else "MISS")
            if "hit1" in j
            else ("abstain" if j["abstain"] else "FALSE-ANSWER")
        )
        top = a.citations[0].sentence[:90] if a.citations else None
        rows.append(" | ".join(str(x) for x in (q.get("id"), flag, q["question"], a.answer, top)))

    def col(name: str) -> list[bool]:
        return [bool(j[name]) for j in judged if j.get(name) is not None]

    metrics = {
        "questions": len(questions),
        "hit@1": _ratio(col("hit1")),
        "hit@3": _ratio(col("hit3")),
        "answer_acc": _ratio(col("answer")),
        "short_answer_acc": _ratio(col("short")),
        "strict_date_acc": _ratio(col("strict")),
        "abstain_acc": _ratio(col("abstain")),
        "wall_s": round(time.perf_counter() - started, 2),
    }
    return Report(metrics, rows)
