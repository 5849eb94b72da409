"""The real bot (python-telegram-bot Application) against the fake Bot API over 127.0.0.1."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from fake_bot_api import BOT_USER, FakeBotApi

from bot.library.knowledge import KnowledgeBase
from bot.telegram import handlers
from telegram_bot.conftest import SEEDS, BotThread, bot_settings

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


def test_a_fast_answer_is_sent_without_typing(api: FakeBotApi, bot: BotThread) -> None:
    one_reply(api, 107, api.message(107, QUESTION)[1])  # the first run of a question may be slow
    actions_before = len(api.calls_to("sendChatAction"))
    one_reply(api, 108, api.message(108, QUESTION)[1])
    assert len(api.calls_to("sendChatAction")) == actions_before


def test_a_slow_answer_shows_typing_first(api: FakeBotApi, bot: BotThread) -> None:
    services = bot.application.bot_data["services"]
    ask = services.ask

    def slow_ask(question: str):  # type: ignore[no-untyped-def]
        time.sleep(handlers.TYPING_DELAY + 0.35)
        return ask(question)

    services.ask = slow_ask
    _, mid = api.message(109, "Ai đã điện đàm với Bộ trưởng Tea Banh?")
    reply = one_reply(api, 109, mid)
    assert reply["text"].startswith("<b>")
    names = [name for name, params in api.calls if params.get("chat_id") in (109, "109")]
    assert names == ["sendChatAction", "sendMessage"]
    assert api.calls_to("sendChatAction")[0]["action"] == "typing"


def test_group_chatter_is_ignored_but_mentions_replies_and_ask_are_answered(
    api: FakeBotApi, bot: BotThread
) -> None:
    group = -500
    _, chatter = api.message(group, QUESTION, chat_type="group", user_id=7)
    _, other_mention = api.message(group, f"@someone_else {QUESTION}", chat_type="group", user_id=7)
    _, mention = api.message(group, f"@{BOT_USER['username']} {QUESTION}", chat_type="group", user_id=7)
    _, reply = api.message(group, QUESTION, chat_type="group", user_id=8, reply_to_bot=True)
    _, ask = api.message(group, f"/ask@{BOT_USER['username']} {QUESTION}", chat_type="group", user_id=9)
    for mid in (mention, reply, ask):
        assert one_reply(api, group, mid)["text"].startswith("<b>thị trấn Lao Bảo")
    api.message(group, "/help", chat_type="group")  # answered last: everything before is done
    api.wait_for(lambda: len(api.messages_in(group)) == 4)
    assert api.replies_to(group, chatter) == [] and api.replies_to(group, other_mention) == []


def test_sticker_empty_and_overlong_questions_get_polite_lines(api: FakeBotApi, bot: BotThread) -> None:
    _, sticker = api.sticker(102)
    _, empty = api.message(102, "/ask")
    _, long = api.message(102, "Ai " + "rất " * 1000 + "?")  # ~4000 characters
    assert "chỉ đọc được câu hỏi bằng chữ" in one_reply(api, 102, sticker)["text"]
    assert "hãy viết câu hỏi" in one_reply(api, 102, empty)["text"]
    assert "500 ký tự" in one_reply(api, 102, long)["text"]


def test_start_help_sources_and_command_menu(api: FakeBotApi, bot: BotThread) -> None:
    start = one_reply(api, 103, api.message(103, "/start")[1])["text"]
    assert start.startswith("Xin chào") and start.count("• ") == 2  # one per article, the seeds are two
    assert "/ask" in one_reply(api, 103, api.message(103, "/help")[1])["text"]
    sources = one_reply(api, 103, api.message(103, "/sources")[1])["text"]
    assert '<a href="https://zingnews.vn//nang-cao-hieu-qua' in sources
    assert "• Việt Nam - Lào tăng cường hợp tác về quốc phòng — 13/12/2021" in sources  # no URL
    commands = api.calls_to("setMyCommands")[0]["commands"]
    assert [c["command"] for c in commands] == ["start", "help", "sources", "ask", "id"]


def test_buttons_show_context_and_other_sources_and_stale_ones_are_answered(
    api: FakeBotApi, bot: BotThread
) -> None:
    answer = one_reply(api, 104, api.message(104, QUESTION)[1])
    context_data, more_data = (b["callback_data"] for b in answer["reply_markup"]["inline_keyboard"][0])
    assert max(len(d.encode()) for d in (context_data, more_data)) <= 64
    api.press(104, answer["message_id"], context_data)
    context = api.wait_for(lambda: api.replies_to(104, answer["message_id"]))[0]["text"]
    assert context.startswith("<b>Ngữ cảnh:</b>") and "Lao Bảo" in context
    api.press(104, answer["message_id"], more_data)
    more = api.wait_for(lambda: api.replies_to(104, answer["message_id"])[1:])[0]["text"]
    assert more.startswith("<b>Nguồn khác:</b>") and more.count("<blockquote>") >= 1
    api.press(104, answer["message_id"], "ctx:00000000:1")
    stale = api.wait_for(lambda: api.calls_to("answerCallbackQuery")[2:])[0]
    assert stale["text"] == "Nút này đã cũ, bạn hãy hỏi lại nhé."
    assert [c.get("text") for c in api.calls_to("answerCallbackQuery")[:2]] == [None, None]


def test_html_in_the_question_is_escaped_and_accepted(api: FakeBotApi, bot: BotThread) -> None:
    # The fake server refuses HTML Telegram would refuse, so a reply arriving proves it valid.
    _, mid = api.message(105, "<b>Hội đàm</b> cấp cao Việt Nam - Lào diễn ra ở đâu? &")
    assert one_reply(api, 105, mid)["text"].startswith("<b>thị trấn Lao Bảo")
    _, unknown = api.message(105, "<i>Giá vàng</i> & <script>đô la</script> hôm nay ra sao?")
    assert "<script>" not in one_reply(api, 105, unknown)["text"]


def test_follow_up_question_reuses_the_previous_subject(api: FakeBotApi, bot: BotThread) -> None:
    one_reply(api, 106, api.message(106, QUESTION)[1])
    follow = one_reply(api, 106, api.message(106, "Khi nào?")[1])
    assert "12/12/2021" in follow["text"]


def test_allow_list_refuses_other_chats_with_one_line(
    api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path
) -> None:
    with BotThread(bot_settings(api, tmp_path, allowed_chat_ids=(201,)), kb, api):
        _, allowed = api.message(201, QUESTION)
        _, refused = api.message(202, QUESTION)
        assert one_reply(api, 201, allowed)["text"].startswith("<b>")
        assert (
            one_reply(api, 202, refused)["text"] == "Xin lỗi, bot này chỉ phục vụ một số nhóm được cho phép."
        )
        assert len(api.messages_in(202)) == 1


def test_rate_limit_asks_a_fast_user_to_slow_down(api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path) -> None:
    with BotThread(bot_settings(api, tmp_path, rate_limit_per_minute=3), kb, api):
        mids = [api.message(301, QUESTION)[1] for _ in range(4)]
        api.wait_for(lambda: len(api.messages_in(301)) == 4)
    texts = [api.replies_to(301, mid)[0]["text"] for mid in mids]
    assert sum(t.startswith("<b>") for t in texts) == 3
    assert sum(t == "Bạn hỏi hơi nhanh, xin chờ một chút rồi hỏi tiếp nhé." for t in texts) == 1


def test_admin_reload_picks_up_a_new_article(api: FakeBotApi, tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    settings = bot_settings(api, tmp_path, articles_dir=articles, admin_chat_ids=(900,))
    with BotThread(settings, KnowledgeBase.build(settings), api):
        old = one_reply(api, 900, api.message(900, QUESTION)[1])
        (articles / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        api.message(901, "/reload")
        assert "Đã nạp lại" in one_reply(api, 900, api.message(900, "/reload")[1])["text"]
        sources = one_reply(api, 900, api.message(900, "/sources")[1])["text"]
        assert "Hợp tác thể thao Việt Nam - Thái Lan" in sources
        context_data = old["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        api.press(900, old["message_id"], context_data)
        stale = api.wait_for(lambda: api.calls_to("answerCallbackQuery"))[0]
        assert stale["text"] == "Nút này đã cũ, bạn hãy hỏi lại nhé."
    assert api.messages_in(901) == []  # not an admin: /reload is ignored


NEW_ARTICLE = """Hợp tác thể thao Việt Nam - Thái Lan

Thứ Ba, 14/12/2021, 08:00

Ngày 13/12, tại Hà Nội, hai đoàn thể thao Việt Nam và Thái Lan đã ký biên bản hợp tác đào tạo vận động viên trẻ.
"""


def test_admin_reload_says_which_files_it_skipped(api: FakeBotApi, tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    (articles / ".#draft.txt").symlink_to("root@host.1234:1700000000")  # an editor's lock file
    (articles / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    (articles / "notes.md").write_text("ghi chú", encoding="utf-8")
    settings = bot_settings(api, tmp_path, articles_dir=articles, admin_chat_ids=(900,))
    with BotThread(settings, KnowledgeBase.build(settings), api):
        text = one_reply(api, 900, api.message(900, "/reload")[1])["text"]
    assert text.startswith("Không có bài báo nào thay đổi.\nBỏ qua 3 tệp không phải bài báo: ")
    for name in (
        ".#draft.txt: hidden file",
        "gone.txt: No such file or directory",
        "notes.md: not a .txt file",
    ):
        assert name in text
