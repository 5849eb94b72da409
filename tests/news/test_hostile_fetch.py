"""A hostile site cannot hurt a fetch: one deadline for the whole request, bounded decompression,
the exact content type, safe charsets, bounded extraction, no credentials on the wire, and the
SSRF guard reading the IPv4 address inside an IPv6 one. Against tests/hostile_site.py on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_site import HostileSite
from live_fixtures import ROOT, add, bot_environ, break_adding, run_bot
from news_site import BUS, FESTIVAL, cp1258, rss

from bot.news.feeds import parse_feed
from bot.news.fetch import Fetched, LinkError, is_public


@pytest.fixture
def hostile() -> Iterator[HostileSite]:
    server = HostileSite().start()
    yield server
    server.stop()



def test_headers_dripped_a_byte_at_a_time_are_cut_at_the_deadline(hostile: HostileSite, tmp_path: Path) -> None:
    """Each read gets a byte well within the timeout; only a deadline for the whole request ends it."""
    started = time.monotonic()
    with pytest.raises(LinkError, match=r"/nho-giot: no answer within 1 s$") as caught:
        add(hostile.url("/nho-giot"), tmp_path, fetch_timeout_seconds=1.0)
    assert time.monotonic() - started < 3 * 1.0
    assert caught.value.transient


def test_add_cuts_a_dripping_link_and_adds_the_next(hostile: HostileSite, tmp_path: Path) -> None:
    started = time.monotonic()
    done = run_bot(tmp_path, "add", hostile.url("/nho-giot"), hostile.story_url(BUS), FETCH_ALLOW_PRIVATE="true",
                   FETCH_TIMEOUT_SECONDS="1", FETCH_HOST_DELAY_SECONDS="0", LOG_LEVEL="WARNING")
    assert time.monotonic() - started < 30  # the drip alone would last a minute
    assert done.stderr.splitlines() == [f"error: {hostile.url('/nho-giot')}: no answer within 1 s"]
    assert done.stdout.startswith(f"added: {BUS.title}")


# `resource` in a child of this small process: the process pytest starts keeps pytest's own peak
# as its ru_maxrss (Linux carries it across vfork/exec), hundreds of MiB late in a run; a child
# forked here starts from this process's memory alone, and RUSAGE_CHILDREN is that child's peak.
_PEAK_RSS = """
import os, resource, sys
from bot.cli import main
pid = os.fork()
if pid == 0:
    code = main(["add", *sys.argv[1:]])
    sys.stdout.flush(); sys.stderr.flush()
    os._exit(code)
