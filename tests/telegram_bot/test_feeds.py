"""Following feeds against the fake news site on 127.0.0.1: conditional GET, state across
restarts, bad feeds; and the real bot process picking up an item published while it runs."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import FakeBotApi
from live_fixtures import ROOT, bot_environ, break_adding, fetch_settings, run_bot
from news_site import BUS, FESTIVAL, NewsSite

from bot.news import feeds
from bot.news.feeds import FeedPoller, FeedReport, FeedState, parse_feed
from bot.news.fetch import Fetcher, LinkError
from telegram_bot.conftest import SEEDS, bot_process

FESTIVAL_QUESTION = "Lễ hội đèn lồng Hội An năm nay đón bao nhiêu lượt khách?"


def poll(tmp: Path, *feeds: str, **overrides: Any) -> list[FeedReport]:
    """One poll as a fresh process would make it (new fetcher, state reopened from disk)."""
    settings = fetch_settings(tmp, feeds=feeds, feeds_state_path=tmp / "feeds.sqlite3", **overrides)
    fetcher, state = Fetcher(settings), FeedState(settings.feeds_state_path)
    try:
        return FeedPoller(settings, fetcher, state).poll()
    finally:
        state.close()
        fetcher.close()


def page_hits(site: NewsSite) -> list[str]:
    return [h.path for h in site.log if h.path.startswith("/tin/")]


def test_a_poll_adds_the_feeds_articles_and_the_next_sends_a_conditional_get(site: NewsSite, tmp_path: Path) -> None:
    (report,) = poll(tmp_path, site.url("/rss"))
    assert [a.article.title for a in report.added] == [BUS.title] and report.problems == ()
    assert report.added[0].article.url == site.story_url(BUS)
    (again,) = poll(tmp_path, site.url("/rss"))
    assert again.unchanged and again.added == ()
    second = site.hits("/rss")[1]
    assert second.status == 304 and second.headers["If-None-Match"] and second.headers["If-Modified-Since"]
    assert len(site.hits("/rss", 200)) == 1 and page_hits(site) == [f"/tin/{BUS.slug}.html"]


def test_after_a_restart_only_new_items_are_fetched(site: NewsSite, tmp_path: Path) -> None:
    poll(tmp_path, site.url("/rss"))
    site.publish(FESTIVAL)
    (report,) = poll(tmp_path, site.url("/rss"))  # the feed changed: downloaded again, one new item
    assert [a.article.title for a in report.added] == [FESTIVAL.title]
    assert page_hits(site) == [f"/tin/{BUS.slug}.html", f"/tin/{FESTIVAL.slug}.html"]
    assert len(list((tmp_path / "articles").glob("*.txt"))) == 2


def test_the_feed_date_is_used_when_the_page_shows_none(site: NewsSite, tmp_path: Path) -> None:
    site.pages[BUS.slug] = replace(BUS, dated=False)
    (report,) = poll(tmp_path, site.url("/rss"))
    assert report.added[0].article.published == datetime(2024, 11, 4, 7, 30)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/rss-hong", "not a valid RSS or Atom feed ("),
        ("/rss-rong", "the feed lists no items"),
        ("/khong-co", "the server answered 404 Not Found"),
        ("/bao-cao.pdf", "not a feed (application/pdf)"),
    ],
)
def test_a_bad_feed_is_one_line_and_the_other_feeds_still_poll(
    site: NewsSite, tmp_path: Path, path: str, message: str
) -> None:
    bad, good = poll(tmp_path, site.url(path), site.url("/rss"))
    assert bad.failed and bad.added == () and len(bad.problems) == 1
    assert bad.problems[0].startswith(f"{site.url(path)}: {message}")
    assert "\n" not in bad.problems[0]
    assert not good.failed and [a.article.title for a in good.added] == [BUS.title]


def test_items_without_link_and_duplicates_are_reported_and_skipped(site: NewsSite, tmp_path: Path) -> None:
    (report,) = poll(tmp_path, site.url("/rss-thieu-link"))
    feed = site.url("/rss-thieu-link")
    assert report.problems == (
        f"{feed}: item “Tin không có đường dẫn” has no link; skipped",
        f"{feed}: 1 duplicate item(s) listed twice; each fetched once",
    )
    assert sorted(a.article.title for a in report.added) == sorted([BUS.title, FESTIVAL.title])
    assert page_hits(site).count(f"/tin/{BUS.slug}.html") == 1


def test_a_feed_of_thousands_is_taken_a_capped_number_per_poll(site: NewsSite, tmp_path: Path) -> None:
    feed = site.url("/rss-lon")
    (first,) = poll(tmp_path, feed, feeds_max_items_per_poll=3, fetch_max_bytes=1_000_000)
    assert first.problems[0] == f"{feed}: 5000 new items; fetching 3 now, the rest at the next polls"
    assert page_hits(site) == ["/tin/so-0.html", "/tin/so-1.html", "/tin/so-2.html"]
    assert first.problems[1:] == tuple(f"{site.url(p)}: the server answered 404 Not Found" for p in page_hits(site))
    (second,) = poll(tmp_path, feed, feeds_max_items_per_poll=3, fetch_max_bytes=1_000_000)  # not a 304: items are left over
    assert second.problems[0].startswith(f"{feed}: 4997 new items")
    assert page_hits(site)[3:] == ["/tin/so-3.html", "/tin/so-4.html", "/tin/so-5.html"]


def test_a_passing_failure_is_retried_at_the_next_poll(site: NewsSite, tmp_path: Path) -> None:
    site.slow_seconds = 1.0
    site.pages[BUS.slug] = BUS
    link = site.url("/cham")
    body = f'<rss version="2.0"><channel><title>t</title><item><title>Chậm</title><link>{link}</link></item>'
    items = parse_feed(site.url("/x"), (body + "</channel></rss>").encode(), "application/rss+xml")
    assert [i.link for i in items] == [link]
    settings = fetch_settings(tmp_path, fetch_timeout_seconds=0.3, feeds_state_path=tmp_path / "s.sqlite3")
    state = FeedState(settings.feeds_state_path)
    fetcher = Fetcher(settings)
    poller = FeedPoller(settings, fetcher, state)
    for _ in range(2):
        added, problems, complete = poller._take(site.url("/x"), items)
        assert added == [] and not complete and problems == [f"{link}: no answer within 0.3 s"]
    assert not state.done(link)
    poller._take(site.url("/x"), items)
    assert state.done(link)  # given up after MAX_ATTEMPTS
    assert poller._take(site.url("/x"), items) == ([], [], True)
    state.close()
    fetcher.close()


def test_parse_feed_reads_atom_and_resolves_relative_links() -> None:
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        '<entry><title>Bài một</title><link href="/tin/mot.html"/><updated>2024-11-04T00:30:00Z</updated></entry>'
        "</feed>"
    )
    (item,) = parse_feed("https://bao.example/rss", atom.encode(), "application/atom+xml")
    assert item.link == "https://bao.example/tin/mot.html" and item.title == "Bài một"
    assert item.published is not None and (item.published.hour, item.published.minute) == (7, 30)
    with pytest.raises(LinkError, match="lists no items"):
        parse_feed("https://bao.example/rss", b'<rss version="2.0"><channel></channel></rss>', "text/xml")


def test_feeds_once_prints_what_it_added_for_cron(site: NewsSite, tmp_path: Path) -> None:
    env = {"FEEDS": f"{site.url('/rss')},{site.url('/rss-rong')}", "FETCH_ALLOW_PRIVATE": "true",
           "FEEDS_STATE_PATH": str(tmp_path / "feeds.sqlite3"), "FETCH_HOST_DELAY_SECONDS": "0",
           "LOG_LEVEL": "ERROR"}
    done = run_bot(tmp_path, "feeds", "--once", **env)
    assert done.returncode == 1  # one feed could not be read
    assert done.stdout.startswith(f"added: {BUS.title} — 04/11/2024 07:30 — 5 sentences — ")
    assert done.stderr == f"error: {site.url('/rss-rong')}: the feed lists no items\n"
    again = run_bot(tmp_path, "feeds", "--once", **{**env, "FEEDS": site.url("/rss")})
    assert (again.returncode, again.stdout) == (0, f"unchanged: {site.url('/rss')}\n")
    missing = run_bot(tmp_path, "feeds", "--once")
    assert missing.returncode == 2 and missing.stderr.startswith("error: FEEDS is empty")


def test_feeds_without_once_polls_every_interval_until_interrupted(site: NewsSite, tmp_path: Path) -> None:
    env = bot_environ(tmp_path, FEEDS=site.url("/rss"), FEEDS_POLL_SECONDS="0.3", FETCH_ALLOW_PRIVATE="true",
                      FEEDS_STATE_PATH=str(tmp_path / "feeds.sqlite3"), LOG_LEVEL="ERROR")
    # Ctrl-C as a terminal delivers it, even when this test runs in the background of a shell
    # without job control (CI started with `&`): there SIGINT is ignored, and children inherit that.
    process = subprocess.Popen([sys.executable, "-m", "bot", "feeds"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 30
        while len(site.hits("/rss")) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    lines = out.splitlines()
    assert lines[0].startswith(f"added: {BUS.title}") and lines[1] == f"unchanged: {site.url('/rss')}"


def test_acceptance_the_running_bot_answers_about_an_item_published_after_it_started(
    api: FakeBotApi, site: NewsSite, tmp_path: Path
) -> None:
    shutil.copytree(SEEDS, tmp_path / "articles")
    interval = 3.0
    bot = bot_process(
        api.base_url, tmp_path,
        ARTICLES_DIR=str(tmp_path / "articles"), FEEDS=site.url("/rss"), FEEDS_POLL_SECONDS=str(interval),
        FETCH_ALLOW_PRIVATE="true", FETCH_HOST_DELAY_SECONDS="0", FEEDS_STATE_PATH=str(tmp_path / "feeds.sqlite3"),
        RATE_LIMIT_PER_MINUTE="2",
    )
    try:
        api.wait_for(lambda: api.calls_to("getUpdates") and site.hits("/rss"), timeout=60)
        _, before = api.message(801, FESTIVAL_QUESTION)
        assert "500.000" not in api.wait_for(lambda: api.replies_to(801, before), timeout=30)[0]["text"]
        api.message(802, "Hội đàm cấp cao Việt Nam - Lào diễn ra ở đâu?")  # a user near the limit
        api.message(802, "Ai đã điện đàm với Bộ trưởng Tea Banh?")
        api.wait_for(lambda: len(api.messages_in(802)) == 2, timeout=30)
        site.publish(FESTIVAL)
        published = time.monotonic()
        reply, chat = "", 850
        while not reply.startswith("<b>hơn 500.000") and time.monotonic() - published < interval + 10:
            chat += 1  # a new reader each time, so no rate limit interferes
            _, mid = api.message(chat, FESTIVAL_QUESTION)
            reply = api.wait_for(lambda: api.replies_to(chat, mid), timeout=30)[0]["text"]  # noqa: B023
            time.sleep(0.2)
        assert time.monotonic() - published < interval + 5  # within one poll interval (and indexing)
        assert reply.startswith("<b>hơn 500.000 lượt")
        quoted = reply.split("<blockquote>")[1].split("</blockquote>")[0]
        assert quoted in (FESTIVAL.lead, FESTIVAL.paragraphs[0])  # either sentence that gives the number
        assert f'<a href="{site.story_url(FESTIVAL)}">{FESTIVAL.title} — 11/11/2024</a>' in reply
        _, third = api.message(802, "Khi nào?")  # the rate limit still counts this user's two questions
        assert "hỏi hơi nhanh" in api.wait_for(lambda: api.replies_to(802, third), timeout=30)[0]["text"]
    finally:
        bot.send_signal(signal.SIGTERM)
        output, _ = bot.communicate(timeout=30)
    assert bot.returncode == 0, output
    assert "Traceback" not in output


def test_an_unexpected_error_on_one_item_does_not_stop_the_feed(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: adding the first item raises as a bug would; the second is still added."""
    site.publish(FESTIVAL)
    real = feeds.add_link
    break_adding(monkeypatch, feeds, FESTIVAL.slug)
    (report,) = poll(tmp_path, site.url("/rss"))
    assert report.problems == (f"{site.story_url(FESTIVAL)}: unexpected RuntimeError: extractor bug",)
    assert [a.article.title for a in report.added] == [BUS.title]
    monkeypatch.setattr(feeds, "add_link", real)
    (again,) = poll(tmp_path, site.url("/rss"))  # not given up: retried at the next poll
    assert [a.article.title for a in again.added] == [FESTIVAL.title]


def test_stop_ends_a_poll_under_way_after_its_current_download(site: NewsSite, tmp_path: Path) -> None:
    settings = fetch_settings(tmp_path, feeds=(site.url("/rss-lon"),), feeds_state_path=tmp_path / "s.sqlite3",
                              fetch_max_bytes=1_000_000, fetch_host_delay_seconds=0.2)
    fetcher, state = Fetcher(settings), FeedState(settings.feeds_state_path)
    poller = FeedPoller(settings, fetcher, state)
    polling = threading.Thread(target=poller.poll)
    polling.start()
    deadline = time.monotonic() + 10
    while not page_hits(site) and time.monotonic() < deadline:
        time.sleep(0.01)
    poller.stop()
    polling.join(timeout=5)
    assert not polling.is_alive() and 1 <= len(page_hits(site)) <= 2  # not the 50 the cap allows
    fetcher.close()
    state.close()
