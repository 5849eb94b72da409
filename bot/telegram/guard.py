"""Who may ask, and how often: the allow-list and a per-user sliding-window rate limit."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Collection


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
        self._asked: dict[int, deque[float]] = {}

    def allows_chat(self, chat_id: int) -> bool:
        """An empty allow-list means everyone may use the bot."""
        return not self.allowed or chat_id in self.allowed

    def take(self, user_id: int) -> bool:
        """Count one question for `user_id`; False when they asked too often in the last minute."""
        now = self._clock()
        asked = self._asked.setdefault(user_id, deque())
        while asked and now - asked[0] >= 60:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return False
        asked.append(now)
        return True
