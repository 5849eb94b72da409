"""The durable inbox: every update is on disk before Telegram is told it was received.

python-telegram-bot confirms an update (the next getUpdates offset) as soon as it is queued,
so a crash while answering would lose the question. Here each update fetched by getUpdates
is written to SQLite before the fetch returns, marked done once its reply is sent, and
unfinished ones are replayed at start-up; done update ids are skipped when Telegram or the
replay delivers them again. Guarantee: at-least-once with de-duplication.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    update_id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    received_at REAL NOT NULL
)
"""
# Telegram keeps unconfirmed updates for 24 hours; done ids are kept longer to recognise them.
_KEEP_DONE_SECONDS = 2 * 24 * 3600


class Inbox:
    """One SQLite file; used only from the event-loop thread, so one connection suffices."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # WAL + NORMAL survives a killed process (the OS has the data); fsync per commit would
        # also survive power loss at several ms per update.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._db.execute(
            "DELETE FROM inbox WHERE done = 1 AND received_at < ?", (time.time() - _KEEP_DONE_SECONDS,)
        )
        self._active: set[int] = set()

    def add(self, updates: Iterable[dict[str, Any]]) -> None:
        """Store raw updates; ones already stored (pending or done) are left as they are."""
        now = time.time()
        rows = [(u["update_id"], json.dumps(u, ensure_ascii=False), now) for u in updates]
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO inbox (update_id, body, received_at) VALUES (?, ?, ?)", rows
            )

    def pending(self) -> list[dict[str, Any]]:
        """Updates received but not answered, oldest first: what a crash left behind."""
        rows = self._db.execute("SELECT body FROM inbox WHERE done = 0 ORDER BY update_id")
        return [json.loads(body) for (body,) in rows]

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
        self._db.execute("UPDATE inbox SET done = 1 WHERE update_id = ?", (update_id,))
        self._active.discard(update_id)

    def release(self, update_id: int) -> None:
        """Give up a claim without answering (shutdown); the update is replayed next start."""
        self._active.discard(update_id)

    def close(self) -> None:
        self._db.close()
