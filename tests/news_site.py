"""A fake Vietnamese news site on 127.0.0.1: article pages, an RSS feed, and every way a fetch fails.

Pages are built the way Vietnamese outlets build them: header and menus, a dateline like
`Thứ hai, 4/11/2024, 07:30 (GMT+7)`, a photo with its caption, the author at the end, then
share buttons, related articles and comments. The feed is RSS 2.0 with ETag and
Last-Modified, so conditional GET can be checked. Every request is recorded.

Run it alone (`python tests/news_site.py --port 8090`) to try `python -m bot add` by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import ssl
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

VN = timezone(timedelta(hours=7))
_WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


@dataclass(frozen=True)
class Story:
    """One invented article: what the page shows and the feed lists."""

    slug: str
    title: str
    lead: str
    paragraphs: tuple[str, ...]
    author: str
    published: datetime
    caption: str = "Ảnh minh họa: người dân tại buổi lễ. Ảnh: Phóng viên"
    dated: bool = True  # False: the page shows no date anywhere (the feed still does)


BUS = Story(
    slug="da-nang-khai-truong-tuyen-xe-buyt-dien-dau-tien-4801234",
    title="Đà Nẵng khai trương tuyến xe buýt điện đầu tiên",
    lead="Tuyến xe buýt điện đầu tiên của Đà Nẵng nối sân bay với bán đảo Sơn Trà, giá vé 8.000 đồng.",
    paragraphs=(
        ("Sáng 3/11, UBND thành phố Đà Nẵng tổ chức lễ khai trương tuyến xe buýt điện số 15 nối sân bay "
        "quốc tế Đà Nẵng với bán đảo Sơn Trà."),
        "Tuyến dài 24 km, có 18 xe buýt điện chạy từ 5h30 đến 21h mỗi ngày, cứ 15 phút một chuyến.",
        ("Ông Lê Trung Chinh, Chủ tịch UBND thành phố, cho biết thành phố sẽ thay toàn bộ xe buýt chạy "
        "dầu bằng xe điện trước năm 2030."),
        "Trong tháng đầu, hành khách được miễn phí vé để làm quen với tuyến mới.",
    ),
    author="Nguyễn Đông",
    published=datetime(2024, 11, 4, 7, 30, tzinfo=VN),
)
FESTIVAL = Story(
    slug="hoi-an-don-nua-trieu-khach-dip-le-hoi-den-long-4805678",
    title="Hội An đón nửa triệu khách dịp lễ hội đèn lồng",
    lead="Lễ hội đèn lồng Hội An năm nay kéo dài năm ngày và thu hút hơn 500.000 lượt khách.",
    paragraphs=(
        ("Tối 10/11, Trung tâm Văn hóa Hội An cho biết lễ hội đèn lồng năm nay đã đón hơn 500.000 lượt "
        "khách trong và ngoài nước."),
        ("Bà Trương Thị Lai, Giám đốc Trung tâm, cho biết mười nghìn chiếc đèn lồng được thả trên sông "
        "Hoài trong đêm bế mạc."),
        "Ban tổ chức bố trí thêm 200 tình nguyện viên hướng dẫn du khách tại phố cổ.",
    ),
    author="Đắc Thành",
    published=datetime(2024, 11, 11, 6, 15, tzinfo=VN),
)


def dateline(when: datetime) -> str:
    return f"{_WEEKDAYS[when.weekday()]}, {when.day}/{when.month}/{when.year}, {when:%H:%M} (GMT+7)"


def article_page(story: Story, base: str) -> str:
    """The story inside a news site's chrome: what an extractor has to see through."""
    body = "\n".join(f'<p class="Normal">{escape(p)}</p>' for p in story.paragraphs)
    menu = "".join(
        f'<li><a href="{base}/{section}">{name}</a></li>'
        for section, name in (("thoi-su", "Thời sự"), ("the-gioi", "Thế giới"), ("kinh-doanh", "Kinh doanh"),
                              ("giai-tri", "Giải trí"), ("the-thao", "Thể thao"), ("phap-luat", "Pháp luật"))
    )
    related = "".join(
        f'<li><a href="{base}/tin/lien-quan-{i}.html">Tin liên quan số {i}: chuyện khác ở nơi khác</a></li>'
        for i in range(1, 6)
    )
    published = story.published.isoformat() if story.dated else ""
    shown = dateline(story.published) if story.dated else ""
    return f"""<!DOCTYPE html>
<html lang="vi"><head>
<meta charset="utf-8">
<title>{escape(story.title)} - Báo Thử Nghiệm</title>
<meta name="description" content="{escape(story.lead)}">
<meta property="og:title" content="{escape(story.title)}">
<meta property="og:type" content="article">
<meta name="author" content="{escape(story.author)}">
<meta itemprop="datePublished" content="{published}">
<meta property="article:published_time" content="{published}">
<link rel="canonical" href="{base}/tin/{story.slug}.html">
</head><body>
<header class="header"><a href="{base}/" class="logo">Báo Thử Nghiệm</a>
<nav class="main-nav"><ul>{menu}</ul></nav>
<div class="search"><input placeholder="Tìm kiếm"> Đăng nhập | Đăng ký</div></header>
<div class="breadcrumb"><a href="{base}/thoi-su">Thời sự</a> › <a href="{base}/giao-thong">Giao thông</a></div>
<section class="section page-detail"><div class="sidebar-1">
<span class="date">{shown}</span>
<h1 class="title-detail">{escape(story.title)}</h1>
<p class="description">{escape(story.lead)}</p>
<article class="fck_detail">
{body[: body.index("</p>") + 4]}
<figure class="tplCaption"><img src="{base}/anh/1.jpg" alt="">
<figcaption><p class="Image">{escape(story.caption)}</p></figcaption></figure>
{body[body.index("</p>") + 4 :]}
<p class="Normal" style="text-align:right;"><strong>{escape(story.author)}</strong></p>
</article>
<div class="social"><a href="#">Chia sẻ Facebook</a> <a href="#">Twitter</a> <a href="#">Sao chép liên kết</a></div>
<div class="box-tinlienquan"><h3>Tin liên quan</h3><ul>{related}</ul></div>
<div class="box-comment"><h3>Ý kiến bạn đọc (3)</h3>
<div class="comment_item"><p class="full_content">Tuyệt vời quá, mong thành phố tôi cũng có!</p>
<span class="user">Bạn đọc Minh</span> Thích · Trả lời</div>
<div class="comment_item"><p class="full_content">Giá vé như vậy là hợp lý, nên mở thêm tuyến.</p>
<span class="user">Hoa Nguyễn</span> Thích · Trả lời</div></div>
</div><aside class="sidebar-2"><h3>Đọc nhiều</h3><ul>{related}</ul></aside></section>
<footer><p>Báo Thử Nghiệm - Giấy phép số 000/GP-BTTTT. Liên hệ quảng cáo: 0900 000 000.</p>
<p>© Bản quyền thuộc về Báo Thử Nghiệm. Không được sao chép khi chưa được phép.</p></footer>
</body></html>"""


