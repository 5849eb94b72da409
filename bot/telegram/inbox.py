"""The durable inbox: every update is on disk before Telegram is told it was received.

python-telegram-bot confirms an update (the next getUpdates offset) as soon as it is queued,
so a crash while answering would lose the question. Here each update fetched by getUpdates
is written to SQLite before the fetch returns, marked done once its reply is sent, and
unfinished ones are replayed at start-up; done update ids are skipped when Telegram or the
replay delivers them again. Guarantee: at-least-once with de-duplication.

A damaged file never stops the bot: it is moved aside (`*.corrupt-<time>`) and a fresh inbox
is used; a row that cannot be read back is marked failed and logged, the others replayed.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from telegram import Update

from bot.errors import ConfigError

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    update_id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    received_at REAL NOT NULL
)
"""
_COLUMNS = ("update_id", "body", "done", "received_at")
PENDING, DONE, FAILED = 0, 1, 2
# Telegram keeps unconfirmed updates for 24 hours; done ids are kept longer to recognise them.
_KEEP_DONE_SECONDS = 2 * 24 * 3600
_PRUNE_EVERY_SECONDS = 3600


class Inbox:
    """One SQLite file; used only from the event-loop thread, so one connection suffices."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        if path.is_dir():
            raise ConfigError(f"setting INBOX_PATH is invalid: {path} is a folder; name a file such as data/inbox.sqlite3")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = _open(path)
        except sqlite3.OperationalError as exc:  # cannot open or locked: moving it would not help
            raise ConfigError(f"setting INBOX_PATH is invalid: cannot use {path} ({exc})") from None
        except OSError as exc:
            raise ConfigError(f"setting INBOX_PATH is invalid: cannot create {path.parent} ({exc.strerror})") from None
        except sqlite3.DatabaseError as exc:  # not a database, malformed, or not our table
            aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
            log.error("inbox %s is unreadable (%s): moved aside to %s; starting a fresh inbox", path, exc, aside)
            for suffix in ("", "-wal", "-shm"):
                part = Path(f"{path}{suffix}")
                if part.exists():
                    part.rename(f"{aside}{suffix}")
            self._db = _open(path)
        self._active: set[int] = set()
        self._pruned = 0.0
        self.prune()

    def add(self, updates: Iterable[dict[str, Any]]) -> None:
        """Store raw updates; ones already stored (pending or done) are left as they are."""
        now = self._clock()
        rows = [(u["update_id"], json.dumps(u), now) for u in updates]
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO inbox (update_id, body, received_at) VALUES (?, ?, ?)", rows
            )

    def pending(self) -> list[tuple[int, dict[str, Any]]]:
        """(update_id, body) of updates received but not answered, oldest first: what a crash left."""
        rows = self._db.execute("SELECT update_id, body FROM inbox WHERE done = 0 ORDER BY update_id").fetchall()
        found = []
        for update_id, body in rows:
            try:
                update = json.loads(body)
            except (TypeError, ValueError) as exc:
                self.fail(update_id, f"stored body is not JSON ({exc})")
                continue
            found.append((update_id, update))
        return found

    def claim(self, update_id: int) -> bool:
        """True for the first delivery of an unanswered update; False for a duplicate."""
        if update_id in self._active:
            return False
        row = self._db.execute("SELECT done FROM inbox WHERE update_id = ?", (update_id,)).fetchone()
        if row is not None and row[0]:
            return False
        self._active.add(update_id)
        return True

    def finish(self, update_id: int) -> None:
        self._db.execute("UPDATE inbox SET done = ? WHERE update_id = ?", (DONE, update_id))
        self._active.discard(update_id)
        if self._clock() - self._pruned >= _PRUNE_EVERY_SECONDS:
            self.prune()

    def fail(self, update_id: int, reason: str) -> None:
        """Give up on an update that cannot be processed: logged, kept (as failed), never replayed."""
        log.error("update %d cannot be processed and is skipped: %s", update_id, reason)
        self._db.execute("UPDATE inbox SET done = ? WHERE update_id = ?", (FAILED, update_id))
        self._active.discard(update_id)

    def release(self, update_id: int) -> None:
        """Give up a claim without answering (shutdown); the update is replayed next start."""
        self._active.discard(update_id)

    def prune(self) -> None:
        """Forget finished updates older than Telegram could ever send again (hourly, as it runs)."""
        self._pruned = now = self._clock()
        self._db.execute("DELETE FROM inbox WHERE done != 0 AND received_at < ?", (now - _KEEP_DONE_SECONDS,))

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM inbox").fetchone()[0])

    def close(self) -> None:
        self._db.close()


def unreadable(body: dict[str, Any]) -> str | None:
    """Why python-telegram-bot cannot turn `body` into an Update, or None if it can."""
    try:
        Update.de_json(body, None)
    except Exception as exc:  # PTB raises any kind of error on a malformed update
        return f"python-telegram-bot cannot read it ({exc!r})"
    return None


def _open(path: Path) -> sqlite3.Connection:
    """Open, check and if needed create the inbox; sqlite3.DatabaseError if the file is damaged."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        # Checked before anything is written, so a damaged file is moved aside as it was found.
        (check,) = db.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise sqlite3.DatabaseError(f"integrity check: {check}")
        columns = tuple(row[1] for row in db.execute("PRAGMA table_info(inbox)"))
        if columns and columns != _COLUMNS:
            raise sqlite3.DatabaseError(f"table inbox has columns {columns}, expected {_COLUMNS}")
        # WAL + NORMAL survives a killed process (the OS has the data); fsync per commit would
        # also survive power loss at several ms per update.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(_SCHEMA)
    except BaseException:
        db.close()
        raise
    return db
