"""Wiring: the Application, its requests (durable inbox, retries), handlers, and how it runs."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import redact
from bot.errors import ConfigError
from bot.library.archive import Library, open_library
from bot.settings import Settings
from bot.telegram import handlers, live
from bot.telegram.inbox import Inbox, unreadable
from bot.telegram.webhook import ALLOWED_UPDATES, serve_webhook, webhook_config

log = logging.getLogger(__name__)

COMMANDS = (
    ("start", "Giới thiệu và câu hỏi mẫu"),
    ("help", "Cách hỏi"),
    ("sources", "Các bài báo được dùng"),
    ("ask", "Đặt câu hỏi: /ask <câu hỏi>"),
    ("id", "Mã chat của bạn"),
)
# Start-up retries of getMe/deleteWebhook/setWebhook on a flaky network (-1: until it works).
_BOOTSTRAP_RETRIES = -1
_FIRST_BACKOFF = 0.25
_MAX_BACKOFF = 5.0
# httpcore scans every pooled connection on each request: a small pool is much faster than
# one connection per concurrent update, and requests simply queue for a free connection
# (benchmarks/bench_bot.py burst: 8 → ~340 answers/s, 16 → ~315, 4 → ~335).
_POOL_SIZE = 8


class BotRequest(HTTPXRequest):
    """HTTPXRequest that persists fetched updates (inbox) or retries sends (retries).

    Persisting inside getUpdates' response, before it returns, means an update is on disk
    before the next poll's offset confirms it to Telegram. Sends are retried with backoff on
    network errors and timeouts, which python-telegram-bot does not do; BadRequest is a
    NetworkError subclass but permanent, so it is never retried. RetryAfter is left to the
    AIORateLimiter, which waits the time Telegram asks for.
    """

    def __init__(self, *, inbox: Inbox | None = None, retries: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._inbox = inbox
        self._retries = retries
        # Called when Telegram refuses the token while the bot runs (revoked): PTB would stop
        # polling and leave the process idle forever, so Restart=on-failure would never fire.
        self.on_token_rejected: Callable[[], None] | None = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """Telegram's JSON object; anything else (a proxy's HTML, a cut body) is a NetworkError.

        PTB raises a plain TelegramError there, which is not retried: a 200 with a broken body
        then cost the user their answer. As a NetworkError it is retried like a 5xx.
        """
        try:
            data = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            raise NetworkError(f"Bot API response is not JSON: {payload[:60]!r}") from None
        if not isinstance(data, dict):
            raise NetworkError(f"Bot API response is not a JSON object: {payload[:60]!r}")
        return data

    async def _post_once(self, url: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().post(url, *args, **kwargs)
        except KeyError:  # a 2xx whose JSON has no "result" (e.g. ok: false): as a 5xx
            raise NetworkError("Bot API answered 200 without a result") from None

    async def post(self, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override, misc]
        attempt = 0
        while True:
            try:
                result = await self._post_once(url, *args, **kwargs)
                break
            except BadRequest:
                raise
            except InvalidToken:
                if self.on_token_rejected is not None:
                    self.on_token_rejected()
                raise
            except NetworkError as exc:
                if attempt >= self._retries:
                    raise
                delay = min(_FIRST_BACKOFF * 2**attempt, _MAX_BACKOFF)
                log.warning(
                    "%s failed (%s); retry %d in %.2f s", url.rsplit("/", 1)[-1], exc, attempt + 1, delay
                )
                attempt += 1
                await asyncio.sleep(delay)
        if self._inbox is not None and url.endswith("/getUpdates") and result:
            result = _admit(self._inbox, result)
        return result


def _admit(inbox: Inbox, batch: list[Any]) -> list[dict[str, Any]]:
    """Store the batch; an update that cannot be answered is logged and confirmed past.

    One such update used to fail the whole getUpdates, so the same batch was fetched again
    and again and every later user waited forever. An update without an update_id is dropped;
    one python-telegram-bot cannot read is stored as failed and handed on as a bare
    `{"update_id": …}`, which no handler answers but which moves the offset past it.
    """
    kept: list[dict[str, Any]] = []
    for raw in batch:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        if not isinstance(update_id, int):
            log.error("update without an update_id skipped: %.300r", raw)
            continue
        if (problem := unreadable(raw)) is not None:
            inbox.add([raw])
            inbox.fail(update_id, problem)
            raw = {"update_id": update_id}
        kept.append(raw)
    inbox.add(kept)
    return kept


class InboxProcessor(BaseUpdateProcessor):
    """Answers updates concurrently, each at most once, and marks it done after the reply."""

    def __init__(self, inbox: Inbox, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self.inbox = inbox

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):
            await coroutine
            return
        if not self.inbox.claim(update.update_id):
            log.info("update %d already answered; skipped", update.update_id)
            coroutine.close()  # type: ignore[attr-defined]
            return
        try:
            await coroutine
        except BaseException:
            self.inbox.release(update.update_id)
            raise
        self.inbox.finish(update.update_id)

    async def initialize(self) -> None:
        """Nothing to allocate: the inbox is opened with the application."""

    async def shutdown(self) -> None:
        """The inbox is closed in post_shutdown, after the last reply."""


class _RejectedTokenReported(logging.Filter):
    """PTB logs a rejected token with a traceback; `run` reports it in one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Invalid token" not in record.getMessage()


