"""Thin Telegram handlers: check who asks, call `Answerer.ask`, format, reply.

Shared state lives in one `Services` object in `application.bot_data`, built at start-up.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, replace

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.answer import Answer, Answerer
from bot.archive import newest_first, refreshed_within
from bot.errors import BotError
from bot.knowledge import KnowledgeBase
from bot.settings import Settings
from bot.telegram import render
from bot.telegram.context import FollowUps
from bot.telegram.guard import Guard

log = logging.getLogger(__name__)

EXAMPLES = (
    "Hội đàm cấp cao Việt Nam - Lào diễn ra ở đâu?",
    "Ai đã điện đàm với Bộ trưởng Tea Banh?",
    "Giao lưu hữu nghị quốc phòng biên giới Việt Nam - Lào lần thứ mấy?",
)
HELP = (
    "Hỏi tôi về các bài báo: nhắn câu hỏi (trong nhóm: /ask <câu hỏi>, gọi @tên_bot hoặc trả lời "
    "tin nhắn của tôi). Tôi trả lời ngắn, trích câu gốc và dẫn nguồn. "
    "/sources: danh sách bài báo. Hỏi tiếp ngắn như “Khi nào?” cũng được."
)
REFUSED = "Xin lỗi, bot này chỉ phục vụ một số nhóm được cho phép."
SLOW_DOWN = "Bạn hỏi hơi nhanh, xin chờ một chút rồi hỏi tiếp nhé."
NOT_TEXT = "Xin lỗi, tôi chỉ đọc được câu hỏi bằng chữ."
EMPTY = "Bạn hãy viết câu hỏi, ví dụ: /ask " + EXAMPLES[0]
TOO_LONG = "Câu hỏi dài quá ({limit} ký tự trở xuống), bạn viết ngắn lại giúp tôi nhé."
STALE = "Nút này đã cũ, bạn hãy hỏi lại nhé."
APOLOGY = "Xin lỗi, tôi gặp sự cố khi trả lời. Bạn thử lại sau ít phút nhé."

# Callback data is `<kind>:<index fingerprint>:<sentence ids>`: ids, never text (64-byte limit).
_CONTEXT, _MORE = "ctx", "more"
_CONTEXT_WINDOW = 2
_MAX_OTHERS = 3  # keeps callback data far below 64 bytes
# "typing…" only for an answer not ready within this delay: most take a few milliseconds, and an
# indicator for those would cost a second Bot API call per answer and flash for nothing.
TYPING_DELAY = 0.15
# Telegram shows a chat action for 5 s (or until the bot's next message): renewed while working.
_TYPING_RENEW = 4.5


class AnswerCache:
    """Answers by question (LRU) and the ones being worked out; used from the event loop only.

    ask() is deterministic for one index and a burst repeats the same few questions, so a hit
    skips the answering core, and chats asking the same new question at once share one run.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._done: OrderedDict[str, Answer] = OrderedDict()
        self._running: dict[str, asyncio.Future[Answer]] = {}

    def get(self, question: str) -> Answer | None:
        answer = self._done.get(question)
        if answer is not None:
            self._done.move_to_end(question)
        return answer

    def running(self, question: str, start: Callable[[], asyncio.Future[Answer]]) -> asyncio.Future[Answer]:
        """The run computing `question`'s answer, started by `start()` unless one is under way."""
        future = self._running.get(question)
        if future is None:
            future = self._running[question] = start()
            future.add_done_callback(lambda done: self._settle(question, done))
        return future

    def _settle(self, question: str, future: asyncio.Future[Answer]) -> None:
        self._running.pop(question, None)
        if self.size and not future.cancelled() and future.exception() is None:
            self._done[question] = future.result()
            self._done.move_to_end(question)
            while len(self._done) > self.size:
                self._done.popitem(last=False)


@dataclass
class Services:
    """Everything handlers share, built once at start-up."""

    settings: Settings
    kb: KnowledgeBase
    ask: Callable[[str], Answer]
    answers: AnswerCache
    guard: Guard
    followups: FollowUps
    fingerprint: str

    @classmethod
    def build(cls, settings: Settings, kb: KnowledgeBase) -> Services:
        digest = hashlib.sha1(kb.fingerprint.encode()).hexdigest()  # not per sentence: 700k at archive size
        return cls(
            settings=settings,
            kb=kb,
            ask=Answerer(kb, settings).ask,
            answers=AnswerCache(settings.answer_cache_size),
            guard=Guard(settings.allowed_chat_ids, settings.rate_limit_per_minute),
            followups=FollowUps(settings.followup_ttl_seconds),
            fingerprint=digest[:8],
        )


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data["services"]


