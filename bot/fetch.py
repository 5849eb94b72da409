"""Fetches pages and feeds from the web without letting a link reach what it must not.

Every hop (the link and each redirect) is resolved once, refused if any of its addresses is
private, loopback or link-local (unless FETCH_ALLOW_PRIVATE), and then connected to by that
checked address, so a name cannot resolve to something else between the check and the
connection. Redirects are followed by hand (at most 5), downloads are capped in size and
time, robots.txt is honoured, and requests to one host go one at a time with a pause
between them. Every failure is a `LinkError`: one line naming the URL.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import httpx

from bot.errors import BotError
from bot.settings import Settings

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Feeds are served under many types (even text/html); feedparser decides whether one is a feed.
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "application/rdf+xml",
              "application/feed+json", "text/")
_ROBOTS_TTL = 3600.0
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)

Resolver = Callable[[str, int], Iterable[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for host:port, in its order of preference."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: str) -> bool:
    """Whether an address is on the public internet (not private, loopback, link-local, shared,
    reserved or multicast); `::ffff:10.0.0.1` counts as the IPv4 address it wraps."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class LinkError(BotError):
    """A link that cannot be added: `str()` is the English line, `vietnamese` the bot's line."""

    def __init__(
        self, url: str, english: str, vietnamese: str, *, transient: bool = False, status: int | None = None
    ) -> None:
        super().__init__(f"{url}: {english}")
        self.url = url
        self.reason, self.reason_vi = english, vietnamese
        self.vietnamese = f"Không thêm được {url}: {vietnamese}"
        self.transient = transient  # worth trying again at the next poll
        self.status = status  # the HTTP error status, when the server gave one


@dataclass(frozen=True)
class Fetched:
    """A successful download; `status` 304 means "unchanged since the ETag/Last-Modified given"."""

    url: str  # after redirects
    status: int
    content_type: str
    charset: str | None  # as the server declared it
    body: bytes
    etag: str | None
    last_modified: str | None

    def html_text(self) -> str:
        """The page as text: the charset of the Content-Type header, else of its <meta>, else UTF-8."""
        for name in (self.charset, _meta_charset(self.body)):
            if name:
                try:
                    return self.body.decode(name, errors="replace")
                except LookupError:  # a charset Python does not know: try the next source
                    continue
        return self.body.decode("utf-8", errors="replace")


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


