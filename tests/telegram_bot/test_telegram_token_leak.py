"""Acceptance (issue 10): every CLI command and `python -m bot run`, with a known token, under
each failure of the issue; the token appears nowhere in stdout, stderr (the logs) or the files
the process wrote."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fake_bot_api import FakeBotApi

from telegram_bot.conftest import SEEDS
from telegram_bot.test_telegram_hardening import QUESTION, _raw_message
from telegram_bot.test_telegram_webhook import _free_port, _post, _send_huge, _status_without_body, _update

TOKEN = "777000:Leak-Canary_key-0123456789abcdefXYZ"
SECRET = "Leak-Canary_webhook_secret_42"
LOGS: dict[int, tuple[Path, Path]] = {}  # pid -> its stdout and stderr files


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("index")  # built by the first process, opened by the rest


def _spawn(tmp: Path, cache: Path, args: list[str], token: str = TOKEN, **env: str) -> subprocess.Popen[bytes]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    environ.update({
        "TELEGRAM_BOT_TOKEN": token, "ARTICLES_DIR": str(SEEDS), "INDEX_CACHE_DIR": str(cache),
        "INBOX_PATH": str(tmp / "inbox.sqlite3"), "LOG_LEVEL": "DEBUG",
        "TELEGRAM_POLL_TIMEOUT_SECONDS": "1", "TELEGRAM_REQUEST_TIMEOUT_SECONDS": "0.5",
        "TELEGRAM_MAX_MESSAGES_PER_SECOND": "10000", **env,
    })
    # Files, not pipes: a DEBUG log must never fill a pipe nobody reads and stall the bot.
    logs = tmp / "logs"
    logs.mkdir(exist_ok=True)
    number = len(list(logs.iterdir())) // 2
    paths = (logs / f"{number}.out", logs / f"{number}.err")
    with paths[0].open("wb") as out, paths[1].open("wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=tmp, env=environ,
                                   stdin=subprocess.PIPE, stdout=out, stderr=err)
    LOGS[process.pid] = paths
    return process


def _assert_no_secret(tmp: Path, out: bytes, err: bytes, *secrets: str) -> None:
    written = b"".join(p.read_bytes() for p in tmp.rglob("*") if p.is_file())
    for secret in secrets:
        for form in {secret, secret.partition(":")[2] or secret, quote(secret), quote(secret, safe="")}:
            for where, data in (("stdout", out), ("stderr", err), ("files", written)):
                assert form.encode() not in data, f"{form!r} leaked to {where}"


def _communicate(process: subprocess.Popen[bytes], stdin: bytes = b"", timeout: float = 90) -> tuple[bytes, bytes]:
    """Wait for the process; its (stdout, stderr) as written to its log files."""
    process.communicate(stdin, timeout=timeout)
    out, err = LOGS[process.pid]
    return out.read_bytes(), err.read_bytes()


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi(hang_seconds=1.0).start()
    yield server
    server.stop()


@pytest.mark.slow
def test_cli_commands_never_print_the_token(tmp_path: Path, cache: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"question": "Ai làm Trưởng đoàn phía Lào?", "answerable": True,
                                     "sentences": ["Lào"], "answers": ["Chansamone"]}, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    batch = "Ai làm Trưởng đoàn phía Lào?\n".encode() + b"\xff\xfe bad bytes\n" + ("rất " * 200).encode() + b"\n"
    runs: list[tuple[list[str], bytes, dict[str, str]]] = [
        (["index"], b"", {}),
        (["ask", "Ai làm Trưởng đoàn phía Lào?"], b"", {}),
        (["ask", "--json"], batch, {}),
        (["sources"], b"", {}),
        (["eval", str(questions), "--show"], b"", {}),
        (["ask", "x", "--articles", str(tmp_path / "missing")], b"", {}),
        (["sources"], b"", {"BM25_K1": "abc"}),
        (["ask", "x"], b"", {"TELEGRAM_API_BASE_URL": "abc"}),
    ]
    first = _spawn(tmp_path, cache, runs[0][0])  # builds the index the others open
    out, err = _communicate(first)
    _assert_no_secret(tmp_path, out, err, TOKEN)
    processes = [(_spawn(tmp_path, cache, args, **env), stdin) for args, stdin, env in runs[1:]]
    for process, stdin in processes:
        out, err = _communicate(process, stdin)
        assert process.returncode in (0, 2), err.decode(errors="replace")
        _assert_no_secret(tmp_path, out, err, TOKEN)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("token", "env"),
    [
        ("777000:Leak key with spaces-0123456789", {}),
        ("777000:Leak-Canary_key\nnext-line-0123456789", {}),
        (TOKEN, {"TELEGRAM_API_BASE_URL": ""}),
        (TOKEN, {"INBOX_PATH": "."}),
        (TOKEN, {"WEBHOOK_URL": "https://x.example/hook", "WEBHOOK_SECRET": ""}),
    ],
    ids=["spaces", "newline", "empty-base-url", "inbox-folder", "empty-webhook-secret"],
)
def test_run_refusing_its_settings_never_prints_the_token(
    api: FakeBotApi, tmp_path: Path, cache: Path, token: str, env: dict[str, str]
) -> None:
    args = ["run", "--webhook"] if "WEBHOOK_URL" in env else ["run"]
    process = _spawn(tmp_path, cache, args, token=token, **{"TELEGRAM_API_BASE_URL": api.base_url, **env})
    out, err = _communicate(process)
    assert process.returncode == 2, err.decode(errors="replace")
    assert err.decode().strip().splitlines()[-1].startswith("error: setting ")
    _assert_no_secret(tmp_path, out, err, token)


@pytest.mark.slow
def test_run_rejected_at_start_never_prints_the_token(api: FakeBotApi, tmp_path: Path, cache: Path) -> None:
    api.revoked = True
    process = _spawn(tmp_path, cache, ["run"], TELEGRAM_API_BASE_URL=api.base_url)
    out, err = _communicate(process)
    assert process.returncode == 2 and b"TELEGRAM_BOT_TOKEN was rejected by Telegram" in err
    _assert_no_secret(tmp_path, out, err, TOKEN)


def _wait(condition: Callable[[], object], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.05)


@pytest.mark.slow
def test_run_through_every_polling_failure_never_prints_the_token(
    api: FakeBotApi, tmp_path: Path, cache: Path
) -> None:
    (tmp_path / "inbox.sqlite3").write_bytes(b"garbage, not a database" * 100)  # item 4
    process = _spawn(tmp_path, cache, ["run"], TELEGRAM_API_BASE_URL=api.base_url, RATE_LIMIT_PER_MINUTE="5")
    try:
        api.wait_for(lambda: api.calls_to("getUpdates"), timeout=60)
        api.fail_next("502", "hang", "429", "400", "200-garbage", "200-html", "200-notok")  # items 14
        _, first = api.message(901, QUESTION)
        api.wait_for(lambda: api.replies_to(901, first), timeout=30)
        api.push_raw(_raw_message(None, 902, 1, QUESTION))  # item 7
        api.push_raw(_raw_message(api._next_update_id, 903, 2, "Ai \ud800?"))
        api.push_raw({"update_id": api._next_update_id, "message": {"chat": "x"}})
        for _ in range(30):  # item 2
            api.message(904, QUESTION)
        api.press(901, api.replies_to(901, first)[0]["message_id"], "more:forged:" + ".".join(["1"] * 500))  # item 9
        _, last = api.message(905, QUESTION)
        api.wait_for(lambda: api.replies_to(905, last), timeout=30)
        api.revoked = True  # item 6: the process must end by itself
        out, err = _communicate(process, timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 2, err.decode(errors="replace")
    _assert_no_secret(tmp_path, out, err, TOKEN)


@pytest.mark.slow
def test_run_webhook_under_attack_never_prints_the_token_or_secret(
    api: FakeBotApi, tmp_path: Path, cache: Path
) -> None:
    port = _free_port()
    process = _spawn(tmp_path, cache, ["run", "--webhook"], TELEGRAM_API_BASE_URL=api.base_url,
                     WEBHOOK_URL="https://bot.example.vn/tg-hook", WEBHOOK_PORT=str(port), WEBHOOK_SECRET=SECRET)
    try:
        api.wait_for(lambda: api.calls_to("setWebhook"), timeout=60)
        _wait(lambda: _post(port, {}, None) != 0)
        assert _status_without_body(port, 10 << 20, "wrong") == 403  # item 10
        assert _status_without_body(port, 10 << 20, SECRET) == 413
        _send_huge(port, 2 << 20)
        assert _post(port, {"not": "an update"}, SECRET) == 400
        assert _post(port, _update(950, 51, QUESTION), SECRET) == 200
        api.wait_for(lambda: api.replies_to(4242, 51), timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = _communicate(process, timeout=30)
    assert process.returncode == 0, err.decode(errors="replace")
    _assert_no_secret(tmp_path, out, err, TOKEN, SECRET)
