"""Adding an article by its link, against a real news-like HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from live_fixtures import add, bot_environ, fetch_settings, run_bot
from news_site import BUS, FESTIVAL, NewsSite, article_page

from bot.library.corpus import load_articles, parse_article
from bot.news import fetch
from bot.news.fetch import Fetcher, LinkError, is_public
from bot.news.webpage import article_text, extract
from tests.conftest import SEEDS


def test_the_file_holds_title_date_lead_body_and_byline_without_boilerplate(site: NewsSite, tmp_path: Path) -> None:
    added = add(site.story_url(BUS), tmp_path)
    text = added.article.path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line]
    assert lines[:3] == [site.story_url(BUS), BUS.title, "04/11/2024, 07:30"]
    assert lines[3:] == [BUS.lead, *BUS.paragraphs, BUS.author]
    for boilerplate in ("Tin liên quan", "Ý kiến bạn đọc", "Chia sẻ", "Đăng nhập", "Giấy phép", "Thời sự",
                        "Ảnh minh họa", "Tuyệt vời quá", "Đọc nhiều", "Báo Thử Nghiệm"):
        assert boilerplate not in text
    assert (added.sentences, added.changed) == (len(BUS.paragraphs) + 1, True)


def test_the_written_file_parses_back_exactly(site: NewsSite, tmp_path: Path) -> None:
    web = extract(article_page(FESTIVAL, site.base), site.story_url(FESTIVAL))
    article = parse_article(article_text(web), tmp_path / "a.txt")
    assert (article.url, article.title, article.published, article.byline) == (
        web.url, web.title, web.published, web.author
    )
    assert article.body == "\n".join(web.paragraphs)
    added = add(site.story_url(FESTIVAL), tmp_path)
    (loaded,) = load_articles([tmp_path / "articles"])
    assert loaded == added.article


def test_a_byline_the_corpus_would_not_recognise_is_left_out_so_the_body_stays_exact(site: NewsSite) -> None:
    page = article_page(BUS, site.base).replace(BUS.author, "Theo báo cáo của 3 phóng viên, nhóm thực hiện.")
    web = extract(page, site.story_url(BUS))
    article = parse_article(article_text(web), Path("a.txt"))
    assert web.author is None and article.byline is None
    assert article.body == "\n".join(web.paragraphs)


def test_same_url_again_is_the_same_file_rewritten_only_when_the_text_changed(site: NewsSite, tmp_path: Path) -> None:
    first = add(site.story_url(BUS), tmp_path)
    stat = first.article.path.stat()
    again = add(site.story_url(BUS), tmp_path)
    assert again.article.path == first.article.path and not again.changed
    assert again.article.path.stat().st_mtime_ns == stat.st_mtime_ns
    site.pages[BUS.slug] = replace(BUS, paragraphs=(*BUS.paragraphs, "Đoạn bổ sung mới về tuyến xe."))
    edited = add(site.story_url(BUS), tmp_path)
    assert edited.changed and edited.article.path == first.article.path
    assert "Đoạn bổ sung mới" in edited.article.body
    assert [p.name for p in (tmp_path / "articles").iterdir()] == [first.article.path.name]


def test_a_redirect_is_followed_and_the_file_named_after_where_it_lands(site: NewsSite, tmp_path: Path) -> None:
    direct = add(site.story_url(BUS), tmp_path)
    redirected = add(site.url("/chuyen-huong"), tmp_path)
    assert redirected.article.path == direct.article.path
    assert redirected.article.url == site.story_url(BUS)


def test_the_charset_the_page_declares_is_honoured(site: NewsSite, tmp_path: Path) -> None:
    for path in ("/cp1258", "/cp1258-meta"):  # named by the Content-Type header, or by <meta> alone
        added = add(site.url(path), tmp_path)
        assert added.article.title == FESTIVAL.title
        assert FESTIVAL.paragraphs[1] in added.article.body  # NFC, as the corpus keeps text


def test_requests_name_the_bot_and_robots_txt_is_read_first(site: NewsSite, tmp_path: Path) -> None:
    add(site.story_url(BUS), tmp_path, fetch_user_agent="vnnews-bot/test (+https://example.org/bot)")
    assert [h.path for h in site.log][:2] == ["/robots.txt", f"/tin/{BUS.slug}.html"]
    assert all(h.headers["User-Agent"] == "vnnews-bot/test (+https://example.org/bot)" for h in site.log)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _only_localhost(host: str, port: int) -> list[str]:
    """A resolver that knows no name but localhost, as DNS does not know a mistyped domain."""
    if host not in ("localhost", "127.0.0.1"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return ["127.0.0.1"]


FAILURES = [
    ("/khong-ton-tai", {}, "the server answered 404 Not Found"),
    ("/loi-500", {}, "the server answered 500 Internal Server Error"),
    ("/vong-lap-1", {}, "redirect loop"),
    ("/chuoi/7", {}, "more than 5 redirects"),
    ("/bao-cao.pdf", {}, "not a web page (application/pdf)"),
    ("/anh/1.jpg", {}, "not a web page (image/jpeg)"),
    ("/rat-lon", {}, "larger than 0.1 MB"),
    ("/khong-co-bai", {}, "no article text found on the page"),
    ("/cham", {"fetch_timeout_seconds": 0.3}, "no answer within 0.3 s"),
    ("/rieng-tu/bai.html", {}, "robots.txt of 127.0.0.1 does not allow fetching it"),
]


@pytest.mark.parametrize(("path", "overrides", "message"), FAILURES, ids=[f[0] for f in FAILURES])
def test_each_bad_page_is_one_line_naming_the_url_and_nothing_is_written(
    site: NewsSite, tmp_path: Path, path: str, overrides: dict[str, Any], message: str
) -> None:
    site.slow_seconds = 1.5
    add(site.story_url(FESTIVAL), tmp_path)  # an article already there stays as it was
    before = sorted((tmp_path / "articles").iterdir())
    with pytest.raises(LinkError) as caught:
        add(site.url(path), tmp_path, **overrides)
    assert str(caught.value) == f"{site.url(path)}: {message}"
    assert caught.value.vietnamese.startswith(f"Không thêm được {site.url(path)}: ")
    assert "\n" not in str(caught.value) + caught.value.vietnamese
    assert sorted((tmp_path / "articles").iterdir()) == before  # no half-written or temporary file


def test_unreachable_host_dns_failure_and_other_schemes(tmp_path: Path) -> None:
    port = _closed_port()
    with pytest.raises(LinkError, match=rf"^http://127\.0\.0\.1:{port}/a: cannot connect to 127\.0\.0\.1:{port} "
                                        r"\(.*refused.*\)$"):
        add(f"http://127.0.0.1:{port}/a", tmp_path)
    with pytest.raises(LinkError, match=r"^http://bao-khong-co\.invalid/a: cannot resolve host name "
                                        r"bao-khong-co\.invalid$"):
        add("http://bao-khong-co.invalid/a", tmp_path, _only_localhost)
    for url in ("ftp://127.0.0.1/a.html", "file:///etc/passwd", "javascript:alert(1)"):
        with pytest.raises(LinkError, match=r": only http:// and https:// links can be fetched$"):
            add(url, tmp_path)
    for url in ("http://127.0.0.1:99999/a", "http://[::1/a"):
        with pytest.raises(LinkError, match=r": not a valid link$"):
            add(url, tmp_path)
    assert not (tmp_path / "articles").exists()


def test_an_articles_folder_that_cannot_be_written_is_one_line(site: NewsSite, tmp_path: Path) -> None:
    (tmp_path / "articles").write_text("a file where the folder should be")
    with pytest.raises(LinkError, match=rf"^{site.story_url(BUS)}: cannot write into {tmp_path / 'articles'} \("):
        add(site.story_url(BUS), tmp_path)


def test_private_addresses_are_refused_unless_allowed(site: NewsSite, tmp_path: Path) -> None:
    url = f"http://localhost:{site.url('').rsplit(':', 1)[1]}/tin/{BUS.slug}.html"
    with pytest.raises(LinkError, match="localhost is a private, loopback or link-local address "
                                        r"\(127\.0\.0\.1\); set FETCH_ALLOW_PRIVATE=true to allow it$"):
        add(url, tmp_path, fetch_allow_private=False)
    assert site.log == []  # refused before any connection
    for address in ("10.1.2.3", "192.168.1.1", "169.254.169.254", "0.0.0.0", "::1", "fe80::1", "::ffff:127.0.0.1",
                    "100.64.0.1", "224.0.0.1"):
        assert not is_public(address), address
    assert is_public("203.162.4.190") and is_public("2001:4860:4860::8888")


def test_a_redirect_to_a_private_address_is_refused(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first hop (the test server) is let through as if public; the redirect is checked anew."""
    monkeypatch.setattr(fetch, "is_public", lambda address: address == "127.0.0.1")
    with pytest.raises(LinkError, match=r"/ra-ngoai: 169\.254\.169\.254 is a private, loopback or link-local"):
        add(site.url("/ra-ngoai"), tmp_path, fetch_allow_private=False)
    assert [h.path for h in site.log] == ["/robots.txt", "/ra-ngoai"]


