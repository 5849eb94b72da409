"""Fixtures for the Telegram end-to-end tests: the fake Bot API and the real bot against it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import pytest
from fake_bot_api import FakeBotApi

from bot.library.knowledge import KnowledgeBase
from bot.settings import Settings
from bot.telegram.app import build_application, serve

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
TOKEN = "123456:TEST-token-never-logged"


def bot_settings(api: FakeBotApi, tmp: Path, **overrides: Any) -> Settings:
    """Settings for a bot talking to `api`; no developer .env leaks in."""
    values: dict[str, Any] = {
        "articles_dir": SEEDS,
        "seeds_dir": None,
        "index_cache_dir": tmp / "index",
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": api.base_url,
        "inbox_path": tmp / "inbox.sqlite3",
        "telegram_poll_timeout_seconds": 1,
        "telegram_request_timeout_seconds": 0.5,
        "telegram_max_messages_per_second": 10_000,
        "log_level": "DEBUG",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


class BotThread:
    """The real Application, polling the fake server from its own thread and event loop."""

    def __init__(self, settings: Settings, kb: KnowledgeBase | None, api: FakeBotApi) -> None:
        """`kb` None: the bot opens its folders itself, as `python -m bot run` does."""
        self.application = build_application(settings, kb)
        self.settings = settings
        self.api = api
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            serve(self.application, self.settings, stop_signals=None, close_loop=False)
        finally:
            self._loop.close()

    def __enter__(self) -> Self:
        polls_before = len(self.api.calls_to("getUpdates"))
        self._thread.start()
        self.api.wait_for(lambda: len(self.api.calls_to("getUpdates")) > polls_before, timeout=15)
        return self

    def stop(self) -> None:
        """Graceful stop, as on SIGTERM: answers in flight finish first."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self.application.stop_running)
            self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "bot did not stop"

    def __exit__(self, *exc: object) -> None:
        self.stop()


def bot_process(base_url: str, tmp: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    """`python -m bot run [args]` as its own process, configured only through the environment."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    environ.update(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": base_url,
            "ARTICLES_DIR": str(SEEDS),
            "SEEDS_DIR": "",
            "INDEX_CACHE_DIR": str(tmp / "index"),
            "INBOX_PATH": str(tmp / "inbox.sqlite3"),
            "TELEGRAM_POLL_TIMEOUT_SECONDS": "1",
            "TELEGRAM_REQUEST_TIMEOUT_SECONDS": "0.5",
            "TELEGRAM_MAX_MESSAGES_PER_SECOND": "10000",
            "LOG_LEVEL": "INFO",
            **env,
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run", *args],
        cwd=tmp,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return KnowledgeBase.build(Settings(_env_file=None, articles_dir=SEEDS, seeds_dir=None))


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi(hang_seconds=1.5).start()
    yield server
    server.stop()


@pytest.fixture
def bot(api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path) -> Iterator[BotThread]:
    with BotThread(bot_settings(api, tmp_path), kb, api) as running:
        yield running
