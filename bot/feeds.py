"""Following RSS/Atom feeds: each poll fetches what is new since the last one.

A small SQLite file (FEEDS_STATE_PATH) keeps each feed's ETag / Last-Modified, sent back as a
conditional GET, and every item URL already handled, so neither a new poll nor a restart
fetches anything twice. feedparser reads the feed (RSS 0.9x–2.0, Atom, RDF, and the broken
ones it can still make sense of); pages are added as `python -m bot add` adds them.
"""

from __future__ import annotations

import io
import logging
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

import feedparser

from bot.archive import VIETNAM, vietnam_now
from bot.fetch import Fetcher, LinkError
from bot.links import Added, add_link
from bot.settings import Settings

log = logging.getLogger(__name__)

# A link that keeps failing for a passing reason (timeout, 5xx) is tried this many polls.
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class FeedItem:
    link: str | None
    title: str
    published: datetime | None  # Vietnam time, naive like the articles' datelines


@dataclass(frozen=True)
class FeedReport:
    """One feed's poll: the articles added and one line per thing that went wrong."""

    feed: str
    added: tuple[Added, ...]
    problems: tuple[str, ...]
    failed: bool  # the feed itself could not be read
    unchanged: bool = False  # 304 Not Modified


def parse_feed(url: str, body: bytes, content_type: str) -> list[FeedItem]:
    """The feed's items in its own order; LinkError for a document that is no feed or lists nothing."""
    # A stream, never a string: feedparser would take a string for a URL or a file name.
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-type": content_type,
                                                                        "content-location": url})
    except (UnicodeError, LookupError):  # feedparser decodes with the codec the feed names (`undefined`)
        raise LinkError(url, "not a valid RSS or Atom feed (unreadable character set)",
                        "không phải nguồn tin RSS/Atom hợp lệ") from None
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            reason = str(parsed.get("bozo_exception", "")).splitlines()[0][:120] if parsed.get("bozo_exception") else ""
            raise LinkError(url, f"not a valid RSS or Atom feed ({reason or 'unreadable'})",
                            "không phải nguồn tin RSS/Atom hợp lệ")
        raise LinkError(url, "the feed lists no items", "nguồn tin không có bài nào")
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or (entry.get("id") if entry.get("guidislink") else None)
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = (
            datetime(*stamp[:6], tzinfo=UTC).astimezone(VIETNAM).replace(tzinfo=None) if stamp else None
        )
        items.append(FeedItem(urljoin(url, link.strip()) if link else None,
                              " ".join(str(entry.get("title", "")).split()), published))
    return items


