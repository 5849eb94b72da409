"""Hardening: the bot process against a hostile or broken Bot API and hostile users (issue 10)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fake_bot_api import FakeBotApi

from telegram_bot.conftest import TOKEN, bot_process

SECRET_KEY = TOKEN.partition(":")[2]


def finish(process: subprocess.Popen[str], timeout: float = 60) -> str:
    output, _ = process.communicate(timeout=timeout)
    return output


def test_a_rejected_token_is_one_masked_line_and_exit_2(api: FakeBotApi, tmp_path: Path) -> None:
    api.revoked = True  # getMe answers 401 Unauthorized
    output = finish(bot_process(api.base_url, tmp_path, LOG_LEVEL="WARNING"))
    assert api.calls_to("getMe")
    lines = output.strip().splitlines()
    assert lines == ["error: TELEGRAM_BOT_TOKEN was rejected by Telegram: Unauthorized; "
                     "copy the current token from @BotFather (/token) into .env"], output
    assert SECRET_KEY not in output


def test_a_rejected_odd_token_never_shows_even_at_debug(api: FakeBotApi, tmp_path: Path) -> None:
    api.revoked = True
    odd = "123456:odd-Key_with-symbols-0123456789"
    process = bot_process(api.base_url, tmp_path, TELEGRAM_BOT_TOKEN=odd, LOG_LEVEL="DEBUG")
    output = finish(process)
    assert process.returncode == 2, output
    assert output.strip().splitlines()[-1].startswith("error: TELEGRAM_BOT_TOKEN was rejected by Telegram")
    assert odd.partition(":")[2] not in output
