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
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import feedparser

from bot.errors import ConfigError
from bot.library.archive import VIETNAM, is_expired, vietnam_now
from bot.news.fetch import Fetcher, LinkError
from bot.news.links import Added, WriteError, add_link
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
            datetime(*stamp[:6]).replace(tzinfo=UTC).astimezone(VIETNAM).replace(tzinfo=None) if stamp else None
        )
        items.append(FeedItem(urljoin(url, link.strip()) if link else None,
                              " ".join(str(entry.get("title", "")).split()), published))
    return items


_TABLES = {
    "feeds": ("url", "etag", "last_modified", "checked_at"),
    "items": ("url", "feed", "first_seen", "attempts", "done", "outcome"),
}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, checked_at REAL);
CREATE TABLE IF NOT EXISTS items (
    url TEXT PRIMARY KEY, feed TEXT, first_seen REAL, attempts INTEGER, done INTEGER, outcome TEXT);
"""


class FeedState:
    """Feed validators and handled item URLs, in SQLite; safe to use from any one thread at a time.

    A damaged file (not a database, truncated, other tables, a folder in its place) is moved
    aside (`*.corrupt-<time>`) with a warning and a fresh state is used, as the inbox does:
    the feeds' items are then fetched once more, and rewrite their files only if they changed.
    """

    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"setting FEEDS_STATE_PATH is invalid: cannot create {path.parent} "
                              f"({exc.strerror or exc})") from None
        self._lock = threading.Lock()
        try:
            self._db = _open_state(path)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and not path.is_dir():
                # Cannot be opened (no permission, locked): moving it aside would not help.
                raise ConfigError(f"setting FEEDS_STATE_PATH is invalid: cannot use {path} ({exc})") from None
            aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
            log.warning("feed state %s is unreadable (%s): moved aside to %s; starting afresh", path, exc, aside)
            try:
                for suffix in ("", "-wal", "-shm"):
                    part = Path(f"{path}{suffix}")
                    if part.exists():
                        part.rename(f"{aside}{suffix}")
            except OSError as move:
                raise ConfigError(f"setting FEEDS_STATE_PATH is invalid: {path} is unreadable ({exc}) and "
                                  f"cannot be moved aside ({move.strerror or move})") from None
            self._db = _open_state(path)

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


def _open_state(path: Path) -> sqlite3.Connection:
    """Open, check and if needed create the state; sqlite3.DatabaseError if the file is damaged."""
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        # Checked before anything is written, so a damaged file is moved aside as it was found.
        (check,) = db.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise sqlite3.DatabaseError(f"integrity check: {check}")
        for table, expected in _TABLES.items():
            columns = tuple(row[1] for row in db.execute(f"PRAGMA table_info({table})"))
            if columns and columns != expected:
                raise sqlite3.DatabaseError(f"table {table} has columns {columns}, expected {expected}")
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_SCHEMA)
    except BaseException:
        db.close()
        raise
    return db


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
        """Every feed once; a feed that fails, whatever the reason, is one error line and does
        not stop the others."""
        reports = []
        for feed in self.feeds:
            if self._stopping.is_set():
                break
            try:
                reports.append(self.poll_feed(feed))
            except Exception as exc:  # a bug on one feed (ours, a library's) must not stop the poll
                line = f"{feed}: unexpected {type(exc).__name__}: {_first_line(exc)}"
                log.error("%s", line, exc_info=True)
                reports.append(FeedReport(feed, (), (line,), failed=True))
        return reports

    def poll_feed(self, feed: str) -> FeedReport:
        """One feed: a conditional GET, then its new items. Each problem is logged once, as it is
        met (the feed's own at ERROR, an item's at WARNING), and listed in the report."""
        etag, last_modified = self.state.validators(feed)
        try:
            fetched = self.fetcher.feed(feed, etag, last_modified)
            if fetched.status == 304:
                return FeedReport(feed, (), (), failed=False, unchanged=True)
            items = parse_feed(fetched.url, fetched.body, fetched.content_type)
        except LinkError as exc:
            log.error("%s", exc)
            return FeedReport(feed, (), (str(exc),), failed=True)
        added, problems, complete = self._take(feed, items)
        # Validators are kept only once every item is handled: a 304 must not hide postponed ones.
        self.state.remember(feed, fetched.etag if complete else None, fetched.last_modified if complete else None)
        return FeedReport(feed, tuple(added), tuple(problems), failed=False)

    def _take(self, feed: str, items: list[FeedItem]) -> tuple[list[Added], list[str], bool]:
        """Fetch the feed's new items (at most FEEDS_MAX_ITEMS_PER_POLL); whether none was left over."""
        problems: list[str] = []
        unique: dict[str, FeedItem] = {}
        duplicates = 0
        for item in items:
            if item.link is None:
                _met(problems, f"{feed}: item “{item.title or '?'}” has no link; skipped")
            elif item.link in unique:
                duplicates += 1
            else:
                unique[item.link] = item
        if duplicates:
            _met(problems, f"{feed}: {duplicates} duplicate item(s) listed twice; each fetched once")
        new = [item for link, item in unique.items() if not self.state.done(link)]
        if self.keep_days:  # an item the next refresh would remove is not worth a download
            now = vietnam_now()
            for item in [i for i in new if is_expired(i.published, self.keep_days, now)]:
                self.state.record(item.link or "", feed, "older than KEEP_DAYS", final=True)
                new.remove(item)
        if len(new) > self.cap:
            _met(problems, f"{feed}: {len(new)} new items; fetching {self.cap} now, the rest at the next polls")
        complete = len(new) <= self.cap
        added: list[Added] = []
        for item in new[: self.cap]:
            if self._stopping.is_set():
                return added, problems, False
            link = item.link or ""
            try:
                result = add_link(link, self.fetcher, self.folder, item.published, keep_days=self.keep_days)
            except WriteError as exc:  # the folder's fault, not the item's: all of it again next poll
                _met(problems, str(exc), logging.ERROR)
                return added, problems, False
            except LinkError as exc:
                _met(problems, str(exc))
                self.state.record(link, feed, str(exc), final=not exc.transient)
                complete = complete and not exc.transient
                continue
            except Exception as exc:  # a bug on one page (the extractor's, ours) must not stop the feed
                _met(problems, f"{link}: unexpected {type(exc).__name__}: {_first_line(exc)}", logging.ERROR,
                                exc_info=True)
                self.state.record(link, feed, repr(exc), final=False)
                complete = False
                continue
            self.state.record(link, feed, "added", final=True)
            added.append(result)
            log.info("feed %s: added %s", feed, result.summary())
        return added, problems, complete


def _met(problems: list[str], line: str, level: int = logging.WARNING, exc_info: bool = False) -> None:
    """A problem line of a feed's poll: listed in its report and logged, once, as it is met."""
    log.log(level, "%s", line, exc_info=exc_info)
    problems.append(line)


def _first_line(exc: BaseException) -> str:
    """An exception's message, short enough for one line."""
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else "no message"
