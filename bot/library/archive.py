"""The articles folder as the live-news features change it: one file per URL, written
atomically, and old articles removed when KEEP_DAYS is set; and the library before its first
article (`NoArticles`).

A reader (the running bot's refresh) never sees half a file: text goes to a hidden
temporary file in the same folder, is flushed to disk, then renamed over the target.
Only ARTICLES_DIR is ever written or pruned; the bundled seeds (SEEDS_DIR) are only read.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeAlias
from urllib.parse import unquote, urlsplit

from bot.errors import ConfigError, EmptyCorpusError
from bot.library.corpus import Article, article_files, load_articles

if TYPE_CHECKING:
    from bot.library.chunking import Sentence
    from bot.library.knowledge import KnowledgeBase
    from bot.settings import Settings

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


def credible(published: datetime | None, now: datetime) -> datetime | None:
    """A date as the archive uses it: one past tomorrow (a typo, a site's clock) counts as none,
    so it neither stays first in `sources` nor escapes KEEP_DAYS as a date to come."""
    return published if published is not None and published.date() <= (now + timedelta(days=1)).date() else None


def is_expired(published: datetime | None, keep_days: int | None, now: datetime) -> bool:
    """Whether an article of that date is older than KEEP_DAYS (undated ones never are)."""
    return keep_days is not None and published is not None and published < now - timedelta(days=keep_days)


def expired(articles: Iterable[Article], keep_days: int, now: datetime) -> list[Article]:
    """The articles dated more than `keep_days` before `now` (undated ones are kept)."""
    return [a for a in articles if is_expired(a.published, keep_days, now)]


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


def refreshed_within(kb: Library, settings: Settings) -> Library | None:
    """`kb.refreshed()`, after removing the files in ARTICLES_DIR of articles older than KEEP_DAYS
    (the seeds are never touched): the index loses them in the same refresh, and when no article
    is left it is NoArticles, not the old index."""
    if settings.keep_days is not None:
        own = settings.articles_dir.resolve()
        old = expired(kb.articles.values(), settings.keep_days, vietnam_now())
        prune([a for a in old if a.path.resolve().is_relative_to(own)], settings.keep_days, vietnam_now())
    try:
        return kb.refreshed()
    except EmptyCorpusError as exc:
        if isinstance(kb, NoArticles):
            return None
        log.warning("no article left (%s); answering that there are none until one arrives", exc)
        return NoArticles(settings, kb.directories)


def prune_folder(folder: Path, keep_days: int, now: datetime) -> list[Path]:
    """`prune` for a folder no knowledge base has loaded (`python -m bot feeds`)."""
    try:
        articles = load_articles([folder])
    except EmptyCorpusError:
        return []
    return prune(articles, keep_days, now)


def newest_first(articles: Iterable[Article]) -> list[Article]:
    """Dated articles from the newest, then the undated ones (and those dated past tomorrow) in
    their folder order."""
    listed, now = list(articles), vietnam_now()
    dated = [a for a in listed if credible(a.published, now)]
    dated.sort(key=lambda a: a.published or datetime.min, reverse=True)
    return dated + [a for a in listed if not credible(a.published, now)]


class NoArticles:
    """The library before its first article (a deployment before its first feed poll) or after
    KEEP_DAYS removed the last: nothing to answer from or list, and `refreshed` is the knowledge
    base as soon as an article arrives. The bot runs on it and says it has no articles yet."""

    articles: Mapping[str, Article] = MappingProxyType({})
    sentences: Sequence[Sentence] = ()
    fingerprint = "no-articles"

    def __init__(self, settings: Settings, directories: Sequence[Path]) -> None:
        self.settings = settings
        self.directories = tuple(directories)
        self._seen: tuple[tuple[str, int, int], ...] | None = None

    def refreshed(self) -> KnowledgeBase | None:
        """The knowledge base once the folders hold a usable article, else None (a stat per file
        when nothing changed since the last look)."""
        from bot.library.knowledge import KnowledgeBase

        folders = [d for d in self.directories if d.is_dir()]
        seen = tuple((f.path, f.size, f.mtime_ns) for f in article_files(folders, warn=False))
        if not seen or seen == self._seen:
            return None
        self._seen = seen
        return KnowledgeBase.build(self.settings, folders)


Library: TypeAlias = "KnowledgeBase | NoArticles"  # what the bot answers from


def open_library(settings: Settings) -> Library:
    """The bot's knowledge base, or NoArticles when no usable article is there yet. ARTICLES_DIR
    is made first: the bot writes into it (`/add`, feeds)."""
    try:
        settings.articles_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"setting ARTICLES_DIR is invalid: cannot make folder {settings.articles_dir} "
                          f"({exc.strerror or exc})") from None
    from bot.library.knowledge import KnowledgeBase

    folders = settings.answer_folders()
    try:
        return KnowledgeBase.build(settings, folders)
    except EmptyCorpusError as exc:
        log.warning("no articles yet (%s); answering that there are none until one arrives", exc)
        return NoArticles(settings, folders)
