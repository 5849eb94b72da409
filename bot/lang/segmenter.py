"""pyvi's word segmenter and POS tagger, run on pyvi's own models without importing scikit-learn.

pyvi keeps its two CRF models as pickled `sklearn_crfsuite.CRF` objects, so `import pyvi`
imports scikit-learn and SciPy (0.8 s of a one-question `ask`), although tagging only ever
calls python-crfsuite. Here the pickles are opened with stand-ins for those two classes (the
model bytes are all they hold), the models go straight to `pycrfsuite.Tagger`, and pyvi's
syllable splitting, features and joining rules are applied as pyvi 0.1.1 applies them, so
the output is pyvi's (tests compare both on every committed article and question).
Features are built from per-syllable values computed once (pyvi recomputes each up to five
times) and handed over as lists of attribute names rather than dicts: together, less than half
of pyvi's work per syllable.
"""

from __future__ import annotations

import importlib.util
import pickle
import re
import string
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import pycrfsuite

_MODELS = Path(importlib.util.find_spec("pyvi").submodule_search_locations[0]) / "models"  # type: ignore[index, union-attr]

# pyvi's syllable patterns, in its order (the first alternative that matches wins).
_SYLLABLE = re.compile(
    "("
    + "|".join(
        [r"[A-ZĐ]+\.", r"Tp\.", r"Mr\.", r"Mrs\.", r"Ms\.", r"Dr\.", r"ThS\."]
        + ["==>", "->", r"\.\.\.", ">>", "\n"]
        + [r"\w+://[^\s]+", r"([a-zA-Z0-9_.+-]+@([a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+)"]
        + [r"\d+([\.,_]\d+)+", r"[^\w\s]", r"\w+"]
    )
    + ")",
    re.UNICODE,
)
_FILTERED = frozenset(string.punctuation) | {"\u2026", "\u201d", "\u201c", "\u2019", "..."}


class _Stub:
    """Stands in for sklearn_crfsuite's CRF and FileResource while unpickling: keeps the state."""

    state: dict[str, Any]

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.state = state


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.split(".")[0] in {"sklearn_crfsuite", "sklearn"}:
            return _Stub
        return super().find_class(module, name)


_KEEP: list[bytes] = []  # a Tagger opened in memory reads these bytes for as long as it lives


def _tagger(pickled: str) -> pycrfsuite.Tagger:
    with (_MODELS / pickled).open("rb") as f:
        crf = _ModelUnpickler(f).load()
    model = crf.state["modelfile"].state["__FILE_RESOURCE_DATA__"]
    _KEEP.append(model)
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(model)
    return tagger


@cache
def _segmenter() -> tuple[pycrfsuite.Tagger, frozenset[str], frozenset[str]]:
    """The segmentation model and pyvi's dictionary of two- and three-syllable words."""
    entries = (_MODELS / "words.txt").read_text(encoding="utf-8").split("\n")
    bi = frozenset(e for e in entries if len(e.split(" ")) == 2)
    tri = frozenset(e for e in entries if len(e.split(" ")) == 3)
    return _tagger("pyvi3.pkl"), bi, tri


@cache
def _pos_model() -> pycrfsuite.Tagger:
    return _tagger("pyvipos3.pkl")


def _lower_joined(*words: str) -> str:
    return " ".join(words).lower()  # not the lowers joined: `Σ` lowers by its place in the string


# Features go to python-crfsuite as lists of attribute names: a string feature `k: v` is the
# attribute `k:v` and a true flag `k` the attribute `k`, both of value 1.0, which is what
# python-crfsuite makes of pyvi's dicts; a false flag has value 0.0 and adds nothing to any
# score, so it is left out. Each feature is built as a column over the syllables, "" where it
# is absent; an item is its row without the blanks. The same labels at about half the cost.


def _flags(name: str, values: list[bool]) -> list[str]:
    return [name if v else "" for v in values]


def _named(prefix: str, values: list[str]) -> list[str]:
    return [prefix + v for v in values]


def _shifted(column: list[str], offset: int, n: int) -> list[str]:
    """`column[i + offset]` for each of the n positions i, "" where that falls outside it."""
    out = [""] * -offset + column[: max(n + offset, 0)] if offset < 0 else column[offset : n + offset]
    return out[:n] + [""] * (n - len(out))