def test_one_request_at_a_time_per_host_with_a_pause(site: NewsSite, tmp_path: Path) -> None:
    settings = fetch_settings(tmp_path, fetch_host_delay_seconds=0.3)
    fetcher = Fetcher(settings)
    import time

    start = time.monotonic()
    for _ in range(3):
        fetcher.page(site.story_url(BUS))
    fetcher.close()
    assert time.monotonic() - start >= 0.3 * 3  # robots.txt, then three pages, 0.3 s apart


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_https_connects_to_the_checked_address_and_verifies_the_certificate_for_the_name(tmp_path: Path) -> None:
    """The connection goes to the pinned address, but TLS checks the certificate against the link's name."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=bao.test",
         "-addext", "subjectAltName=DNS:bao.test", "-keyout", str(tmp_path / "key.pem"),
         "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    secure = NewsSite(tls=server_tls).start()
    trusted = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    fetcher = Fetcher(fetch_settings(tmp_path), lambda host, port: ["127.0.0.1"], trusted)
    try:
        page = fetcher.page(f"https://bao.test:{secure.bound_port}/tin/{BUS.slug}.html")
        assert page.status == 200 and secure.log[-1].headers["Host"] == f"bao.test:{secure.bound_port}"
        with pytest.raises(LinkError, match=r"cannot connect to khac\.test:\d+ \(certificate verify failed"):
            fetcher.page(f"https://khac.test:{secure.bound_port}/tin/{BUS.slug}.html")  # same address, other name
    finally:
        fetcher.close()
        secure.stop()


def test_acceptance_add_by_link_then_ask_answers_from_it_with_url_and_date(site: NewsSite, tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "articles")
    added = run_bot(tmp_path, "add", site.story_url(BUS), FETCH_ALLOW_PRIVATE="true")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(f"added: {BUS.title} — 04/11/2024 07:30 — 5 sentences — ")
    asked = run_bot(tmp_path, "ask", "Ai là Chủ tịch UBND thành phố Đà Nẵng?")
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.startswith("Trả lời: Ông Lê Trung Chinh\n“Ông Lê Trung Chinh, Chủ tịch UBND thành phố")
    assert f"— {BUS.title}, 04/11/2024, {site.story_url(BUS)}" in asked.stdout


def test_add_reports_each_failed_url_in_one_line_and_adds_the_others(site: NewsSite, tmp_path: Path) -> None:
    done = run_bot(tmp_path, "add", site.url("/bao-cao.pdf"), site.story_url(BUS), site.url("/khong"),
                   FETCH_ALLOW_PRIVATE="true", LOG_LEVEL="WARNING")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: {site.url('/bao-cao.pdf')}: not a web page (application/pdf)",
        f"error: {site.url('/khong')}: the server answered 404 Not Found",
    ]
    assert done.stdout.startswith("added: ") and len(list((tmp_path / "articles").glob("*.txt"))) == 1
    refused = run_bot(tmp_path, "add", site.story_url(BUS), LOG_LEVEL="WARNING")
    assert refused.returncode == 1 and "set FETCH_ALLOW_PRIVATE=true" in refused.stderr


def test_an_xhtml_page_with_an_xml_declaration_keeps_its_lead_and_dateline(site: NewsSite) -> None:
    page = '<?xml version="1.0" encoding="utf-8"?>\n' + article_page(BUS, site.base)
    page = page.replace(BUS.published.isoformat(), "")  # only the visible dateline dates it
    web = extract(page, site.story_url(BUS))
    assert web.paragraphs[0] == BUS.lead and web.published == BUS.published.replace(tzinfo=None)


def test_a_robots_txt_that_cannot_be_read_allows_nothing_and_a_missing_one_everything(
    site: NewsSite, tmp_path: Path
) -> None:
    fetcher = Fetcher(fetch_settings(tmp_path))
    site.robots_status = 503
    with pytest.raises(LinkError, match=r": robots\.txt of 127\.0\.0\.1 answered 503; nothing is fetched") as caught:
        fetcher.page(site.story_url(BUS))
    assert caught.value.transient and site.hits(f"/tin/{BUS.slug}.html") == []
    site.robots_status = 404
    assert fetcher.page(site.story_url(BUS)).status == 200  # not cached: read again; none means no rules
    assert len(site.hits("/robots.txt")) == 2
    fetcher.close()


def test_seeds_are_never_written_add_writes_beside_them_and_ask_reads_both(site: NewsSite, tmp_path: Path) -> None:
    """Default folders, as in a fresh checkout: `add` used to write into the tracked seeds/."""
    checkout = tmp_path / "checkout"
    shutil.copytree(SEEDS, checkout / "seeds")
    before = {p.name: p.read_bytes() for p in (checkout / "seeds").iterdir()}
    env = bot_environ(tmp_path, FETCH_ALLOW_PRIVATE="true")
    del env["ARTICLES_DIR"], env["SEEDS_DIR"]

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *args], cwd=checkout, env=env, input=stdin,
                              capture_output=True, text=True, timeout=120, check=False)

    added = run("add", site.story_url(BUS))
    assert added.returncode == 0, added.stderr
    assert {p.name: p.read_bytes() for p in (checkout / "seeds").iterdir()} == before
    [written] = (checkout / "data" / "articles").glob("*.txt")
    asked = run("ask", "--json", stdin="Ai là Chủ tịch UBND thành phố Đà Nẵng?\nAi làm Trưởng đoàn phía Lào?\n")
    bus, laos = (json.loads(line) for line in asked.stdout.splitlines())
    assert bus["citations"][0]["article_id"] == written.stem and "Lê Trung Chinh" in bus["answer"]
    assert "Chansamone" in laos["answer"]