def protect_token(settings: Settings) -> None:
    """Silence httpx's INFO request lines and mask the token and webhook secret in every record."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    redact.protect(settings.secret_values())
    ptb = logging.getLogger("telegram.ext")
    if not any(isinstance(f, _RejectedTokenReported) for f in ptb.filters):
        ptb.addFilter(_RejectedTokenReported())


def build_application(settings: Settings, kb: Library | None = None) -> Application:
    """The configured Application; the index is built (or loaded) here, once, for all handlers.
    With no article yet the bot still starts, and says so until the first one arrives."""
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather on Telegram (/newbot) "
            "and put TELEGRAM_BOT_TOKEN=<token> in .env"
        )
    token = settings.telegram_bot_token.get_secret_value()
    protect_token(settings)
    services = handlers.Services.build(settings, kb if kb is not None else open_library(settings))
    inbox = Inbox(settings.inbox_path)
    timeout = settings.telegram_request_timeout_seconds
    concurrency = settings.telegram_concurrent_updates
    polling = BotRequest(inbox=inbox, read_timeout=timeout)
    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .request(
            BotRequest(
                retries=settings.telegram_send_retries,
                read_timeout=timeout,
                write_timeout=timeout,
                pool_timeout=timeout,
                connection_pool_size=_POOL_SIZE,
            )
        )
        .get_updates_request(polling)
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.telegram_max_messages_per_second,
                max_retries=settings.telegram_send_retries,
            )
        )
        .concurrent_updates(InboxProcessor(inbox, concurrency))
        .defaults(
            Defaults(
                parse_mode="HTML",
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                do_quote=True,
                allow_sending_without_reply=True,
            )
        )
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["services"] = services
    polling.on_token_rejected = lambda: _token_revoked(application)
    application.bot_data["inbox"] = inbox
    # Answers not in the cache are computed here, one at a time, so the event loop keeps sending
    # (and can show "typing…") while a slow one is worked out.
    application.bot_data["answer_pool"] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer")
    _add_handlers(application)
    live.install(application, settings)
    return application


def _token_revoked(application: Application) -> None:
    """Stop the bot so that `run` exits non-zero and the supervisor notices."""
    if not application.bot_data.get("token_rejected"):
        log.error("TELEGRAM_BOT_TOKEN was rejected by Telegram while running (revoked?); stopping")
        application.bot_data["token_rejected"] = True
        application.stop_running()


def _add_handlers(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    application.add_handler(CommandHandler("start", handlers.start))
    application.add_handler(CommandHandler("help", handlers.help_command))
    application.add_handler(CommandHandler("sources", handlers.sources))
    application.add_handler(CommandHandler("id", handlers.id_command))
    application.add_handler(CommandHandler("ask", handlers.ask_command))
    application.add_handler(CommandHandler("reload", handlers.reload_command))
    addressed = filters.Entity("mention") | filters.REPLY
    application.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & (private | (filters.ChatType.GROUPS & addressed)),
            handlers.text_message,
        )
    )
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.not_text)
    )
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_error_handler(handlers.on_error)


async def _post_init(application: Application) -> None:
    """Say who started on what, register the command menu, then replay what a crash left unanswered."""
    log.info("%s", started_line(application))
    await application.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
    inbox: Inbox = application.bot_data["inbox"]
    pending = inbox.pending()
    if pending:
        log.info("replaying %d unanswered update(s) from the inbox", len(pending))
    for update_id, body in pending:
        if (problem := unreadable(body)) is not None:
            inbox.fail(update_id, problem)
            continue
        await application.update_queue.put(Update.de_json(body, application.bot))
    interval = application.bot_data["services"].settings.articles_refresh_seconds
    if interval:
        application.bot_data["refresher"] = asyncio.create_task(_refresh_every(application, interval))
    live.start(application, application.bot_data["services"].settings)
    # From now on a stop signal first cuts the downloads under way: the stop waits for every
    # update in flight, and an /add waiting on a slow site would hold it FETCH_TIMEOUT_SECONDS a link.
    loop = asyncio.get_running_loop()
    for sig in application.bot_data.get("stop_signals", ()):
        loop.add_signal_handler(sig, _stop_signal, application)


def _stop_signal(application: Application) -> None:
    """Cut the downloads, then stop as python-telegram-bot's own handler (replaced) does."""
    live.abort(application)
    raise SystemExit


