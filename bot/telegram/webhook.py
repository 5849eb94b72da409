"""Webhook mode: the HTTP endpoint Telegram posts updates to, and the bot's lifecycle around it.

python-telegram-bot's own webhook server reads a whole body before it looks at the secret
header (8 × 10 MB bodies: +110 MB), so this small tornado server (tornado comes with PTB's
webhooks extra) streams the body: the secret is checked as soon as the headers arrive
(403), the size is capped (413), and an accepted update is written to the inbox before
Telegram gets its 200 — a crash after that is replayed at start-up, one before it is
retried by Telegram.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import urlparse

import tornado.web
from telegram import Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from bot.errors import ConfigError
from bot.settings import Settings
from bot.telegram.inbox import Inbox, unreadable

log = logging.getLogger(__name__)

# Telegram's updates are a few KB; 1 MB leaves room for the largest message with entities.
MAX_BODY_BYTES = 1 << 20
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts as secret_token
ALLOWED_UPDATES = ["message", "callback_query"]
_FIRST_BACKOFF, _MAX_BACKOFF = 0.25, 5.0

T = TypeVar("T")


def webhook_config(settings: Settings) -> tuple[str, str]:
    """(WEBHOOK_URL, WEBHOOK_SECRET), or a one-line error naming the setting to fix."""
    url = settings.webhook_url or ""
    if urlparse(url).scheme not in ("http", "https") or not urlparse(url).hostname:
        raise ConfigError("setting WEBHOOK_URL is invalid: webhook mode needs the public https://… URL Telegram posts to")
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not _SECRET.fullmatch(secret):
        raise ConfigError(
            "setting WEBHOOK_SECRET is invalid: webhook mode needs a secret of 1-256 characters "
            "A-Z a-z 0-9 _ - (Telegram sends it back with every update; requests without it are refused)"
        )
    return url, secret


@tornado.web.stream_request_body
class _UpdateHandler(tornado.web.RequestHandler):
    """One Telegram update per POST; the body is read only after the secret matched."""

    def initialize(self, bot_app: Application, inbox: Inbox, secret: str) -> None:
        self.bot_app = bot_app
        self.inbox = inbox
        self.secret = secret
        self.chunks: list[bytes] = []
        self.size = 0

    def prepare(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        declared = self.request.headers.get("Content-Length", "0")
        if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    def data_received(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > MAX_BODY_BYTES:  # a chunked body has no Content-Length to check first
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        self.chunks.append(chunk)

    async def post(self) -> None:
        try:
            body = json.loads(b"".join(self.chunks))
        except ValueError:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        update_id = body.get("update_id") if isinstance(body, dict) else None
        if not isinstance(update_id, int):
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        self.inbox.add([body])
        if (problem := unreadable(body)) is not None:
            self.inbox.fail(update_id, problem)  # 200 anyway: Telegram would only send it again
            return
        await self.bot_app.update_queue.put(Update.de_json(body, self.bot_app.bot))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish({"ok": False, "error_code": status_code})

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """Refused requests are expected (scanners, wrong secret); only our own faults are logged."""
        if not isinstance(value, tornado.web.HTTPError):
            super().log_exception(typ, value, tb)


def serve_webhook(
    application: Application,
    settings: Settings,
    stop_signals: Sequence[int] | None,
    close_loop: bool,
    on_start: Callable[[Application], Awaitable[None]],
    on_stop: Callable[[Application], Awaitable[None]],
    on_shutdown: Callable[[Application], Awaitable[None]],
) -> None:
    """Register the webhook, serve until a stop signal or `stop_running`, then shut down.

    The same order as python-telegram-bot's run_* (which `stop_running` relies on: it stops
    the loop's run_forever), with the three hooks in the places post_init/stop/shutdown run.
    """
    url, secret = webhook_config(settings)
    inbox: Inbox = application.bot_data["inbox"]
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    for sig in stop_signals or ():
        loop.add_signal_handler(sig, loop.stop)
    path = "/" + urlparse(url).path.strip("/")
    routes = [(rf"{re.escape(path.rstrip('/'))}/?", _UpdateHandler,
               {"bot_app": application, "inbox": inbox, "secret": secret})]
    server = HTTPServer(tornado.web.Application(routes), max_body_size=MAX_BODY_BYTES, xheaders=True)
    try:
        loop.run_until_complete(_retrying(application.initialize))
        loop.run_until_complete(
            _retrying(lambda: application.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES))
        )
        loop.run_until_complete(on_start(application))
        server.listen(settings.webhook_port, address=settings.webhook_listen)
        loop.run_until_complete(application.start())
        log.info("webhook listening on %s:%d%s", settings.webhook_listen, settings.webhook_port, path)
        loop.run_forever()
    finally:
        server.stop()
        loop.run_until_complete(server.close_all_connections())
        if application.running:
            loop.run_until_complete(application.stop())
            loop.run_until_complete(on_stop(application))
        loop.run_until_complete(application.shutdown())
        loop.run_until_complete(on_shutdown(application))
        if close_loop:
            loop.close()


async def _retrying(call: Callable[[], Awaitable[T]]) -> T:
    """`call()` again after a network error, with backoff: the network may be late at boot."""
    delay = _FIRST_BACKOFF
    while True:
        try:
            return await call()
        except BadRequest:
            raise
        except NetworkError as exc:
            log.warning("Bot API not reachable at start-up (%s); retrying in %.2f s", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, _MAX_BACKOFF)
