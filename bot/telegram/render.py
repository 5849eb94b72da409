"""HTML views of answers for Telegram: every piece of article and user text is escaped.

Telegram's HTML mode knows only a few tags (no <br>, no <p>) and rejects messages over
4096 characters, so long text is split on sentence boundaries *before* tags are added.
A reply is at most two messages whatever the article holds: a long quote is cut to the
clauses around the answer, with `…` where text was left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from html import escape

from bot.answering.answer import Answer
from bot.lang.dates import format_day
from bot.library.chunking import Sentence
from bot.library.corpus import Article

MESSAGE_LIMIT = 4096
MAX_MESSAGES = 2
# Longest quote shown (characters): the answer's own sentence, or its neighbours for "Ngữ cảnh".
QUOTE_CHARS = 700
CONTEXT_CHARS = 1500
OTHER_CHARS = 400
MAX_SOURCES = 40
TITLE_CHARS = 120
# A longer URL is not linked: a citation must fit in a message whatever the article file says.
URL_CHARS = 1000
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_CLAUSE_END = re.compile(r"(?<=[.!?…;:,])\s+")

Wrap = Callable[[str], str]


def bold(text: str) -> str:
    return f"<b>{escape(text)}</b>"


def quote(text: str) -> str:
    return f"<blockquote>{escape(text)}</blockquote>"


def plain(text: str) -> str:
    return escape(text)


def link(text: str, url: str | None) -> str:
    if not url or len(url) > URL_CHARS:
        return escape(text)
    return f'<a href="{escape(url, quote=True)}">{escape(text)}</a>'


def split_text(text: str, wrap: Wrap, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut plain text into pieces whose wrapped HTML fits `limit`, at sentence ends if possible."""
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text.strip()):
        for part in _hard_cut(sentence, wrap, limit):
            candidate = f"{current} {part}" if current else part
            if current and len(wrap(candidate)) > limit:
                pieces.append(current)
                candidate = part
            current = candidate
    if current:
        pieces.append(current)
    return [wrap(p) for p in pieces]


def _hard_cut(sentence: str, wrap: Wrap, limit: int) -> Iterable[str]:
    """A sentence longer than a whole message is cut at spaces (or anywhere, as a last resort)."""
    while len(wrap(sentence)) > limit:
        size = limit - len(wrap(""))
        while len(wrap(sentence[:size])) > limit:
            size = size * 3 // 4
        cut = sentence.rfind(" ", 0, size)
        cut = cut if cut > size // 2 else size
        yield sentence[:cut].rstrip()
        sentence = sentence[cut:].lstrip()
    if sentence:
        yield sentence