async def _admitted(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Chats outside ALLOWED_CHAT_IDS get one refusal line and nothing else."""
    chat = update.effective_chat
    if chat is None or services(context).guard.allows_chat(chat.id):
        return True
    if update.callback_query:
        await update.callback_query.answer(REFUSED)
    elif update.effective_message:
        await update.effective_message.reply_text(REFUSED)
    return False


async def _reply_all(message: Message, pieces: list[str], markup: InlineKeyboardMarkup | None = None) -> None:
    """Send the pieces in order, threaded to `message`; buttons go under the last one."""
    for i, piece in enumerate(pieces):
        await message.reply_text(piece, reply_markup=markup if i == len(pieces) - 1 else None)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets and shows three example questions."""
    if not await _admitted(update, context) or update.message is None:
        return
    examples = "\n".join(f"• {render.plain(q)}" for q in EXAMPLES)
    await update.message.reply_text(
        f"Xin chào! Tôi trả lời câu hỏi về các bài báo tiếng Việt, kèm câu trích và nguồn.\n"
        f"Thử hỏi:\n{examples}"
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explains how to ask, in private chats and in groups."""
    if await _admitted(update, context) and update.message:
        await update.message.reply_text(render.plain(HELP))


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Lists the articles with dates and links."""
    if await _admitted(update, context) and update.message:
        articles = newest_first(services(context).kb.articles.values())
        await _reply_all(update.message, render.sources_messages(articles))


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/ask <câu hỏi>` works everywhere, including groups."""
    if update.message is None or update.message.text is None:
        return
    parts = update.message.text.split(maxsplit=1)
    await _answer(update, context, parts[1] if len(parts) > 1 else "")


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Private chats: any text is a question. Groups: only a mention of the bot or a reply to it."""
    message = update.message
    if message is None or message.text is None:
        return
    question = message.text
    if message.chat.type != message.chat.PRIVATE:
        me = f"@{context.bot.username}".lower()
        mentions = [m for m in message.parse_entities([MessageEntity.MENTION]).values() if m.lower() == me]
        replied = message.reply_to_message
        if not mentions and not (replied and replied.from_user and replied.from_user.id == context.bot.id):
            return
        for mention in mentions:
            question = question.replace(mention, " ")
    await _answer(update, context, question)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice: a short polite line in private chats."""
    if await _admitted(update, context) and update.message:
        await update.message.reply_text(NOT_TEXT)


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """The one path every question takes: guards, follow-up, typing, ask, reply with buttons."""
    message = update.message
    if message is None or not await _admitted(update, context):
        return
    svc = services(context)
    question = " ".join(question.split())
    if not question:
        await message.reply_text(render.plain(EMPTY))
        return
    if len(question) > svc.settings.max_question_chars:
        await message.reply_text(TOO_LONG.format(limit=svc.settings.max_question_chars))
        return
    user_id = update.effective_user.id if update.effective_user else message.chat.id
    if not svc.guard.take(user_id):
        await message.reply_text(SLOW_DOWN)
        return
    answer = await _ask(context, svc, message.chat.id, svc.followups.resolve(message.chat.id, question))
    if answer.found:
        svc.followups.remember(message.chat.id, answer.question)
    await _reply_all(message, render.answer_messages(answer), _buttons(answer, svc.fingerprint))


async def _ask(context: ContextTypes.DEFAULT_TYPE, svc: Services, chat_id: int, question: str) -> Answer:
    """The answer, from the cache or worked out in the answer thread; "typing…" if it is slow."""
    answer = svc.answers.get(question)
    if answer is not None:
        return answer
    loop = asyncio.get_running_loop()
    pool: Executor | None = context.bot_data.get("answer_pool")
    future = svc.answers.running(question, lambda: loop.run_in_executor(pool, svc.ask, question))
    done, _ = await asyncio.wait({future}, timeout=TYPING_DELAY)
    while not done:
        typing = asyncio.create_task(context.bot.send_chat_action(chat_id, ChatAction.TYPING))
        typing.add_done_callback(_typing_sent)
        done, _ = await asyncio.wait({future}, timeout=_TYPING_RENEW)
        # The reply must not overtake the indicator, or "typing…" would show after it.
        await asyncio.wait({typing}, timeout=1.0)
    return await asyncio.shield(future)


def _typing_sent(task: asyncio.Task[bool]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.debug("typing indicator not shown", exc_info=error)


def _buttons(answer: Answer, fingerprint: str) -> InlineKeyboardMarkup | None:
    if not answer.found or not answer.citations:
        return None
    others = ".".join(str(c.sentence_index) for c in answer.citations[1 : _MAX_OTHERS + 1])
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "Ngữ cảnh", callback_data=f"{_CONTEXT}:{fingerprint}:{answer.citations[0].sentence_index}"
                ),
                InlineKeyboardButton("Nguồn khác", callback_data=f"{_MORE}:{fingerprint}:{others}"),
            ]
        ]
    )


def _parse_button(query: CallbackQuery, svc: Services) -> tuple[str, list[int]] | None:
    """(kind, sentence ids) of a button made by this index, or None for stale/foreign data."""
    kind, _, rest = (query.data or "").partition(":")
    fingerprint, _, ids = rest.partition(":")
    if kind not in (_CONTEXT, _MORE) or fingerprint != svc.fingerprint:
        return None
    try:
        indexes = [int(i) for i in ids.split(".") if i]
    except ValueError:
        return None
    if not all(0 <= i < len(svc.kb.sentences) for i in indexes) or (kind == _CONTEXT and len(indexes) != 1):
        return None
    return kind, indexes


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "Ngữ cảnh" shows the sentences around the quote; "Nguồn khác" the next best matches."""
    query = update.callback_query
    if query is None or not await _admitted(update, context):
        return
    svc = services(context)
    parsed = _parse_button(query, svc)
    if parsed is None or not isinstance(query.message, Message):
        await query.answer(STALE)
        return
    await query.answer()
    kind, indexes = parsed
    kb = svc.kb
    if kind == _CONTEXT:
        pieces = render.context_messages(
            kb.neighbours(indexes[0], _CONTEXT_WINDOW), kb.article_of(indexes[0])
        )
    else:
        pieces = render.others_messages([(kb.sentences[i], kb.article_of(i)) for i in indexes])
    await _reply_all(query.message, pieces)


async def refresh(application: Application) -> bool:
    """Swap in a new index when the article files changed (after KEEP_DAYS removed the expired
    ones); buttons of the old one become stale."""
    svc: Services = application.bot_data["services"]
    try:
        # Off the answer thread, so questions never wait for a rebuild (bot.tokenize serializes
        # pyvi calls); one refresh at a time.
        pool = application.bot_data.setdefault(
            "refresh_pool", ThreadPoolExecutor(1, thread_name_prefix="refresh")
        )
        kb = await asyncio.get_running_loop().run_in_executor(
            pool, refreshed_within, svc.kb, svc.settings.keep_days
        )
    except BotError:
        log.exception("articles changed but cannot be used; still answering from the previous ones")
        return False
    except Exception:  # anything else (a full disk…): keep answering, try again at the next check
        log.exception("could not refresh the articles; still answering from the previous ones")
        return False
    if kb is None:
        return False
    # New articles, new answers; but each user's rate limit and follow-up carry over.
    application.bot_data["services"] = replace(Services.build(svc.settings, kb), guard=svc.guard, followups=svc.followups)
    log.info("articles reloaded: %d articles, %d sentences", len(kb.articles), len(kb.sentences))
    return True


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/reload` (ADMIN_CHAT_IDS only): pick up new articles now."""
    chat = update.effective_chat
    if update.message is None or chat is None or chat.id not in services(context).settings.admin_chat_ids:
        return
    changed = await refresh(context.application)
    await update.message.reply_text(
        "Đã nạp lại các bài báo." if changed else "Không có bài báo nào thay đổi."
    )


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs the full traceback, then apologises in one line; the bot keeps running."""
    log.error("error while handling update %s", getattr(update, "update_id", "?"), exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        with suppress(TelegramError):
            await update.effective_message.reply_text(APOLOGY)
