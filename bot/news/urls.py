"""One spelling per article URL, so that one article is one file however its link was written.

`HTTP://Bao.VN:80//tin//a/?utm_source=zalo#binh-luan` and `http://bao.vn/tin/a` name the same
page: scheme and host case, the default port, empty and dot path segments, a trailing slash,
tracking parameters, the fragment and any user name or password are dropped. A page's own
canonical link names it better still, when it stays on the page's site.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

# Query parameters that only say where a click came from (analytics, ad and social networks).
_TRACKING = re.compile(r"(?:utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|_gl|"
                       r"zarsrc)", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A site's mobile, AMP or www host names the same articles as its bare host.
_SAME_SITE_PREFIX = re.compile(r"^(?:www|m|amp|mobile)\.")


def normalised(url: str) -> str:
    """The one spelling of a web link; a link that cannot be read is returned as it was."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path = posixpath.normpath(re.sub("/{2,}", "/", parts.path or "/"))
    query = "&".join(pair for pair in parts.query.split("&")
                     if pair and not _TRACKING.fullmatch(pair.split("=", 1)[0]))
    return urlunsplit((scheme, host, path, query, ""))


def canonical(url: str, href: str | None) -> str:
    """The page's normalised URL: its canonical link (`<link rel="canonical">`) when that is an
    http(s) link on the same site (a page cannot claim another site's article), else `url`."""
    if href:
        claimed = normalised(urljoin(url, href.strip()))
        site = _site(url)
        if site is not None and urlsplit(claimed).scheme in _DEFAULT_PORTS and _site(claimed) == site:
            return claimed
    return normalised(url)


def _site(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return _SAME_SITE_PREFIX.sub("", host) if host else None
