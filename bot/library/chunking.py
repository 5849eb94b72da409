"""Cuts article bodies into sentences, the unit the bot retrieves and quotes.

Crawled Vietnamese news glues sentences (`Campuchia.Sáng 8/9`, `ASEAN 2020.Đồng thời`),
embeds photo captions (`... tại điểm cầu Hà Nội. Ảnh: TTXVN.`) and is full of dots that end
nothing (`8/9`, `1.000`, `TP.HCM`, `v.v.`, `...`). Offsets point into `Article.body`, so a
quote is always the article's own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.library.corpus import Article

# Longer than any sentence of the 35,440-article news archive (5,316 characters at most), so only
# text without sentence punctuation is cut.
MAX_SENTENCE_CHARS = 6000
# Short forms after which a dot does not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "tp",
        "tx",
        "tt",
        "q",
        "p",
        "ts",
        "ths",
        "gs",
        "pgs",
        "bs",
        "ks",
        "ls",
        "th",
        "st",
        "mr",
        "mrs",
        "ms",
        "dr",
        "no",
        "vs",
        "v.v",
        "v/v",
        "ông",
        "bà",
    ]
)
_CLOSERS = "”\"’')]»"
_OPENERS = "“\"‘'(«["
# A boundary candidate: end punctuation, optional closing quotes/brackets, then either
# whitespace or (glued) the next sentence's first letter.
_BOUNDARY = re.compile(rf"(?P<end>[.!?…]+[{re.escape(_CLOSERS)}]*)(?P<gap>\s*)")
# Longer than any abbreviation, so a truncated word compares the same as the whole one.
_WORD_BEFORE_MAX = 2 + max(map(len, _ABBREVIATIONS))
_CAPTION = re.compile(r"^\(?\s*(?:ảnh|ảnh minh họa|ảnh minh hoạ|nguồn ảnh|video|clip)\s*:", re.IGNORECASE)
# Words of the longest bare credit alone in a sample of 3,000 archive articles (`Ảnh: US Air Force
# Phùng Nguyễn`); a longer span that opens with `Ảnh:` is a credit run into a sentence.
_CREDIT_WORDS = 6


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: where it is, and its exact text."""

    article_id: str
    position: int
    start: int
    end: int
    text: str


def _starts_sentence(text: str, i: int) -> bool:
    """True when the text at `i` looks like a sentence start: a capital, a digit or an opening quote."""
    if i >= len(text):
        return False
    ch = text[i]
    if ch in _OPENERS:
        return True
    return ch.isupper() or ch.isdigit()


def _glued_start(text: str, i: int) -> bool:
    """A capitalised word right after a dot with no space: `Campuchia.Sáng`, not `TP.HCM`."""
    if i + 1 >= len(text):
        return False
    first, second = text[i], text[i + 1]
    if first in _OPENERS:
        return True
    return first.isupper() and second.islower()


def _word_before(text: str, i: int) -> str:
    """The run of word characters, dots and slashes ending at `i`, casefolded, at most
    `_WORD_BEFORE_MAX` characters of it: the callers only compare it with short abbreviations,
    single letters and its last character, and a bounded scan keeps splitting linear (a regex
    over `text[:i]` at every dot is quadratic in a one-line body)."""
    j = i
    stop = max(0, i - _WORD_BEFORE_MAX)
    while j > stop and (text[j - 1].isalnum() or text[j - 1] in "_./"):
        j -= 1
    return text[j:i].casefold()


def _is_boundary(text: str, m: re.Match[str]) -> bool:
    end, gap = m.group("end"), m.group("gap")
    nxt = m.end()
    if nxt >= len(text):
        return True
    if "\n" in gap:
        return True
    before = _word_before(text, m.start())
    if end.startswith(".") and (before.rstrip(".") in _ABBREVIATIONS or re.fullmatch(r"[a-zà-ỹđ]", before)):
        return False
    if gap:
        return _starts_sentence(text, nxt)
    if end.startswith(".") and before[-1:].isdigit() and text[nxt].isdigit():
        return False  # 1.000, 12.5
    return _glued_start(text, nxt)


def _raw_spans(body: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(body):
        if _is_boundary(body, m):
            spans.append((start, m.start() + len(m.group("end"))))
            start = m.end()
    if start < len(body):
        spans.append((start, len(body)))
    return spans


def _split_paragraph_breaks(body: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A paragraph break always ends a sentence, even without punctuation (headings, lists)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        pos = start
        for m in re.finditer(r"\n+", body[start:end]):
            out.append((pos, start + m.start()))
            pos = start + m.end()
        out.append((pos, end))
    return out


def _trim(body: str, start: int, end: int) -> tuple[int, int]:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def _capped(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span cut into pieces of at most MAX_SENTENCE_CHARS: after the last clause mark (`;`, `,`,
    `:`) of the window, else at its last space, else at the limit. Text without sentence
    punctuation would otherwise be one sentence of megabytes, which pyvi takes minutes and
    gigabytes to segment and nobody can read as a quote."""
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        floor = start + MAX_SENTENCE_CHARS // 2
        cut = max(body.rfind(mark, floor, limit) for mark in ";,:") + 1
        if cut <= 0:
            cut = max(body.rfind(" ", floor, limit), body.rfind("\n", floor, limit))
        if cut <= floor:
            cut = limit
        pieces.append(_trim(body, start, cut))
        start = cut
    pieces.append(_trim(body, start, end))
    return pieces


def _after_credit(body: str, start: int, end: int) -> int | None:
    """Where the story resumes in a span that opens with a photo credit, which crawled text often
    runs into the next sentence (`(Ảnh: Khám Phá) Anthony Trần là …`, `Ảnh: P.B Hoa hậu … có 3
    luật sư`): after a bracketed credit's `)`; at the span's start when a bare credit runs into a
    sentence (where a name such as `Khám Phá Phi Thanh Vân` ends cannot be told, and the quote
    must not lose the sentence's first words); None for a credit alone."""
    if body[start] != "(":
        return start if len(body[start:end].split()) > _CREDIT_WORDS else None
    close = body.find(")", start, end)
    resumed = _trim(body, close + 1, end)[0]
    return resumed if close >= 0 and re.search(r"\w", body[resumed:end]) else None


def split_sentences(article: Article) -> list[Sentence]:
    """Body sentences in reading order; photo captions (and the `Ảnh:` credit) are left out."""
    body = article.body
    spans = [
        piece
        for s, e in _split_paragraph_breaks(body, _raw_spans(body))
        for piece in _capped(body, *_trim(body, s, e))
    ]
    spans = [(s, e) for s, e in spans if re.search(r"\w", body[s:e])]
    keep: list[tuple[int, int]] = []
    for idx, (s, e) in enumerate(spans):
        if _CAPTION.match(body[s:e]):
            resumed = _after_credit(body, s, e)
            if resumed is None:
                continue
            s = resumed
        nxt = spans[idx + 1] if idx + 1 < len(spans) else None
        credit = body[nxt[0] : nxt[1]] if nxt else ""
        if nxt and _CAPTION.match(credit) and not credit.startswith("(") and "\n" not in body[e : nxt[0]]:
            # The caption itself: the sentence a bare `Ảnh: …` credit follows in the same
            # paragraph. A bracketed `(Ảnh: …)` credits a photo inline in running text, after
            # a sentence of the story, which stays.
            continue
        keep.append((s, e))
    return [
        Sentence(article_id=article.id, position=pos, start=s, end=e, text=body[s:e])
        for pos, (s, e) in enumerate(keep)
    ]
