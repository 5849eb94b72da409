"""Picks the short answer inside the chosen sentence: the typed extractor's span or a clause.

Candidates are the extractor's answer (when it found one), every clause of the sentence (cut at
`,` `;` `:` and brackets), every two adjacent clauses, and the parts of a clause where answers
start or end (after or before the question's words, from a reason word, after `là`); each is
scored with weights fitted by `python -m bot fit` on the tuning sets (logistic regression: does
the span hold a gold answer),
so a why-question gets the clause opening with `vì`, a how-many question the clause with the
count, and a clause that only repeats the question loses.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from bot.answering.question import QType, Question
from bot.answering.spans import MAX_ANSWER, anchor_spans, clause_spans, clip, syllables
from bot.lang.dates import find_dates
from bot.lang.lists import entries, folded
from bot.lang.normalize import canonical, fold

_EXTRACTED_TYPES = (QType.WHO, QType.WHEN, QType.WHERE, QType.HOW_MANY, QType.WHAT)
_WORD = re.compile(r"\w+")

# The features of a span, in the order of `span_weights` in the ranker file.
SPAN_FEATURES: tuple[str, ...] = (
    "extracted_who",  # the typed extractor's answer, per question type
    "extracted_when",
    "extracted_where",
    "extracted_how_many",
    "extracted_what",
    "extracted_other",
    "holds_extracted",  # a clause holding the extractor's answer
    "whole",  # the whole sentence (clipped)
    "pair",  # two adjacent clauses
    "asked_share",  # share of its syllables the question has
    "fresh",  # syllables the question lacks, / 10 (capped at 1)
    "length",  # characters / MAX_ANSWER (capped at 1)
    "beside_anchor",  # next to the clause that repeats most of the question
    "is_anchor",  # that clause itself
    "first",
    "last",
    "name_for_who_where",  # a capitalised word the question lacks, for who/where
    "number_for_count",  # a number the question lacks, for how many
    "date_for_when",  # a date, for when
    "cause_for_why",  # opens with a reason word (`vì`, `do`, `nhằm`), for why
    "name_other",  # a capitalised word the question lacks, other types
    "number_other",
    "cause_other",
    "after_anchor",  # inside a clause: what follows the longest run of question words
    "before_anchor",  # … what precedes it
    "from_cause",  # … from a reason word (`vì`, `để`) on
    "after_copula",  # … what follows `là`
)
_INNER = SPAN_FEATURES[-4:]
_COPULAS = frozenset(canonical(w) for w in entries("copulas"))  # `là`, not `lá` or `lạ`


@dataclass(frozen=True)
class Span:
    """A candidate short answer and its features."""

    text: str
    values: tuple[float, ...]


def _clauses(sentence: str, spans: list[tuple[int, int]]) -> list[str]:
    return [c for c in (sentence[a:b].strip() for a, b in spans) if _WORD.search(c)]


def _inner(q: Question, sentence: str, spans: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """Parts of a clause (of `spans`) where answers start or end (with the feature naming each):
    after and before the longest run of question words, from a reason word on, after `là`."""

    def clause_end(pos: int) -> int:
        return next((b for _, b in spans if b >= pos), len(sentence))

    def clause_start(pos: int) -> int:
        return max(a for a, _ in spans if a <= pos)

    found: list[tuple[str, str]] = []
    runs = anchor_spans(q, sentence)
    if runs:
        start, end, _ = runs[0]
        found += [(sentence[end : clause_end(end)], "after_anchor"), (sentence[clause_start(start) : start], "before_anchor")]
    sylls = syllables(sentence)
    for i, (folded_syllable, start, end) in enumerate(sylls):
        pair = f"{folded_syllable} {sylls[i + 1][0]}" if i + 1 < len(sylls) else ""
        if folded_syllable in folded("cause_words") or pair in folded("cause_words"):
            found.append((sentence[start : clause_end(start)], "from_cause"))
        if folded_syllable in folded("copulas") and canonical(sentence[start:end]) in _COPULAS:
            found.append((sentence[end : clause_end(end)], "after_copula"))
    return [(text.strip(" ,;:.-–"), kind) for text, kind in found]


# Question types whose extractor's span is the answer when it finds one: a name, a date, a
# place, a count. The span model chooses only when it finds none, or for other types.
TRUSTED = frozenset({QType.WHO, QType.WHEN, QType.WHERE, QType.HOW_MANY})


def candidates(q: Question, sentence: str, extracted: str | None) -> list[Span]:
    """The extractor's span and the sentence's clauses (single and paired), with features; only
    the extractor's span when it is trusted for this type of question."""
    if extracted and q.qtype in TRUSTED:
        return [Span(extracted, (0.0,) * len(SPAN_FEATURES))]
    spans = clause_spans(sentence)
    clauses = _clauses(sentence, spans)
    asked = set(q.syllables)
    overlap = [_share(c, asked) for c in clauses]
    anchor = max(range(len(clauses)), key=lambda i: overlap[i]) if clauses else -1
    texts: list[tuple[str, bool, bool, int, int, str]] = []
    if extracted:
        texts.append((extracted, True, False, -2, -2, ""))
    texts += [(c, False, False, i, i, "") for i, c in enumerate(clauses)]
    texts += [(f"{a} {b}", False, True, i, i + 1, "") for i, (a, b) in enumerate(itertools.pairwise(clauses))]
    if len(clauses) > 2:
        texts.append((clip(sentence), False, False, 0, len(clauses) - 1, ""))
    seen = {t[0] for t in texts}
    for text, kind in _inner(q, sentence, spans):
        if _WORD.search(text) and text not in seen:
            seen.add(text)
            at = next((i for i, c in enumerate(clauses) if text in c), -2)
            texts.append((text, False, False, at, at, kind))
    out = []
    for text, extractor, pair, lo, hi, inner in texts:
        if len(text) > MAX_ANSWER and not extractor:
            continue
        values = _values(q, text, asked, extractor, pair, lo, hi, anchor, len(clauses))
        holds = not extractor and bool(extracted) and fold(extracted or "") in fold(text)
        kinds = tuple(float(extractor and q.qtype is t) for t in _EXTRACTED_TYPES)
        other = float(extractor and q.qtype not in _EXTRACTED_TYPES)
        whole = float(not extractor and lo == 0 and hi == len(clauses) - 1 and len(clauses) > 2)
        where = tuple(float(inner == name) for name in _INNER)
        out.append(Span(text, (*kinds, other, float(holds), whole, *values, *where)))
    return out