def excerpt(text: str, focus: str | None = None, limit: int = QUOTE_CHARS) -> str:
    """`text` cut to at most `limit` characters around `focus`, at clause boundaries if possible.

    The words kept are the article's own; `…` marks each side where text was left out.
    """
    if len(text) <= limit:
        return text
    at = text.find(focus) if focus else -1
    a, b = (at, at + len(focus)) if focus and at >= 0 else (0, 0)
    b = min(b, a + limit)
    starts = [0] + [m.end() for m in _CLAUSE_END.finditer(text)]
    ends = [m.start() for m in _CLAUSE_END.finditer(text)] + [len(text)]
    start = max((x for x in starts if x <= a), default=0)
    end = min((x for x in ends if x >= b), default=len(text))
    if end - start > limit:  # the answer's own clause is too long: cut at spaces around it
        room = limit - (b - a)
        start = _space_after(text, max(0, a - room // 2))
        end = _space_before(text, min(len(text), start + limit))
    else:  # add whole clauses on either side while they fit, earlier ones first
        grown = True
        while grown:
            grown = False
            before = max((x for x in starts if x < start), default=None)
            if before is not None and end - before <= limit:
                start, grown = before, True
            after = min((x for x in ends if x > end), default=None)
            if after is not None and after - start <= limit:
                end, grown = after, True
    piece = text[start:end].strip()
    if end < len(text):
        piece = piece.rstrip(",;:")
    return ("… " if start > 0 else "") + piece + (" …" if end < len(text) else "")


def _space_after(text: str, index: int) -> int:
    if index == 0:
        return 0
    space = text.find(" ", index)
    return space + 1 if 0 <= space < index + 40 else index


def _space_before(text: str, index: int) -> int:
    if index >= len(text):
        return len(text)
    space = text.rfind(" ", 0, index)
    return space if space > index - 40 else index


def pack(blocks: Sequence[tuple[str, Wrap | None]], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Lay out blocks one per line, starting a new message when one would overflow.

    A block is plain text with the wrapper that escapes and tags it, or ready HTML (wrapper
    None, e.g. a citation line) that is kept whole.
    """
    messages: list[str] = []
    current = ""
    for text, wrap in blocks:
        for html in split_text(text, wrap, limit) if wrap else [text]:
            if current and len(current) + 1 + len(html) > limit:
                messages.append(current)
                current = ""
            current = f"{current}\n{html}" if current else html
    if current:
        messages.append(current)
    return messages


def source_html(title: str, published: date | None, url: str | None) -> str:
    """`title — dd/mm/yyyy`, linked to the article when its URL is known; a long title is cut
    (a citation is kept whole in its message, so it must always fit in one)."""
    return link(excerpt(title, limit=TITLE_CHARS) + (f" — {format_day(published)}" if published else ""), url)


def answer_messages(answer: Answer) -> list[str]:
    """Bold short answer, the source sentence as a quote, then the citation line; when the bot is
    not sure, that said, then each likely sentence as a quote with its citation."""
    if answer.unsure and answer.citations:
        blocks: list[tuple[str, Wrap | None]] = [(answer.note or "", plain)]
        for c in answer.citations:
            blocks += [(excerpt(c.sentence, limit=OTHER_CHARS), quote), (source_html(c.title, c.published, c.url), None)]
        return pack(blocks)
    if not answer.found or not answer.citations:
        return pack([(answer.note or "Các bài báo hiện có không nêu câu trả lời cho câu hỏi này.", plain)])
    best = answer.citations[0]
    return pack(
        [
            (answer.answer or "", bold),
            (excerpt(best.sentence, answer.answer), quote),
            (source_html(best.title, best.published, best.url), None),
        ]
    )


def others_messages(matches: Sequence[tuple[Sentence, Article]]) -> list[str]:
    """The next best matches, each as quote + citation."""
    if not matches:
        return [plain("Không có nguồn nào khác cho câu hỏi này.")]
    blocks: list[tuple[str, Wrap | None]] = [("Nguồn khác:", bold)]
    for sentence, article in matches:
        blocks += [
            (excerpt(sentence.text, limit=OTHER_CHARS), quote),
            (source_html(article.title, article.published_date, article.url), None),
        ]
    return pack(blocks)


def context_messages(sentences: Sequence[Sentence], article: Article, centre: Sentence) -> list[str]:
    """The quoted sentence with its neighbours (cut around it if long), then where they come from."""
    text = " ".join(s.text for s in sentences)
    return pack(
        [
            ("Ngữ cảnh:", bold),
            (excerpt(text, centre.text, CONTEXT_CHARS), quote),
            (source_html(article.title, article.published_date, article.url), None),
        ]
    )


def sources_messages(articles: Iterable[Article]) -> list[str]:
    """One line per article: linked title and date."""
    listed = list(articles)
    blocks: list[tuple[str, Wrap | None]] = [("Các bài báo tôi dùng để trả lời:", bold)]
    for a in listed[:MAX_SOURCES]:
        when = format_day(a.published_date) if a.published_date else "không ghi ngày"
        blocks.append((f"• {link(excerpt(a.title, limit=TITLE_CHARS), a.url)} — {escape(when)}", None))
    if len(listed) > MAX_SOURCES:
        blocks.append((f"… và {len(listed) - MAX_SOURCES} bài khác.", plain))
    return pack(blocks)
