"""HTML rendering and splitting for Telegram, without a network."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from bot.answer import Answer, Citation
from bot.telegram.render import MESSAGE_LIMIT, answer_messages, pack, plain, quote, split_text

sys.path.insert(0, str(Path(__file__).parent))
from fake_bot_api import html_problem  # noqa: E402


def test_article_and_answer_text_is_escaped_and_citation_linked() -> None:
    citation = Citation(
        "a1",
        "Giá <vàng> & đô",
        'https://x.vn/a?b=1&c="2"',
        date(2021, 12, 13),
        "Giá <b>tăng</b> & giảm.",
        1.0,
        0,
    )
    [html] = answer_messages(Answer("q", True, "<tăng> & giảm", (citation,)))
    assert html.splitlines() == [
        "<b>&lt;tăng&gt; &amp; giảm</b>",
        "<blockquote>Giá &lt;b&gt;tăng&lt;/b&gt; &amp; giảm.</blockquote>",
        '<a href="https://x.vn/a?b=1&amp;c=&quot;2&quot;">Giá &lt;vàng&gt; &amp; đô — 13/12/2021</a>',
    ]
    assert html_problem(html) is None


def test_long_text_splits_on_sentence_ends_below_the_limit() -> None:
    sentences = [f"Câu số {i} nói về giá vàng & đô la <tăng>." for i in range(400)]
    pieces = split_text(" ".join(sentences), quote)
    assert len(pieces) > 1
    assert all(len(p) <= MESSAGE_LIMIT and html_problem(p) is None for p in pieces)
    assert all(p.endswith("&lt;tăng&gt;.</blockquote>") for p in pieces)
    assert sum(p.count("Câu số") for p in pieces) == 400


def test_a_sentence_longer_than_a_message_is_cut_at_spaces() -> None:
    messages = pack([("Mở đầu.", plain), ("từ " * 3000, quote)])
    assert len(messages) >= 2 and all(len(m) <= MESSAGE_LIMIT for m in messages)
    assert sum(m.count("từ") for m in messages) == 3000
