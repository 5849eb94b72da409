"""Live news in the running bot: the admin `/add URL` command and the background feed poller.

Fetching runs in its own small thread pool, never on the answer thread or the event loop,
so questions keep being answered while pages download. A new article is indexed at once
through `handlers.refresh` (only that article is tokenized).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from html import escape

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.errors import ConfigError
from bot.news.feeds import FeedPoller, FeedState
from bot.news.fetch import Fetcher, LinkError
from bot.news.links import add_link
from bot.settings import Settings
from bot.telegram import handlers, render

log = logging.getLogger(__name__)

ADMINS_ONLY = "Lệnh /add chỉ dành cho quản trị viên."
USAGE = "Cách dùng: /add <đường dẫn bài báo> (có thể nhiều đường dẫn, cách nhau bởi dấu cách)."
MAX_LINKS = 5  # per /add message: each link is a download
IGNORED = "Bỏ qua {count} đường dẫn sau {limit} đường dẫn đầu (mỗi lệnh /add nhận tối đa {limit})."
UNEXPECTED = "Không thêm được {url}: lỗi không mong đợi, chi tiết ở nhật ký của bot."


@dataclass(frozen=True)
class _Following:
    """The running feed poller: its state is closed only after its thread is done."""

    poller: FeedPoller
    task: asyncio.Task[None]
    state: FeedState


def install(application: Application, settings: Settings) -> None:
    """Register `/add` and what it and the poller share (one Fetcher: one request at a time per host)."""
    application.bot_data["fetcher"] = Fetcher(settings)
    # Two workers: an admin's /add does not wait for a whole feed poll to finish.
    application.bot_data["fetch_pool"] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="fetch")
    application.add_handler(CommandHandler("add", add_command))


def start(application: Application, settings: Settings) -> None:
    """Start polling FEEDS every FEEDS_POLL_SECONDS (first poll at once), if any are set; a
    state file that cannot be used at all leaves the bot answering, without feeds."""
    if settings.feeds:
        try:
            state = FeedState(settings.feeds_state_path)
        except ConfigError as exc:
            log.error("feeds are not followed: %s", exc)
            return
        poller = FeedPoller(settings, application.bot_data["fetcher"], state)
        task = asyncio.create_task(_poll_every(application, poller, settings.feeds_poll_seconds))
        application.bot_data["following"] = _Following(poller, task, state)


def stop(application: Application) -> None:
    """No new poll; the one under way ends after its current download."""
    if following := application.bot_data.get("following"):
        following.poller.stop()
        following.task.cancel()


def abort(application: Application) -> None:
    """`stop`, and every download under way cut at once, new ones refused (a stop signal)."""
    stop(application)
    application.bot_data["fetcher"].close()


def shutdown(application: Application) -> None:
    """Waits for a poll's last download (stopped in `stop`); files are written atomically anyway."""
    application.bot_data["fetch_pool"].shutdown(wait=True, cancel_futures=True)
    if following := application.bot_data.get("following"):
        following.state.close()
    application.bot_data["fetcher"].close()


async def _poll_every(application: Application, poller: FeedPoller, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    while True:
        try:
            reports = await loop.run_in_executor(application.bot_data["fetch_pool"], poller.poll)
            if any(report.added for report in reports):
                await handlers.refresh(application)
        except Exception:
            log.exception("feed poll failed; trying again in %g s", seconds)
        await asyncio.sleep(seconds)


async def add_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/add URL …` (ADMIN_CHAT_IDS only): fetch, index at once, reply with title, date, sentence count."""
    message, chat = update.message, update.effective_chat
    if message is None or chat is None or message.text is None:
        return
    svc = handlers.services(context)
    if chat.id not in svc.settings.admin_chat_ids:
        await message.reply_text(ADMINS_ONLY)
        return
    links = message.text.split()[1:]
    urls = links[:MAX_LINKS]
    if not urls:
        await message.reply_text(escape(USAGE))
        return
    loop = asyncio.get_running_loop()
    lines = []
    changed = False
    for url in urls:
        try:
            added = await loop.run_in_executor(
                context.bot_data["fetch_pool"], partial(add_link, keep_days=svc.settings.keep_days), url,
                context.bot_data["fetcher"], svc.settings.articles_dir,
            )
        except LinkError as exc:
            log.info("/add refused: %s", exc)
            lines.append(exc.vietnamese)
            continue
        except Exception:  # a bug on one page (the extractor's, ours) must not cost the other links
            log.exception("/add %s failed", url)
            lines.append(UNEXPECTED.format(url=url))
            continue
        changed = changed or added.changed
        lines.append(added.vietnamese())
    if len(links) > MAX_LINKS:
        lines.append(IGNORED.format(count=len(links) - MAX_LINKS, limit=MAX_LINKS))
    if changed:  # one index rebuild for all the links, before the reply: then the bot knows them
        await handlers.refresh(context.application)
    for piece in render.pack([(line, render.plain) for line in lines]):  # each under Telegram's limit
        await message.reply_text(piece)
