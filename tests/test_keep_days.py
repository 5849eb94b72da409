"""KEEP_DAYS removes old articles from the folder and the index; sources list the newest first."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from fake_bot_api import FakeBotApi
from live_fixtures import fetch_settings, run_bot, site  # noqa: F401 (fixture)
from news_site import NewsSite
from telegram_fixtures import SEEDS, BotThread, api, bot_settings  # noqa: F401 (fixture)

from bot.archive import newest_first, prune, refreshed_within, vietnam_now
from bot.cli import sources_table
from bot.corpus import load_articles
from bot.feeds import FeedPoller, FeedState
from bot.fetch import Fetcher
from bot.knowledge import KnowledgeBase
from bot.settings import Settings
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
    settings = Settings(_env_file=None, articles_dir=tmp_path / "a", index_cache_dir=tmp_path / "index")
    kb = KnowledgeBase.build(settings)
    assert kb.search(["gươm"], 3)
    assert refreshed_within(kb, None) is None  # KEEP_DAYS off: nothing changes
    fresh = refreshed_within(kb, 30)
    assert fresh is not None and sorted(fresh.articles) == ["000_476baa55c1d77fce", "hom-qua"]
    assert fresh.search(["gươm"], 3) == [] and fresh.search(["rồng"], 3)


def test_sources_list_the_newest_first_then_the_undated(tmp_path: Path) -> None:
    archive(tmp_path / "a")
    order = [a.id for a in newest_first(load_articles([tmp_path / "a"]))]
    assert order == ["hom-qua", "thang-truoc", "003_c0e68c6c8b24d8e4", "000_476baa55c1d77fce"]
    settings = Settings(_env_file=None, articles_dir=tmp_path / "a", index_cache_dir=tmp_path / "index")
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
