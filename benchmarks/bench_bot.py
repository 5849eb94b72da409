"""Drive the real bot (`python -m bot run`) through the fake Bot API and time a burst.

Both run as their own processes, as in production: the fake server (tests/fake_bot_api.py)
and the bot. The burst is CHATS chats × 3 questions; each chat asks its next question after
the previous reply (a person reading the answer), all chats at once. Prints answers/second
and p50/p95 reply latency (update available → reply received by the server).

    python benchmarks/bench_bot.py [--chats 200]

BENCH_PROFILE="-m cProfile -o bot.prof" profiles the bot process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = (
    "Ai đã điện đàm với Bộ trưởng Tea Banh?",
    "Hội đàm cấp cao Việt Nam - Lào diễn ra ở đâu?",
    "Khi nào?",
)


def control(port: int, action: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/control/{action}", data=json.dumps(body or {}).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["result"]


def wait_for_replies(port: int, count: int, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = control(port, "state")
        if len(state["sent"]) >= count:
            return state
        time.sleep(0.02)
    raise TimeoutError(f"only {len(state['sent'])} of {count} replies within {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=200)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fake_bot_api.py")],
                              stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline())  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
        env.update({
            "TELEGRAM_BOT_TOKEN": "1:BENCH", "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
            "ARTICLES_DIR": str(ROOT / "seeds"), "INDEX_CACHE_DIR": f"{tmp}/index",
            "INBOX_PATH": f"{tmp}/inbox.sqlite3", "TELEGRAM_MAX_MESSAGES_PER_SECOND": "100000",
            "RATE_LIMIT_PER_MINUTE": "100", "LOG_LEVEL": "WARNING",
        })
        bot = subprocess.Popen([sys.executable, *os.environ.get("BENCH_PROFILE", "").split(), "-m", "bot", "run"], cwd=tmp, env=env)
        try:
            control(port, "message", {"chat_id": 1, "text": QUESTIONS[0]})  # warm-up
            wait_for_replies(port, 1, timeout=60)
            chats = range(1000, 1000 + args.chats)
            started = time.monotonic()
            for round_, question in enumerate(QUESTIONS, start=1):
                for chat in chats:
                    control(port, "message", {"chat_id": chat, "text": question})
                state = wait_for_replies(port, 1 + round_ * args.chats, timeout=120)
            elapsed = time.monotonic() - started
        finally:
            bot.terminate()
            bot.wait(timeout=30)
            server.terminate()
    latencies = sorted(state["latencies"][1:])
    total = len(latencies)
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(0.95 * (total - 1))] * 1000
    print(f"{total} answers ({args.chats} chats × {len(QUESTIONS)}) in {elapsed:.2f} s: "
          f"{total / elapsed:.1f} answers/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