def _around(offset: int, n: int, low: list[str], **flags: list[bool]) -> list[list[str]]:
    """The neighbour `offset` away: its lowercased word and its flags, pyvi's `-1:word.lower()`…"""
    side = f"{offset:+d}:"
    columns = [_named(side + "word.lower():", low)]
    columns += [_flags(side + name, values) for name, values in flags.items()]
    return [_shifted(column, offset, n) for column in columns]


def _rows(n: int, columns: list[list[str]]) -> list[list[str]]:
    return [[a for a in row if a] for row in zip(["bias"] * n, *columns, strict=True)]


def _segment_features(sent: list[str], bi: frozenset[str], tri: frozenset[str]) -> list[list[str]]:
    n = len(sent)
    low = [w.lower() for w in sent]
    up = [w.isupper() for w in sent]
    title = [w.istitle() for w in sent]
    # Whether the pair / triple starting at each position is a known word: each is looked up
    # once, though two syllables' features name it.
    pair = [_lower_joined(sent[i], sent[i + 1]) in bi for i in range(n - 1)]
    triple = [_lower_joined(sent[i], sent[i + 1], sent[i + 2]) in tri for i in range(n - 2)]
    columns = [
        _named("word.lower():", low),
        _flags("word.isupper()", up),
        _flags("word.istitle()", title),
        _flags("word.isdigit()", [w.isdigit() for w in sent]),
    ]
    for offset in (-1, 1):
        columns += _around(offset, n, low, **{"word.istitle()": title, "word.isupper()": up})
    columns += [
        _shifted(_flags("-1:word.bi_gram()", pair), -1, n),
        _shifted(_flags("+1:word.bi_gram()", pair), 0, n),
        _shifted(_flags("-2:word.tri_gram()", triple), -2, n),
        _shifted(_flags("+2:word.tri_gram()", triple), 0, n),
    ]
    return _rows(n, columns)


def _pos_features(sent: list[str]) -> list[list[str]]:
    n = len(sent)
    low = [w.lower() for w in sent]
    title = [w.istitle() for w in sent]
    up = [w.isupper() for w in sent]
    digit1 = [w[:1].isdigit() for w in sent]
    upper3 = [w[:3].isupper() for w in sent]
    columns = [
        _named("word.lower():", low),
        _flags("word.istitle()", title),
        _flags("word.isdigit()", [w.isdigit() for w in sent]),
        _flags("word[:1].isdigit()", digit1),
        _flags("word[:3].isupper()", upper3),
        _flags("word.isfiltered", [w in _FILTERED for w in sent]),
        ["BOS"] + [""] * (n - 1),
        [""] * (n - 1) + ["EOS"],
    ]
    for offset in (-1, 1):
        columns += _around(offset, n, low, **{"word.istitle()": title, "word[:1].isdigit()": digit1})
    columns += [
        _shifted(_flags("-1:word[:3].isupper()", upper3), -1, n),
        _shifted(_flags("+1:word.isupper()", up), 1, n),
    ]
    for offset in (-2, 2):
        columns += _around(offset, n, low, **{"word.istitle()": title, "word.isupper()": up})
    return _rows(n, columns)


def tokenize(text: str) -> str:
    """`pyvi.ViTokenizer.tokenize`: syllables of one word joined by `_`, words by spaces."""
    syllables = [m[0] for m in _SYLLABLE.findall(unicodedata.normalize("NFC", text))]
    if not syllables:
        return text
    model, bi, tri = _segmenter()
    labels = model.tag(_segment_features(syllables, bi, tri))
    out = [syllables[0]]
    for i in range(1, len(labels)):
        cur, prev = syllables[i], syllables[i - 1]
        joined = (
            labels[i] == "I_W"
            and cur not in string.punctuation
            and prev not in string.punctuation
            and not cur[0].isdigit()
            and not prev[0].isdigit()
            and not (cur[0].istitle() and not prev[0].istitle())
        )
        out.append(("_" if joined else " ") + cur)
    return "".join(out)


def postag(tokenized: str) -> tuple[list[str], list[str]]:
    """`pyvi.ViPosTagger.postagging`: the tokens of `tokenize`'s output and their POS tags."""
    tokens = tokenized.split(" ")
    return tokens, _pos_model().tag(_pos_features(tokens))
