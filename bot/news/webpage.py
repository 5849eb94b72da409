"""Turns a news page's HTML into an article in the project's own file layout.

trafilatura finds the main text (menus, related links, share buttons and comments left out)
and its metadata; htmldate, inside it, finds the publication date in the page's structured
data. When that gives no time of day, the page's visible dateline (`Thứ hai, 4/11/2024,
07:30 (GMT+7)`) does. The text written parses back, through `bot.library.corpus`, to the same
title, URL, date, byline and body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import lxml.html
import trafilatura
from lxml import etree

from bot.errors import ArticleError
from bot.lang.normalize import nfc
from bot.library.archive import VIETNAM, credible, vietnam_now
from bot.library.corpus import Article, parse_article, parse_dateline
from bot.news.fetch import LinkError
from bot.news.urls import canonical

_MIN_BODY_CHARS = 200
# Longest title kept (news titles are under 150 characters); a longer one is cut at a space, with
# ` …`. A title the file would not read back as a title gives way to the text's opening words.
TITLE_CHARS = 200
_OPENING_CHARS = 100
# trafilatura's time grows with the number of elements and, within one element, with the square
# of its children: one paragraph of 20,000 bold words took minutes. A crowded element's formatting
# tags are unwrapped first (their text kept); a page still beyond these bounds is refused.
MAX_ELEMENTS = 10_000
MAX_CHILDREN = 1_000
_FORMATTING = ("b", "strong", "i", "em", "u", "s", "strike", "small", "big", "font", "span", "mark", "sub",
               "sup", "abbr", "cite", "q", "dfn", "code", "tt", "kbd", "samp", "var", "del", "ins", "nobr",
               "wbr", "bdi", "bdo", "time", "data", "label")
# Graphics, not text: the extractor drops them before reading, so they are not counted.
_GRAPHICS = ("svg", "math")
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
    claimed = _canonical_link(tree) if tree is not None else None
    if tree is not None and _within_bounds(tree, url):
        html = lxml.html.tostring(tree, encoding="unicode")
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
    return _settled(WebArticle(canonical(url, claimed), _shortened(title, TITLE_CHARS), published, author,
                               tuple(paragraphs)))


def _within_bounds(tree: lxml.html.HtmlElement, url: str) -> bool:
    """Refuse (LinkError) a page whose extraction would take too long; True when formatting tags
    of a crowded element were unwrapped, so that the changed tree is what gets extracted."""
    etree.strip_elements(tree, *_GRAPHICS, with_tail=False)
    crowded = [element for element in tree.iter(etree.Element) if len(element) > MAX_CHILDREN]
    for element in crowded:
        etree.strip_tags(element, *_FORMATTING)
        parts = sum(1 for child in element if isinstance(child.tag, str))
        if parts > MAX_CHILDREN:
            raise LinkError(url, f"the page is too complex to read (an element with {parts:,} parts; at most "
                            f"{MAX_CHILDREN:,})", "trang quá phức tạp, không đọc được")
    elements = sum(1 for _ in tree.iter(etree.Element))
    if elements > MAX_ELEMENTS:
        raise LinkError(url, f"the page is too complex to read ({elements:,} HTML elements; at most "
                        f"{MAX_ELEMENTS:,})", "trang quá phức tạp, không đọc được")
    return bool(crowded)


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
    """The article as the corpus reads it: a title it would read as something else (a dateline
    such as `13/12/2021`, a separator line of dashes) gives way to the opening words of the text,
    a byline it would not recognise is left out, and a last line it takes for a byline becomes the
    author, so the file round-trips exactly."""
    if _read_back(article).title != article.title:
        article = replace(article, title=_shortened(article.paragraphs[0], _OPENING_CHARS))
    if article.author and _read_back(article).byline != article.author:
        article = replace(article, author=None)
    back = _read_back(article)
    if back.byline and not article.author:
        article = replace(article, author=back.byline, paragraphs=article.paragraphs[:-1])
    return article


def _read_back(article: WebArticle) -> Article:
    """`parsed`, or an article without title or byline when the corpus could not read it at all."""
    try:
        return parsed(article)
    except ArticleError:
        return Article("", "", None, None, None, "", Path("web.txt"))


def _shortened(text: str, limit: int) -> str:
    """`text` cut at a space to at most `limit` characters, with ` …` when it was cut."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 2].rstrip() + " …"


def _canonical_link(tree: lxml.html.HtmlElement) -> str | None:
    """The href of the page's `<link rel="canonical">`, if it has one."""
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            return link.get("href")
    return None


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
