"""Turns a news page's HTML into an article in the project's own file layout.

trafilatura finds the main text (menus, related links, share buttons and comments left out)
and its metadata; htmldate, inside it, finds the publication date in the page's structured
data. When that gives no time of day, the page's visible dateline (`Thứ hai, 4/11/2024,
07:30 (GMT+7)`) does. The text written parses back, through `bot.corpus`, to the same
title, URL, date, byline and body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import lxml.html
import trafilatura
from lxml import etree

from bot.archive import VIETNAM, credible, vietnam_now
from bot.corpus import Article, parse_article, parse_dateline
from bot.fetch import LinkError
from bot.normalize import nfc

_MIN_BODY_CHARS = 200
_SPACES = re.compile(r"\s+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class WebArticle:
    """What a page says, cleaned: one paragraph per line of the body."""

    url: str
    title: str
    published: datetime | None
    author: str | None
    paragraphs: tuple[str, ...]


def extract(html: str, url: str, fallback_date: datetime | None = None) -> WebArticle:
    """The page's article; `fallback_date` (a feed item's) is used when the page shows none.

    Raises LinkError when the page holds no article text.
    """
    html = _XML_DECLARATION.sub("", html, count=1)  # lxml refuses a str that declares an encoding
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, etree.ParserError):
        tree = None
    visible = _clean(tree.text_content()) if tree is not None else ""
    dateline = _visible_dateline(tree) if tree is not None else None
    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False,
        # Precision over recall: a related-article headline left in the body could be quoted as an
        # answer, while a paragraph left out only makes the bot say it does not know.
        include_images=False, favor_precision=True,
        date_extraction_params={"original_date": True, "extensive_search": False,
                                "outputformat": "%Y-%m-%dT%H:%M:%S%z"},
    )
    text = getattr(doc, "text", None) or ""
    title = _clean(getattr(doc, "title", None) or "")
    author = _clean(getattr(doc, "author", None) or "") or None
    paragraphs = [p for p in (_clean(line) for line in text.split("\n")) if p]
    lead = _clean(getattr(doc, "description", None) or "")
    if lead and lead in visible and not any(lead in p for p in paragraphs):
        paragraphs.insert(0, lead)  # the sapo: a news page's summary, often outside the body element
    paragraphs = [p for p in paragraphs if p != title and parse_dateline(p) is None]
    if author and paragraphs and paragraphs[-1].casefold() == author.casefold():
        paragraphs.pop()
    if not title or sum(map(len, paragraphs)) < _MIN_BODY_CHARS:
        raise LinkError(url, "no article text found on the page", "không tìm thấy nội dung bài báo trong trang")
    now = vietnam_now()  # a date past tomorrow is a mistake: the feed's, or none, instead
    published = credible(_published(getattr(doc, "date", None), dateline), now) or credible(fallback_date, now)
    return _settled(WebArticle(url, title, published, author, tuple(paragraphs)))


def article_text(article: WebArticle) -> str:
    """The file: URL line, title, dateline `dd/mm/yyyy, HH:MM`, body paragraphs, byline."""
    lines = [article.url, article.title]
    if article.published:
        lines.append(f"{article.published:%d/%m/%Y, %H:%M}")
    lines.extend(article.paragraphs)
    if article.author:
        lines.append(article.author)
    return "\n\n".join(lines) + "\n"


def parsed(article: WebArticle, path_name: str = "web.txt") -> Article:
    """The article as the corpus will read it back from `article_text`."""
    return parse_article(article_text(article), Path(path_name))


def _settled(article: WebArticle) -> WebArticle:
    """The article as the corpus reads it: a byline it would not recognise is left out, and a
    last line it takes for a byline becomes the author, so the file round-trips exactly."""
    if article.author and parsed(article).byline != article.author:
        article = WebArticle(article.url, article.title, article.published, None, article.paragraphs)
    back = parsed(article)
    if back.byline and not article.author:
        article = WebArticle(article.url, article.title, article.published, back.byline, article.paragraphs[:-1])
    return article


def _published(found: str | None, dateline: datetime | None) -> datetime | None:
    """htmldate's date (in Vietnam time), with the dateline's time when htmldate had only the day."""
    if not found:
        return dateline
    try:
        when = datetime.strptime(found, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            when = datetime.strptime(found[:19], "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            return dateline
    if when.tzinfo is not None:
        return when.astimezone(VIETNAM).replace(tzinfo=None)
    if (when.hour, when.minute) == (0, 0) and dateline and dateline.date() == when.date():
        return dateline
    return when


def _visible_dateline(tree: lxml.html.HtmlElement) -> datetime | None:
    """The first element of the page whose whole text is a dateline."""
    body = tree.find("body")
    for element in (body if body is not None else tree).iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        own = _clean(element.text or "")
        if own and (when := parse_dateline(own)) is not None:
            return when
    return None


def _clean(text: str) -> str:
    return nfc(_SPACES.sub(" ", text).strip())
