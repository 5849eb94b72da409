"""Fetches pages and feeds from the web without letting a link reach what it must not, or a site
hold the bot.

Every hop (the link and each redirect) is resolved once, refused if any of its addresses is
private, loopback or link-local (unless FETCH_ALLOW_PRIVATE), and then connected to by that
checked address, so a name cannot resolve to something else between the check and the
connection. Redirects are followed by hand (at most 5), robots.txt is honoured, and requests to
one host go one at a time with a pause between them. Every failure is a `LinkError`: one line
naming the URL.

One budget per fetch, FETCH_TIMEOUT_SECONDS, covers all a link costs: its robots.txt, waiting
for the host's turn, DNS, every redirect, connecting, TLS, headers and body. Each socket
operation is given only the time left, so a site dripping its headers a byte at a time is cut
like a silent one, and the fetch pool and host locks are free again by the deadline. Bodies are
decompressed here, a bounded piece at a time, the output counted against FETCH_MAX_BYTES (one
content encoding at most). `close()` cuts the downloads under way, from any thread.
"""

from __future__ import annotations

import codecs
import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
import urllib.robotparser
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, urljoin, urlsplit, urlunsplit

import charset_normalizer
import httpcore

from bot.errors import BotError
from bot.settings import Settings

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Feeds are served under many types (even text/html); feedparser decides whether one is a feed.
# A type ending in "/" stands for its whole family.
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "application/rdf+xml",
              "application/feed+json", "text/")
_ROBOTS_TTL = 3600.0
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_CHARSET_NAME = re.compile(r"[A-Za-z0-9._:-]{1,40}")
# What a page may be decoded with: Python's codecs for the encodings of the WHATWG Encoding
# Standard. A page naming anything else (`idna`, `punycode`, `undefined`, `unicode_escape`: codecs
# that crash on a page or read it as something it is not) is decoded as detected instead.
_PAGE_CODECS = frozenset(codecs.lookup(name).name for name in (
    "utf-8", "utf-16-le", "utf-16-be", "utf-16", "ascii", "cp866", "koi8-r", "koi8-u", "mac-roman",
    "mac-cyrillic", "cp874", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
    "cp1258", "iso8859-1", "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7",
    "iso8859-8", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16", "gbk", "gb18030",
    "gb2312", "big5", "big5hkscs", "euc_jp", "iso2022_jp", "shift_jis", "euc_kr",
))
# Only the encodings decompressed here, a bounded piece at a time.
_ACCEPT_ENCODING = b"gzip, deflate"
# How often a wait (DNS, the host's turn) looks whether the fetcher was closed.
_TICK = 0.1
# RFC 3986: what may stand unescaped in a path and in a query; anything else is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=%~"
_QUERY_SAFE = _PATH_SAFE + "?"
# IPv6 prefixes whose last 32 bits are an IPv4 address (NAT64 RFC 6052; IPv4-compatible, RFC 4291).
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")

