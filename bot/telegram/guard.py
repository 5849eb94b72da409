"""Who may ask, and how often: the allow-list and a per-sender sliding-window budget.

Every update a sender addresses to the bot (question, command, sticker, button press) spends
the budget, so a flood costs one notice and then nothing; a chat outside the allow-list is
told so at most once an hour. Entries are dropped once their window has passed, so the
tables hold only recent senders however many chats the bot has ever seen.
"""

from __future__ import annotations

import enum
import time
from collections import deque
from collections.abc import Callable, Collection

WINDOW_SECONDS = 60.0
REFUSAL_EVERY_SECONDS = 3600.0


class Verdict(enum.Enum):
    """What to do with one update from a sender."""

    ALLOW = "allow"
    NOTICE = "notice"  # over budget: say so once…
    SILENT = "silent"  # …then ignore until the window passes


class Guard:
    """Per-process protection state; lives in `application.bot_data`, never in a global."""

    def __init__(
        self,
        allowed_chat_ids: Collection[int],
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allowed = frozenset(allowed_chat_ids)
        self.per_minute = per_minute
        self._clock = clock
        self._spent: dict[int, deque[float]] = {}
        self._noticed: dict[int, float] = {}
        self._refused: dict[int, float] = {}
        self._swept = clock()

    def allows_chat(self, chat_id: int) -> bool:
        """An empty allow-list means everyone may use the bot."""
        return not self.allowed or chat_id in self.allowed

    def refusal_due(self, chat_id: int) -> bool:
        """True for the first update of a refused chat in an hour: it gets one refusal line."""
        now = self._sweep()
        last = self._refused.get(chat_id)
        if last is not None and now - last < REFUSAL_EVERY_SECONDS:
            return False
        self._refused[chat_id] = now
        return True

    def take(self, sender_id: int) -> Verdict:
        """Spend one update of `sender_id`'s budget for the last minute."""
        now = self._sweep()
        spent = self._spent.setdefault(sender_id, deque())
        while spent and now - spent[0] >= WINDOW_SECONDS:
            spent.popleft()
        if len(spent) < self.per_minute:
            spent.append(now)
            self._noticed.pop(sender_id, None)
            return Verdict.ALLOW
        if sender_id in self._noticed:
            return Verdict.SILENT
        self._noticed[sender_id] = now
        return Verdict.NOTICE

    def sizes(self) -> tuple[int, int, int]:
        """(senders with a budget, senders told to slow down, refused chats): memory in use."""
        return len(self._spent), len(self._noticed), len(self._refused)

    def _sweep(self) -> float:
        """Drop expired entries, at most once a window, so each update stays O(1) on average."""
        now = self._clock()
        if now - self._swept >= WINDOW_SECONDS:
            self._swept = now
            self._spent = {k: v for k, v in self._spent.items() if v and now - v[-1] < WINDOW_SECONDS}
            self._noticed = {k: t for k, t in self._noticed.items() if k in self._spent}
            self._refused = {k: t for k, t in self._refused.items() if now - t < REFUSAL_EVERY_SECONDS}
        return now
