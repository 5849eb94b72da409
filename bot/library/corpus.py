"""Loads article files in the raw layouts news crawls produce.

A file is: an optional URL line, a title line, an optional dateline
(`Thứ Hai, 13/12/2021, 06:38`), then the body as one long line or as paragraphs, maybe a
byline (`Thanh Thuỷ`) and separator lines (`.`). Only the body is answer material.

Which files are articles: every file whose name ends in `.txt` (any case: `.TXT`) in an
articles folder and its subfolders, in path order. Names starting with `.` (hidden files,
editor lock files such as `.#bai.txt`, hidden folders) are skipped, and so is everything
else — other extensions, symlinks to folders, links that lead nowhere or in a loop, files
that vanish while the folder is read — each with a warning naming it.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.errors import ArticleError, EmptyCorpusError
from bot.lang.normalize import nfc

log = logging.getLogger(__name__)

_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_DATE = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})(?!\d)"
    r"|ngày\s+(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d{4})",
    re.IGNORECASE,
)
_TIME = re.compile(r"(?<!\d)(?P<H>\d{1,2})\s*[:hg]\s*(?P<M>\d{2})(?!\d)", re.IGNORECASE)
# What else a dateline may say: weekday, time zone, `Cập nhật`, `Đăng lúc` … and separators.
_DATELINE_WORDS = re.compile(
    r"thứ\s+(?:hai|ba|tư|năm|sáu|bảy|\d)|chủ\s+nhật|\bcn\b|\bt[2-7]\b|gmt\s*[+-]?\s*\d*(?::\d+)?|\butc\b|"
    r"cập\s+nhật(?:\s+lúc)?|đăng(?:\s+lúc|\s+ngày)?|ngày\s+đăng|xuất\s+bản|lúc|ngày|sáng|chiều|tối|am|pm|"
    r"published|updated|[\s,|()\-–—:.]",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^[\W_]*$")
_BYLINE_MAX_WORDS = 6


@dataclass(frozen=True)
class Article:
    """One news article; `body` is exactly the text sentences are cut from."""

    id: str
    title: str
    url: str | None
    published: datetime | None
    byline: str | None
    body: str
    path: Path
    dateline: str | None = None  # the dateline as written, also when its date is impossible

    @property
    def published_date(self) -> date | None:
        return self.published.date() if self.published else None


class ImpossibleDateError(ValueError):
    """A dateline whose date does not exist (`31/2/2021`)."""


def parse_dateline(line: str) -> datetime | None:
    """A line that only dates the article (`Thứ Hai, 13/12/2021, 06:38`, `Cập nhật: 14/11/2025
    07:15 (GMT+7)`) as a datetime; None for any line that says more than that, or whose date
    does not exist."""
    try:
        return _dateline(line)
    except ImpossibleDateError:
        return None


def _dateline(line: str) -> datetime | None:
    """parse_dateline, raising ImpossibleDateError for a dateline-shaped line with an impossible date."""
    line = line.strip()
    date_match = _DATE.search(line) if len(line) <= 80 else None
    if not date_match:
        return None
    rest = line[: date_match.start()] + " " + line[date_match.end() :]
    time_match = _TIME.search(rest)
    if time_match:
        rest = rest[: time_match.start()] + " " + rest[time_match.end() :]
    if _DATELINE_WORDS.sub("", rest):
        return None
    day = int(date_match["d"] or date_match["d2"])
    month = int(date_match["m"] or date_match["m2"])
    year = int(date_match["y"] or date_match["y2"])
    hour, minute = (int(time_match["H"]), int(time_match["M"])) if time_match else (0, 0)
    try:
        return datetime(year, month, day, hour, minute)
    except ValueError as exc:
        raise ImpossibleDateError(f"dateline {line!r}: {exc}") from None


def _is_byline(line: str) -> bool:
    """A short signature line: few words, no sentence punctuation, no digits."""
    words = line.split()
    return (
        0 < len(words) <= _BYLINE_MAX_WORDS
        and not re.search(r"[.!?:;,…\d]$", line)
        and not any(ch.isdigit() for ch in line)
        and all(w[0].isupper() for w in words if w[0].isalpha())
    )


# A lone line longer than this many words is a text without a title, not a title without a text.
_TITLE_WORDS = 20


def parse_article(text: str, path: Path) -> Article:
    """Split one file's text into metadata and body; raise ArticleError when there is no body."""
    lines = [nfc(line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    content = [(i, line) for i, line in enumerate(lines) if line and not _SEPARATOR.match(line)]
    url = None
    title = None
    published = None
    dateline = None
    body_start = 0
    for pos, (_, line) in enumerate(content):
        if url is None and title is None and _URL.match(line):
            url = line
        elif dateline is None and _is_dateline(line, path):
            dateline = line
            published = parse_dateline(line)
        elif title is None:
            title = line
        else:
            body_start = pos
            break
    else:
        body_start = len(content)
    body_lines = [line for _, line in content[body_start:]]
    byline = None
    if len(body_lines) > 1 and _is_byline(body_lines[-1]):
        byline = body_lines.pop()
    if title and not body_lines and len(title.split()) > _TITLE_WORDS:
        # Only a text, no title line: the text is the body, its opening words name it.
        body_lines = [title]
        title = " ".join(title.split()[:_TITLE_WORDS]) + " …"
    if not title or not body_lines:
        raise ArticleError("no title and body found; expected a title line, then the text")
    return Article(
        id=path.stem,
        title=title,
        url=url,
        published=published,
        byline=byline,
        body="\n".join(body_lines),
        path=path,
        dateline=dateline,
    )


def _is_dateline(line: str, path: Path) -> bool:
    """True for a dateline, warning when its date does not exist: still metadata, not a sentence."""
    try:
        return _dateline(line) is not None
    except ImpossibleDateError as exc:
        log.warning("article %s: %s; the article keeps no date", path, exc)
        return True


def read_article(path: Path) -> Article:
    """One file as an Article, or ArticleError saying why it cannot be used."""
    return parse_article(decode_article(path.read_bytes()), path)


def decode_article(raw: bytes) -> str:
    """A file's text: UTF-8 (BOM or not), or UTF-16 with its BOM; ArticleError for anything else."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            raw = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise ArticleError(f"broken UTF-16 text (byte {exc.start})") from None
    if not raw.strip():
        raise ArticleError("empty file")
    if b"\x00" in raw:
        raise ArticleError("binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


@dataclass(frozen=True)
class ArticleFile:
    """An article file as last seen: a change of size or mtime means it must be read again."""

    path: str  # a plain string: a scan makes tens of thousands, and Path objects cost 10 µs each
    size: int
    mtime_ns: int

    @property
    def stem(self) -> str:
        return os.path.splitext(os.path.basename(self.path))[0]


def article_files(directories: Sequence[Path], *, warn: bool = True) -> list[ArticleFile]:
    """The article files of every folder (see the module docstring for which files count).

    `warn=False` is for the bot's periodic check, which would otherwise repeat the same
    warnings every minute; a build reads the folders again with warnings.
    """
    found: list[ArticleFile] = []
    for directory in directories:
        if directory.exists() and not directory.is_dir():
            raise EmptyCorpusError(
                f"{directory} is a file, not a folder of articles: name the folder that holds it"
            )
        if not directory.is_dir():
            raise EmptyCorpusError(
                f"articles folder {directory} does not exist; set ARTICLES_DIR or pass --articles"
            )
        found.extend(file for _, file in sorted(_walk(directory, warn), key=lambda pair: pair[0]))
    return found


def skipped_files(directories: Sequence[Path]) -> list[str]:
    """`path: why` for every file the folders hold that is not read as an article (what `/reload`
    reports); no warnings logged."""
    skipped: list[str] = []
    for directory in directories:
        if directory.is_dir():
            _walk(directory, False, skipped)
    return skipped


def _walk(
    directory: Path, warn: bool, skipped: list[str] | None = None
) -> list[tuple[tuple[str, ...], ArticleFile]]:
    """(path parts below `directory`, file) of every article file; os.scandir and plain strings,
    as the bot's periodic check walks tens of thousands of files. What is not an article is
    logged when `warn`, and listed in `skipped` when given."""

    def skip(path: str, why: str) -> None:
        if warn:
            log.warning("skipping %s: %s", path, why)
        if skipped is not None:
            skipped.append(f"{os.path.relpath(path, directory)}: {why}")

    found: list[tuple[tuple[str, ...], ArticleFile]] = []
    folders: list[tuple[str, tuple[str, ...]]] = [(str(directory), ())]
    while folders:
        folder, parts = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            skip(folder, exc.strerror or str(exc))
            continue
        for entry in entries:
            name, path = entry.name, entry.path
            if entry.is_dir(follow_symlinks=False):
                if name.startswith("."):
                    skip(path, "hidden folder")
                else:
                    folders.append((path, (*parts, name)))
            elif name.startswith("."):
                skip(path, "hidden file")
            elif entry.is_symlink() and os.path.isdir(path):
                skip(path, "a link to a folder is not followed")
            elif not name.lower().endswith(".txt"):
                skip(path, "not a .txt file")
            else:
                try:
                    st = entry.stat()  # through a link
                except OSError as exc:  # a link to nothing, a link loop, a file deleted meanwhile
                    skip(path, exc.strerror or str(exc))
                    continue
                if stat.S_ISREG(st.st_mode):
                    found.append(((*parts, name), ArticleFile(path, st.st_size, st.st_mtime_ns)))
                else:
                    skip(path, "not a regular file")
    return found


def load_articles(directories: Sequence[Path]) -> list[Article]:
    """Every usable article in `directories`; bad files are skipped with a warning naming them."""
    articles: list[Article] = []
    seen: set[str] = set()
    for path in (Path(f.path) for f in article_files(directories)):
        try:
            article = read_article(path)
        except (ArticleError, OSError) as exc:
            log.warning("skipping article %s: %s", path, exc)
            continue
        if article.id in seen:
            log.warning(
                "skipping article %s: another folder already has an article named %s", path, article.id
            )
            continue
        seen.add(article.id)
        articles.append(article)
    if not articles:
        where = ", ".join(str(d) for d in directories)
        raise EmptyCorpusError(
            f"no usable article in {where}: add UTF-8 .txt files (a title line, then the text)"
        )
    return articles