Resolver = Callable[[str, int], Iterable[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for host:port, in its order of preference."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: str) -> bool:
    """Whether an address is on the public internet (not private, loopback, link-local, shared,
    reserved, site-local or multicast). An IPv6 address that carries an IPv4 one (mapped
    `::ffff:10.0.0.1`, NAT64 `64:ff9b::a00:1`, 6to4 `2002:a00:1::`, IPv4-compatible `::a00:1`)
    counts as that IPv4 address: a gateway would deliver it there."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        carried = _carried_ipv4(ip)
        if carried is not None:
            ip = carried
        elif ip in _SITE_LOCAL:
            return False
    return ip.is_global and not ip.is_multicast


def _carried_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):  # `::` and `::1` are IPv6's own
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


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

    url: str  # after redirects, without user name, password or fragment
    status: int
    content_type: str
    charset: str | None  # as the server declared it
    body: bytes
    etag: str | None
    last_modified: str | None

    def html_text(self) -> str:
        """The page as text: the charset of the Content-Type header, else of its <meta>, else UTF-8.

        A declared charset that is no page encoding (see _PAGE_CODECS) gives way to the one the
        bytes show; LinkError when they show none.
        """
        declared = [name for name in (self.charset, _meta_charset(self.body)) if name]
        for name in declared:
            if (codec := _page_codec(name)) is not None:
                return self.body.decode(codec, errors="replace")
        if not declared:
            return self.body.decode("utf-8", errors="replace")
        codec = _detected_codec(self.body)
        if codec is None:
            shown = declared[0][:40]
            raise LinkError(self.url, f"unknown character set ({shown})", f"bảng mã ký tự không đọc được ({shown})")
        log.info("%s declares the charset %.40r; decoded as %s, what its bytes show", self.url, declared[0], codec)
        return self.body.decode(codec, errors="replace")


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


def _page_codec(name: str) -> str | None:
    """Python's codec for a charset name a page may use, None for anything else."""
    name = name.strip()
    if not _CHARSET_NAME.fullmatch(name):
        return None
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return codec if codec in _PAGE_CODECS else None


def _detected_codec(body: bytes) -> str | None:
    """The page encoding the bytes show: UTF-8 when they are valid UTF-8, else charset-normalizer's guess."""
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(body).best()
    return _page_codec(best.encoding) if best is not None else None


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
        # One connection per request, never kept alive: a TLS connection verified for one name must
        # not be reused for another name on the same address. No proxy: it would connect to names we
        # never checked.
        self._tls = tls if tls is not None else httpcore.default_ssl_context()
        self._hosts: dict[str, tuple[threading.Lock, list[float]]] = {}
        self._hosts_lock = threading.Lock()
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser]] = {}
        self._closed = threading.Event()
        self._budgets: set[_Budget] = set()
        self._budgets_lock = threading.Lock()

    def close(self) -> None:
        """Cut the downloads under way and refuse new ones (the bot is stopping); from any thread."""
        self._closed.set()
        with self._budgets_lock:
            running = list(self._budgets)
        for budget in running:
            budget.cut()

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
        deadline: float | None = None,
    ) -> Fetched:
        """GET `url`, following at most MAX_REDIRECTS checked redirects; only `types` are accepted
        (`wrong_type`: what to call anything else, in English and Vietnamese). Everything is done
        by `deadline` (default: FETCH_TIMEOUT_SECONDS from now) or refused."""
        deadline = time.monotonic() + self.timeout if deadline is None else deadline
        headers: list[tuple[bytes, bytes]] = []
        if etag:
            headers.append((b"If-None-Match", etag.encode("latin-1", "replace")))
        if last_modified:
            headers.append((b"If-Modified-Since", last_modified.encode("latin-1", "replace")))
        seen = [url]
        current = url
        while True:
            fetched = self._one(url, current, headers, types, wrong_type, robots, deadline)
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
        headers: Sequence[tuple[bytes, bytes]],
        types: tuple[str, ...],
        wrong_type: tuple[str, str],
        robots: bool,
        deadline: float,
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
        try:
            host = parts.hostname.encode("idna").decode("ascii")
        except UnicodeError:
            raise LinkError(url, "not a valid link", "liên kết không hợp lệ") from None
        # A user name and password in the link are never sent (nor kept in the URL written down).
        parts = parts._replace(netloc=parts.netloc.rpartition("@")[2], fragment="")
        if robots and not self._allowed_by_robots(url, parts, deadline):
            raise LinkError(url, f"robots.txt of {parts.hostname} does not allow fetching it",
                            f"robots.txt của {parts.hostname} không cho phép tải trang này")
        address = self._checked_address(url, host, port, deadline)
        with self._turn(url, host, deadline):
            try:
                return self._exchange(url, parts, host, port, address, headers, types, wrong_type, deadline)
            except httpcore.TimeoutException:
                self._check(url, deadline)
                raise self._late(url) from None
            except (httpcore.NetworkError, httpcore.RemoteProtocolError) as exc:
                self._check(url, deadline)  # a connection cut by close() or at the deadline
                log.debug("connecting to %s failed", urlunsplit(parts), exc_info=True)
                raise LinkError(url, f"cannot connect to {parts.netloc} ({_reason(exc)})",
                                f"không kết nối được tới {parts.netloc}", transient=True) from None
            except (httpcore.ProtocolError, httpcore.UnsupportedProtocol, zlib.error) as exc:
                log.debug("fetching %s failed", urlunsplit(parts), exc_info=True)  # bad headers, bad gzip …
                raise LinkError(url, f"the download failed ({_reason(exc)})", "tải trang không thành công",
                                transient=True) from None

    def _exchange(
        self,
        url: str,
        parts: SplitResult,
        host: str,
        port: int,
        address: str,
        headers: Sequence[tuple[bytes, bytes]],
        types: tuple[str, ...],
        wrong_type: tuple[str, str],
        deadline: float,
    ) -> Fetched | str:
        """The request to the checked address, with the link's name in Host (and for TLS)."""
        secure = parts.scheme == "https"
        scheme = parts.scheme.encode()
        target = quote(parts.path or "/", safe=_PATH_SAFE) + (f"?{quote(parts.query, safe=_QUERY_SAFE)}"
                                                              if parts.query else "")
        named = f"[{host}]" if ":" in host else host
        request = httpcore.Request(
            b"GET", httpcore.URL(scheme=scheme, host=address.encode(), port=port, target=target.encode()),
            headers=[(b"Host", (f"{named}:{parts.port}" if parts.port else named).encode()),
                     (b"User-Agent", self.user_agent.encode("ascii", "replace")), (b"Accept", b"*/*"),
                     (b"Accept-Encoding", _ACCEPT_ENCODING), *headers],
            extensions={"timeout": dict.fromkeys(("connect", "read", "write", "pool"), self.timeout),
                        **({"sni_hostname": host} if secure else {})},
        )
        with self._budget(deadline) as budget:
            connection = httpcore.HTTPConnection(
                httpcore.Origin(scheme, address.encode(), port), ssl_context=self._tls if secure else None,
                network_backend=budget,
            )
            try:
                response = connection.handle_request(request)
                try:
                    return self._answer(url, urlunsplit(parts), response, types, wrong_type)
                finally:
                    response.close()
            finally:
                connection.close()

    def _answer(
        self, url: str, current: str, response: httpcore.Response, types: tuple[str, ...], wrong_type: tuple[str, str]
    ) -> Fetched | str:
        found = _header_map(response.headers)
        status = response.status
        if status in (301, 302, 303, 307, 308) and "location" in found:
            return urljoin(current, _location(found["location"])).split("#", 1)[0]
        if status == 304:
            return _fetched(current, status, found, b"")
        if status >= 400:
            reason = bytes(response.extensions.get("reason_phrase", b"")).decode("latin-1")
            raise LinkError(url, f"the server answered {status} {reason}".rstrip(), f"máy chủ trả lời lỗi {status}",
                            transient=status >= 500, status=status)
        content_type = found.get("content-type", "").split(";")[0].strip().lower()
        if not any(content_type == t or (t.endswith("/") and content_type.startswith(t)) for t in types):
            shown = content_type[:60] or "no content type"
            raise LinkError(url, f"{wrong_type[0]} ({shown})", f"{wrong_type[1]} ({shown})")
        return _fetched(current, status, found, self._body(url, response, found))

    def _body(self, url: str, response: httpcore.Response, found: dict[str, str]) -> bytes:
        """The body, decompressed, refused as soon as what it holds passes FETCH_MAX_BYTES."""
        mb = f"{self.max_bytes / 1_000_000:g} MB"
        too_big = LinkError(url, f"larger than {mb}", f"trang lớn hơn {mb}")
        inflate = _inflater(url, found.get("content-encoding", ""))
        declared = found.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_big
        chunks: list[bytes] = []
        received = size = 0
        for chunk in response.iter_stream():
            received += len(chunk)
            if received > self.max_bytes:
                raise too_big
            if inflate is not None:
                chunk = inflate.feed(chunk, self.max_bytes - size)
            size += len(chunk)
            if size > self.max_bytes:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)

    def _checked_address(self, url: str, host: str, port: int, deadline: float) -> str:
        """The address to connect to, after refusing names that reach a private network."""
        try:
            addresses = self._resolved(url, host, port, deadline)
        except (OSError, UnicodeError):
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

    def _resolved(self, url: str, host: str, port: int, deadline: float) -> list[str]:
        """The resolver's answer, waited for no longer than the budget: a name server that never
        answers would otherwise hold the fetch for as long as the system's resolver retries."""
        answer: list[list[str] | Exception] = []
        done = threading.Event()

        def resolve() -> None:
            try:
                answer.append(list(self._resolve(host, port)))
            except Exception as exc:  # handed to the fetching thread below
                answer.append(exc)
            finally:
                done.set()

        threading.Thread(target=resolve, name=f"resolve {host}", daemon=True).start()
        self._wait(url, done.wait, deadline)
        if isinstance(answer[0], Exception):
            raise answer[0]
        return answer[0]

    @contextmanager
    def _turn(self, url: str, host: str, deadline: float) -> Iterator[None]:
        """The host's lock for one request, starting no sooner than FETCH_HOST_DELAY_SECONDS after
        its last one; waiting for it spends the budget too."""
        with self._hosts_lock:
            lock, last = self._hosts.setdefault(host, (threading.Lock(), [0.0]))
        self._wait(url, lambda tick: lock.acquire(timeout=tick), deadline)
        try:
            pause = last[0] + self.host_delay - time.monotonic()
            if pause > 0:
                self._closed.wait(min(pause, max(0.0, deadline - time.monotonic())))
                self._check(url, deadline)
            yield
        finally:
            last[0] = time.monotonic()
            lock.release()

    @contextmanager
    def _budget(self, deadline: float) -> Iterator[_Budget]:
        budget = _Budget(deadline, self._closed)
        with self._budgets_lock:
            self._budgets.add(budget)
        try:
            yield budget
        finally:
            with self._budgets_lock:
                self._budgets.discard(budget)

    def _wait(self, url: str, ready: Callable[[float], bool], deadline: float) -> None:
        """Until `ready(seconds)` says so, looking every _TICK whether the fetcher was closed or
        the budget is spent (LinkError)."""
        while not ready(max(0.0, min(_TICK, deadline - time.monotonic()))):
            self._check(url, deadline)

    def _check(self, url: str, deadline: float) -> None:
        if self._closed.is_set():
            raise LinkError(url, "the bot is stopping", "bot đang dừng", transient=True)
        if time.monotonic() >= deadline:
            raise self._late(url)

    def _late(self, url: str) -> LinkError:
        return LinkError(url, f"no answer within {self.timeout:g} s",
                         f"máy chủ không trả lời trong {self.timeout:g} giây", transient=True)

    def _allowed_by_robots(self, url: str, parts: SplitResult, deadline: float) -> bool:
        """What the host's robots.txt says for our User-Agent, cached an hour (RFC 9309: none, or
        a 4xx, allows everything; a 5xx or no answer allows nothing, so LinkError, not cached)."""
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get(origin)
        if cached is None or time.monotonic() - cached[0] > _ROBOTS_TTL:
            parser = urllib.robotparser.RobotFileParser()
            try:
                fetched = self.get(origin + "/robots.txt", ("text/",), ("not a robots.txt", ""), robots=False,
                                   deadline=deadline)
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


