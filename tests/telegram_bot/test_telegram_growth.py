"""Memory stays bounded however many chats the bot has seen (issue 10, item 12)."""

from __future__ import annotations

import time
from pathlib import Path

from fake_bot_api import FakeBotApi

from bot.library.knowledge import KnowledgeBase
from bot.telegram.context import FollowUps
from bot.telegram.guard import Guard, Verdict
from bot.telegram.inbox import Inbox
from telegram_bot.conftest import BotThread, bot_settings

CHATS = 20_000


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_and_follow_up_tables_drop_20000_chats_once_expired() -> None:
    clock = Clock()
    guard = Guard((), per_minute=2, clock=clock)
    refusing = Guard((1,), per_minute=2, clock=clock)
    followups = FollowUps(ttl=600, clock=clock)
    for chat in range(CHATS):
        for _ in range(3):  # the third is over budget: a notice entry too
            guard.take(chat)
        refusing.refusal_due(chat)
        followups.remember(chat, "Hội đàm cấp cao Việt Nam - Lào diễn ra ở đâu?")
        clock.now += 0.001
    assert guard.sizes() == (CHATS, CHATS, 0) and len(followups) == CHATS
    clock.now += 601
    assert guard.take(CHATS + 1) is Verdict.ALLOW
    followups.remember(CHATS + 1, "Ai ký?")
    assert guard.sizes() == (1, 0, 0) and len(followups) == 1
    assert refusing.refusal_due(CHATS + 1) and refusing.sizes()[2] == CHATS + 1  # refusals last an hour
    clock.now += 3601
    refusing.refusal_due(CHATS + 2)
    assert refusing.sizes()[2] == 1


def test_done_inbox_rows_are_pruned_while_running(tmp_path: Path) -> None:
    clock = Clock()
    inbox = Inbox(tmp_path / "inbox.sqlite3", clock=clock)
    for update_id in range(1, 2001):
        inbox.add([{"update_id": update_id}])
        inbox.claim(update_id)
        inbox.finish(update_id)
    inbox.add([{"update_id": 5000}])  # still pending: never pruned
    assert inbox.count() == 2001
    clock.now += 2 * 24 * 3600 + 3601
    inbox.add([{"update_id": 2001}])
    inbox.claim(2001)
    inbox.finish(2001)  # an hour has passed since the last prune: prune now
    assert inbox.count() == 2
    assert [uid for uid, _ in inbox.pending()] == [5000]


def test_the_running_bot_keeps_no_per_chat_data(api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path) -> None:
    with BotThread(bot_settings(api, tmp_path), kb, api) as bot:
        asked = [(chat, api.message(chat, "Ai làm Trưởng đoàn phía Lào?")[1]) for chat in range(3000, 3200)]
        api.wait_for(lambda: all(api.replies_to(c, m) for c, m in asked), timeout=30)
        time.sleep(0.2)
        application = bot.application
        assert len(application.chat_data) == 0 and len(application.user_data) == 0
