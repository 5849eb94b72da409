"""Helpers for the live-news tests: fetch settings, the CLI as a process (the fake news site is
the `site` fixture of tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.news.fetch import Fetcher, Resolver, system_resolver
from bot.news.links import Added, add_link
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def fetch_settings(tmp: Path, **overrides: Any) -> Settings:
    """Settings reaching the site on 127.0.0.1 quickly; no developer .env read."""
    values: dict[str, Any] = {
        "articles_dir": tmp / "articles",
        "seeds_dir": None,
        "index_cache_dir": tmp / "index",
        "fetch_allow_private": True,
        "fetch_host_delay_seconds": 0,
        "fetch_timeout_seconds": 1.0,
        "fetch_max_bytes": 100_000,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def run_bot(tmp: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` as its own process, configured only by `env` and the folders in `tmp`."""
    return subprocess.run([sys.executable, "-m", "bot", *args], check=False, cwd=ROOT, env=bot_environ(tmp, **env),
                          capture_output=True, text=True, timeout=120)


def bot_environ(tmp: Path, **env: str) -> dict[str, str]:
    """This process's environment without any bot setting, then the folders in `tmp` and `env`."""
    environ = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    environ.update({"ARTICLES_DIR": str(tmp / "articles"), "SEEDS_DIR": "", "INDEX_CACHE_DIR": str(tmp / "index"),
                    **env})
    return environ


def add(url: str, tmp: Path, resolver: Resolver = system_resolver, **overrides: Any) -> Added:
    """`add_link` of one URL into `tmp/articles` with `fetch_settings`, the fetcher closed after."""
    settings = fetch_settings(tmp, **overrides)
    fetcher = Fetcher(settings, resolver)
    try:
        return add_link(url, fetcher, settings.articles_dir)
    finally:
        fetcher.close()


def break_adding(monkeypatch: pytest.MonkeyPatch, module: Any, slug: str) -> None:
    """Fault injection: `module.add_link` raises as a bug would for links holding `slug`."""
    real = module.add_link

    def broken(link: str, *args: Any, **kwargs: Any) -> Any:
        if slug in link:
            raise RuntimeError("extractor bug")
        return real(link, *args, **kwargs)

    monkeypatch.setattr(module, "add_link", broken)
