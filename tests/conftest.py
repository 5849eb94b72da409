"""Shared fixtures: settings that never read a developer's .env, and knowledge bases on real files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from news_site import NewsSite

from bot.answering.answer import Answerer
from bot.library.knowledge import KnowledgeBase
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_EVAL = ROOT.parent / "shared" / "eval"
TESTS_DATA = ROOT / "tests" / "data"  # the committed question sets and their articles
# The real-news archive of github:magizbox/scraper (vn_news/data), never committed: NEWS_ARCHIVE names
# it (README, Measuring and fitting); benchmarks/bench_archive.py looks in the same places.
ARCHIVE = Path(os.environ.get("NEWS_ARCHIVE", ROOT.parent.parent / "news" / "vn_news" / "data"))


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the settings they set, never a real token or a developer's env."""
    for name in list(os.environ):
        if name.lower() in Settings.model_fields:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def site() -> Iterator[NewsSite]:
    """The fake Vietnamese news site (tests/news_site.py) on 127.0.0.1."""
    server = NewsSite().start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, articles_dir=SEEDS, index_cache_dir=tmp_path / "cache")


def write_article(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def answerer_for(folder: Path, settings: Settings) -> Answerer:
    return Answerer(KnowledgeBase.build(settings, [folder]), settings)


@pytest.fixture(scope="session")
def seeds_answerer(tmp_path_factory: pytest.TempPathFactory) -> Answerer:
    settings = Settings(_env_file=None, articles_dir=SEEDS, index_cache_dir=tmp_path_factory.mktemp("cache"))
    return Answerer(KnowledgeBase.build(settings), settings)