def cp1258(text: str) -> bytes:
    """Windows-1258, as legacy Vietnamese sites write it: precomposed where the code page has the
    letter (`ê`), a combining tone mark after it otherwise (`ệ` = `ê` + dot below)."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        for i, mark in enumerate(marks):  # fold one mark into the base if the code page has that letter
            letter = unicodedata.normalize("NFC", base + mark)
            if len(letter) == 1 and letter.encode("cp1258", errors="ignore"):
                base, marks = letter, marks[:i] + marks[i + 1 :]
                break
        out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)


def rss(stories: list[Story], base: str, extra_items: str = "") -> str:
    items = "".join(
        f"<item><title>{escape(s.title)}</title><link>{base}/tin/{s.slug}.html</link>"
        f"<description>{escape(s.lead)}</description><pubDate>{format_datetime(s.published)}</pubDate>"
        f"<guid>{base}/tin/{s.slug}.html</guid></item>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Báo Thử Nghiệm - Tin mới</title><link>{base}/</link><description>Tin mới nhất</description>"
        f"{items}{extra_items}</channel></rss>"
    )


@dataclass
class Hit:
    path: str
    status: int
    headers: dict[str, str]


@dataclass
class NewsSite:
    """The site's state; tests publish stories and read the request log."""

    feed: list[Story] = field(default_factory=lambda: [BUS])
    pages: dict[str, Story] = field(default_factory=lambda: {BUS.slug: BUS, FESTIVAL.slug: FESTIVAL})
    log: list[Hit] = field(default_factory=list)
    robots: str = "User-agent: *\nDisallow: /rieng-tu/\n"
    robots_status: int = 200  # anything else: robots.txt answers that status instead
    robots_type: str = "text/plain"  # e.g. `text/plain; charset=idna`, a charset Python cannot decode with
    host: str = "127.0.0.1"
    port: int = 0
    slow_seconds: float = 3.0
    tls: ssl.SSLContext | None = None  # serve HTTPS with this server context
    _server: ThreadingHTTPServer | None = None
    handler: ClassVar[type[BaseHTTPRequestHandler]]  # the request handler (set below the class)

    @property
    def bound_port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def base(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.bound_port}"

    def url(self, path: str) -> str:
        return self.base + path

    def story_url(self, story: Story) -> str:
        return self.url(f"/tin/{story.slug}.html")

    def publish(self, story: Story) -> None:
        """Put a story at the top of the feed, as a newsroom does."""
        self.pages[story.slug] = story
        self.feed.insert(0, story)

    def hits(self, path: str, status: int | None = None) -> list[Hit]:
        return [h for h in list(self.log) if h.path == path and (status is None or h.status == status)]

    def start(self) -> NewsSite:
        site = self

        class Handler(self.handler):  # type: ignore[name-defined,misc]
            owner = site

        self._server = _Server((self.host, self.port), Handler)
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a refused page, a timeout) is expected here, not a traceback."""


class _Handler(BaseHTTPRequestHandler):
    owner: NewsSite
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        """Quiet: the site's own log is `NewsSite.log`."""

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.owner.log.append(Hit(self.path, status, dict(self.headers.items())))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, to: str) -> None:
        self._send(302, b"", "text/html", Location=to)

    def do_GET(self) -> None:
        site, path = self.owner, self.path.split("?")[0]
        html = "text/html; charset=utf-8"
        if path == "/robots.txt" and site.robots_status != 200:
            self._send(site.robots_status, b"no robots.txt here", "text/plain")
        elif path == "/robots.txt":
            self._send(200, site.robots.encode(), site.robots_type)
        elif path == "/rss":
            body = rss(site.feed, site.base).encode()
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            newest = max((s.published for s in site.feed), default=datetime(2024, 1, 1, tzinfo=UTC))  # none yet
            modified = format_datetime(newest.astimezone(UTC), usegmt=True)
            if self.headers.get("If-None-Match") == etag:
                self._send(304, b"", "application/rss+xml", ETag=etag, Last_Modified=modified)
            else:
                self._send(200, body, "application/rss+xml; charset=utf-8", ETag=etag, Last_Modified=modified)
        elif path.startswith("/tin/") and path.endswith(".html") and path[5:-5] in site.pages:
            self._send(200, article_page(site.pages[path[5:-5]], site.base).encode(), html)
        elif path == "/cp1258":  # a legacy-encoded page: only the header names its charset
            page = article_page(FESTIVAL, site.base).replace('<meta charset="utf-8">', "")
            self._send(200, cp1258(page), "text/html; charset=windows-1258")
        elif path == "/cp1258-meta":  # the same, its charset named only by the page's <meta>
            page = article_page(FESTIVAL, site.base).replace('<meta charset="utf-8">', '<meta charset="windows-1258">')
            self._send(200, cp1258(page), "text/html")
        elif path == "/chuyen-huong":
            self._redirect(site.story_url(BUS))
        elif path == "/vong-lap-1":
            self._redirect("/vong-lap-2")
        elif path == "/vong-lap-2":
            self._redirect("/vong-lap-1")
        elif path.startswith("/chuoi/"):  # /chuoi/7 → /chuoi/6 → … → the article: 7 redirects
            n = int(path.rsplit("/", 1)[1])
            self._redirect(f"/chuoi/{n - 1}" if n > 1 else site.story_url(BUS))
        elif path == "/ra-ngoai":  # a public page redirecting to a private address
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif path == "/loi-500":
            self._send(500, b"<h1>Internal Server Error</h1>", html)
        elif path == "/bao-cao.pdf":
            self._send(200, b"%PDF-1.4\n" + b"0" * 2000, "application/pdf")
        elif path == "/anh/1.jpg":
            self._send(200, b"\xff\xd8\xff\xe0" + b"0" * 2000, "image/jpeg")
        elif path == "/rat-lon":
            self._send(200, b"<html><body>" + b"<p>tin</p>" * 200_000 + b"</body></html>", html)
        elif path == "/khong-co-bai":
            page = "<html><body><nav><a href='/'>Trang chủ</a></nav><p>Trang không tồn tại</p><footer>Báo</footer>"
            self._send(200, (page + "</body></html>").encode(), html)
        elif path == "/cham":
            time.sleep(site.slow_seconds)
            self._send(200, article_page(BUS, site.base).encode(), html)
        elif path == "/rieng-tu/bai.html":
            self._send(200, article_page(BUS, site.base).encode(), html)
        elif path == "/rss-hong":
            self._send(200, b"<html><body>Trang bao tri</body></html><<<", "application/rss+xml")
        elif path == "/rss-rong":
            self._send(200, rss([], site.base).encode(), "application/rss+xml")
        elif path == "/rss-lon":
            items = "".join(
                f"<item><title>Tin số {i}</title><link>{site.base}/tin/so-{i}.html</link></item>" for i in range(5000)
            )
            self._send(200, rss([], site.base, items).encode(), "application/rss+xml")
        elif path == "/rss-thieu-link":
            extra = "<item><title>Tin không có đường dẫn</title><description>...</description></item>"
            self._send(200, rss([BUS, BUS, FESTIVAL], site.base, extra).encode(), "application/rss+xml")
        else:
            self._send(404, b"<h1>404 Not Found</h1>", html)

    do_HEAD = do_GET  # noqa: N815 (http.server's method name)


NewsSite.handler = _Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    site = NewsSite(port=args.port).start()
    print(f"serving {site.base}/rss and {site.story_url(BUS)}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        site.stop()


if __name__ == "__main__":
    main()
