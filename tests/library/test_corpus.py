"""The loader on both seed layouts, user-added layouts, and files it must skip."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest

from bot.errors import EmptyCorpusError
from bot.library.corpus import load_articles, parse_article, parse_dateline
from tests.conftest import SEEDS, write_article


def test_url_layout_seed_parses_title_url_and_body() -> None:
    article = next(a for a in load_articles([SEEDS]) if a.url)
    assert article.url.startswith("https://zingnews.vn/")
    assert article.title == "Nâng cao hiệu quả cơ chế hợp tác quốc phòng Việt Nam - Campuchia"
    assert article.published is None
    assert article.body.startswith("Việt Nam sẵn sàng tiếp tục chia sẻ kinh nghiệm")
    assert article.url not in article.body and article.title not in article.body


def test_dateline_layout_seed_parses_date_byline_and_drops_separators() -> None:
    article = next(a for a in load_articles([SEEDS]) if not a.url)
    assert article.title == "Việt Nam - Lào tăng cường hợp tác về quốc phòng"
    assert article.published == datetime(2021, 12, 13, 6, 38)
    assert article.byline == "Thanh Thuỷ"
    assert article.body.startswith("Ngày 12/12, tại thị trấn Lao Bảo")
    assert article.body.endswith("Bộ An ninh Lào…")
    assert "Thứ Hai" not in article.body


def test_user_layouts_dateline_first_and_paragraphs(tmp_path: Path) -> None:
    write_article(
        tmp_path,
        "a.txt",
        "12/03/2024 09:15\nTiêu đề bài báo\n\nĐoạn một có nội dung.\n\nĐoạn hai cũng vậy.\n\nNguyễn Văn A\n",
    )
    write_article(tmp_path, "b.txt", "https://example.vn/bai-b.html\nBài B\nThân bài một dòng. Câu thứ hai.")
    a, b = load_articles([tmp_path])
    assert (a.title, a.published, a.byline) == (
        "Tiêu đề bài báo",
        datetime(2024, 3, 12, 9, 15),
        "Nguyễn Văn A",
    )
    assert a.body == "Đoạn một có nội dung.\nĐoạn hai cũng vậy."
    assert (b.url, b.title, b.body) == (
        "https://example.vn/bai-b.html",
        "Bài B",
        "Thân bài một dòng. Câu thứ hai.",
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Thứ Hai, 13/12/2021, 06:38", datetime(2021, 12, 13, 6, 38)),
        ("Chủ nhật, 5/1/2020", datetime(2020, 1, 5)),
        ("Thứ sáu, ngày 14/11/2025 07:15 (GMT+7)", datetime(2025, 11, 14, 7, 15)),
        ("Cập nhật: 14/11/2025 07:15 (GMT+7)", datetime(2025, 11, 14, 7, 15)),
        ("07:15 | 14-11-2025", datetime(2025, 11, 14, 7, 15)),
        ("Thứ Ba, ngày 5 tháng 3 năm 2024", datetime(2024, 3, 5)),
        ("Ngày 12/12, tại Lao Bảo", None),
        ("Ngày 10/11/2022, tại Hà Nội, hai bên ký thỏa thuận.", None),
        ("31/02/2021", None),
    ],
)
def test_dateline(line: str, expected: datetime | None) -> None:
    assert parse_dateline(line) == expected


def test_bad_files_are_skipped_with_a_warning_naming_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_article(tmp_path, "good.txt", "Tiêu đề\nNội dung bài báo.")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\x00\x00\x01")
    (tmp_path / "latin1.txt").write_bytes("Titre café\nIl était une fois.".encode("latin-1"))
    (tmp_path / "title-only.txt").write_text("Chỉ có tiêu đề\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        articles = load_articles([tmp_path])
    assert [a.id for a in articles] == ["good"]
    for name, why in (
        ("empty.txt", "empty"),
        ("binary.txt", "binary"),
        ("latin1.txt", "not UTF-8"),
        ("title-only.txt", "no title and body"),
    ):
        assert f"{name}: {why}" in caplog.text


def test_folder_without_usable_article_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    with pytest.raises(EmptyCorpusError, match="no usable article"):
        load_articles([tmp_path])
    with pytest.raises(EmptyCorpusError, match="does not exist"):
        load_articles([tmp_path / "missing"])


def test_which_files_are_articles_recursive_any_case_hidden_and_others_skipped_with_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = "Tiêu đề\nThân bài có một câu."
    write_article(tmp_path, "a.txt", text)
    write_article(tmp_path / "sub", "b.TXT", text)
    write_article(tmp_path, ".hidden.txt", text)
    write_article(tmp_path / ".git", "c.txt", text)
    write_article(tmp_path, "notes.md", text)
    (tmp_path / ".#a.txt").symlink_to("root@host.1234:1700000000")  # an editor's lock: a dangling link
    (tmp_path / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "linked").symlink_to(tmp_path / "sub")
    with caplog.at_level(logging.WARNING):
        articles = load_articles([tmp_path])
    assert [a.id for a in articles] == ["a", "b"]
    for name in (".hidden.txt", ".git", "notes.md", ".#a.txt", "gone.txt", "loop.txt", "linked"):
        assert f"{name}: " in caplog.text, name


def test_utf16_with_bom_is_read_as_text(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("Tiêu đề UTF-16\nThân bài có dấu tiếng Việt.".encode("utf-16"))
    [article] = load_articles([tmp_path])
    assert (article.title, article.body) == ("Tiêu đề UTF-16", "Thân bài có dấu tiếng Việt.")


@pytest.mark.parametrize(
    "text",
    [
        "Tiêu đề bài báo\nThứ Hai, 31/2/2021, 06:38\nThân bài một câu. Câu hai.",
        "31/02/2021\nTiêu đề bài báo\nThân bài một câu. Câu hai.",
    ],
)
def test_an_impossible_dateline_is_warned_about_and_kept_as_metadata(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    write_article(tmp_path, "a.txt", text)
    with caplog.at_level(logging.WARNING):
        [article] = load_articles([tmp_path])
    assert (article.title, article.published, article.body) == (
        "Tiêu đề bài báo",
        None,
        "Thân bài một câu. Câu hai.",
    )
    assert article.dateline is not None and "31/" in article.dateline
    assert "a.txt" in caplog.text and "day is out of range" in caplog.text


def test_a_text_without_a_title_line_is_the_body_and_its_opening_words_name_it(tmp_path: Path) -> None:
    text = "\n\n" + " ".join(f"từ{i}" for i in range(30)) + ". Câu thứ hai của đoạn văn.\n"
    article = parse_article(text, tmp_path / "wiki_1.txt")
    assert article.body.startswith("từ0 từ1")
    assert article.title == " ".join(f"từ{i}" for i in range(20)) + " …"
