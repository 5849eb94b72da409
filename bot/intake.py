"""What a question must be before it is answered: readable text of a bounded length.

Shared by the CLI and the Telegram handlers, so both refuse the same input with the same
words. Undecodable bytes reach Python as lone surrogates (argv and stdin are decoded with
`surrogateescape`; Telegram's JSON can carry `\\ud800`): they are refused here, because the
word segmenter and every UTF-8 writer fail on them.
"""

from __future__ import annotations

import re

EMPTY = "Bạn hãy gõ một câu hỏi."
UNREADABLE = "Câu hỏi có ký tự không đọc được (không phải UTF-8), bạn gõ lại giúp tôi nhé."
TOO_LONG = "Câu hỏi dài quá ({limit} ký tự trở xuống), bạn viết ngắn lại giúp tôi nhé."

_SURROGATE = re.compile("[\ud800-\udfff]")


def problem(question: str, max_chars: int) -> str | None:
    """The one line telling why `question` cannot be answered, or None if it can be."""
    if not question.strip():
        return EMPTY
    if _SURROGATE.search(question):
        return UNREADABLE
    if len(question) > max_chars:
        return TOO_LONG.format(limit=max_chars)
    return None


def printable(text: str) -> str:
    """`text` with undecodable characters shown as U+FFFD, safe to print or put in JSON."""
    return _SURROGATE.sub("\ufffd", text)
