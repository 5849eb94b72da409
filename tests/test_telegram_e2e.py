"""The real bot (python-telegram-bot Application) against the fake Bot API over 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge import KnowledgeBase
from fake_bot_api import BOT_USER, FakeBotApi
from telegram_fixtures import BotThread, api, bot, bot_settings, kb  # noqa: F401 (fixtures)

QUESTION = "Hội đàm cấp cao Việt Nam - Lào diễn ra ở đâu?"


def one_reply(api: FakeBotApi, chat_id: int, message_id: int) -> dict:
    replies = api.wait_for(lambda: api.replies_to(chat_id, message_id))
    return replies[0]


def test_private_question_gets_bold_answer_quote_and_citation(api: FakeBotApi, bot: BotThread) -> None:
    _, mid = api.message(101, QUESTION)
    reply = one_reply(api, 101, mid)
    assert reply["parse_mode"] == "HTML"
    assert reply["text"].startswith("<b>thị trấn Lao Bảo")
    assert "<blockquote>Ngày 12/12, tại thị trấn Lao Bảo" in reply["text"]
    assert "Việt Nam - Lào tăng cường hợp tác về quốc phòng — 13/12/2021" in reply["text"]
    assert reply["link_preview_options"] == {"is_disabled": True}
    buttons = [b["text"] for b in reply["reply_markup"]["inline_keyboard"][0]]
    assert buttons == ["Ngữ cảnh", "Nguồn khác"]
    assert api.calls_to("sendChatAction")[0]["action"] == "typing"
