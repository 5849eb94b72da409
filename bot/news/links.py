"""Adding one article by its link: fetch the page, extract the article, write its file.

Shared by `python -m bot add`, the admin `/add` command and the feed poller, so all three
refuse the same links with the same one-line reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.lang.dates import format_day
from bot.library.archive import Saved, is_expired, save, vietnam_now
from bot.library.chunking import split_sentences
from bot.library.corpus import Article, parse_article
from bot.news.fetch import Fetcher, LinkError
from bot.news.webpage import article_text, extract


class WriteError(LinkError):
    """The page was read but its article could not be written (folder not writable, disk full):
    the link is fine, so a feed tries it again at the next poll."""


@dataclass(frozen=True)
class Added:
    """An article now in the folder, as the corpus reads it."""

    article: Article
    sentences: int
    changed: bool  # False: the same text was already there

    def summary(self) -> str:
        """`title — dd/mm/yyyy HH:MM — N sentences`, for the command line and logs."""
        when = f"{self.article.published:%d/%m/%Y %H:%M}" if self.article.published else "no date"
        state = "" if self.changed else " (unchanged)"
        return f"{self.article.title} — {when} — {self.sentences} sentences — {self.article.path}{state}"

    def vietnamese(self) -> str:
        """The `/add` reply: title, date and sentence count."""
        when = format_day(self.article.published.date()) if self.article.published else "không ghi ngày"
        verb = "Đã thêm" if self.changed else "Đã có sẵn"
        return f"{verb}: {self.article.title} — {when}, {self.sentences} câu."


def add_link(
    url: str, fetcher: Fetcher, folder: Path, fallback_date: datetime | None = None, *, keep_days: int | None = None
) -> Added:
    """Fetch `url` and write its article into `folder`; LinkError says why it cannot be added (one
    dated more than KEEP_DAYS ago would only be deleted at the next refresh)."""
    fetched = fetcher.page(url)
    web = extract(fetched.html_text(), fetched.url, fallback_date)
    if web.published is not None and is_expired(web.published, keep_days, vietnam_now()):
        raise LinkError(url, f"dated {web.published:%d/%m/%Y}, older than KEEP_DAYS={keep_days} days; not added",
                        f"bài đăng ngày {format_day(web.published.date())}, cũ hơn {keep_days} ngày "
                        "(KEEP_DAYS) nên không thêm")
    text = article_text(web)
    try:
        saved: Saved = save(folder, web.url, text)
    except OSError as exc:
        raise WriteError(url, f"cannot write into {folder} ({exc.strerror or exc})",
                         "không ghi được bài vào thư mục bài báo") from None
    article = parse_article(text, saved.path)
    return Added(article, len(split_sentences(article)), saved.changed)
