"""What a hostile page becomes: extraction bounded in time, titles that survive the file layout,
one file per article whatever URL it was reached by. Against tests/hostile_site.py on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hostile_site import HostileSite
from live_fixtures import fetch_settings
from news_site import BUS

from bot.library.corpus import load_articles
from bot.news.fetch import Fetcher, LinkError
from bot.news.links import Added, add_link
from bot.news.urls import normalised
from bot.news.webpage import TITLE_CHARS


@pytest.fixture
def hostile() -> Iterator[HostileSite]:
    server = HostileSite().start()
    yield server
    server.stop()


def add(url: str, tmp: Path, **overrides: object) -> Added:
    settings = fetch_settings(tmp, **overrides)
    fetcher = Fetcher(settings)
    try:
        return add_link(url, fetcher, settings.articles_dir)
    finally:
        fetcher.close()


def test_the_quadratic_page_is_extracted_in_bounded_time(hostile: HostileSite, tmp_path: Path) -> None:
    """One paragraph of 20,000 bold words (440 kB) took trafilatura over a minute; its bold tags are
    unwrapped first, so the time grows with the page, not with its square."""
    started = time.monotonic()
    added = add(hostile.url("/bac-hai"), tmp_path, fetch_max_bytes=5_000_000)
    assert time.monotonic() - started < 10
    assert "chữ 19999 và" in added.article.body


def test_pages_too_crowded_to_extract_in_time_are_refused_in_one_line(tmp_path: Path) -> None:
    from bot.news.webpage import MAX_CHILDREN, MAX_ELEMENTS, extract

    links = "".join(f"<a href='/t/{i}'>tin {i}</a> " for i in range(MAX_CHILDREN + 1))
    with pytest.raises(LinkError, match=rf"^http://bao\.test/a: the page is too complex to read \(an element "
                                        rf"with {MAX_CHILDREN + 1:,} parts; at most {MAX_CHILDREN:,}\)$"):
        extract(f"<html><body><p>{links}</p></body></html>", "http://bao.test/a")
    divs = ("<div>" + "<p>Một câu.</p>" * (MAX_CHILDREN - 1) + "</div>") * (MAX_ELEMENTS // MAX_CHILDREN + 1)
    with pytest.raises(LinkError, match=r"the page is too complex to read \([\d,]+ HTML elements; at most"):
        extract(f"<html><body>{divs}</body></html>", "http://bao.test/a")




@pytest.mark.parametrize(
    ("link", "one"),
    [
        ("HTTP://Bao.VN:80//tin//a.html/?utm_source=zalo&utm_medium=share#binh-luan", "http://bao.vn/tin/a.html"),
        ("https://bao.vn:443/tin/a.html?id=5&fbclid=x&UTM_Campaign=y&gclid=z", "https://bao.vn/tin/a.html?id=5"),
        ("http://user:secret@bao.vn:8080/tin/./b/../a.html", "http://bao.vn:8080/tin/a.html"),
        ("http://bao.vn", "http://bao.vn/"),
        ("http://[::1]:80/a/", "http://[::1]/a"),
    ],
)
def test_a_link_has_one_spelling(link: str, one: str) -> None:
    assert normalised(link) == one
    assert normalised(one) == one


def test_one_article_reached_by_many_spellings_is_one_file(hostile: HostileSite, tmp_path: Path) -> None:
    port = hostile.bound_port
    spellings = [f"http://127.0.0.1:{port}/bai/{BUS.slug}", f"HTTP://127.0.0.1:{port}//bai//{BUS.slug}/",
                 f"http://127.0.0.1:{port}/bai/{BUS.slug}?utm_source=zalo&utm_medium=share#binh-luan",
                 f"http://127.0.0.1:{port}/bai/{BUS.slug}/?fbclid=abc"]
    added = [add(link, tmp_path) for link in spellings]
    assert {a.article.path for a in added} == {added[0].article.path}
    assert [a.changed for a in added] == [True, False, False, False]
    assert added[0].article.url == spellings[0]
    assert len(list((tmp_path / "articles").iterdir())) == 1


def test_the_pages_canonical_link_names_it_when_it_stays_on_the_site(hostile: HostileSite, tmp_path: Path) -> None:
    by_id = add(hostile.url("/bai-theo-id?id=4801234&utm_campaign=rss"), tmp_path)
    direct = add(hostile.story_url(BUS), tmp_path)
    assert by_id.article.url == hostile.story_url(BUS) and by_id.article.path == direct.article.path
    claiming = add(hostile.url("/mao-danh"), tmp_path)  # canonical: https://vnexpress.net/…
    assert claiming.article.url == hostile.url("/mao-danh")
    assert len(list((tmp_path / "articles").iterdir())) == 2


def read_back(added: Added) -> tuple[str, object, str]:
    (article,) = load_articles([added.article.path.parent])
    return article.title, article.published, article.body


def test_a_10000_character_title_is_cut_and_reads_back_the_same(hostile: HostileSite, tmp_path: Path) -> None:
    hostile.title = "Đà Nẵng khai trương tuyến xe buýt điện " * 260
    added = add(hostile.url("/tieu-de"), tmp_path)
    assert len(added.article.title) <= TITLE_CHARS and added.article.title.endswith(" …")
    assert added.article.title.startswith("Đà Nẵng khai trương tuyến xe buýt điện Đà Nẵng")
    assert read_back(added)[0] == added.article.title


@pytest.mark.parametrize("title", ["13/12/2021", "Thứ Hai, 13/12/2021", "-----", "* * *"])
def test_a_title_the_file_would_read_as_a_date_or_a_separator_reads_back_the_same(
    hostile: HostileSite, tmp_path: Path, title: str
) -> None:
    hostile.title = title
    added = add(hostile.url("/tieu-de"), tmp_path)
    assert read_back(added) == (added.article.title, datetime(2024, 11, 4, 7, 30), added.article.body)
    assert added.article.body.startswith(BUS.lead)  # the first paragraph stays in the text
    assert added.article.title.startswith(BUS.lead.split()[0])  # named by the text's opening words
