"""Keeps secrets (the bot token, the webhook secret) out of everything the process writes.

Two layers, so no path to the terminal, journald or Docker's log bypasses them: a log-record
factory masks every record (message, traceback, stack) whatever handler prints it, and
stdout/stderr are wrapped, which catches uncaught tracebacks, warnings and plain prints.
Secrets are matched as written and in the forms they take in URLs, reprs and JSON.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Iterable
from typing import Any, TextIO
from urllib.parse import quote, quote_plus

MASK = "***"
# Shorter fragments would mask ordinary words; real secrets are far longer.
_MIN_SECRET = 6


def _forms(secret: str) -> set[str]:
    """`secret` as printed, URL-quoted, inside a repr and inside JSON."""
    forms = {secret, quote(secret), quote(secret, safe=""), quote_plus(secret)}
    forms.add(repr(secret)[1:-1])
    forms.add(json.dumps(secret)[1:-1])
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    return {f for f in forms if len(f) >= _MIN_SECRET}


class Redactor:
    """Replaces every known secret in a string; a bot token keeps its public bot id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forms: tuple[str, ...] = ()

    def add(self, secret: str) -> None:
        # A token is `<bot id>:<key>`: the key is the secret, the id names the bot harmlessly.
        _, colon, key = secret.partition(":")
        hidden = key if colon and len(key) >= _MIN_SECRET else secret
        with self._lock:
            forms = set(self._forms) | _forms(hidden)
            self._forms = tuple(sorted(forms, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def __bool__(self) -> bool:
        return bool(self._forms)


REDACT = Redactor()


class _RedactingStream:
    """A text stream whose writes are masked; everything else goes to the wrapped stream."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(REDACT(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # raw bytes would skip the mask
            raise AttributeError(name)
        return getattr(self._stream, name)


def _record_factory(previous: Any) -> Any:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = previous(*args, **kwargs)
        if not REDACT:
            return record
        try:
            record.msg, record.args = REDACT(record.getMessage()), None
        except (TypeError, ValueError):  # bad format arguments: mask the template, as logged
            record.msg = REDACT(str(record.msg))
        if record.exc_info:
            record.exc_text = REDACT(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = REDACT(record.stack_info)
        return record

    make.redacting = True  # type: ignore[attr-defined]
    return make


def protect(secrets: Iterable[str]) -> None:
    """Mask `secrets` in every log record from now on (idempotent)."""
    for secret in secrets:
        if secret:
            REDACT.add(secret)
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacting", False):
        logging.setLogRecordFactory(_record_factory(factory))


def protect_streams() -> None:
    """Mask secrets in whatever is written to stdout and stderr (the CLI's own process)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _RedactingStream):
            setattr(sys, name, _RedactingStream(stream))
