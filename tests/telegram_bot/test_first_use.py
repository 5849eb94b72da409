"""The bot as a new deployment meets it: no article yet, then the first from a feed; examples made
from the articles it holds; a person's chat id."""

from __future__ import annotations

import shutil
import signal
import time
from html import escape
from pathlib import Path

from fake_bot_api import BOT_USER, FakeBotApi
from news_site import BUS, NewsSite

from bot.telegram.handlers import _EXAMPLE_FORMS, NO_ARTICLES, example_titles
from telegram_bot.conftest import SEEDS, BotThread, bot_process, bot_settings
from tests.conftest import ROOT

BUS_QUESTION = "Ai là Chủ tịch UBND thành phố Đà Nẵng?"
ADMIN = 700


def reply(api: FakeBotApi, chat_id: int, text: str, timeout: float = 20) -> str:
    _, mid = api.message(chat_id, text)
    return api.wait_for(lambda: api.replies_to(chat_id, mid), timeout=timeout)[0]["text"]


def test_acceptance_an_empty_deployment_says_so_then_answers_from_its_first_feed_item_without_a_restart(
    api: FakeBotApi, site: NewsSite, tmp_path: Path
) -> None:
    site.feed.clear()  # the newsroom has published nothing yet
    bot = bot_process(
        api.base_url, tmp_path, ARTICLES_DIR=str(tmp_path / "articles"), FEEDS=site.url("/rss"),
        FEEDS_POLL_SECONDS="1", FETCH_ALLOW_PRIVATE="true", FETCH_HOST_DELAY_SECONDS="0",
        FEEDS_STATE_PATH=str(tmp_path / "feeds.sqlite3"),
    )
    try:
        api.wait_for(lambda: api.calls_to("getUpdates") and site.hits("/rss"), timeout=60)
        assert reply(api, 601, BUS_QUESTION) == escape(NO_ARTICLES)
        assert reply(api, 602, "/sources") == escape(NO_ARTICLES)
        start = reply(api, 603, "/start")
        assert escape(NO_ARTICLES) in start and "<code>603</code>" in start and "ADMIN_CHAT_IDS" in start
        site.publish(BUS)
        published, answer, chat = time.monotonic(), "", 610
        while not answer.startswith("<b>Ông Lê Trung Chinh") and time.monotonic() - published < 20:
            chat += 1
            answer = reply(api, chat, BUS_QUESTION)
            time.sleep(0.2)
        assert answer.startswith("<b>Ông Lê Trung Chinh")
        assert BUS.title in reply(api, 650, "/sources")
    finally:
        bot.send_signal(signal.SIGTERM)
        output, _ = bot.communicate(timeout=30)
    assert bot.returncode == 0, output
    assert "Traceback" not in output
    started = f"@{BOT_USER['username']} (id {BOT_USER['id']}) started: no articles yet in {tmp_path / 'articles'}; "
    assert started + f"1 feed(s) every 1 s: {site.url('/rss')}; long polling" in output


def test_start_and_help_examples_are_the_newest_titles_asked_a_way_the_bot_answers(
    api: FakeBotApi, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    shutil.copytree(ROOT / "tests" / "data" / "general" / "articles", folder / "general")
    settings = bot_settings(api, tmp_path, articles_dir=folder, admin_chat_ids=(ADMIN,))
    with BotThread(settings, None, api) as bot:
        start = reply(api, 620, "/start")
        examples = [line[2:] for line in start.splitlines() if line.startswith("• ")]
        helped = reply(api, 621, "/help")
        svc = bot.application.bot_data["services"]
        titles = example_titles(svc.kb)
        assert titles[:3] == ["Bão số 3 gây thiệt hại nặng tại Quảng Ninh",  # 9/2024, 1/2024, 12/2021; then two undated
                              "Đội tuyển Việt Nam thua Nhật Bản ở trận ra quân Asian Cup",
                              "Việt Nam - Lào tăng cường hợp tác về quốc phòng"]
        assert len(examples) == 3 and all(svc.ask(q).found for q in examples)
        used = [next(t for t in titles if q.startswith(t)) for q in examples]
        assert used == sorted(used, key=titles.index)  # newest first
        # A newer title is left out only when the bot answers it in none of the ways it is asked.
        skipped = [t for t in titles[: titles.index(used[-1])] if t not in used]
        assert not any(svc.ask(form.format(t)).found for t in skipped for form in _EXAMPLE_FORMS)
    assert len({q[len(t):] for q, t in zip(examples, used)}) > 1  # not the same question word each time
    assert all(f"• {q}" in helped for q in examples)
    assert "ADMIN_CHAT_IDS" not in start  # a deployment with admins does not tell everyone


def test_id_tells_a_person_their_chat_id(api: FakeBotApi, bot: BotThread) -> None:
    said = reply(api, 630, "/id")
    assert "<code>630</code>" in said and "ADMIN_CHAT_IDS" in said
    _, mid = api.message(-1001, "/id", chat_type="group", user_id=631)
    assert "<code>-1001</code>" in api.wait_for(lambda: api.replies_to(-1001, mid))[0]["text"]
