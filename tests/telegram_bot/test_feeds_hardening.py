"""Following feeds when something is wrong: a damaged state file, a feed whose robots.txt makes
the fetcher raise, an articles folder that cannot be written; and `feeds --once` as cron runs
it (one line per item on stdout, one per problem on stderr, `--quiet`, `--articles`)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from fake_bot_api import FakeBotApi
from live_fixtures import fetch_settings, run_bot
from news_site import BUS, FESTIVAL, NewsSite

from bot.news.feeds import FeedPoller, FeedState
from bot.news.fetch import Fetcher
from telegram_bot.conftest import SEEDS, BotThread, bot_settings


def _truncated(path: Path) -> None:
    state = FeedState(path)
    for i in range(300):
        state.record(f"https://bao.example/tin/{i}-{'x' * 100}.html", "https://bao.example/rss", "added", final=True)
    state.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _other_tables(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE items (id INTEGER, something TEXT)")
    db.commit()
    db.close()


DAMAGE: dict[str, Callable[[Path], object]] = {
    "garbage": lambda p: p.write_bytes(bytes(range(256)) * 8),
    "text": lambda p: p.write_text("feeds I follow:\nhttps://bao.example/rss\n" * 40, encoding="utf-8"),
    "truncated database": _truncated,
    "a folder": lambda p: (p / "inside").mkdir(parents=True),
    "other tables": _other_tables,
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_state_file_is_moved_aside_and_rebuilt(
    site: NewsSite, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "feeds.sqlite3"
    DAMAGE[damage](path)
    settings = fetch_settings(tmp_path, feeds=(site.url("/rss"),), feeds_state_path=path)
    state, fetcher = FeedState(path), Fetcher(settings)
    try:
        (report,) = FeedPoller(settings, fetcher, state).poll()
    finally:
        state.close()
        fetcher.close()
    assert [a.article.title for a in report.added] == [BUS.title]
    (aside,) = tmp_path.glob("feeds.sqlite3.corrupt-*")
    assert aside.is_dir() == (damage == "a folder")
    (warning,) = [r for r in caplog.records if r.name == "bot.news.feeds" and "moved aside" in r.getMessage()]
    assert warning.levelname == "WARNING" and str(aside) in warning.getMessage()


def test_the_bot_starts_and_follows_feeds_over_a_damaged_state_file(
    api: FakeBotApi, site: NewsSite, tmp_path: Path
) -> None:
    """It used to exit 1 at start-up and answer nothing."""
    state = tmp_path / "feeds.sqlite3"
    DAMAGE["garbage"](state)
    shutil.copytree(SEEDS, tmp_path / "articles")
    settings = bot_settings(api, tmp_path, articles_dir=tmp_path / "articles", feeds=(site.url("/rss"),),
                            feeds_state_path=state, fetch_allow_private=True, fetch_host_delay_seconds=0)
    with BotThread(settings, None, api) as bot:
        api.wait_for(lambda: len(bot.application.bot_data["services"].kb.articles) == 3, timeout=20)  # indexed
        _, mid = api.message(660, "Ai là Chủ tịch UBND thành phố Đà Nẵng?")
        assert api.wait_for(lambda: api.replies_to(660, mid), timeout=20)[0]["text"].startswith("<b>Ông Lê Trung Chinh")
    assert list(tmp_path.glob("feeds.sqlite3.corrupt-*"))


def test_a_feed_whose_robots_txt_breaks_the_fetcher_is_one_line_and_the_next_feed_is_polled(
    site: NewsSite, tmp_path: Path
) -> None:
    hostile = NewsSite(robots_type="text/plain; charset=idna").start()  # decoding raises, not LinkError
    try:
        done = run_bot(tmp_path, "feeds", "--once", FEEDS=f"{hostile.url('/rss')},{site.url('/rss')}",
                       FETCH_ALLOW_PRIVATE="true", FETCH_HOST_DELAY_SECONDS="0",
                       FEEDS_STATE_PATH=str(tmp_path / "feeds.sqlite3"))
    finally:
        hostile.stop()
    assert "Traceback" not in done.stderr
    assert done.stdout.count(f"added: {BUS.title}") >= 1  # the healthy feed, after the hostile one
    assert all(hostile.base in line for line in done.stderr.splitlines())
    assert len(done.stderr.splitlines()) <= 1  # one line, or none once the charset is handled


def test_an_item_that_could_not_be_written_is_tried_again_at_the_next_poll(site: NewsSite, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.write_text("a file where the folder should be (a disk that refuses writes does the same)\n")
    settings = fetch_settings(tmp_path, feeds=(site.url("/rss"),), feeds_state_path=tmp_path / "feeds.sqlite3")
    state, fetcher = FeedState(settings.feeds_state_path), Fetcher(settings)
    try:
        (failed,) = FeedPoller(settings, fetcher, state).poll()
        assert failed.added == () and len(failed.problems) == 1
        assert failed.problems[0].startswith(f"{site.story_url(BUS)}: cannot write into {folder}")
        assert not state.done(site.story_url(BUS))
        folder.unlink()  # fixed
        (again,) = FeedPoller(settings, fetcher, state).poll()
    finally:
        state.close()
        fetcher.close()
    assert [a.article.title for a in again.added] == [BUS.title] and again.problems == ()
    assert len(site.hits("/rss", 200)) == 2  # no 304: the feed's validators were not kept


def test_feeds_once_for_cron_one_line_each_nothing_twice_quiet_and_its_own_folder(
    site: NewsSite, tmp_path: Path
) -> None:
    """Default log level (no LOG_LEVEL): INFO and WARNING logs used to repeat every printed line."""
    env = {"FEEDS": f"{site.url('/rss')},{site.url('/rss-rong')}", "FETCH_ALLOW_PRIVATE": "true",
           "FEEDS_STATE_PATH": str(tmp_path / "feeds.sqlite3"), "FETCH_HOST_DELAY_SECONDS": "0"}
    elsewhere = tmp_path / "elsewhere"
    done = run_bot(tmp_path, "feeds", "--once", "--articles", str(elsewhere), **env)
    assert done.returncode == 1
    [added] = done.stdout.splitlines()
    assert added.startswith(f"added: {BUS.title} — 04/11/2024 07:30 — 5 sentences — {elsewhere}")
    assert done.stderr == f"error: {site.url('/rss-rong')}: the feed lists no items\n"
    assert not (tmp_path / "articles").exists()
    site.publish(FESTIVAL)
    quiet = run_bot(tmp_path, "feeds", "--once", "--quiet", "--articles", str(elsewhere), **{**env, "FEEDS": site.url("/rss")})
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    assert len(list(elsewhere.glob("*.txt"))) == 2
