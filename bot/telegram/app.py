"""Wiring: the Application, its requests (durable inbox, retries), handlers, and how it runs."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlparse

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.errors import ConfigError
from bot.knowledge import KnowledgeBase
from bot.settings import Settings
from bot.telegram import handlers, live
from bot.telegram.inbox import Inbox

log = logging.getLogger(__name__)

COMMANDS = (
    ("start", "Giới thiệu và câu hỏi mẫu"),
    ("help", "Cách hỏi"),
    ("sources", "Các bài báo được dùng"),
    ("ask", "Đặt câu hỏi: /ask <câu hỏi>"),
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

    async def post(self, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        attempt = 0
        while True:
            try:
                result = await super().post(url, *args, **kwargs)
                break
            except BadRequest:
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
            self._inbox.add(result)
        return result


class InboxProcessor(BaseUpdateProcessor):
    """Answers updates concurrently, each at most once, and marks it done after the reply."""

    def __init__(self, inbox: Inbox, max_concurrent_updates: int, persist_incoming: bool) -> None:
        super().__init__(max_concurrent_updates)
        self.inbox = inbox
        self.persist_incoming = persist_incoming

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):
            await coroutine
            return
        if self.persist_incoming:  # webhook updates do not pass through getUpdates
            self.inbox.add([update.to_dict()])
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


class RedactToken(logging.Filter):
    """Replaces the bot token in every log line and traceback (httpx logs request URLs)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<token>")
        return True


def protect_token(token: str) -> None:
    """Silence httpx's INFO request lines and redact the token from whatever else is logged."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    redact = RedactToken(token)
    root = logging.getLogger()
    if not any(isinstance(f, RedactToken) for h in root.handlers for f in h.filters):
        for handler in root.handlers:
            handler.addFilter(redact)


def build_application(
    settings: Settings, kb: KnowledgeBase | None = None, webhook: bool = False
) -> Application:
    """The configured Application; the index is built (or loaded) here, once, for all handlers."""
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather on Telegram (/newbot) "
            "and put TELEGRAM_BOT_TOKEN=<token> in .env"
        )
    token = settings.telegram_bot_token.get_secret_value()
    protect_token(token)
    services = handlers.Services.build(settings, kb or KnowledgeBase.build(settings))
    inbox = Inbox(settings.inbox_path)
    timeout = settings.telegram_request_timeout_seconds
    concurrency = settings.telegram_concurrent_updates
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
        .get_updates_request(BotRequest(inbox=inbox, read_timeout=timeout))
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.telegram_max_messages_per_second,
                max_retries=settings.telegram_send_retries,
            )
        )
        .concurrent_updates(InboxProcessor(inbox, concurrency, persist_incoming=webhook))
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
    application.bot_data["inbox"] = inbox
    # Answers not in the cache are computed here, one at a time, so the event loop keeps sending
    # (and can show "typing…") while a slow one is worked out.
    application.bot_data["answer_pool"] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer")
    _add_handlers(application)
    live.install(application, settings)
    return application


def _add_handlers(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("start", handlers.start))
    application.add_handler(CommandHandler("help", handlers.help_command))
    application.add_handler(CommandHandler("sources", handlers.sources))
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
    """Register the command menu, then replay what a crash left unanswered."""
    await application.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
    inbox: Inbox = application.bot_data["inbox"]
    pending = inbox.pending()
    if pending:
        log.info("replaying %d unanswered update(s) from the inbox", len(pending))
    for body in pending:
        await application.update_queue.put(Update.de_json(body, application.bot))
    interval = application.bot_data["services"].settings.articles_refresh_seconds
    if interval:
        application.bot_data["refresher"] = asyncio.create_task(_refresh_every(application, interval))
    live.start(application, application.bot_data["services"].settings)


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


def webhook_config(settings: Settings) -> tuple[str, str]:
    """(WEBHOOK_URL, WEBHOOK_SECRET), or a one-line error saying what to set."""
    if not settings.webhook_url or settings.webhook_secret is None:
        raise ConfigError("webhook mode needs WEBHOOK_URL (public https://…) and WEBHOOK_SECRET in .env")
    return settings.webhook_url, settings.webhook_secret.get_secret_value()


def serve(
    application: Application,
    settings: Settings,
    webhook: bool = False,
    stop_signals: Sequence[int] | None = (signal.SIGINT, signal.SIGTERM),
    close_loop: bool = True,
) -> None:
    """Run until SIGINT/SIGTERM; answers in flight finish before the process exits."""
    if not webhook:
        application.run_polling(
            timeout=settings.telegram_poll_timeout_seconds,
            bootstrap_retries=_BOOTSTRAP_RETRIES,
            allowed_updates=["message", "callback_query"],
            stop_signals=stop_signals,
            close_loop=close_loop,
        )
        return
    url, secret = webhook_config(settings)
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=urlparse(url).path.lstrip("/"),
        webhook_url=url,
        secret_token=secret,
        bootstrap_retries=_BOOTSTRAP_RETRIES,
        allowed_updates=["message", "callback_query"],
        stop_signals=stop_signals,
        close_loop=close_loop,
    )


def run(settings: Settings, webhook: bool = False) -> int:
    """`python -m bot run [--webhook]`: build once, serve until stopped, exit 0."""
    if webhook:
        webhook_config(settings)  # fail before the index is built
    serve(build_application(settings, webhook=webhook), settings, webhook)
    return 0