class Fetcher:
    """Safe GETs for one process; thread-safe, one request at a time per host."""

    def __init__(
        self, settings: Settings, resolver: Resolver = system_resolver, tls: ssl.SSLContext | None = None
    ) -> None:
        """`tls` replaces the system's certificate authorities (a private CA; the tests' own)."""
        self.allow_private = settings.fetch_allow_private
        self.timeout = settings.fetch_timeout_seconds
        self.max_bytes = settings.fetch_max_bytes
        self.host_delay = settings.fetch_host_delay_seconds
        self.user_agent = settings.fetch_user_agent
        self._resolve = resolver
        # No proxies from the environment: a proxy would connect to names we never checked. No
        # kept-alive connections: they are pooled by the pinned address, so a TLS connection
        # verified for one name could be reused for another name on the same address.
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.timeout), follow_redirects=False, trust_env=False,
            headers={"User-Agent": self.user_agent}, limits=httpx.Limits(max_keepalive_connections=0),
            verify=tls if tls is not None else True,
        )
        self._hosts: dict[str, tuple[threading.Lock, list[float]]] = {}
        self._hosts_lock = threading.Lock()
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser]] = {}

    def close(self) -> None:
        self._client.close()

    def page(self, url: str) -> Fetched:
        """An HTML page, or LinkError."""
        return self.get(url, HTML_TYPES, ("not a web page", "không phải trang web"))

    def feed(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """A feed document, or a 304 `Fetched` when the server says it has not changed."""
        return self.get(url, FEED_TYPES, ("not a feed", "không phải nguồn tin RSS/Atom"), etag=etag,
                        last_modified=last_modified)

    def get(
        self,
        url: str,
        types: tuple[str, ...],
        wrong_type: tuple[str, str],
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        robots: bool = True,
    ) -> Fetched:
        """GET `url`, following at most MAX_REDIRECTS checked redirects; only `types` are accepted
        (`wrong_type`: what to call anything else, in English and Vietnamese)."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = [url]
        current = url
        while True:
            fetched = self._one(url, current, headers, types, wrong_type, robots)
            if isinstance(fetched, Fetched):
                return fetched
            current = fetched
            if current in seen:
                raise LinkError(url, "redirect loop", "trang chuyển hướng vòng tròn")
            seen.append(current)
            if len(seen) > MAX_REDIRECTS + 1:
                raise LinkError(url, f"more than {MAX_REDIRECTS} redirects", "chuyển hướng quá nhiều lần")

    def _one(
        self,
        url: str,
        current: str,
        headers: dict[str, str],
        types: tuple[str, ...],
        wrong_type: tuple[str, str],
        robots: bool,
    ) -> Fetched | str:
        """One request: a download, or the next URL of a redirect."""
        try:
            parts = urlsplit(current)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise LinkError(url, "not a valid link", "liên kết không hợp lệ") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise LinkError(url, "only http:// and https:// links can be fetched",
                            "chỉ nhận liên kết http:// hoặc https://")
        if robots and not self._allowed_by_robots(url, parts):
            raise LinkError(url, f"robots.txt of {parts.hostname} does not allow fetching it",
                            f"robots.txt của {parts.hostname} không cho phép tải trang này")
        address = self._checked_address(url, parts.hostname, port)
        pinned = _pinned(parts, address)
        with self._polite(parts.hostname):
            try:
                return self._stream(url, parts, pinned, headers, types, wrong_type)
            except httpx.TimeoutException:
                raise LinkError(url, f"no answer within {self.timeout:g} s",
                                f"máy chủ không trả lời trong {self.timeout:g} giây", transient=True) from None
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                log.debug("connecting to %s failed", current, exc_info=True)
                raise LinkError(url, f"cannot connect to {parts.netloc} ({_reason(exc)})",
                                f"không kết nối được tới {parts.netloc}", transient=True) from None
            except httpx.HTTPError as exc:  # a broken response (bad gzip, bad headers …)
                log.debug("fetching %s failed", current, exc_info=True)
                raise LinkError(url, f"the download failed ({_reason(exc)})", "tải trang không thành công",
                                transient=True) from None

    def _stream(
        self,
        url: str,
        split: SplitResult,
        pinned: str,
        headers: dict[str, str],
        types: tuple[str, ...],
        wrong_type: tuple[str, str],
    ) -> Fetched | str:
        current = urlunsplit(split)
        request = self._client.build_request(
            "GET", pinned, headers={**headers, "Host": split.netloc},
            extensions={"sni_hostname": split.hostname} if split.scheme == "https" else {},
        )
        response = self._client.send(request, stream=True)
        try:
            if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
                return urljoin(current, response.headers["location"]).split("#", 1)[0]
            if response.status_code == 304:
                return _fetched(current, response, b"")
            if response.status_code >= 400:
                raise LinkError(
                    url, f"the server answered {response.status_code} {response.reason_phrase}".rstrip(),
                    f"máy chủ trả lời lỗi {response.status_code}", transient=response.status_code >= 500,
                    status=response.status_code,
                )
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if not content_type.startswith(types):
                shown = content_type or "no content type"
                raise LinkError(url, f"{wrong_type[0]} ({shown})", f"{wrong_type[1]} ({shown})")
            return _fetched(current, response, self._body(url, response))
        finally:
            response.close()

    def _body(self, url: str, response: httpx.Response) -> bytes:
        """The body, refused as soon as it passes the size cap or the time limit."""
        mb = f"{self.max_bytes / 1_000_000:g} MB"
        too_big = LinkError(url, f"larger than {mb}", f"trang lớn hơn {mb}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_big
        deadline = time.monotonic() + 3 * self.timeout
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise too_big
            if time.monotonic() > deadline:
                raise LinkError(url, f"download took longer than {3 * self.timeout:g} s",
                                "tải trang quá lâu", transient=True)
            chunks.append(chunk)
        return b"".join(chunks)

    def _checked_address(self, url: str, host: str, port: int) -> str:
        """The address to connect to, after refusing names that reach a private network."""
        try:
            addresses = list(self._resolve(host, port))
        except (socket.gaierror, UnicodeError):
            raise LinkError(url, f"cannot resolve host name {host}",
                            f"không tìm thấy tên miền {host}", transient=True) from None
        if not addresses:
            raise LinkError(url, f"cannot resolve host name {host}", f"không tìm thấy tên miền {host}")
        if not self.allow_private:
            for address in addresses:
                if not is_public(address):
                    raise LinkError(
                        url, f"{host} is a private, loopback or link-local address"
                        f"{'' if host == address else f' ({address})'}; "
                        "set FETCH_ALLOW_PRIVATE=true to allow it",
                        "địa chỉ mạng nội bộ, không được phép",
                    )
        return addresses[0]

    def _polite(self, host: str) -> _HostTurn:
        with self._hosts_lock:
            lock, last = self._hosts.setdefault(host, (threading.Lock(), [0.0]))
        return _HostTurn(lock, last, self.host_delay)

    def _allowed_by_robots(self, url: str, parts: SplitResult) -> bool:
        """What the host's robots.txt says for our User-Agent, cached an hour (RFC 9309: none, or
        a 4xx, allows everything; a 5xx or no answer allows nothing, so LinkError, not cached)."""
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get(origin)
        if cached is None or time.monotonic() - cached[0] > _ROBOTS_TTL:
            parser = urllib.robotparser.RobotFileParser()
            try:
                fetched = self.get(origin + "/robots.txt", ("text/",), ("not a robots.txt", ""), robots=False)
                parser.parse(fetched.html_text().splitlines())
            except LinkError as exc:
                if exc.status is not None and exc.status >= 500:
                    raise LinkError(url, f"robots.txt of {parts.hostname} answered {exc.status}; nothing is "
                                    "fetched from the site until it can be read",
                                    f"robots.txt của {parts.hostname} đang lỗi ({exc.status})",
                                    transient=True) from None
                if exc.transient:  # the site is unreachable: the page would fail the same way
                    raise LinkError(url, exc.reason, exc.reason_vi, transient=True) from None
                log.debug("no usable robots.txt at %s (%s): allowed", origin, exc)
                parser.parse([])
            cached = self._robots[origin] = (time.monotonic(), parser)
        return cached[1].can_fetch(self.user_agent, urlunsplit(parts))


class _HostTurn:
    """Holds a host's lock for one request, starting no sooner than `delay` after the last one."""

    def __init__(self, lock: threading.Lock, last: list[float], delay: float) -> None:
        self.lock, self.last, self.delay = lock, last, delay

    def __enter__(self) -> None:
        self.lock.acquire()
        wait = self.last[0] + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def __exit__(self, *exc: object) -> None:
        self.last[0] = time.monotonic()
        self.lock.release()


def _pinned(split: SplitResult, address: str) -> str:
    """The URL with its host replaced by the checked address (the Host header keeps the name)."""
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{split.port}" if split.port else host
    return urlunsplit((split.scheme, netloc, split.path or "/", split.query, ""))


def _fetched(url: str, response: httpx.Response, body: bytes) -> Fetched:
    content_type = response.headers.get("content-type", "")
    charset = None
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return Fetched(
        url=url,
        status=response.status_code,
        content_type=content_type.split(";")[0].strip().lower(),
        charset=charset,
        body=body,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


def _reason(exc: Exception) -> str:
    """A short cause for a failed connection (`connection refused`), not a traceback."""
    text = str(exc) or type(exc).__name__
    match = re.search(r"\] (.+)$", text)
    return (match.group(1) if match else text).strip().lower()
