"""A damaged inbox never keeps the bot from starting (issue 10, item 4)."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import pytest
from fake_bot_api import FakeBotApi

from bot.errors import ConfigError
from bot.library.knowledge import KnowledgeBase
from bot.telegram.inbox import Inbox
from telegram_bot.conftest import BotThread, bot_process, bot_settings

QUESTION = "Ai làm Trưởng đoàn phía Lào?"


def _message_update(update_id: int, chat_id: int, message_id: int, text: str) -> dict:
    chat = {"id": chat_id, "type": "private", "first_name": "Lan"}
    user = {"id": chat_id, "is_bot": False, "first_name": "Lan"}
    message = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": user, "text": text}
    return {"update_id": update_id, "message": message}


def _valid_inbox(path: Path, rows: int = 300) -> None:
    inbox = Inbox(path)
    inbox.add(_message_update(i, 1, i, "x" * 200) for i in range(1, rows + 1))
    inbox.close()


def _garbage(path: Path) -> None:
    path.write_bytes(b"not a database at all \x00\xff" * 200)


def _zeroed(path: Path) -> None:
    path.write_bytes(b"\x00" * 8192)


def _truncated(path: Path) -> None:
    _valid_inbox(path)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)


def _wrong_schema(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE inbox (id INTEGER, payload BLOB)")


@pytest.mark.parametrize("damage", [_garbage, _zeroed, _truncated, _wrong_schema])
def test_an_unreadable_inbox_is_moved_aside_and_a_fresh_one_used(
    damage: object, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "inbox.sqlite3"
    damage(path)  # type: ignore[operator]
    before = path.read_bytes()
    with caplog.at_level(logging.ERROR):
        inbox = Inbox(path)
    [aside] = [p for p in tmp_path.glob("inbox.sqlite3.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert aside.read_bytes() == before
    assert [r.getMessage().count("moved aside") for r in caplog.records] == [1]
    inbox.add([_message_update(5, 1, 5, QUESTION)])
    assert [uid for uid, _ in inbox.pending()] == [5]


def test_inbox_path_that_is_a_folder_is_a_one_line_setting_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^setting INBOX_PATH is invalid: .* is a folder"):
        Inbox(tmp_path)


def test_bad_rows_are_marked_failed_and_the_rest_replayed(api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path) -> None:
    settings = bot_settings(api, tmp_path)
    inbox = Inbox(settings.inbox_path)
    inbox.add([_message_update(7, 801, 71, QUESTION), {"update_id": 8, "message": {"chat": "oops"}}])
    inbox.close()
    with sqlite3.connect(settings.inbox_path) as db:
        db.execute("INSERT INTO inbox VALUES (6, '{not json', 0, ?)", (time.time(),))
    with BotThread(settings, kb, api):
        reply = api.wait_for(lambda: api.replies_to(801, 71), timeout=15)[0]
    assert "Chansamone" in reply["text"]
    with sqlite3.connect(settings.inbox_path) as db:
        states = dict(db.execute("SELECT update_id, done FROM inbox WHERE update_id IN (6, 7, 8)"))
    assert states == {6: 2, 7: 1, 8: 2}


def test_the_bot_process_starts_on_a_garbage_inbox_and_answers(api: FakeBotApi, tmp_path: Path) -> None:
    _garbage(tmp_path / "inbox.sqlite3")
    bot = bot_process(api.base_url, tmp_path)
    try:
        _, mid = api.message(802, QUESTION)
        assert "Chansamone" in api.wait_for(lambda: api.replies_to(802, mid), timeout=30)[0]["text"]
    finally:
        bot.terminate()
        output, _ = bot.communicate(timeout=30)
    assert bot.returncode == 0, output
    assert output.count("moved aside") == 1 and "Traceback" not in output
    assert list(tmp_path.glob("inbox.sqlite3.corrupt-*"))


def test_a_folder_as_inbox_path_stops_the_bot_with_one_line(api: FakeBotApi, tmp_path: Path) -> None:
    (tmp_path / "box").mkdir()
    bot = bot_process(api.base_url, tmp_path, INBOX_PATH=str(tmp_path / "box"), LOG_LEVEL="WARNING")
    output, _ = bot.communicate(timeout=60)
    assert bot.returncode == 2
    assert output.strip().splitlines() == [f"error: setting INBOX_PATH is invalid: {tmp_path / 'box'} is a folder; "
                                           "name a file such as data/inbox.sqlite3"]

