"""KEEP_DAYS removes old articles from the folder and the index (in the same refresh, never the
seeds, and the bot keeps running when none is left); sources list the newest first; a date past
tomorrow counts as none."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from fake_bot_api import FakeBotApi
from live_fixtures import fetch_settings, run_bot
from news_site import BUS, FESTIVAL, VN, NewsSite

from bot.cli import sources_table
from bot.library.archive import newest_first, prune, refreshed_within, vietnam_now
from bot.library.corpus import load_articles
from bot.library.knowledge import KnowledgeBase
from bot.news.feeds import FeedPoller, FeedState
from bot.news.fetch import Fetcher
from bot.news.links import add_link
from bot.settings import Settings
from bot.telegram.handlers import NO_ARTICLES
from telegram_bot.conftest import SEEDS, BotThread, bot_settings
from tests.conftest import write_article

ADMIN = 911


def dated(folder: Path, name: str, when: datetime, title: str, body: str) -> Path:
    return write_article(folder, name, f"{title}\n\n{when:%d/%m/%Y, %H:%M}\n\n{body}\n")


def archive(folder: Path) -> None:
    """The two seeds (2021 and undated), plus an article of yesterday and one of 40 days ago."""
    shutil.copytree(SEEDS, folder)
    now = vietnam_now()
    dated(folder, "hom-qua.txt", now - timedelta(days=1), "Cầu Rồng phun lửa mừng năm mới",
          "Tối qua, cầu Rồng ở Đà Nẵng phun lửa và phun nước phục vụ hàng nghìn du khách.")
    dated(folder, "thang-truoc.txt", now - timedelta(days=40), "Hồ Gươm đón mùa thu",
          "Chính quyền quận Hoàn Kiếm trồng thêm 300 cây hoa sữa quanh hồ Gươm.")


def test_prune_removes_only_articles_older_than_keep_days(tmp_path: Path) -> None:
    archive(tmp_path / "a")
    articles = load_articles([tmp_path / "a"])
    assert prune(articles, None, vietnam_now()) == []
    removed = prune(articles, 30, vietnam_now())
    assert sorted(p.name for p in removed) == ["003_c0e68c6c8b24d8e4.txt", "thang-truoc.txt"]
    left = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert left == ["000_476baa55c1d77fce.txt", "hom-qua.txt"]  # undated: kept, its age unknown


def test_the_next_refresh_drops_them_from_the_index(tmp_path: Path) -> None:
    archive(tmp_path / "a")
    settings = Settings(_env_file=None, articles_dir=tmp_path / "a", seeds_dir=None, index_cache_dir=tmp_path / "index")
    kb = KnowledgeBase.build(settings)
    assert kb.search(["gươm"], 3)
    assert refreshed_within(kb, settings) is None  # KEEP_DAYS off: nothing changes
    fresh = refreshed_within(kb, settings.model_copy(update={"keep_days": 30}))
    assert fresh is not None and sorted(fresh.articles) == ["000_476baa55c1d77fce", "hom-qua"]
    assert fresh.search(["gươm"], 3) == [] and fresh.search(["rồng"], 3)


def test_sources_list_the_newest_first_then_the_undated(tmp_path: Path) -> None:
    archive(tmp_path / "a")
    order = [a.id for a in newest_first(load_articles([tmp_path / "a"]))]
    assert order == ["hom-qua", "thang-truoc", "003_c0e68c6c8b24d8e4", "000_476baa55c1d77fce"]
    settings = Settings(_env_file=None, articles_dir=tmp_path / "a", seeds_dir=None, index_cache_dir=tmp_path / "index")
    rows = sources_table(KnowledgeBase.build(settings)).splitlines()
    assert [row.split("\t")[0] for row in rows] == order
    assert rows[2].split("\t")[1] == "13/12/2021" and rows[3].split("\t")[1] == "—"


def test_the_bot_applies_keep_days_at_reload_and_lists_sources_newest_first(api: FakeBotApi, tmp_path: Path) -> None:
    archive(tmp_path / "a")
    settings = bot_settings(api, tmp_path, articles_dir=tmp_path / "a", admin_chat_ids=(ADMIN,), keep_days=30,
                            articles_refresh_seconds=0)
    with BotThread(settings, KnowledgeBase.build(settings), api):
        _, before = api.message(912, "/sources")
        listed = api.wait_for(lambda: api.replies_to(912, before))[0]["text"]
        titles = ["Cầu Rồng phun lửa", "Hồ Gươm đón mùa thu", "Việt Nam - Lào", "Nâng cao hiệu quả"]
        assert [listed.index(t) for t in titles] == sorted(listed.index(t) for t in titles)
        _, reload = api.message(ADMIN, "/reload")
        assert api.wait_for(lambda: api.replies_to(ADMIN, reload))[0]["text"] == "Đã nạp lại các bài báo."
        _, after = api.message(912, "/sources")
        listed = api.wait_for(lambda: api.replies_to(912, after))[0]["text"]
    assert "Cầu Rồng phun lửa" in listed and "Nâng cao hiệu quả" in listed
    assert "Hồ Gươm" not in listed and "Việt Nam - Lào" not in listed
    assert not (tmp_path / "a" / "thang-truoc.txt").exists()


def test_feed_items_older_than_keep_days_are_not_fetched(site: NewsSite, tmp_path: Path) -> None:
    settings = fetch_settings(tmp_path, feeds=(site.url("/rss"),), feeds_state_path=tmp_path / "s.sqlite3",
                              keep_days=30)  # the feed's only item is of 4/11/2024
    fetcher, state = Fetcher(settings), FeedState(settings.feeds_state_path)
    (report,) = FeedPoller(settings, fetcher, state).poll()
    assert report.added == () and report.problems == ()
    assert [h.path for h in site.log] == ["/robots.txt", "/rss"]
    fetcher.close()
    state.close()


def test_feeds_once_removes_expired_articles(site: NewsSite, tmp_path: Path) -> None:
    archive(tmp_path / "articles")
    done = run_bot(tmp_path, "feeds", "--once", FEEDS=site.url("/rss"), FETCH_ALLOW_PRIVATE="true", KEEP_DAYS="30",
                   FEEDS_STATE_PATH=str(tmp_path / "s.sqlite3"), LOG_LEVEL="ERROR")
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.splitlines()) == sorted(
        f"removed (older than KEEP_DAYS=30): {tmp_path / 'articles' / name}"
        for name in ("003_c0e68c6c8b24d8e4.txt", "thang-truoc.txt")
    )


def test_keep_days_prunes_articles_dir_only_never_the_seeds(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")  # one of them dated 2021
    seeds = {p.name: p.read_bytes() for p in (tmp_path / "seeds").iterdir()}
    dated(tmp_path / "articles", "thang-truoc.txt", vietnam_now() - timedelta(days=40), "Hồ Gươm đón mùa thu",
          "Chính quyền quận Hoàn Kiếm trồng thêm 300 cây hoa sữa quanh hồ Gươm.")
    settings = Settings(_env_file=None, articles_dir=tmp_path / "articles", seeds_dir=tmp_path / "seeds",
                        index_cache_dir=tmp_path / "index", keep_days=30)
    fresh = refreshed_within(KnowledgeBase.build(settings), settings)
    assert fresh is not None and sorted(fresh.articles) == sorted(p.removesuffix(".txt") for p in seeds)
    assert {p.name: p.read_bytes() for p in (tmp_path / "seeds").iterdir()} == seeds
    assert list((tmp_path / "articles").iterdir()) == []


def test_a_date_past_tomorrow_counts_as_none(site: NewsSite, tmp_path: Path) -> None:
    """A 2099 page used to be saved as 2099 and stay first in `sources` for ever."""
    future = replace(BUS, slug="tin-tu-tuong-lai-4809999", published=datetime(2099, 1, 1, 8, 0, tzinfo=VN))
    site.pages[future.slug] = future
    settings = fetch_settings(tmp_path)
    fetcher = Fetcher(settings)
    try:
        added = add_link(site.story_url(future), fetcher, settings.articles_dir)
        from_feed = add_link(site.story_url(future), fetcher, tmp_path / "feed", datetime(2024, 11, 4, 7, 30))
    finally:
        fetcher.close()
    assert added.article.published is None and "2099" not in added.article.path.read_text(encoding="utf-8")
    assert from_feed.article.published == datetime(2024, 11, 4, 7, 30)  # the feed's date instead
    tomorrow = vietnam_now() + timedelta(days=1)
    dated(tmp_path / "a", "ngay-mai.txt", tomorrow, "Tin ngày mai", "Một câu cho tin ngày mai.")
    dated(tmp_path / "a", "nam-2099.txt", datetime(2099, 1, 1), "Tin năm 2099", "Một câu cho tin năm 2099.")
    dated(tmp_path / "a", "hom-qua.txt", vietnam_now() - timedelta(days=1), "Tin hôm qua", "Một câu cho tin hôm qua.")
    write_article(tmp_path / "a", "khong-ngay.txt", "Tin không ngày\n\nMột câu cho tin không ngày.\n")
    order = [a.id for a in newest_first(load_articles([tmp_path / "a"]))]
    assert order == ["ngay-mai", "hom-qua", "khong-ngay", "nam-2099"]  # 2099 among the undated, in folder order


def _reply(api: FakeBotApi, chat_id: int, text: str) -> str:
    _, mid = api.message(chat_id, text)
    return api.wait_for(lambda: api.replies_to(chat_id, mid), timeout=20)[0]["text"]


def test_keep_days_emptying_the_archive_leaves_the_bot_saying_so_and_old_links_are_refused(
    api: FakeBotApi, site: NewsSite, tmp_path: Path
) -> None:
    """The only article expiring used to stay in the index and in /sources (an ERROR every refresh),
    and `/add` of an old page said `Đã thêm`, to delete it at the next refresh."""
    folder = tmp_path / "articles"
    dated(folder, "ho-guom.txt", vietnam_now() - timedelta(days=40), "Hồ Gươm đón mùa thu",
          "Chính quyền quận Hoàn Kiếm trồng thêm 300 cây hoa sữa quanh hồ Gươm.")
    fresh = replace(FESTIVAL, published=datetime.now(VN) - timedelta(hours=2))
    site.pages[fresh.slug] = fresh
    settings = bot_settings(api, tmp_path, articles_dir=folder, admin_chat_ids=(ADMIN,), keep_days=30,
                            articles_refresh_seconds=0, fetch_allow_private=True, fetch_host_delay_seconds=0)
    with BotThread(settings, None, api):
        assert "Hồ Gươm" in _reply(api, 640, "/sources")
        assert _reply(api, ADMIN, "/reload") == "Đã nạp lại các bài báo."
        assert not (folder / "ho-guom.txt").exists()
        assert _reply(api, 641, "/sources") == escape(NO_ARTICLES)  # the index lost it in the same refresh
        assert _reply(api, 642, "Quận Hoàn Kiếm trồng thêm bao nhiêu cây hoa sữa?") == escape(NO_ARTICLES)
        assert _reply(api, ADMIN, f"/add {site.story_url(BUS)}") == (
            f"Không thêm được {site.story_url(BUS)}: bài đăng ngày 04/11/2024, cũ hơn 30 ngày (KEEP_DAYS) nên không thêm"
        )
        assert list(folder.glob("*.txt")) == []
        assert _reply(api, ADMIN, f"/add {site.story_url(fresh)}").startswith(f"Đã thêm: {FESTIVAL.title}")
        assert "500.000" in _reply(api, 643, "Lễ hội đèn lồng Hội An năm nay đón bao nhiêu lượt khách?")
