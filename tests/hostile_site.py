"""A hostile news site on 127.0.0.1: the fake site of news_site.py plus pages made to hurt a fetcher.

Headers dripped a byte at a time, compression bombs (one gzip layer, and `gzip, gzip`), charsets
Python must not decode with (`idna`, `punycode`, `undefined`) in the header, a `<meta>` or on
robots.txt, a content type that only starts like HTML, a page whose extraction grows with the
square of its inline tags, and one article under many URLs (case, `//`, trailing `/`, tracking
parameters, a canonical link). Every request is still recorded in `log`.
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from dataclasses import dataclass, field
from functools import cache
from html import escape
from typing import ClassVar

from news_site import BUS, FESTIVAL, Hit, NewsSite, _Handler, article_page


@cache
def gzip_bomb(size: int) -> bytes:
    """gzip of `size` spaces, built in well under a second: the deflate stream of each 1 MiB of
    spaces after a full flush is the same bytes, so it is compressed once and repeated."""
    chunk = 1 << 20
    block = b" " * chunk
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    again = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    count = size // chunk
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    body = first + again * (count - 1) + deflate.flush(zlib.Z_FINISH)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + body + crc.to_bytes(4, "little") + (count * chunk & 0xFFFFFFFF).to_bytes(4, "little")


def gzip(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return packer.compress(data) + packer.flush()


def quadratic_page(tags: int) -> str:
    """One paragraph of `tags` bold words: trafilatura's time grows with the square of `tags`."""
    words = "".join(f"<b>chữ {i}</b> và " for i in range(tags))
    return (f"<html><head><title>{escape(BUS.title)}</title></head><body><article>"
            f"<p>{escape(BUS.lead)}</p><p>{words}</p></article></body></html>")


def titled_page(title: str, base: str) -> str:
    """The bus story with another `<title>` (and headline), and no og:title to fall back on."""
    page = article_page(BUS, base)
    page = page.replace(f"<title>{escape(BUS.title)} - Báo Thử Nghiệm</title>", f"<title>{escape(title)}</title>")
    page = page.replace(f'<meta property="og:title" content="{escape(BUS.title)}">', "")
    return page.replace(f'<h1 class="title-detail">{escape(BUS.title)}</h1>', f"<h1>{escape(title)}</h1>")


@dataclass
class HostileSite(NewsSite):
    """The fake news site with the hostile pages below; `stop()` also ends every drip."""

    drip_seconds: float = 0.2  # between two bytes of a dripped header: each read gets one in time
    bomb_bytes: int = 1 << 30  # what one bomb decompresses to
    quadratic_tags: int = 20_000
    robots_charset: str | None = None  # robots.txt declared in this charset
    title: str = "Tiêu đề"  # the <title> of /tieu-de
    stopping: threading.Event = field(default_factory=threading.Event)
    handler: ClassVar[type[_Handler]]

    def stop(self) -> None:
        self.stopping.set()
        super().stop()


class _HostileHandler(_Handler):
    owner: HostileSite

    def do_GET(self) -> None:  # noqa: N802 (http.server's method name)
        site, path = self.owner, self.path.split("?")[0]
        html = "text/html; charset=utf-8"
        page = article_page(FESTIVAL, site.base)
        if path == "/robots.txt" and site.robots_charset:
            self._send(200, site.robots.encode(), f"text/plain; charset={site.robots_charset}")
        elif path == "/nho-giot":
            self._drip()
        elif path == "/bom":
            self._send(200, gzip_bomb(site.bomb_bytes), "text/html", Content_Encoding="gzip")
        elif path == "/bom-kep":
            self._send(200, gzip(gzip_bomb(site.bomb_bytes)), "text/html", Content_Encoding="gzip, gzip")
        elif path == "/nen-gzip":  # a well-behaved compressed page
            self._send(200, gzip(page.encode()), html, Content_Encoding="gzip")
        elif path == "/nen-br":
            self._send(200, page.encode(), html, Content_Encoding="br")
        elif path.startswith("/bang-ma/"):  # charset in the header only
            self._send(200, page.replace('<meta charset="utf-8">', "").encode(),
                       f"text/html; charset={path.rsplit('/', 1)[1]}")
        elif path.startswith("/meta/"):  # charset in a <meta> only
            charset = path.rsplit("/", 1)[1]
            self._send(200, page.replace('<meta charset="utf-8">', f'<meta charset="{charset}">').encode(),
                       "text/html")
        elif path == "/htmlx":
            self._send(200, page.encode(), "text/htmlx")
        elif path == "/bac-hai":
            self._send(200, quadratic_page(site.quadratic_tags).encode(), html)
        elif path == "/tieu-de":
            self._send(200, titled_page(site.title, site.base).encode(), html)
        elif re.sub("/+", "/", path).strip("/") == f"bai/{BUS.slug}":  # no canonical link: any spelling
            self._send(200, article_page(BUS, site.base).replace('<link rel="canonical"', "<link").encode(), html)
        elif path == "/bai-theo-id":  # the page's canonical link names its one URL
            self._send(200, article_page(BUS, site.base).encode(), html)
        elif path == "/mao-danh":  # a canonical link claiming another site's article
            self._send(200, article_page(BUS, "https://vnexpress.net").encode(), html)
        else:
            super().do_GET()

    do_HEAD = do_GET  # noqa: N815

    def _drip(self) -> None:
        """A status line, then header bytes one at a time, never ending them (until the site stops
        or a minute has passed)."""
        site = self.owner
        site.log.append(Hit(self.path, 200, dict(self.headers.items())))
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
            started = time.monotonic()
            while not site.stopping.is_set() and time.monotonic() - started < 60:
                self.wfile.write(b"X")
                site.stopping.wait(site.drip_seconds)
        except OSError:  # the client gave up: what a fetcher should do
            return


HostileSite.handler = _HostileHandler
