"""Spans of a sentence: pyvi words aligned to characters, runs of question words, clauses.

The shared ground of answer extraction; every span is cut from the original sentence, so an
answer is always the article's own words.
"""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from bot.answering.question import Question
from bot.lang.normalize import fold
from bot.lang.tokenize import Word, tag

MAX_ANSWER = 150
_CLAUSE_END = re.compile(r"[;:!?…]|\.(?!\d)")  # not the dot of `50.000`


Stored = Callable[[], tuple[Word, ...]]
_STORED: OrderedDict[str, Stored] = OrderedDict()  # text -> its words as ingestion stored them
_STORED_MAX = 16384


def remember(stored: Iterable[tuple[str, Stored]]) -> None:
    """Let `words` answer for these sentence texts from what ingestion stored (a loader such as
    `partial(kb.words, i)`: the same words pyvi gives) instead of running pyvi again."""
    for text, load in stored:
        _STORED[text] = load
        _STORED.move_to_end(text)
    while len(_STORED) > _STORED_MAX:
        _STORED.popitem(last=False)


def words(sentence: str) -> tuple[Word, ...]:
    """pyvi words and POS tags aligned back to the sentence's characters: those stored at
    ingestion for a sentence the answerer `remember`ed, else pyvi's (cached)."""
    load = _STORED.get(sentence)
    stored = load() if load is not None else ()
    return stored or _tagged(sentence)  # an index built without words (a test analyzer) has ()


@lru_cache(maxsize=4096)
def _tagged(sentence: str) -> tuple[Word, ...]:
    return tag(sentence)


@lru_cache(maxsize=8192)
def syllables(text: str) -> tuple[tuple[str, int, int], ...]:
    """Folded syllables with their character spans."""
    return tuple((fold(m.group(0)), m.start(), m.end()) for m in re.finditer(r"\w+", text))


def word_from(ws: Sequence[Word], pos: int) -> int:
    """Index of the first word starting at or after character `pos` (len(ws) if none)."""
    return next((k for k, w in enumerate(ws) if w.start >= pos), len(ws))


def syllable_from(said: Sequence[tuple[str, int, int]], pos: int) -> int:
    """Index of the first of `syllables(...)` starting at or after character `pos` (len if none)."""
    return next((k for k, (_, start, _) in enumerate(said) if start >= pos), len(said))


def occurrences(wanted: Sequence[str], sentence: str) -> list[int]:
    """Syllable indexes where the sentence says the folded syllables `wanted`, in order."""
    said = [s for s, _, _ in syllables(sentence)]
    want = list(wanted)
    if not want:
        return []
    n, first = len(want), want[0]
    return [i for i in range(len(said) - n + 1) if said[i] == first and said[i : i + n] == want]


def anchor_spans(question: Question, sentence: str) -> list[tuple[int, int, int]]:
    """Runs of the question's words found in the sentence: (char start, char end, length), longest first."""
    return list(_anchor_spans(question.syllables, sentence))


@lru_cache(maxsize=8192)
def _anchor_spans(q: tuple[str, ...], sentence: str) -> tuple[tuple[int, int, int], ...]:
    starts: dict[str, list[int]] = {}
    for j, syllable in enumerate(q):
        starts.setdefault(syllable, []).append(j)
    sent = syllables(sentence)
    runs: list[tuple[int, int, int]] = []
    for i, (syllable, start, _) in enumerate(sent):
        best = 0
        for j in starts.get(syllable, ()):
            n = 1
            while i + n < len(sent) and j + n < len(q) and sent[i + n][0] == q[j + n]:
                n += 1
            best = max(best, n)
        if best:
            runs.append((start, sent[i + best - 1][2], best))
    return tuple(sorted(runs, key=lambda r: (-r[2], r[0])))


def clause_bounds(sentence: str, pos: int) -> tuple[int, int]:
    """The `;`/`:`-delimited clause around character `pos`."""
    start = max((m.end() for m in re.finditer(r"[;:]", sentence[:pos])), default=0)
    m = re.search(r"[;:]", sentence[pos:])
    return start, pos + m.start() if m else len(sentence)


def clip(text: str) -> str:
    """At most MAX_ANSWER characters, cut at a comma when it must be cut, else between words."""
    text = text.strip(" ,;:.-–")
    if len(text) <= MAX_ANSWER:
        return text
    cut = text.rfind(",", 0, MAX_ANSWER)
    if cut <= 20:
        cut = text.rfind(" ", 0, MAX_ANSWER + 1)
    return text[: cut if cut > 20 else MAX_ANSWER].rstrip(" ,")


def until_clause_end(sentence: str, start: int) -> str:
    m = _CLAUSE_END.search(sentence, start)
    return sentence[start : m.start() if m else len(sentence)]


def fresh(question: Question, text: str) -> bool:
    """True when the span says something the question does not already say."""
    q = question.syllables
    return any(s not in q for s, _, _ in syllables(text))


# Where a sentence's clauses meet: after `,` `;` `:` followed by a space (not the comma of `17,6`),
# and around brackets; a bracket is one clause, whatever commas it holds.
_CLAUSE_CUT = re.compile(r"(?<=[,;:])\s+|\s+(?=\()|(?<=\))\s+")


def clause_spans(sentence: str) -> list[tuple[int, int]]:
    """The sentence's clauses as character spans, in order, each with its closing punctuation."""
    depth = list(itertools.accumulate((ch == "(") - (ch == ")") for ch in sentence))
    cuts = [m for m in _CLAUSE_CUT.finditer(sentence) if depth[m.start()] <= 0]
    return list(zip([0, *(m.end() for m in cuts)], [*(m.start() for m in cuts), len(sentence)], strict=True))


def about(q: Question, sentence: str, room: int) -> str | None:
    """The part of the sentence about what was asked: the clause holding the longest run of the
    question's words, with as many clauses after it, then before it, as fit in `room` characters."""
    runs = anchor_spans(q, sentence)
    if not runs:
        return None
    spans = clause_spans(sentence)
    lo = hi = max(k for k, (start, _) in enumerate(spans) if start <= runs[0][0])

    def text(a: int, b: int) -> str:
        return sentence[spans[a][0] : spans[b][1]].strip(" ,;:")

    while hi + 1 < len(spans) and len(text(lo, hi + 1)) <= room:
        hi += 1
    while lo > 0 and len(text(lo - 1, hi)) <= room:
        lo -= 1
    return clip(text(lo, hi))