class _Budget(httpcore.NetworkBackend):
    """httpcore's own sockets, each operation given only the time left before the deadline; `cut`
    shuts the connection down from another thread (Fetcher.close)."""

    def __init__(self, deadline: float, closed: threading.Event) -> None:
        self.deadline = deadline
        self._closed = closed
        self.sock: socket.socket | None = None

    def left(self, timeout: float | None, late: type[Exception]) -> float:
        """The time an operation may take; `late` raised once the budget is spent or the fetcher closed."""
        left = self.deadline - time.monotonic()
        if left <= 0 or self._closed.is_set():
            raise late("the fetch budget is spent")
        return left if timeout is None else min(timeout, left)

    def cut(self) -> None:
        sock = self.sock
        if sock is not None:
            with suppress(OSError):  # the plain socket's shutdown, also under TLS: it wakes a blocked read
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = httpcore.SyncBackend().connect_tcp(host, port, self.left(timeout, httpcore.ConnectTimeout),
                                                    local_address, socket_options)
        return _BudgetedStream(stream, self)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.UnsupportedProtocol("links never reach Unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _BudgetedStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, budget: _Budget) -> None:
        self._stream, self._budget = stream, budget
        budget.sock = stream.get_extra_info("socket")

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._budget.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._budget.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        """The handshake as a whole gets the time left (the ssl module holds a socket's timeout
        for a whole operation, not each read)."""
        tls = self._stream.start_tls(ssl_context, server_hostname, self._budget.left(timeout, httpcore.ConnectTimeout))
        return _BudgetedStream(tls, self._budget)

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


class _Inflater:
    """One content encoding, decompressed a bounded piece at a time: zlib would turn 2.5 kB of
    nested gzip into 1 GiB in one call."""

    def __init__(self, deflate: bool) -> None:
        # `deflate` is zlib-wrapped by the standard and raw on many servers: its first bytes tell.
        self._zlib = None if deflate else zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._head = b""

    def feed(self, data: bytes, room: int) -> bytes:
        """What `data` decompresses to, at most `room` + 1 bytes (more than `room`: too big)."""
        if self._zlib is None:
            data, self._head = self._head + data, b""
            if len(data) < 2:
                self._head = data
                return b""
            wrapped = data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        if self._zlib.eof:  # bytes after the end of the stream are ignored
            return b""
        return self._zlib.decompress(data, room + 1)


def _inflater(url: str, header: str) -> _Inflater | None:
    """The decompressor for a response's Content-Encoding: none, or exactly one we can bound."""
    codings = [c for c in (part.strip().lower() for part in header.split(",")) if c and c != "identity"]
    if not codings:
        return None
    if len(codings) > 1:
        shown = ", ".join(codings)[:60]
        raise LinkError(url, f"more than one content encoding ({shown})", f"trang nén nhiều lớp ({shown})")
    if codings[0] not in ("gzip", "x-gzip", "deflate"):
        shown = codings[0][:40]
        raise LinkError(url, f"unsupported content encoding ({shown})", f"kiểu nén trang không hỗ trợ ({shown})")
    return _Inflater(deflate=codings[0] == "deflate")


def _header_map(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Header names (lower case) to values; a header sent twice is one comma-joined value, as
    HTTP defines it (`Content-Encoding: gzip` twice is `gzip, gzip`)."""
    found: dict[str, str] = {}
    for name, value in raw:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        found[key] = f"{found[key]}, {text}" if key in found else text
    return found


def _location(value: str) -> str:
    """A Location header as the server meant it: UTF-8 when its bytes are UTF-8."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _fetched(url: str, status: int, found: dict[str, str], body: bytes) -> Fetched:
    content_type = found.get("content-type", "")
    charset = None
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return Fetched(
        url=url,
        status=status,
        content_type=content_type.split(";")[0].strip().lower(),
        charset=charset,
        body=body,
        etag=found.get("etag"),
        last_modified=found.get("last-modified"),
    )


def _reason(exc: Exception) -> str:
    """A short cause for a failed connection (`connection refused`), not a traceback."""
    text = str(exc) or type(exc).__name__
    match = re.search(r"\] (.+)$", text)
    return (match.group(1) if match else text).strip().lower()