def _share(text: str, asked: set[str]) -> float:
    syllables = _WORD.findall(fold(text))
    return sum(s in asked for s in syllables) / len(syllables) if syllables else 0.0


def _values(
    q: Question,
    text: str,
    asked: set[str],
    extractor: bool,
    pair: bool,
    lo: int,
    hi: int,
    anchor: int,
    n: int,
) -> tuple[float, ...]:
    syllables = _WORD.findall(text)
    fresh = [i for i, s in enumerate(syllables) if fold(s) not in asked]
    name = any(syllables[i][:1].isupper() for i in fresh if i > 0)
    number = any(syllables[i][:1].isdigit() for i in fresh)
    lead = " ".join(fold(s) for s in syllables[:2])
    cause = bool(syllables) and (fold(syllables[0]) in folded("cause_words") or lead in folded("cause_words"))
    date = bool(find_dates(text, None))
    who_where = q.qtype in {QType.WHO, QType.WHERE}
    counting = q.qtype is QType.HOW_MANY
    return (
        float(pair),
        _share(text, asked),
        min(len(fresh) / 10, 1.0),
        min(len(text) / MAX_ANSWER, 1.0),
        float(not extractor and lo <= anchor + 1 and hi >= anchor - 1 and not lo <= anchor <= hi),
        float(not extractor and lo <= anchor <= hi),
        float(lo == 0),
        float(hi == n - 1),
        float(name and who_where),
        float(number and counting),
        float(date and q.qtype is QType.WHEN),
        float(cause and q.qtype is QType.WHY),
        float(name and not who_where),
        float(number and not counting),
        float(cause and q.qtype is not QType.WHY),
    )


def pick(spans: list[Span], weights: tuple[float, ...]) -> str | None:
    """The best-scored span, clipped to MAX_ANSWER; shorter first among equals."""
    if not spans:
        return None
    best = max(
        spans, key=lambda s: (sum(w * v for w, v in zip(weights, s.values, strict=True)), -len(s.text))
    )
    return clip(best.text)