class FeedState:
    """Feed validators and handled item URLs, in SQLite; safe to use from any one thread at a time."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.executescript(
            """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS feeds (
                url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, checked_at REAL);
            CREATE TABLE IF NOT EXISTS items (
                url TEXT PRIMARY KEY, feed TEXT, first_seen REAL, attempts INTEGER, done INTEGER,
                outcome TEXT);
            """
        )

    def close(self) -> None:
        self._db.close()

    def validators(self, feed: str) -> tuple[str | None, str | None]:
        with self._lock:
            row = self._db.execute("SELECT etag, last_modified FROM feeds WHERE url = ?", (feed,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def remember(self, feed: str, etag: str | None, last_modified: str | None) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO feeds VALUES (?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                "etag = excluded.etag, last_modified = excluded.last_modified, checked_at = excluded.checked_at",
                (feed, etag, last_modified, time.time()),
            )

    def done(self, url: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT done FROM items WHERE url = ?", (url,)).fetchone()
        return bool(row and row[0])

    def record(self, url: str, feed: str, outcome: str, final: bool) -> None:
        """One attempt at an item; `final` (or too many attempts) means it is never fetched again."""
        with self._lock:
            self._db.execute(
                "INSERT INTO items VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                "attempts = attempts + 1, outcome = excluded.outcome, "
                "done = excluded.done OR attempts + 1 >= ?",
                (url, feed, time.time(), int(final), outcome, MAX_ATTEMPTS),
            )


class FeedPoller:
    """Polls FEEDS into the articles folder; one poll at a time (the caller's thread)."""

    def __init__(self, settings: Settings, fetcher: Fetcher, state: FeedState) -> None:
        self.feeds: Sequence[str] = settings.feeds
        self.folder = settings.articles_dir
        self.cap = settings.feeds_max_items_per_poll
        self.keep_days = settings.keep_days
        self.fetcher = fetcher
        self.state = state
        self._stopping = threading.Event()

    def stop(self) -> None:
        """Make a poll under way (in another thread) return after the item it is fetching."""
        self._stopping.set()

    def poll(self) -> list[FeedReport]:
        """Every feed once; a feed that fails does not stop the others."""
        return [self.poll_feed(feed) for feed in self.feeds if not self._stopping.is_set()]

    def poll_feed(self, feed: str) -> FeedReport:
        """One feed: a conditional GET, then its new items."""
        etag, last_modified = self.state.validators(feed)
        try:
            fetched = self.fetcher.feed(feed, etag, last_modified)
            if fetched.status == 304:
                return FeedReport(feed, (), (), failed=False, unchanged=True)
            items = parse_feed(fetched.url, fetched.body, fetched.content_type)
        except LinkError as exc:
            log.warning("feed %s", exc)
            return FeedReport(feed, (), (str(exc),), failed=True)
        added, problems, complete = self._take(feed, items)
        # Validators are kept only once every item is handled: a 304 must not hide postponed ones.
        self.state.remember(feed, fetched.etag if complete else None, fetched.last_modified if complete else None)
        for line in problems:
            log.warning("feed %s", line)
        return FeedReport(feed, tuple(added), tuple(problems), failed=False)

    def _take(self, feed: str, items: list[FeedItem]) -> tuple[list[Added], list[str], bool]:
        """Fetch the feed's new items (at most FEEDS_MAX_ITEMS_PER_POLL); whether none was left over."""
        problems: list[str] = []
        unique: dict[str, FeedItem] = {}
        duplicates = 0
        for item in items:
            if item.link is None:
                problems.append(f"{feed}: item “{item.title or '?'}” has no link; skipped")
            elif item.link in unique:
                duplicates += 1
            else:
                unique[item.link] = item
        if duplicates:
            problems.append(f"{feed}: {duplicates} duplicate item(s) listed twice; each fetched once")
        new = [item for link, item in unique.items() if not self.state.done(link)]
        if self.keep_days:  # an item the next refresh would remove is not worth a download
            cutoff = vietnam_now() - timedelta(days=self.keep_days)
            for item in [i for i in new if i.published and i.published < cutoff]:
                self.state.record(item.link or "", feed, "older than KEEP_DAYS", final=True)
                new.remove(item)
        if len(new) > self.cap:
            problems.append(f"{feed}: {len(new)} new items; fetching {self.cap} now, the rest at the next polls")
        complete = len(new) <= self.cap
        added: list[Added] = []
        for item in new[: self.cap]:
            if self._stopping.is_set():
                return added, problems, False
            link = item.link or ""
            try:
                result = add_link(link, self.fetcher, self.folder, item.published)
            except LinkError as exc:
                problems.append(str(exc))
                self.state.record(link, feed, str(exc), final=not exc.transient)
                complete = complete and not exc.transient
                continue
            except Exception as exc:  # a bug on one page (the extractor's, ours) must not stop the feed
                log.exception("adding %s from feed %s failed", link, feed)
                problems.append(f"{link}: unexpected {type(exc).__name__}; the log has the details")
                self.state.record(link, feed, repr(exc), final=False)
                complete = False
                continue
            self.state.record(link, feed, "added", final=True)
            added.append(result)
            log.info("feed %s: added %s", feed, result.summary())
        return added, problems, complete
