"""Diacritics for a question typed without them, so that the e5 encoder can read it.

`vn voi lao ky gi` means nothing to a model trained on written Vietnamese: e5 finds the right
sentence for barely one in twenty such questions. BM25 still finds candidates through the folded
terms, and the candidates say how their words are written: each run of the question's syllables
(three, two, then one at a time) takes the accented form the candidates use most, a question word
its own form (`bao nhieu` is `bao nhiêu`, whatever `báo` the articles have), and any other
syllable the most frequent accented syllable of the whole index. Only the encoder reads the
result; matching still uses the folded question.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cache

from bot.lang.lists import entries
from bot.lang.normalize import fold

_WORD = re.compile(r"\w+")
_LONGEST = 3  # syllables in the longest run looked up


@cache
def _question_words() -> tuple[dict[str, str], frozenset[str]]:
    """Folded → accented for question and function words; and which of them only a question uses
    (so `nao` is `nào` even where an article has `não`)."""
    forms: dict[str, str] = {}
    for concept in ("question_words", "function_words"):
        for word in entries(concept):
            phrase = word.replace("_", " ")
            forms.setdefault(fold(phrase), phrase)
    asking = frozenset(fold(w.replace("_", " ")) for w in entries("question_words"))
    return forms, asking


def runs(texts: Iterable[str], question: str) -> dict[str, Counter[str]]:
    """Every run of up to three syllables of `texts` that `question` has too (both folded): folded
    form → its written forms, counted. Only the question's runs: `restore` looks up no other, and
    counting every run of 30 candidates took longer than the rest of an answer."""
    asked = [fold(s) for s in _WORD.findall(question)]
    wanted = {" ".join(asked[i : i + n]) for n in range(1, _LONGEST + 1) for i in range(len(asked) - n + 1)}
    table: dict[str, Counter[str]] = {}
    for text in texts:
        syllables = _WORD.findall(text)
        folded = [fold(s) for s in syllables]
        for i, first in enumerate(folded):
            if first not in wanted:
                continue
            for n in range(1, min(_LONGEST, len(folded) - i) + 1):
                run = " ".join(folded[i : i + n])
                if run not in wanted:
                    break  # a longer run of the question would hold this one
                if run not in table:
                    table[run] = Counter()
                table[run][" ".join(syllables[i : i + n]).lower()] += 1
    return table


def _cased(written: str, typed: str) -> str:
    """`written` in the letter case `typed` was typed in."""
    if len(typed) > 1 and typed.isupper():
        return written.upper()
    return written[:1].upper() + written[1:] if typed[:1].isupper() else written


def restore(question: str, local: Mapping[str, Counter[str]], common: Mapping[str, str]) -> str:
    """`question` with the accents of `local` (the candidates' runs), question words and `common`
    (folded syllable → its most frequent accented form); what none of them knows stays as typed."""
    forms, asking = _question_words()
    found = list(_WORD.finditer(question))
    pieces: list[str] = []
    last = i = 0
    while i < len(found):
        for n in range(min(_LONGEST, len(found) - i), 0, -1):
            run = " ".join(fold(m.group()) for m in found[i : i + n])
            if run in forms and (n > 1 or run in asking or run not in local):
                written = forms[run]
            elif run in local:
                written = local[run].most_common(1)[0][0]
            elif n == 1 and run in common:
                written = common[run]
            else:
                continue
            parts = written.split()
            if len(parts) != n:
                continue
            for m, part in zip(found[i : i + n], parts, strict=True):
                pieces += [question[last : m.start()], _cased(part, m.group())]
                last = m.end()
            i += n
            break
        else:
            i += 1
    pieces.append(question[last:])
    return "".join(pieces)
