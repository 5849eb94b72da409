"""Turns Vietnamese text into BM25 terms: pyvi words, their syllables, and accent-free forms.

Why three forms: pyvi may segment a question differently from the sentence that answers it
(`cứu_hộ cứu nạn` vs `cứu_hộ_cứu_nạn`), so syllables are indexed beside compound words; and
people type without diacritics (`ai da ky nghi dinh thu`), so every syllable is also indexed
accent-folded under a `~` prefix that keeps it apart from real unaccented words (`Lao` vs `Lào`).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial

from bot.lang import segmenter
from bot.lang.lists import entries
from bot.lang.normalize import fix_tones, fold, has_diacritics, nfc

Tokenizer = Callable[[str], list[str]]

FOLDED = "~"
TOKENIZER_VERSION = "pyvi-syll-fold-1"

# Words that only shape the question (question words, particles, function words): they say
# nothing about which sentence answers it.
STOPWORDS = frozenset(
    w
    for concept in ("question_words", "function_words")
    for word in entries(concept)
    for w in (word, word.replace("_", " "))
)
FOLDED_STOPWORDS = frozenset(fold(w) for w in STOPWORDS)
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Word:
    """A pyvi word with its character span in the original sentence and its POS tag."""

    text: str
    start: int
    end: int
    pos: str

    @property
    def key(self) -> str:
        return fold(self.text).replace(" ", "_")

    @property
    def capitalized(self) -> bool:
        return self.text[:1].isupper()


# pyvi's CRF taggers (bot.lang.segmenter) are not safe to use from two threads at once (the bot
# answers on one thread and refreshes articles on another): every call holds this lock.
_PYVI_LOCK = threading.Lock()


def _terms_of(tokenized: str) -> list[str]:
    """Index terms of pyvi's output (`Bộ_trưởng đã ký`), punctuation dropped."""
    return [term for tok in tokenized.split() if _WORD.search(tok) for term in _word_terms(tok)]


def segment(text: str) -> list[str]:
    """pyvi words (syllables joined by `_`) in original casing, punctuation dropped.

    pyvi segments on case (`Bộ_trưởng` but not `bộ trưởng` at times), so it sees the
    original text and the caller lowercases afterwards.
    """
    clean = fix_tones(nfc(text))
    with _PYVI_LOCK:
        tokenized = segmenter.tokenize(clean)
    return [tok for tok in tokenized.split() if _WORD.search(tok)]


def _aligned(sentence: str, clean: str, tokens: Sequence[str], tags: Sequence[str]) -> tuple[Word, ...]:
    """pyvi's tokens placed back on the sentence's characters (`clean` is its normalized twin)."""
    out: list[Word] = []
    cursor = 0
    for token, tag in zip(tokens, tags, strict=True):
        start = end = None
        pos = cursor
        for syllable in token.split("_"):
            found = clean.find(syllable, pos)
            if found < 0:
                break
            start = found if start is None else start
            end = pos = found + len(syllable)
        else:
            if start is not None and end is not None:
                out.append(Word(sentence[start:end].replace("\n", " "), start, end, str(tag)))
                cursor = end
    return tuple(out)


def tag(sentence: str) -> tuple[Word, ...]:
    """pyvi words and POS tags aligned back to the sentence's characters."""
    clean = fix_tones(nfc(sentence))
    with _PYVI_LOCK:
        tokens, tags = segmenter.postag(segmenter.tokenize(clean))
    return _aligned(sentence, clean, tokens, tags)


@dataclass(frozen=True)
class Analysis:
    """What ingestion keeps of a sentence: its BM25 terms and its tagged words."""

    terms: list[str]
    words: tuple[Word, ...]


Analyzer = Callable[[str], Analysis]


def analyze(sentence: str) -> Analysis:
    """Index terms and tagged words from one pyvi pass: the same as `index_terms` and `tag`."""
    clean = fix_tones(nfc(sentence))
    with _PYVI_LOCK:
        tokenized = segmenter.tokenize(clean)
        tokens, tags = segmenter.postag(tokenized)
    return Analysis(_terms_of(tokenized), _aligned(sentence, clean, tokens, tags))


