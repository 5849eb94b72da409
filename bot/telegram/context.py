"""Per-chat memory for short follow-ups: after an answer, `Khi nào?` asks about the same subject."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from bot.answering.question import analyze
from bot.lang.lists import entries

# analyze() depends on the text alone (word segmentation: ~0.3 ms) and chats repeat questions.
_analyze = lru_cache(maxsize=4096)(analyze)

# Question words (and particles) removed from the previous question, so the follow-up's own word
# decides the type: the same list the search leaves out of a question's terms.
_WH = re.compile(
    "|".join(
        rf"\b{re.escape(w.replace('_', ' '))}\b"
        for w in sorted(entries("question_words"), key=len, reverse=True)
    )
    + r"|\?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Turn:
    subject: str
    at: float


class FollowUps:
    """Remembers each chat's last answered subject for `ttl` seconds, and no longer.

    Expired turns are dropped by a sweep at most once per ttl (at least a minute apart), so
    the table holds only chats active lately however many the bot has ever seen.
    """

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._last: dict[int, _Turn] = {}
        self._swept = clock()

    def remember(self, chat_id: int, question: str) -> None:
        now = self._clock()
        if now - self._swept >= max(self.ttl, 60.0):
            self._swept = now
            self._last = {chat: turn for chat, turn in self._last.items() if now - turn.at <= self.ttl}
        subject = " ".join(_WH.sub(" ", question).split())
        if subject:
            self._last[chat_id] = _Turn(subject, now)

    def __len__(self) -> int:
        return len(self._last)

    def resolve(self, chat_id: int, question: str) -> str:
        """The question to ask: a bare `Ở đâu?` gains the previous subject while it is fresh."""
        turn = self._last.get(chat_id)
        if turn is None or self._clock() - turn.at > self.ttl:
            self._last.pop(chat_id, None)
            return question
        probe = _analyze(question)
        if probe.terms or probe.qtype is None:
            return question
        return f"{turn.subject} {question}"
