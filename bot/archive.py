"""The articles folder as the live-news features change it: one file per URL, written
atomically, and old articles removed when KEEP_DAYS is set.

A reader (the running bot's refresh) never sees half a file: text goes to a hidden
temporary file in the same folder, is flushed to disk, then renamed over the target.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from bot.corpus import Article, load_articles
from bot.errors import EmptyCorpusError

if TYPE_CHECKING:
    from bot.knowledge import KnowledgeBase

log = logging.getLogger(__name__)

# News sites in Vietnam date their pages in Indochina Time; the datelines written are in it.
VIETNAM = timezone(timedelta(hours=7))
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
_SLUG_MAX = 60


@dataclass(frozen=True)
class Saved:
    """Where an article went and whether the file changed (False: same text already there)."""

    path: Path
    changed: bool


def file_name(url: str) -> str:
    """The one file name of a URL: a readable slug of its path and a digest of the whole URL."""
    canonical = url.split("#", 1)[0]
    digest = hashlib.blake2b(canonical.encode(), digest_size=5).hexdigest()
    last = unquote(urlsplit(canonical).path.rstrip("/").rsplit("/", 1)[-1])
    last = re.sub(r"\.(?:html?|php|aspx?|chn|vn)$", "", last.lower())
    slug = _SLUG_CHARS.sub("-", last).strip("-")[:_SLUG_MAX].strip("-") or "web"
    return f"{slug}-{digest}.txt"


def save(folder: Path, url: str, text: str) -> Saved:
    """Write `text` as the URL's file, atomically; an identical file is left untouched."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(url)
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return Saved(path, changed=False)
    except FileNotFoundError:
        pass
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Saved(path, changed=True)


def expired(articles: Iterable[Article], keep_days: int, now: datetime) -> list[Article]:
    """The articles dated more than `keep_days` before `now` (undated ones are kept)."""
    cutoff = now - timedelta(days=keep_days)
    return [a for a in articles if a.published is not None and a.published < cutoff]


def prune(articles: Iterable[Article], keep_days: int | None, now: datetime) -> list[Path]:
    """Delete the files of expired articles; the next refresh drops them from the index."""
    if keep_days is None:
        return []
    removed = []
    for article in expired(articles, keep_days, now):
        try:
            article.path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("could not remove expired article %s: %s", article.path, exc)
            continue
        removed.append(article.path)
    if removed:
        log.info("removed %d article(s) older than %d days (KEEP_DAYS)", len(removed), keep_days)
    return removed


def vietnam_now() -> datetime:
    """Now on the clock the datelines use (naive, like them)."""
    return datetime.now(VIETNAM).replace(tzinfo=None)


def refreshed_within(kb: KnowledgeBase, keep_days: int | None) -> KnowledgeBase | None:
    """`kb.refreshed()`, after removing the files of articles older than KEEP_DAYS."""
    prune(kb.articles.values(), keep_days, vietnam_now())
    return kb.refreshed()


def prune_folder(folder: Path, keep_days: int, now: datetime) -> list[Path]:
    """`prune` for a folder no knowledge base has loaded (`python -m bot feeds`)."""
    try:
        articles = load_articles([folder])
    except EmptyCorpusError:
        return []
    return prune(articles, keep_days, now)


def newest_first(articles: Iterable[Article]) -> list[Article]:
    """Dated articles from the newest, then the undated ones in their folder order."""
    listed = list(articles)
    dated = sorted((a for a in listed if a.published), key=lambda a: a.published or datetime.min, reverse=True)
    return dated + [a for a in listed if a.published is None]
