"""HTML views of answers for Telegram: every piece of article and user text is escaped.

Telegram's HTML mode knows only a few tags (no <br>, no <p>) and rejects messages over
4096 characters, so long text is split on sentence boundaries *before* tags are added.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from html import escape

from bot.answer import Answer
from bot.chunking import Sentence
from bot.corpus import Article
from bot.dates import format_day

MESSAGE_LIMIT = 4096
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")

Wrap = Callable[[str], str]


def bold(text: str) -> str:
    return f"<b>{escape(text)}</b>"


def quote(text: str) -> str:
    return f"<blockquote>{escape(text)}</blockquote>"


def plain(text: str) -> str:
    return escape(text)


def link(text: str, url: str | None) -> str:
    return f'<a href="{escape(url, quote=True)}">{escape(text)}</a>' if url else escape(text)


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
    """`title — dd/mm/yyyy`, linked to the article when its URL is known."""
    return link(title + (f" — {format_day(published)}" if published else ""), url)


def answer_messages(answer: Answer) -> list[str]:
    """Bold short answer, the source sentence as a quote, then the citation line."""
    if not answer.found or not answer.citations:
        return pack([(answer.note or "Các bài báo hiện có không nêu câu trả lời cho câu hỏi này.", plain)])
    best = answer.citations[0]
    return pack(
        [
            (answer.answer or "", bold),
            (best.sentence, quote),
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
            (sentence.text, quote),
            (source_html(article.title, article.published_date, article.url), None),
        ]
    return pack(blocks)


def context_messages(sentences: Sequence[Sentence], article: Article) -> list[str]:
    """The quoted sentence with its neighbours, then where they come from."""
    text = " ".join(s.text for s in sentences)
    return pack(
        [
            ("Ngữ cảnh:", bold),
            (text, quote),
            (source_html(article.title, article.published_date, article.url), None),
        ]
    )


def sources_messages(articles: Iterable[Article]) -> list[str]:
    """One line per article: linked title and date."""
    blocks: list[tuple[str, Wrap | None]] = [("Các bài báo tôi dùng để trả lời:", bold)]
    for a in articles:
        when = format_day(a.published_date) if a.published_date else "không ghi ngày"
        blocks.append((f"• {link(a.title, a.url)} — {escape(when)}", None))
    return pack(blocks)