@lru_cache(maxsize=1 << 17)
def _word_terms(word: str) -> tuple[str, ...]:
    """A word's terms, cached: news repeats its words, and ingestion asks for every one."""
    low = word.casefold()
    syllables = [s for s in low.split("_") if s]
    compound = [low] if len(syllables) > 1 else []
    return (*compound, *syllables, *(FOLDED + fold(s) for s in syllables))


def index_terms(text: str) -> list[str]:
    """Terms a sentence is indexed under: compounds, syllables, and folded syllables."""
    clean = fix_tones(nfc(text))
    with _PYVI_LOCK:
        tokenized = segmenter.tokenize(clean)
    return _terms_of(tokenized)


def _stop_mask(syllables: list[str], phrases: frozenset[str]) -> list[bool]:
    """Marks syllables inside a stop phrase (`khi nào`, `o dau`), longest phrase first.

    Works on syllables because pyvi does not always join a question phrase into one word.
    """
    mask = [False] * len(syllables)
    i = 0
    while i < len(syllables):
        for n in (3, 2, 1):
            if " ".join(syllables[i : i + n]) in phrases:
                mask[i : i + n] = [True] * n
                i += n
                break
        else:
            i += 1
    return mask


def query_terms(question: str) -> list[str]:
    """Content terms of a question, in the form its writer typed: accented or folded."""
    words = [w.casefold() for w in segment(question)]
    accented = has_diacritics(question)
    if not accented:
        words = [fold(w) for w in words]
    syllables = [s for w in words for s in w.split("_") if s]
    mask = iter(_stop_mask(syllables, STOPWORDS if accented else FOLDED_STOPWORDS))
    out: list[str] = []
    for word in words:
        parts = [s for s in word.split("_") if s]
        kept = [s for s in parts if not next(mask)]
        if not accented:
            out.extend(FOLDED + s for s in kept)
            continue
        if len(parts) > 1 and len(kept) == len(parts):
            out.append(word)
        out.extend(kept)
    return out


def _tokenize_chunk(tokenizer: Tokenizer, texts: list[str]) -> list[list[str]]:
    return [tokenizer(t) for t in texts]


def tokenize_many(
    texts: Sequence[str],
    tokenizer: Tokenizer = index_terms,
    *,
    workers: int | None = None,
    progress: bool = False,
    min_parallel: int = 2000,
) -> list[list[str]]:
    """`tokenizer` over every text, spread over a process pool when there are many.

    The first text is tokenized here, so pyvi is imported once, before the workers are
    forked (they inherit it); forking is avoided when other threads run (the Telegram bot),
    where a forkserver starts the workers instead. `progress` draws a bar on a terminal.
    """
    from tqdm import tqdm  # only builds need it

    workers = workers or os.cpu_count() or 1
    disable = None if progress else True  # None: tqdm draws only on a terminal
    if not texts:
        return []
    first = [tokenizer(texts[0])]
    rest = list(texts[1:])
    if workers < 2 or len(rest) < min_parallel:
        return first + [tokenizer(t) for t in tqdm(rest, disable=disable, unit="sent", leave=False)]
    chunk = max(50, min(1000, len(rest) // (workers * 8) or 1))
    chunks = [rest[i : i + chunk] for i in range(0, len(rest), chunk)]
    method = (
        "fork" if threading.active_count() == 1 and "fork" in mp.get_all_start_methods() else "forkserver"
    )
    out = first
    with (
        ProcessPoolExecutor(workers, mp_context=mp.get_context(method)) as pool,
        tqdm(total=len(rest), disable=disable, unit="sent", desc="tokenizing", leave=False) as bar,
    ):
        for result in pool.map(partial(_tokenize_chunk, tokenizer), chunks):
            out.extend(result)
            bar.update(len(result))
    return out
