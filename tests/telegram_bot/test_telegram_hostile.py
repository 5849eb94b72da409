"""The running bot against a hostile news site (tests/hostile_site.py) and the fake Bot API, both on
127.0.0.1: every reply under Telegram's limit, every /add link accounted for, dripping links that
neither block a good /add nor a stop."""

from __future__ import annotations

import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_bot_api import MAX_TEXT, FakeBotApi
from hostile_site import HostileSite
from live_fixtures import break_adding
from news_site import BUS, FESTIVAL

from bot.library.knowledge import KnowledgeBase
from bot.telegram import handlers, live
from telegram_bot.conftest import SEEDS, BotThread, bot_process, bot_settings

ADMIN = 901
FESTIVAL_QUESTION = "Lễ hội đèn lồng Hội An năm nay đón bao nhiêu lượt khách?"


@pytest.fixture
def hostile() -> Iterator[HostileSite]:
    server = HostileSite().start()
    yield server
    server.stop()


def running_bot(api: FakeBotApi, tmp_path: Path) -> BotThread:
    settings = bot_settings(
        api, tmp_path, articles_dir=tmp_path / "articles", admin_chat_ids=(ADMIN,), fetch_allow_private=True,
        fetch_host_delay_seconds=0, articles_refresh_seconds=0, fetch_timeout_seconds=2,
    )
    return BotThread(settings, KnowledgeBase.build(settings), api)


def replies(api: FakeBotApi, chat_id: int, text: str, count: int = 1) -> list[str]:
    _, mid = api.message(chat_id, text)
    api.wait_for(lambda: len(api.replies_to(chat_id, mid)) >= count, timeout=30)
    time.sleep(0.3)  # nothing more comes
    return [reply["text"] for reply in api.replies_to(chat_id, mid)]


def test_a_10000_character_title_never_breaks_a_reply(api: FakeBotApi, hostile: HostileSite, tmp_path: Path) -> None:
    """One article file written by hand with a 10,000-character title, one /add of a page with
    such a <title>: the /add reply and an answer citing the article both fit in a message."""
    shutil.copytree(SEEDS, tmp_path / "articles")
    long_title = "Hội An đón nửa triệu khách dịp lễ hội đèn lồng " * 210
    body = "\n\n".join(FESTIVAL.paragraphs)
    (tmp_path / "articles" / "le-hoi.txt").write_text(f"{long_title}\n\n11/11/2024, 06:15\n\n{body}\n", encoding="utf-8")
    hostile.title = "Đà Nẵng khai trương tuyến xe buýt điện " * 260
    with running_bot(api, tmp_path):
        [added] = replies(api, ADMIN, f"/add {hostile.url('/tieu-de')}")
        assert added.startswith("Đã thêm: Đà Nẵng khai trương") and len(added) <= MAX_TEXT
        answer = replies(api, 902, FESTIVAL_QUESTION)
    assert answer[0].startswith("<b>hơn 500.000") and handlers.APOLOGY not in answer
    assert all(len(text) <= MAX_TEXT for text in answer)


def test_add_says_how_many_links_it_ignored_and_one_bad_link_costs_only_itself(
    api: FakeBotApi, hostile: HostileSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(SEEDS, tmp_path / "articles")
    break_adding(monkeypatch, live, FESTIVAL.slug)
    missing = [hostile.url(f"/khong-co-{i}") for i in range(4)]
    links = [hostile.story_url(FESTIVAL), hostile.story_url(BUS), *missing, hostile.url("/thua")]
    with running_bot(api, tmp_path):
        [reply] = replies(api, ADMIN, "/add " + " ".join(links))
    assert reply.splitlines() == [
        live.UNEXPECTED.format(url=links[0]),
        f"Đã thêm: {BUS.title} — 04/11/2024, 5 câu.",
        *(f"Không thêm được {link}: máy chủ trả lời lỗi 404" for link in missing[:3]),
        live.IGNORED.format(count=2, limit=5),
    ]
    assert not hostile.hits(f"/khong-co-{3}") and not hostile.hits("/thua")


def test_acceptance_dripping_links_block_neither_a_good_add_nor_the_stop(
    api: FakeBotApi, hostile: HostileSite, tmp_path: Path
) -> None:
    """Two /add of links whose headers drip a byte at a time take both fetch workers and the host's
    turn; a good /add sent after them is answered within FETCH_TIMEOUT_SECONDS × 3 + 5 s. Then two
    more drips (FETCH_TIMEOUT_SECONDS is 6: they would last 6 s) and SIGTERM: the bot exits within 5 s."""
    shutil.copytree(SEEDS, tmp_path / "articles")
    timeout = 6
    bot = bot_process(
        api.base_url, tmp_path, ARTICLES_DIR=str(tmp_path / "articles"), ADMIN_CHAT_IDS=str(ADMIN),
        FETCH_ALLOW_PRIVATE="true", FETCH_HOST_DELAY_SECONDS="0", FETCH_TIMEOUT_SECONDS=str(timeout),
        ARTICLES_REFRESH_SECONDS="0",
    )
    timed_out: TimeoutError | None = None
    try:
        api.wait_for(lambda: api.calls_to("getUpdates"), timeout=60)
        for n in (1, 2):
            api.message(ADMIN, f"/add {hostile.url(f'/nho-giot?{n}')}")
        # When the drips start is not what is measured (a loaded machine has taken over 10 s once).
        api.wait_for(lambda: hostile.hits("/nho-giot?1"), timeout=30)
        sent = time.monotonic()
        _, good = api.message(ADMIN, f"/add {hostile.story_url(BUS)}")
        [reply] = api.wait_for(lambda: api.replies_to(ADMIN, good), timeout=3 * timeout + 5)
        assert time.monotonic() - sent < 3 * timeout + 5
        assert reply["text"] == f"Đã thêm: {BUS.title} — 04/11/2024, 5 câu."
        for n, host in ((3, "127.0.0.1"), (4, "localhost")):  # two hosts: both downloads under way at once
            api.message(ADMIN, f"/add http://{host}:{hostile.bound_port}/nho-giot?{n}")
        api.wait_for(lambda: hostile.hits("/nho-giot?3") and hostile.hits("/nho-giot?4"), timeout=30)
    except TimeoutError as exc:
        timed_out = exc  # reported with the bot's output, below
    finally:
        bot.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        output, _ = bot.communicate(timeout=60)
    assert timed_out is None, f"{timed_out}\n{output}"
    assert time.monotonic() - stopped < 5, output
    assert bot.returncode == 0, output
    assert "Traceback" not in output
