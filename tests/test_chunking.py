"""Sentence boundaries on the real seeds and on the traps news text sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.chunking import split_sentences
from bot.corpus import Article, load_articles
from tests.conftest import SEEDS


def _article(body: str) -> Article:
    return Article(id="t", title="T", url=None, published=None, byline=None, body=body, path=Path("t.txt"))


def _texts(body: str) -> list[str]:
    return [s.text for s in split_sentences(_article(body))]


@pytest.fixture(scope="module")
def seed_sentences() -> list[str]:
    return [s.text for a in load_articles([SEEDS]) for s in split_sentences(a)]


@pytest.mark.parametrize(
    ("ends", "starts"),
    [
        ("góp phần xây dựng năng lực cho quân đội Campuchia.", "Sáng 8/9, tại Hà Nội"),
        ("trong năm Việt Nam đảm nhiệm vai trò Chủ tịch ASEAN 2020.", "Đồng thời, Phó thủ tướng"),
        ("đại dịch Covid-19 tác động sâu sắc tới toàn thế giới.", "Nhân dịp này, Bộ trưởng Tea Banh"),
        ("các hoạt động trong thời gian tới.", None),
        ("Tình hình dịch bệnh COVID-19 vẫn diễn biến phức tạp ở cả hai nước.", "Việt Nam chia sẻ trước"),
        ("hướng tới “Năm Đoàn kết hữu nghị Việt Nam - Lào 2022”.", "Về định hướng hợp tác"),
    ],
)
def test_seed_boundaries(seed_sentences: list[str], ends: str, starts: str | None) -> None:
    i = next(i for i, s in enumerate(seed_sentences) if s.endswith(ends))
    if starts is not None:
        assert seed_sentences[i + 1].startswith(starts)


def test_photo_caption_and_credit_are_not_sentences(seed_sentences: list[str]) -> None:
    assert not any("Ảnh: TTXVN" in s or "tại điểm cầu Hà Nội" in s for s in seed_sentences)
    assert any(s.startswith("Cảm ơn Bộ Quốc phòng và các đơn vị quân đội") for s in seed_sentences)


def test_dates_numbers_and_abbreviations_do_not_split() -> None:
    body = (
        "Ngày 12/12/2021, hơn 1.000 người tại TP.HCM tiêm vắc-xin Covid-19. "
        "Ông A. Nguyễn, TS. Lê Văn B và v.v. cùng dự… Hội nghị kết thúc lúc 11.30 "
        "trước khi trời tối.Sáng 8/9 đoàn về Hà Nội! Vì sao? “Đây là dấu mốc,” ông nói."
    )
    assert _texts(body) == [
        "Ngày 12/12/2021, hơn 1.000 người tại TP.HCM tiêm vắc-xin Covid-19.",
        "Ông A. Nguyễn, TS. Lê Văn B và v.v. cùng dự…",
        "Hội nghị kết thúc lúc 11.30 trước khi trời tối.",
        "Sáng 8/9 đoàn về Hà Nội!",
        "Vì sao?",
        "“Đây là dấu mốc,” ông nói.",
    ]


def test_ellipsis_before_lowercase_continues_the_sentence() -> None:
    assert len(_texts("ngăn chặn xuất, nhập cảnh trái phép... góp phần phòng dịch.")) == 1


def test_paragraph_break_ends_a_sentence_and_offsets_point_into_body() -> None:
    body = "Tiêu đề phụ không dấu chấm\nCâu một. Câu hai.\nẢnh minh họa: TTXVN"
    article = _article(body)
    sentences = split_sentences(article)
    assert [s.text for s in sentences] == ["Tiêu đề phụ không dấu chấm", "Câu một.", "Câu hai."]
    assert all(body[s.start : s.end] == s.text for s in sentences)
    assert [s.position for s in sentences] == [0, 1, 2]


def test_a_bracketed_photo_credit_inside_running_text_keeps_the_sentence_before_it() -> None:
    body = "Năm 2008, cô kết hôn với một doanh nhân người Pháp. (Ảnh: Gia đình xã hội) Hai người ly hôn sau 3 năm."
    texts = _texts(body)
    assert "Năm 2008, cô kết hôn với một doanh nhân người Pháp." in texts
    assert not any(t.startswith("(Ảnh") for t in texts)
