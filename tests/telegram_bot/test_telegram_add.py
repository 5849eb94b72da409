"""`/add URL` in the real bot, against the fake Bot API and the fake news site, both on 127.0.0.1."""

from __future__ import annotations

import html
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_bot_api import FakeBotApi
from news_site import BUS, FESTIVAL, NewsSite

from bot.library.knowledge import KnowledgeBase
from bot.telegram import live
from telegram_bot.conftest import SEEDS, BotThread, bot_settings

ADMIN = 901


@pytest.fixture
def bot(api: FakeBotApi, tmp_path: Path) -> Iterator[BotThread]:
    shutil.copytree(SEEDS, tmp_path / "articles")
    settings = bot_settings(
        api, tmp_path, articles_dir=tmp_path / "articles", admin_chat_ids=(ADMIN,), fetch_allow_private=True,
        fetch_host_delay_seconds=0, articles_refresh_seconds=0,
    )
    with BotThread(settings, KnowledgeBase.build(settings), api) as running:
        yield running


def reply(api: FakeBotApi, chat_id: int, text: str) -> str:
    _, mid = api.message(chat_id, text)
    return api.wait_for(lambda: api.replies_to(chat_id, mid), timeout=20)[0]["text"]


def test_admin_adds_a_link_and_the_bot_answers_from_it_at_once(
    api: FakeBotApi, site: NewsSite, bot: BotThread, caplog: pytest.LogCaptureFixture
) -> None:
    url = site.story_url(BUS)
    caplog.set_level(logging.INFO, logger="bot.library.ingest")
    assert reply(api, ADMIN, f"/add {url} {site.story_url(FESTIVAL)}") == (
        f"Đã thêm: {BUS.title} — 04/11/2024, 5 câu.\nĐã thêm: {FESTIVAL.title} — 11/11/2024, 4 câu."
    )
    files = len(bot.application.bot_data["services"].kb.articles)
    read = [m for m in caplog.messages if m.startswith("reading")]
    assert read == [f"reading 2 of {files} article files (0 MB)"]  # only those, once
    answer = reply(api, 902, "Ai là Chủ tịch UBND thành phố Đà Nẵng?")  # no /reload, no refresh interval
    assert answer.startswith("<b>Ông Lê Trung Chinh</b>")
    assert f'<a href="{url}">{BUS.title} — 04/11/2024</a>' in answer
    assert reply(api, ADMIN, f"/add {url}") == f"Đã có sẵn: {BUS.title} — 04/11/2024, 5 câu."


def test_add_is_for_admins_only(api: FakeBotApi, site: NewsSite, bot: BotThread) -> None:
    assert reply(api, 903, f"/add {site.story_url(BUS)}") == live.ADMINS_ONLY
    assert site.log == []


def test_a_bad_link_gets_one_vietnamese_line_naming_it(api: FakeBotApi, site: NewsSite, bot: BotThread) -> None:
    pdf, missing = site.url("/bao-cao.pdf"), site.url("/khong-co")
    assert reply(api, ADMIN, f"/add {pdf} {missing}") == (
        f"Không thêm được {pdf}: không phải trang web (application/pdf)\n"
        f"Không thêm được {missing}: máy chủ trả lời lỗi 404"
    )
    assert reply(api, ADMIN, "/add") == html.escape(live.USAGE)
    assert reply(api, ADMIN, "/add ftp://x/y") == "Không thêm được ftp://x/y: chỉ nhận liên kết http:// hoặc https://"
