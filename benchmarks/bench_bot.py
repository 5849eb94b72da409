"""Drive the real bot (`python -m bot run`) through the fake Bot API: saturation and steady load.

Both run as their own processes on 127.0.0.1, as in production: the fake server
(tests/fake_bot_api.py) and the bot. CHATS chats each ask the same 3 questions (the third a
follow-up, "Khi nào?"), the next one as soon as the previous one is answered. Two phases, one
bot process, fresh chats for each:

1. burst: all chats ask at once. Answers/s is the saturation throughput; its latencies are
   queue-bound (CHATS questions arrive in the same instant and wait for one another).
2. steady: a new chat every 3/RATE s, so RATE questions/s are offered; this phase's p50/p95/p99
   is the reply latency at that load.

Latency is measured by the server: question available to getUpdates → reply received. A warm-up
chat asks the 3 questions first, so both phases hit the bot's answer cache: this measures the
Telegram layer (the answering core adds ~5 ms for a question it has not seen).

    python benchmarks/bench_bot.py [--chats 200] [--rate 60]

BENCH_PROFILE="-m cProfile -o bot.prof" profiles the bot process.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = (
    "Ai đã điện đàm với Bộ trưởng Tea Banh?",
    "Hội đàm cấp cao Việt Nam - Lào diễn ra ở đâu?",
    "Khi nào?",
)
PHASE_TIMEOUT = 120.0


class Driver:
    """The fake server's control API over one kept-alive connection; follows what the bot sends."""

    def __init__(self, port: int) -> None:
        self._http = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self._seen = 0  # replies read so far (index into the server's sent list)

    def control(self, action: str, body: dict[str, Any] | None = None) -> Any:
        self._http.request("POST", f"/control/{action}", json.dumps(body or {}),
                           {"Content-Type": "application/json"})
        return json.loads(self._http.getresponse().read())["result"]

    def ask(self, questions: list[tuple[int, str]]) -> list[int]:
        """Inject one message per (chat, text); their message ids."""
        messages = [{"chat_id": chat, "text": text} for chat, text in questions]
        return self.control("messages", {"messages": messages})["message_ids"]

    def replies(self, timeout: float) -> list[tuple[int, int]]:
        """(chat, replied message id) of what the bot sent since the last call; waits up to timeout."""
        got = self.control("replies", {"since": self._seen, "timeout": timeout})
        self._seen = got["next"]
        return [tuple(pair) for pair in got["replies"]]

    def close(self) -> None:
        self._http.close()


def run_chats(driver: Driver, chats: list[int], interval: float) -> tuple[float, set[tuple[int, int]]]:
    """Chat i asks its first question at i × interval s; each asks its next once answered.

    Returns (seconds from the first question to the last answer, the (chat, message id) asked).
    """
    starts = deque((i * interval, chat) for i, chat in enumerate(chats))
    asked: dict[tuple[int, int], int] = {}  # (chat, message id) → index of the question
    answered: set[tuple[int, int]] = set()
    due: list[tuple[int, int]] = []  # (chat, question index) to ask now
    total = len(chats) * len(QUESTIONS)
    began = time.monotonic()
    while len(answered) < total:
        now = time.monotonic() - began
        if now > PHASE_TIMEOUT:
            raise TimeoutError(f"only {len(answered)} of {total} answers within {PHASE_TIMEOUT:.0f} s")
        while starts and starts[0][0] <= now:
            due.append((starts.popleft()[1], 0))
        if due:
            ids = driver.ask([(chat, QUESTIONS[q]) for chat, q in due])
            asked.update(((chat, mid), q) for (chat, q), mid in zip(due, ids))
            due = []
        wait = min(starts[0][0] - now, 1.0) if starts else 1.0
        for key in driver.replies(max(wait, 0.0)):
            if key in asked and key not in answered:
                answered.add(key)
                if asked[key] + 1 < len(QUESTIONS):
                    due.append((key[0], asked[key] + 1))
    return time.monotonic() - began, set(asked)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def phase(driver: Driver, name: str, chats: list[int], interval: float, pids: dict[str, int]) -> str:
    cpu_before = {who: cpu_seconds(pid) for who, pid in pids.items()}
    elapsed, asked = run_chats(driver, chats, interval)
    cpu = {who: cpu_seconds(pid) - cpu_before[who] for who, pid in pids.items()}
    table = driver.control("latencies")["latencies"]
    latencies = sorted(seconds * 1000 for chat, mid, seconds in table if (chat, mid) in asked)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    count = len(latencies)
    per_answer = ", ".join(f"{who} {cpu[who] / count * 1000:.2f}" for who in pids)
    return (f"{name}: {count} answers ({len(chats)} chats × {len(QUESTIONS)}) in {elapsed:.2f} s: "
            f"{count / elapsed:.1f} answers/s, p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms, "
            f"p99 {cuts[98]:.1f} ms; CPU ms/answer: {per_answer}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=200, help="chats per phase (3 questions each)")
    parser.add_argument("--rate", type=float, default=60.0,
                        help="questions/s offered in the steady phase (default 60)")
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fake_bot_api.py")],
                              stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline())  # type: ignore[union-attr]
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
        env.update({
            "TELEGRAM_BOT_TOKEN": "1:BENCH", "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
            "ARTICLES_DIR": str(ROOT / "seeds"), "INDEX_CACHE_DIR": f"{tmp}/index",
            "INBOX_PATH": f"{tmp}/inbox.sqlite3", "TELEGRAM_MAX_MESSAGES_PER_SECOND": "100000",
            "RATE_LIMIT_PER_MINUTE": "100", "LOG_LEVEL": "WARNING",
        })
        bot = subprocess.Popen([sys.executable, *os.environ.get("BENCH_PROFILE", "").split(), "-m", "bot", "run"],
                               cwd=tmp, env=env)
        driver = Driver(port)
        try:
            run_chats(driver, [1], 0.0)  # warm-up: start-up, connections, the answer cache
            pids = {"bot": bot.pid, "server": server.pid}
            burst = list(range(1000, 1000 + args.chats))
            lines.append(phase(driver, "burst, all chats at once (latency is queue-bound)", burst, 0.0, pids))
            steady = list(range(2000, 2000 + args.chats))
            interval = len(QUESTIONS) / args.rate
            lines.append(phase(driver, f"steady, {args.rate:g} questions/s offered (a new chat every "
                               f"{interval * 1000:.0f} ms)", steady, interval, pids))
        finally:
            driver.close()
            bot.terminate()
            bot.wait(timeout=30)
            server.terminate()
            server.wait(timeout=30)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
