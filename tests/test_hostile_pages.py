"""What a hostile page becomes: extraction bounded in time, titles that survive the file layout,
one file per article whatever URL it was reached by. Against tests/hostile_site.py on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_site import HostileSite
from live_fixtures import fetch_settings

from bot.fetch import Fetcher, LinkError
from bot.links import Added, add_link


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
    from bot.webpage import MAX_CHILDREN, MAX_ELEMENTS, extract

    links = "".join(f"<a href='/t/{i}'>tin {i}</a> " for i in range(MAX_CHILDREN + 1))
    with pytest.raises(LinkError, match=rf"^http://bao\.test/a: the page is too complex to read \(an element "
                                        rf"with {MAX_CHILDREN + 1:,} parts; at most {MAX_CHILDREN:,}\)$"):
        extract(f"<html><body><p>{links}</p></body></html>", "http://bao.test/a")
    divs = ("<div>" + "<p>Một câu.</p>" * (MAX_CHILDREN - 1) + "</div>") * (MAX_ELEMENTS // MAX_CHILDREN + 1)
    with pytest.raises(LinkError, match=r"the page is too complex to read \([\d,]+ HTML elements; at most"):
        extract(f"<html><body>{divs}</body></html>", "http://bao.test/a")