def started_line(application: Application) -> str:
    """The start-up log line: which bot, how many articles from where, the feeds and the mode."""
    svc: handlers.Services = application.bot_data["services"]
    settings, kb, bot = svc.settings, svc.kb, application.bot
    where = ", ".join(map(str, kb.directories))
    holding = (f"{len(kb.articles)} articles ({len(kb.sentences)} sentences) from {where}" if kb.articles
               else f"no articles yet in {where}")
    feeds = (f"{len(settings.feeds)} feed(s) every {settings.feeds_poll_seconds:g} s: {', '.join(settings.feeds)}"
             if settings.feeds else "no feeds")
    mode = application.bot_data.get("mode", "long polling")
    return f"@{bot.username} (id {bot.id}) started: {holding}; {feeds}; {mode}"


async def _refresh_every(application: Application, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        await handlers.refresh(application)


async def _post_stop(application: Application) -> None:
    """Stop looking for new articles (a plain task, so Application.stop does not wait on it)."""
    if refresher := application.bot_data.get("refresher"):
        refresher.cancel()
    live.stop(application)


async def _post_shutdown(application: Application) -> None:
    application.bot_data["answer_pool"].shutdown(wait=True)
    live.shutdown(application)
    application.bot_data["inbox"].close()


def serve(
    application: Application,
    settings: Settings,
    webhook: bool = False,
    stop_signals: Sequence[int] | None = (signal.SIGINT, signal.SIGTERM),
    close_loop: bool = True,
) -> None:
    """Run until SIGINT/SIGTERM; answers in flight finish before the process exits, downloads
    under way are cut."""
    application.bot_data["stop_signals"] = tuple(stop_signals or ())
    application.bot_data["mode"] = f"webhook at {settings.webhook_url}" if webhook else "long polling"
    if not webhook:
        application.run_polling(
            timeout=settings.telegram_poll_timeout_seconds,
            bootstrap_retries=_BOOTSTRAP_RETRIES,
            allowed_updates=ALLOWED_UPDATES,
            stop_signals=stop_signals,
            close_loop=close_loop,
        )
        return
    with suppress(SystemExit):  # a stop signal (_stop_signal): the webhook has shut down in order
        serve_webhook(application, settings, stop_signals, close_loop, _post_init, _post_stop, _post_shutdown)


def run(settings: Settings, webhook: bool = False) -> int:
    """`python -m bot run [--webhook]`: build once, serve until stopped, exit 0."""
    if webhook:
        webhook_config(settings)  # fail before the index is built
    application = build_application(settings)
    try:
        serve(application, settings, webhook)
    except InvalidToken as exc:
        raise token_rejected(exc) from None
    if application.bot_data.get("token_rejected"):
        raise token_rejected(InvalidToken("Unauthorized"))
    return 0


def token_rejected(exc: InvalidToken) -> ConfigError:
    """The one line for a token Telegram refuses; PTB's own message quotes the token."""
    reason = exc.__cause__.message if isinstance(exc.__cause__, InvalidToken) else exc.message
    return ConfigError(
        f"TELEGRAM_BOT_TOKEN was rejected by Telegram: {redact.REDACT(reason)}; "
        "copy the current token from @BotFather (/token) into .env"
    )
