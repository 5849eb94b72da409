"""Hardening: the bot process against a hostile or broken Bot API and hostile users (issue 10)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from fake_bot_api import FakeBotApi

from bot import intake
from bot.library.knowledge import KnowledgeBase
from bot.settings import Settings
from bot.telegram import handlers
from telegram_bot.conftest import TOKEN, BotThread, bot_process, bot_settings

SECRET_KEY = TOKEN.partition(":")[2]


def finish(process: subprocess.Popen[str], timeout: float = 60) -> str:
    output, _ = process.communicate(timeout=timeout)
    return output


def test_a_rejected_token_is_one_masked_line_and_exit_2(api: FakeBotApi, tmp_path: Path) -> None:
    api.revoked = True  # getMe answers 401 Unauthorized
    output = finish(bot_process(api.base_url, tmp_path, LOG_LEVEL="WARNING"))
    assert api.calls_to("getMe")
    lines = output.strip().splitlines()
    assert lines == ["error: TELEGRAM_BOT_TOKEN was rejected by Telegram: Unauthorized; "
                     "copy the current token from @BotFather (/token) into .env"], output
    assert SECRET_KEY not in output


def test_a_rejected_odd_token_never_shows_even_at_debug(api: FakeBotApi, tmp_path: Path) -> None:
    api.revoked = True
    odd = "123456:odd-Key_with-symbols-0123456789"
    process = bot_process(api.base_url, tmp_path, TELEGRAM_BOT_TOKEN=odd, LOG_LEVEL="DEBUG")
    output = finish(process)
    assert process.returncode == 2, output
    assert output.strip().splitlines()[-1].startswith("error: TELEGRAM_BOT_TOKEN was rejected by Telegram")
    assert odd.partition(":")[2] not in output


QUESTION = "Hội đàm cấp cao Việt Nam - Lào diễn ra ở đâu?"
FLOODS = {"questions": 300, "commands": 100, "stickers": 100, "buttons": 200, "refused": 300}


def _flood(api: FakeBotApi, kind: str, chat: int, size: int) -> None:
    if kind == "buttons":
        _, mid = api.message(chat, QUESTION)
        answer = api.wait_for(lambda: api.replies_to(chat, mid))[0]
        data = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        for _ in range(size):
            api.press(chat, answer["message_id"], data)
        return
    for _ in range(size):
        if kind == "stickers":
            api.sticker(chat)
        else:
            api.message(chat, "/help" if kind == "commands" else QUESTION)


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(FLOODS))
def test_a_flood_costs_one_notice_and_never_delays_another_chat(
    kind: str, api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path
) -> None:
    flooder, innocent = 700, 701
    settings = bot_settings(
        api, tmp_path, rate_limit_per_minute=10, telegram_max_messages_per_second=30,
        allowed_chat_ids=(innocent,) if kind == "refused" else (),
    )
    with BotThread(settings, kb, api):
        _, warm = api.message(innocent, QUESTION)  # the answer is then cached, as a flood's would be
        api.wait_for(lambda: api.replies_to(innocent, warm))
        _flood(api, kind, flooder, FLOODS[kind])
        _, mid = api.message(innocent, QUESTION)
        api.wait_for(lambda: api.replies_to(innocent, mid), timeout=10)
        api.wait_for(lambda: api.counts()["pending"] == 0, timeout=20)
    latency = next(s for chat, m, s in api.latency_table() if (chat, m) == (innocent, mid))
    assert latency < 1.0
    sent = api.messages_in(flooder)
    toasts = [c for c in api.calls_to("answerCallbackQuery") if c.get("text")]
    if kind == "refused":
        assert [m["text"] for m in sent] == [handlers.REFUSED]
        return
    notices = [m for m in sent if m["text"] == handlers.SLOW_DOWN] + [t for t in toasts if t["text"] == handlers.SLOW_DOWN]
    assert len(notices) == 1
    if kind == "buttons":  # the question and 9 presses fit the budget of 10; the notice is a toast
        assert (len(sent), len(api.calls_to("answerCallbackQuery"))) == (10, 10)
    else:
        assert len(sent) == 11


def test_a_token_revoked_while_running_stops_the_process_non_zero(api: FakeBotApi, tmp_path: Path) -> None:
    bot = bot_process(api.base_url, tmp_path)
    try:
        _, mid = api.message(710, QUESTION)
        api.wait_for(lambda: api.replies_to(710, mid), timeout=30)
        api.revoked = True  # the next getUpdates answers 401
        output = finish(bot, timeout=20)
    finally:
        bot.kill()
    assert bot.returncode == 2, output
    assert "rejected by Telegram while running" in output
    assert output.strip().splitlines()[-1].startswith("error: TELEGRAM_BOT_TOKEN was rejected by Telegram")
    assert SECRET_KEY not in output and "Traceback" not in output


def _raw_message(update_id: int | None, chat_id: int, message_id: int, text: str) -> dict:
    body = {"message": {"message_id": message_id, "date": int(time.time()), "text": text,
                        "chat": {"id": chat_id, "type": "private", "first_name": "Lan"},
                        "from": {"id": chat_id, "is_bot": False, "first_name": "Lan"}}}
    return body if update_id is None else {"update_id": update_id, **body}


def test_poison_updates_are_logged_and_confirmed_past(
    api: FakeBotApi, bot: BotThread, caplog: pytest.LogCaptureFixture
) -> None:
    api.push_raw(_raw_message(None, 720, 1, QUESTION))  # no update_id
    api.push_raw(_raw_message(api._next_update_id, 721, 2, "Ai \ud800 đã ký?"))  # lone surrogate
    api.push_raw({"update_id": api._next_update_id, "message": {"chat": "not a chat"}})
    asked = [(chat, api.message(chat, QUESTION)[1]) for chat in (722, 723)]
    for chat, mid in asked:
        assert api.replies_to(chat, mid) or api.wait_for(lambda c=chat, m=mid: api.replies_to(c, m), timeout=10)
    polls = len(api.calls_to("getUpdates"))
    time.sleep(1.0)
    assert len(api.calls_to("getUpdates")) - polls <= 3  # long polling again, not a refetch loop
    assert api.wait_for(lambda: api.replies_to(721, 2))[0]["text"] == intake.UNREADABLE
    assert "update without an update_id skipped" in caplog.text
    assert "cannot be processed and is skipped" in caplog.text


LONG_BODY = (
    "Ngày 12/12, tại Hà Nội, Bộ trưởng Nguyễn Văn An đã ký hợp đồng mua bán điện với Lào, "
    + ", ".join(f"điều khoản số {i} quy định giá bán điện cho tỉnh thứ {i}" for i in range(1800)) + "."
)


@pytest.fixture(scope="module")
def long_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("long")
    (folder / "dai.txt").write_text(
        f"Hợp đồng mua bán điện Việt Nam - Lào\n\nThứ Hai, 13/12/2021, 06:38\n\n{LONG_BODY}\n\n"
        "Hai bên cũng thống nhất tăng cường hợp tác năng lượng.\n", encoding="utf-8")
    return KnowledgeBase.build(Settings(_env_file=None, articles_dir=folder, seeds_dir=None, index_cache_dir=folder / "cache"))


@pytest.mark.slow
def test_a_100_kb_sentence_gives_short_replies_and_forged_buttons_are_refused(
    api: FakeBotApi, long_kb: KnowledgeBase, tmp_path: Path
) -> None:
    with BotThread(bot_settings(api, tmp_path), long_kb, api):
        _, mid = api.message(730, "Ai đã ký hợp đồng mua bán điện với Lào?")
        api.wait_for(lambda: api.replies_to(730, mid), timeout=15)
        time.sleep(0.3)
        [answer] = api.replies_to(730, mid)
        assert "Nguyễn Văn An" in answer["text"] and "…</blockquote>" in answer["text"]
        context_data, more_data = (b["callback_data"] for b in answer["reply_markup"]["inline_keyboard"][0])
        api.press(730, answer["message_id"], context_data)
        api.wait_for(lambda: api.replies_to(730, answer["message_id"]))
        fingerprint = context_data.split(":")[1]
        forged = [f"more:{fingerprint}:" + ".".join(["0"] * 2000), f"ctx:{fingerprint}:1", context_data[:-1] + "A",
                  more_data.replace("more:", "ctx:")]
        for data in forged:
            api.press(730, answer["message_id"], data)
        api.wait_for(lambda: len(api.calls_to("answerCallbackQuery")) == 1 + len(forged))
        time.sleep(0.3)
    assert len(api.replies_to(730, answer["message_id"])) == 1  # the genuine "Ngữ cảnh", one message
    assert [c.get("text") for c in api.calls_to("answerCallbackQuery")[1:]] == [handlers.STALE] * len(forged)