os.waitpid(pid, 0)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, file=sys.stderr)
"""


def test_compression_bombs_stay_under_300_mib_and_are_one_line_each(hostile: HostileSite, tmp_path: Path) -> None:
    """gzip of 1 GiB of spaces (1 MB on the wire), and the same gzipped again (2.5 kB): the default
    FETCH_MAX_BYTES counts what decompression gives, and a second content encoding is refused."""
    links = [hostile.url("/bom"), hostile.url("/bom-kep"), hostile.url("/nen-br"), hostile.url("/nen-gzip")]
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_PEAK_RSS), *links], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env=bot_environ(tmp_path, FETCH_ALLOW_PRIVATE="true", FETCH_HOST_DELAY_SECONDS="0",
                                     LOG_LEVEL="WARNING"),
    )
    *errors, peak_mib = done.stderr.splitlines()
    assert errors == [
        f"error: {links[0]}: larger than 5 MB",
        f"error: {links[1]}: more than one content encoding (gzip, gzip)",
        f"error: {links[2]}: unsupported content encoding (br)",
    ]
    assert done.stdout.startswith(f"added: {FESTIVAL.title}")  # one gzip layer of a real page is fine
    assert int(peak_mib) < 300, f"peak RSS {peak_mib} MiB"


def test_the_content_type_must_be_exactly_html(hostile: HostileSite, tmp_path: Path) -> None:
    with pytest.raises(LinkError, match=r"/htmlx: not a web page \(text/htmlx\)$"):
        add(hostile.url("/htmlx"), tmp_path)
    assert add(hostile.story_url(BUS), tmp_path).article.title == BUS.title  # `text/html; charset=utf-8`


@pytest.mark.parametrize("charset", ["idna", "punycode", "undefined", "base64", "utf-7", "unicode_escape", "x-nope"])
def test_a_charset_python_must_not_decode_with_falls_back_to_the_detected_one(charset: str) -> None:
    page = "<html><head><title>Hội An</title></head><body><p>Đèn lồng trên sông Hoài.</p></body></html>"
    fetched = Fetched("http://bao.test/a", 200, "text/html", charset, page.encode(), None, None)
    assert fetched.html_text() == page
    with_meta = cp1258(page.replace("<head>", f'<head><meta charset="{charset}">'))
    legacy = Fetched("http://bao.test/a", 200, "text/html", None, with_meta, None, None)
    assert "Đèn lồng trên sông Hoài" in unicodedata.normalize("NFC", legacy.html_text())


def test_add_goes_on_after_pages_and_robots_txt_declaring_dangerous_charsets(
    hostile: HostileSite, tmp_path: Path
) -> None:
    hostile.robots_charset = "idna"
    links = [hostile.url("/bang-ma/idna"), hostile.url("/meta/punycode"), hostile.url("/bang-ma/undefined"),
             hostile.story_url(BUS)]
    done = run_bot(tmp_path, "add", *links, FETCH_ALLOW_PRIVATE="true", FETCH_HOST_DELAY_SECONDS="0",
                   LOG_LEVEL="WARNING")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    added = done.stdout.splitlines()
    assert [line.split(" — ")[0] for line in added] == [f"added: {FESTIVAL.title}"] * 3 + [f"added: {BUS.title}"]


def test_credentials_in_a_link_never_reach_the_wire_or_the_file(hostile: HostileSite, tmp_path: Path) -> None:
    url = hostile.story_url(BUS).replace("http://", "http://user:secret@")
    added = add(url, tmp_path)
    assert hostile.log and all(h.headers["Host"] == f"127.0.0.1:{hostile.bound_port}" for h in hostile.log)
    assert not any("secret" in v or k.lower() == "authorization" for h in hostile.log for k, v in h.headers.items())
    assert added.article.url == hostile.story_url(BUS)
    assert "secret" not in added.article.path.read_text(encoding="utf-8")


IPV6_WRAPPING_PRIVATE = [
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "::7f00:1",  # IPv4-compatible 127.0.0.1
    "::a00:1",  # IPv4-compatible 10.0.0.1
    "fec0::1",  # site-local
    "::ffff:192.168.0.1",  # IPv4-mapped
]


@pytest.mark.parametrize("address", IPV6_WRAPPING_PRIVATE)
def test_ipv6_forms_carrying_a_private_ipv4_address_are_refused(
    hostile: HostileSite, tmp_path: Path, address: str
) -> None:
    assert not is_public(address)
    with pytest.raises(LinkError, match=rf"bao\.test is a private, loopback or link-local address \({address}\)"):
        add(f"http://bao.test:{hostile.bound_port}/tin/{BUS.slug}.html", tmp_path, fetch_allow_private=False,
            resolver=lambda host, port: [address])
    assert hostile.log == []


def test_ipv6_forms_carrying_a_public_ipv4_address_are_public() -> None:
    for address in ("64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8", "2001:4860:4860::8888"):
        assert is_public(address), address


def test_add_turns_an_unexpected_error_on_one_link_into_one_line(
    hostile: HostileSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fault injection: the first link fails as a bug would; the second is still added."""
    from bot import cli
    from bot.news import links

    break_adding(monkeypatch, links, FESTIVAL.slug)
    for name, value in bot_environ(tmp_path, FETCH_ALLOW_PRIVATE="true", FETCH_HOST_DELAY_SECONDS="0").items():
        monkeypatch.setenv(name, value)
    code = cli.main(["add", hostile.story_url(FESTIVAL), hostile.story_url(BUS)])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.splitlines() == [f"error: {hostile.story_url(FESTIVAL)}: unexpected RuntimeError; "
                                "LOG_LEVEL=DEBUG shows the details"]
    assert out.startswith(f"added: {BUS.title}")


@pytest.mark.parametrize("charset", ["undefined", "idna", "punycode"])
def test_a_feed_declaring_a_dangerous_charset_is_read_or_refused_in_one_line(charset: str) -> None:
    body = rss([BUS], "http://bao.test").replace('encoding="UTF-8"', f'encoding="{charset}"').encode()
    try:
        items = parse_feed("http://bao.test/rss", body, "application/rss+xml")
    except LinkError as exc:
        assert str(exc) == "http://bao.test/rss: not a valid RSS or Atom feed (unreadable character set)"
    else:
        assert [item.title for item in items] == [BUS.title]
