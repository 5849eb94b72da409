"""HTML rendering and splitting for Telegram, without a network."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fake_bot_api import html_problem

from bot.answering.answer import Answer, Citation
from bot.library.corpus import Article
from bot.telegram.render import (
    MAX_MESSAGES,
    MESSAGE_LIMIT,
    QUOTE_CHARS,
    answer_messages,
    excerpt,
    pack,
    plain,
    quote,
    sources_messages,
    split_text,
)


def test_article_and_answer_text_is_escaped_and_citation_linked() -> None:
    citation = Citation("a1", "Giá <vàng> & đô", "https://x.vn/a?b=1&c=\"2\"", date(2021, 12, 13),
                        "Giá <b>tăng</b> & giảm.", 1.0, 0)
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


def test_a_huge_sentence_is_quoted_as_the_clauses_around_the_answer() -> None:
    clauses = [f"điều khoản số {i} quy định giá điện" for i in range(3000)]
    sentence = ", ".join(clauses[:1500] + ["ông Nguyễn Văn An đã ký hợp đồng"] + clauses[1500:]) + "."
    citation = Citation("a1", "Hợp đồng", None, date(2021, 12, 13), sentence, 1.0, 0)
    messages = answer_messages(Answer("q", True, "ông Nguyễn Văn An", (citation,)))
    assert len(sentence) > 100_000 and len(messages) == 1
    quoted = messages[0].split("<blockquote>")[1].split("</blockquote>")[0]
    assert quoted.startswith("… ") and quoted.endswith(" …") and "ông Nguyễn Văn An đã ký hợp đồng" in quoted
    inner = quoted.removeprefix("… ").removesuffix(" …")
    assert inner in sentence and len(inner) <= QUOTE_CHARS
    assert inner.startswith("điều khoản số") and inner.endswith("giá điện")  # whole clauses


def test_a_short_sentence_is_quoted_whole() -> None:
    assert excerpt("Ngắn thôi.", "Ngắn") == "Ngắn thôi."
    long_word = "x" * 5000
    cut = excerpt(long_word, None, 100)
    assert cut.endswith(" …") and len(cut) <= 102


def test_sources_of_a_large_archive_fit_two_messages() -> None:
    articles = [Article(f"a{i}", "Tiêu đề rất dài " * 30, f"https://x.vn/{i}", None, None, "", Path("x"))
                for i in range(500)]
    messages = sources_messages(articles)
    assert len(messages) <= MAX_MESSAGES and messages[-1].endswith("… và 460 bài khác.")
    assert all(len(m) <= MESSAGE_LIMIT and html_problem(m) is None for m in messages)


def test_not_sure_says_so_then_quotes_each_likely_sentence_with_its_source() -> None:
    citations = tuple(
        Citation(f"a{n}", f"Bài {n}", f"https://x.vn/{n}", date(2021, 12, n), f"Câu <{n}> có thể trả lời.", 0.5, n)
        for n in (1, 2, 3)
    )
    [html] = answer_messages(Answer("q", False, None, citations, "Tôi không chắc câu nào trả lời đúng.", unsure=True))
    lines = html.splitlines()
    assert lines[0] == "Tôi không chắc câu nào trả lời đúng."
    assert lines[1::2] == [f"<blockquote>Câu &lt;{n}&gt; có thể trả lời.</blockquote>" for n in (1, 2, 3)]
    assert lines[2::2] == [f'<a href="https://x.vn/{n}">Bài {n} — {n:02d}/12/2021</a>' for n in (1, 2, 3)]
    assert html_problem(html) is None
