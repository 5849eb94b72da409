"""Secrets are masked in every form and on every path the process writes to."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from urllib.parse import quote

import pytest

from bot import redact
from tests.conftest import ROOT

TOKEN = "987654:Sp ace/odd+chars\n&more"


def test_every_form_of_the_token_is_masked_and_the_bot_id_kept() -> None:
    redact.protect([TOKEN])
    for form in (TOKEN, quote(TOKEN), quote(TOKEN, safe=""), repr(TOKEN), json.dumps(TOKEN)):
        masked = redact.REDACT(f"GET https://api.telegram.org/bot{form}/getMe failed")
        assert "Sp ace" not in masked and "Sp%20ace" not in masked and "ace/odd" not in masked
    assert redact.REDACT(f"bot{TOKEN}/getMe") == "bot987654:***/getMe"


def test_log_records_are_masked_whatever_the_handler(caplog: pytest.LogCaptureFixture) -> None:
    redact.protect([TOKEN])
    try:
        raise RuntimeError(f"request to bot{TOKEN} failed")
    except RuntimeError:
        logging.getLogger("probe").exception("calling %s", TOKEN)
    assert caplog.records and "odd+chars" not in caplog.text and redact.MASK in caplog.text


def test_an_uncaught_traceback_on_stderr_is_masked() -> None:
    probe = (
        "from bot import redact\n"
        f"redact.protect([{TOKEN!r}]); redact.protect_streams()\n"
        f"print('token', {TOKEN!r})\n"
        f"raise RuntimeError({TOKEN!r})\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 1 and "RuntimeError" in done.stderr
    assert "odd+chars" not in done.stdout + done.stderr and "987654:***" in done.stdout
