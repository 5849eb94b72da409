"""A fake Telegram Bot API server on 127.0.0.1, so the real bot can be tested end to end.

It speaks Telegram's JSON shapes (``ok``/``result``, ``error_code``/``description``,
``parameters.retry_after``) for the methods the bot uses, and has a control surface for tests:
inject updates, read what the bot sent, and make the next ``sendMessage`` calls fail.

Use it in-process (``FakeBotApi().start()`` runs it in a background thread) or as a program
(``python tests/fake_bot_api.py --port 8081``) whose ``/control/...`` HTTP endpoints let
another program drive a separately started ``python -m bot run``: ``message``/``messages``
inject, ``replies`` long-polls for what the bot sent since an index, ``counts`` and
``latencies`` are cheap summaries, ``state`` returns everything (O(all sent): not for polling).

A ``sendMessage`` counts as delivered only if the bot is still connected when the server
answers: a client that timed out or was killed meanwhile never "receives" its message, which
is how a real network loses a reply.
"""

from __future__ import annotations

import argparse
import json
import re
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = {
    "id": 4242,
    "is_bot": True,
    "first_name": "Tin tức",
    "username": "vnnews_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Form fields PTB sends verbatim; every other field is JSON-encoded by its RequestParameter.
TEXT_FIELDS = frozenset(
    {
        "text",
        "parse_mode",
        "action",
        "callback_query_id",
        "url",
        "secret_token",
        "inline_message_id",
        "language_code",
        "business_connection_id",
    }
)
FAILURES = frozenset({"502", "hang", "429", "400"})
_ENTITY = re.compile(r"^/\w+(?:@\w+)?|@\w+")
# Telegram's HTML parse mode: these tags, and &lt; &gt; &amp; &quot; or numeric entities.
_HTML_TOKEN = re.compile(
    r"</?(?:b|strong|i|em|u|ins|s|strike|del|code|pre|blockquote|tg-spoiler|span)>"
    r"|<a href=\"[^\"<>]*\">|</a>|&(?:lt|gt|amp|quot|#\d+);"
)
MAX_TEXT = 4096


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse `text` in HTML mode (a rough but strict check), or None."""
    rest = _HTML_TOKEN.sub("", text)
    if "<" in rest or ">" in rest or "&" in rest:
        return "Bad Request: can't parse entities: unsupported start tag or unescaped character"
    if len(rest) > MAX_TEXT:
        return "Bad Request: message is too long"
    return None


def _utf16_len(text: str) -> int:
    """Telegram counts entity offsets in UTF-16 code units, not Python characters."""
    return len(text.encode("utf-16-le")) // 2


def entities_for(text: str) -> list[dict[str, Any]]:
    """The bot_command and mention entities Telegram would attach to ``text``."""
    found = []
    for match in _ENTITY.finditer(text):
        kind = "bot_command" if match.group().startswith("/") else "mention"
        found.append(
            {
                "type": kind,
                "offset": _utf16_len(text[: match.start()]),
                "length": _utf16_len(match.group()),
            }
        )
    return found


class FakeBotApi:
    """The server's state and its Python control API (the HTTP control API maps onto it)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, hang_seconds: float = 2.0) -> None:
        self.hang_seconds = hang_seconds
        self._cond = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._next_message_id = 1000
        self._injected_at: dict[tuple[int, int], float] = {}
        self._failures: deque[str] = deque()
        self.send_delay = 0.0
        self.confirmed_offset = 0
        self.sent: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.webhook: dict[str, Any] = {}
        self._server = _Server((host, port), _handler_for(self))
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_API_BASE_URL (the token is appended by the bot)."""
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> FakeBotApi:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    # --- updates the "users" send --------------------------------------------
    def push(self, update: dict[str, Any]) -> int:
        """Queue a raw update (without update_id) and wake a waiting getUpdates."""
        with self._cond:
            update_id = self._next_update_id
            self._next_update_id += 1
            self._updates.append({"update_id": update_id, **update})
            message = update.get("message")
            if message:
                self._injected_at[(message["chat"]["id"], message["message_id"])] = time.monotonic()
            self._cond.notify_all()
            return update_id

    def message(
        self,
        chat_id: int,
        text: str | None = None,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        reply_to_bot: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> tuple[int, int]:
        """Send a user message to the bot; returns (update_id, message_id)."""
        with self._cond:
            message_id = self._next_message_id
            self._next_message_id += 1
        user = {"id": user_id or abs(chat_id), "is_bot": False, "first_name": "Lan"}
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Lan"
        else:
            chat["title"] = "Nhóm đọc báo"
        msg: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": user}
        if text is not None:
            msg["text"] = text
            if entities := entities_for(text):
                msg["entities"] = entities
        if reply_to_bot:
            msg["reply_to_message"] = {
                "message_id": 1,
                "date": int(time.time()),
                "chat": chat,
                "from": BOT_USER,
                "text": "…",
            }
        msg.update(extra or {})
        return self.push({"message": msg}), message_id

    def sticker(self, chat_id: int) -> tuple[int, int]:
        """A sticker message, the typical non-text input."""
        sticker = {
            "file_id": "CAAC",
            "file_unique_id": "u1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return self.message(chat_id, extra={"sticker": sticker})

    def press(self, chat_id: int, message_id: int, data: str, user_id: int | None = None) -> int:
        """Press an inline button under the bot's message ``message_id``."""
        sent = next(m for m in self.sent if m["message_id"] == message_id)
        query = {
            "id": f"cq{time.monotonic_ns()}",
            "from": {"id": user_id or abs(chat_id), "is_bot": False, "first_name": "Lan"},
            "chat_instance": str(chat_id),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
                "text": sent["text"],
            },
        }
        return self.push({"callback_query": query})

    # --- what the bot did ------------------------------------------------------
    def fail_next(self, *modes: str) -> None:
        """Make the next sendMessage calls fail, one mode each: 502, hang, 429 or 400."""
        unknown = set(modes) - FAILURES
        if unknown:
            raise ValueError(f"unknown failure modes {sorted(unknown)}; use {sorted(FAILURES)}")
        with self._cond:
            self._failures.extend(modes)

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._cond:
            return [params for name, params in self.calls if name == method]

    def replies_to(self, chat_id: int, message_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent in reply to one user message."""
        with self._cond:
            return [
                m for m in self.sent if m["chat_id"] == chat_id and m.get("reply_to_message_id") == message_id
            ]

    def messages_in(self, chat_id: int) -> list[dict[str, Any]]:
        with self._cond:
            return [m for m in self.sent if m["chat_id"] == chat_id]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Block until ``predicate()`` is truthy (re-checked on every bot call) or time out."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not (result := predicate()):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"fake Bot API: condition not met within {timeout} s")
                self._cond.wait(min(left, 0.1))
            return result

    def latencies(self) -> list[float]:
        """Seconds from each injected message to the bot's first reply to it."""
        return [seconds for _, _, seconds in self.latency_table()]

    def latency_table(self) -> list[tuple[int, int, float]]:
        """(chat_id, message_id, seconds to the bot's first reply) for each answered message."""
        with self._cond:
            first: dict[tuple[int, int], float] = {}
            for m in self.sent:
                key = (m["chat_id"], m.get("reply_to_message_id"))
                if key in self._injected_at and key not in first:
                    first[key] = m["received_at"] - self._injected_at[key]
            return [(chat, message, seconds) for (chat, message), seconds in first.items()]

    def replies_since(self, index: int, timeout: float = 0.0) -> dict[str, Any]:
        """Messages sent from position ``index`` on, as (chat_id, reply_to_message_id) pairs,
        waiting up to ``timeout`` seconds for the first one: a cheap feed for a driver program
        (``state`` copies every message and is O(all sent) per call)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.sent) <= index and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)
            new = self.sent[index:]
            return {
                "next": index + len(new),
                "replies": [(m["chat_id"], m["reply_to_message_id"]) for m in new],
            }

    def state(self) -> dict[str, Any]:
        with self._cond:
            return {
                "confirmed_offset": self.confirmed_offset,
                "pending": len(self._updates),
                "sent": list(self.sent),
                "latencies": self.latencies(),
            }

    def counts(self) -> dict[str, Any]:
        """``state`` without the messages: constant cost however many were sent."""
        with self._cond:
            return {
                "confirmed_offset": self.confirmed_offset,
                "pending": len(self._updates),
                "sent": len(self.sent),
                "calls": len(self.calls),
            }

    # --- Bot API methods ---------------------------------------------------------
    def call(
        self, method: str, params: dict[str, Any], client_gone: Callable[[], bool]
    ) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call as (HTTP status, JSON body)."""
        with self._cond:
            self.calls.append((method, params))
            self._cond.notify_all()
        if method == "getUpdates":
            return 200, _ok(self._get_updates(params))
        if method == "sendMessage":
            return self._send_message(params, client_gone)
        if method == "editMessageText":
            with self._cond:
                target = next((m for m in self.sent if m["message_id"] == params["message_id"]), None)
                if target is None:
                    return 400, _error(400, "Bad Request: message to edit not found")
                target["edits"].append(params["text"])
                self._cond.notify_all()
                return 200, _ok(self._message_result(params, target["message_id"]))
        simple: dict[str, Any] = {
            "getMe": BOT_USER,
            "deleteWebhook": True,
            "sendChatAction": True,
            "answerCallbackQuery": True,
            "setMyCommands": True,
            "close": True,
            "getMyCommands": [],
            "setWebhook": True,
        }
        if method == "setWebhook":
            self.webhook = params
        if method in simple:
            return 200, _ok(simple[method])
        return 404, _error(404, "Not Found: method not found")

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        with self._cond:
            if offset:
                self.confirmed_offset = max(self.confirmed_offset, offset)
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                self._cond.notify_all()
            while not self._updates and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)
            return self._updates[:limit]

    def _send_message(
        self, params: dict[str, Any], client_gone: Callable[[], bool]
    ) -> tuple[int, dict[str, Any]]:
        with self._cond:
            failure = self._failures.popleft() if self._failures else None
        if failure == "502":
            return 502, _error(502, "Bad Gateway")
        if failure == "429":
            return 429, {**_error(429, "Too Many Requests: retry after 1"), "parameters": {"retry_after": 1}}
        if failure == "400":
            return 400, _error(400, "Bad Request: can't parse entities")
        problem = html_problem(params["text"]) if params.get("parse_mode") == "HTML" else None
        if problem or len(params["text"]) > MAX_TEXT:
            return 400, _error(400, problem or "Bad Request: message is too long")
        pause = self.hang_seconds if failure == "hang" else self.send_delay
        if pause:
            time.sleep(pause)
            if client_gone():
                return 599, _error(599, "client went away; message not delivered")
        with self._cond:
            message_id = self._next_message_id
            self._next_message_id += 1
            reply = params.get("reply_parameters") or {}
            record = {
                "message_id": message_id,
                "chat_id": params["chat_id"],
                "text": params["text"],
                "parse_mode": params.get("parse_mode"),
                "reply_to_message_id": reply.get("message_id", params.get("reply_to_message_id")),
                "reply_markup": params.get("reply_markup"),
                "link_preview_options": params.get("link_preview_options"),
                "edits": [],
                "received_at": time.monotonic(),
            }
            self.sent.append(record)
            self._cond.notify_all()
        return 200, _ok(self._message_result(params, message_id))

    @staticmethod
    def _message_result(params: dict[str, Any], message_id: int) -> dict[str, Any]:
        chat_id = params["chat_id"]
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "text": params["text"],
        }

    # --- control API over HTTP ----------------------------------------------------------
    def control(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """The HTTP control surface used when the server runs as its own program."""
        if action == "message":
            update_id, message_id = self.message(
                body["chat_id"],
                body.get("text"),
                chat_type=body.get("chat_type", "private"),
                user_id=body.get("user_id"),
                reply_to_bot=body.get("reply_to_bot", False),
            )
            return {"update_id": update_id, "message_id": message_id}
        if action == "messages":  # many at once: {"messages": [{"chat_id": …, "text": …}, …]}
            return {"message_ids": [self.control("message", one)["message_id"] for one in body["messages"]]}
        if action == "fail":
            self.fail_next(*body["modes"])
            return {}
        if action == "delay":
            self.send_delay = float(body["seconds"])
            return {}
        if action == "state":
            return self.state()
        if action == "counts":
            return self.counts()
        if action == "replies":  # {"since": index, "timeout": seconds}
            return self.replies_since(int(body.get("since", 0)), min(float(body.get("timeout", 0)), 30.0))
        if action == "latencies":
            return {"latencies": self.latency_table()}
        raise KeyError(action)


class _Server(ThreadingHTTPServer):
    """A listen backlog large enough for a bot's whole connection pool opening at once."""

    request_queue_size = 256
    daemon_threads = True


def _ok(result: Any) -> dict[str, Any]:
    return {"ok": True, "result": result}


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


def _parse_params(content_type: str, raw: bytes) -> dict[str, Any]:
    """Accept what PTB's HTTPXRequest posts (form fields, JSON-encoded values) and plain JSON."""
    if content_type.startswith("application/json"):
        return json.loads(raw or b"{}")
    params: dict[str, Any] = {}
    for key, values in parse_qs(raw.decode(), keep_blank_values=True).items():
        value = values[-1]
        if key not in TEXT_FIELDS:
            try:
                value = json.loads(value)
            except ValueError:
                pass
        params[key] = value
    return params


def _handler_for(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One write per response (handle_one_request flushes it), sent without Nagle's delay:
        # headers and body as two unbuffered writes waited for the client's delayed ACK, 40 ms a
        # reply on Linux, which no real Bot API server adds.
        wbufsize = 1 << 16

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            parts = self.path.strip("/").split("/")
            if parts[0] == "control" and len(parts) == 2:
                try:
                    body = json.loads(raw or b"{}")
                    self._reply(200, {"ok": True, "result": api.control(parts[1], body)})
                except (KeyError, ValueError) as exc:
                    self._reply(400, _error(400, f"control: {exc!r}"))
                return
            if len(parts) != 2 or not parts[0].startswith("bot"):
                self._reply(404, _error(404, "Not Found"))
                return
            params = _parse_params(self.headers.get("Content-Type", ""), raw)
            status, body = api.call(parts[1], params, self._client_gone)
            if status != 599:
                self._reply(status, body)

        do_GET = do_POST  # noqa: N815

        def _client_gone(self) -> bool:
            """True when the bot closed the connection (timed out, or was killed)."""
            try:
                readable, _, _ = select.select([self.connection], [], [], 0)
                return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
            except OSError:
                return True

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
            except OSError:
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Keep test output quiet."""

    return Handler


def main() -> None:
    """Run the fake server as a program; prints its port so a driver can find it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--hang-seconds", type=float, default=2.0)
    args = parser.parse_args()
    api = FakeBotApi(port=args.port, hang_seconds=args.hang_seconds)
    print(api.port, flush=True)
    try:
        api.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
