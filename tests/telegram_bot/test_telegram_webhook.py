"""Webhook mode end to end: `python -m bot run --webhook` on 127.0.0.1, fed updates over HTTP."""

from __future__ import annotations

import contextlib
import http.client
import json
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from fake_bot_api import FakeBotApi

from telegram_bot.conftest import bot_process

SECRET = "s3cret-webhook-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(port: int, update: dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/tg-hook", data=json.dumps(update).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except urllib.error.URLError:
        return 0  # not listening (yet)


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 30
    while _post(port, {}, None) == 0:
        assert time.monotonic() < deadline, "webhook listener never came up"
        time.sleep(0.1)


def _update(update_id: int, message_id: int, text: str) -> dict:
    chat = {"id": 4242, "type": "private", "first_name": "Lan"}
    user = {"id": 4242, "is_bot": False, "first_name": "Lan"}
    message = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": user, "text": text}
    return {"update_id": update_id, "message": message}


def test_webhook_refuses_requests_without_the_secret_and_answers_with_it(tmp_path: Path) -> None:
    api = FakeBotApi().start()
    port = _free_port()
    bot = bot_process(
        api.base_url,
        tmp_path,
        "--webhook",
        WEBHOOK_URL="https://bot.example.vn/tg-hook",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=SECRET,
    )
    try:
        registered = api.wait_for(lambda: api.calls_to("setWebhook"), timeout=60)
        assert registered[0]["url"] == "https://bot.example.vn/tg-hook"
        assert registered[0]["secret_token"] == SECRET
        _wait_listening(port)
        question = "Ai làm Trưởng đoàn phía Lào?"
        assert _post(port, _update(900, 31, question), None) == 403
        assert _post(port, _update(901, 32, question), "wrong") == 403
        assert _post(port, _update(902, 33, question), SECRET) == 200
        replies = api.wait_for(lambda: api.replies_to(4242, 33), timeout=30)
        assert "Chansamone Chanyalath" in replies[0]["text"]
        assert api.replies_to(4242, 31) == [] and api.replies_to(4242, 32) == []
    finally:
        bot.send_signal(signal.SIGTERM)
        output, _ = bot.communicate(timeout=30)
        api.stop()
    assert bot.returncode == 0, output
    assert SECRET not in output and "TEST-token-never-logged" not in output


def test_an_empty_webhook_secret_is_refused_at_start_with_one_line(tmp_path: Path) -> None:
    api = FakeBotApi().start()
    try:
        bot = bot_process(api.base_url, tmp_path, "--webhook", WEBHOOK_URL="https://bot.example.vn/tg-hook",
                          WEBHOOK_SECRET="", LOG_LEVEL="WARNING")
        output, _ = bot.communicate(timeout=60)
    finally:
        api.stop()
    assert bot.returncode == 2
    [line] = output.strip().splitlines()
    assert line.startswith("error: setting WEBHOOK_SECRET is invalid: webhook mode needs a secret")
    assert api.calls_to("setWebhook") == []


def _rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


def _status_without_body(port: int, length: int, secret: str | None) -> int:
    """Send only the headers of a `length`-byte POST: a server that checks headers first answers now."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.putrequest("POST", "/tg-hook")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(length))
    if secret is not None:
        connection.putheader("X-Telegram-Bot-Api-Secret-Token", secret)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def _send_huge(port: int, size: int) -> None:
    """Push a whole `size`-byte body with a wrong secret, however early the server gives up."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        head = (f"POST /tg-hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"X-Telegram-Bot-Api-Secret-Token: wrong\r\nContent-Length: {size}\r\n\r\n")
        with contextlib.suppress(OSError):  # the server closed after refusing the headers
            sock.sendall(head.encode() + b"{" * size)


def test_secret_is_checked_before_the_body_and_bodies_are_capped(tmp_path: Path) -> None:
    api = FakeBotApi().start()
    port = _free_port()
    bot = bot_process(api.base_url, tmp_path, "--webhook", WEBHOOK_URL="https://bot.example.vn/tg-hook",
                      WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port), WEBHOOK_SECRET=SECRET)
    try:
        api.wait_for(lambda: api.calls_to("setWebhook"), timeout=60)
        _wait_listening(port)
        ten_mb = 10 << 20
        assert _status_without_body(port, ten_mb, None) == 403
        assert _status_without_body(port, ten_mb, "wrong") == 403
        assert _status_without_body(port, ten_mb, SECRET) == 413
        before = _rss_kb(bot.pid)
        for _ in range(8):
            _send_huge(port, ten_mb)
        assert _rss_kb(bot.pid) - before < 20_000  # was +110 MB
        assert _post(port, _update(903, 34, "Ai làm Trưởng đoàn phía Lào?"), SECRET) == 200
        assert api.wait_for(lambda: api.replies_to(4242, 34), timeout=30)
    finally:
        bot.send_signal(signal.SIGTERM)
        output, _ = bot.communicate(timeout=30)
        api.stop()
    assert bot.returncode == 0, output
    assert "Traceback" not in output


@pytest.mark.slow
def test_a_webhook_update_acknowledged_before_kill_9_is_answered_after_restart(tmp_path: Path) -> None:
    """The update is in the inbox before Telegram gets its 200, so a crash after it loses nothing."""
    api = FakeBotApi().start()
    port = _free_port()
    env = {"WEBHOOK_URL": "https://bot.example.vn/tg-hook", "WEBHOOK_PORT": str(port), "WEBHOOK_SECRET": SECRET}
    api.send_delay = 3.0  # the answer is still on its way when the process dies
    first = bot_process(api.base_url, tmp_path, "--webhook", TELEGRAM_REQUEST_TIMEOUT_SECONDS="10", **env)
    try:
        api.wait_for(lambda: api.calls_to("setWebhook"), timeout=60)
        _wait_listening(port)
        assert _post(port, _update(960, 61, "Ai làm Trưởng đoàn phía Lào?"), SECRET) == 200
        api.wait_for(lambda: api.calls_to("sendMessage"), timeout=30)
    finally:
        first.kill()
        first.communicate()
    assert api.replies_to(4242, 61) == []
    api.send_delay = 0.0
    second = bot_process(api.base_url, tmp_path, "--webhook", **env)
    try:
        replies = api.wait_for(lambda: api.replies_to(4242, 61), timeout=30)
        assert "Chansamone" in replies[0]["text"]
    finally:
        second.send_signal(signal.SIGTERM)
        output, _ = second.communicate(timeout=30)
        api.stop()
    assert second.returncode == 0, output
    assert len(api.replies_to(4242, 61)) == 1
