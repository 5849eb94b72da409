"""Thin Telegram handlers: check who asks, call `Answerer.ask`, format, reply.

Shared state lives in one `Services` object in `application.bot_data`, built at start-up.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, replace

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from bot import intake
from bot.answering.answer import Answer, Answerer
from bot.errors import BotError
from bot.library.archive import Library, NoArticles, newest_first, refreshed_within
from bot.library.corpus import skipped_files
from bot.settings import Settings
from bot.telegram import render
from bot.telegram.context import FollowUps
from bot.telegram.guard import Guard, Verdict

log = logging.getLogger(__name__)
# How many skipped files `/reload` names.
_SKIPPED_SHOWN = 5

GREETING = "Xin chào! Tôi trả lời câu hỏi về các bài báo tiếng Việt, kèm câu trích và nguồn."
HELP = (
    "Hỏi tôi về các bài báo: nhắn câu hỏi (trong nhóm: /ask <câu hỏi>, gọi @tên_bot hoặc trả lời "
    "tin nhắn của tôi). Tôi trả lời ngắn, trích câu gốc và dẫn nguồn. "
    "/sources: danh sách bài báo. Hỏi tiếp ngắn như “Khi nào?” cũng được. /id: mã chat của bạn."
)
NO_ARTICLES = (
    "Tôi chưa có bài báo nào nên chưa trả lời được. Bài mới được thêm từ các nguồn tin hoặc bằng "
    "lệnh /add của quản trị viên; bạn quay lại sau nhé."
)
REFUSED = "Xin lỗi, bot này chỉ phục vụ một số nhóm được cho phép."
SLOW_DOWN = "Bạn hỏi hơi nhanh, xin chờ một chút rồi hỏi tiếp nhé."
NOT_TEXT = "Xin lỗi, tôi chỉ đọc được câu hỏi bằng chữ."
EMPTY = "Bạn hãy viết câu hỏi"
# Example questions are made from the newest titles: each asked one of these ways, the first the
# bot can answer (checked on the articles it holds), at most this many.
_EXAMPLE_FORMS = ("{} ở đâu?", "{} khi nào?", "{} như thế nào?")
_EXAMPLES = 3
_EXAMPLE_TITLES = 6
_EXAMPLE_TITLE_CHARS = 100
STALE = "Nút này đã cũ, bạn hãy hỏi lại nhé."
APOLOGY = "Xin lỗi, tôi gặp sự cố khi trả lời. Bạn thử lại sau ít phút nhé."

# Callback data is `<kind>:<index fingerprint>:<sentence ids>`: ids, never text (64-byte limit).
_CONTEXT, _MORE = "ctx", "more"
_CONTEXT_WINDOW = 2
_MAX_OTHERS = 3  # keeps callback data far below 64 bytes
_MAX_BUTTON_DATA = 64  # Telegram's limit: anything longer was not made by the bot
_TAG_BYTES = 6
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
    kb: Library
    ask: Callable[[str], Answer]
    answers: AnswerCache
    guard: Guard
    followups: FollowUps
    fingerprint: str
    button_key: bytes
    examples: list[str] | None = None  # made at the first /start or /help of this index

    @classmethod
    def build(cls, settings: Settings, kb: Library) -> Services:
        return cls(
            settings=settings,
            kb=kb,
            ask=_asker(kb, settings),
            answers=AnswerCache(settings.answer_cache_size),
            guard=Guard(settings.allowed_chat_ids, settings.rate_limit_per_minute),
            followups=FollowUps(settings.followup_ttl_seconds),
            fingerprint=_fingerprint(kb),
            button_key=_button_key(settings),
        )

    def with_articles(self, kb: Library) -> Services:
        """The same budgets and follow-ups over a new index (a reload must not reset a flood)."""
        return replace(
            self,
            kb=kb,
            ask=_asker(kb, self.settings),
            answers=AnswerCache(self.settings.answer_cache_size),
            fingerprint=_fingerprint(kb),
            examples=None,
        )


def _asker(kb: Library, settings: Settings) -> Callable[[str], Answer]:
    """The answering core's `ask`; with no article yet, the answer saying so."""
    if not kb.articles:
        return lambda question: Answer(" ".join(question.split()), False, None, (), NO_ARTICLES)
    return Answerer(kb, settings).ask  # type: ignore[arg-type]  # a KnowledgeBase: it has articles


def example_titles(kb: Library) -> list[str]:
    """The titles examples are asked of: the newest articles', newest first, without closing
    punctuation; a blank or overlong title left out."""
    titles = [a.title.strip().rstrip(".!:;…").strip() for a in newest_first(kb.articles.values())]
    return [t for t in titles if t and len(t) <= _EXAMPLE_TITLE_CHARS][:_EXAMPLE_TITLES]


def example_questions(kb: Library, ask: Callable[[str], Answer]) -> list[str]:
    """Questions about the newest articles held: a title asked where, when or how, the first way
    the bot answers (so that a deployment's examples work on its own news); none without articles."""
    titles = example_titles(kb)
    made: list[str] = []
    for n, title in enumerate(titles):
        forms = [title] if title.endswith("?") else [f.format(title) for f in _EXAMPLE_FORMS]
        forms = forms[n % len(forms) :] + forms[: n % len(forms)]  # not the same question word thrice
        answered = next((q for q in forms if ask(q).found), None)
        if answered is not None:
            made.append(answered)
        if len(made) == _EXAMPLES:
            break
    return made or [_EXAMPLE_FORMS[0].format(t) for t in titles[:_EXAMPLES]]


def _button_key(settings: Settings) -> bytes:
    """Derived from the token, so buttons stay valid across restarts but cannot be forged."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    seed = token.encode() if token else os.urandom(32)
    return hashlib.sha256(b"vnnews-bot buttons\0" + seed).digest()


def _fingerprint(kb: Library) -> str:
    return hashlib.sha1("\n".join(s.text for s in kb.sentences).encode()).hexdigest()[:8]


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data["services"]


async def gate(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: allow-list and flood budget, for every kind of update.

    A refused chat hears so once an hour; a sender over budget gets one notice, then silence
    until the window passes. Either way no other handler runs (ApplicationHandlerStop).
    """
    if not isinstance(update, Update) or not _addressed(update, context.bot):
        return
    guard = services(context).guard
    chat = update.effective_chat
    if chat is not None and not guard.allows_chat(chat.id):
        if guard.refusal_due(chat.id):
            await _tell(update, REFUSED)
        raise ApplicationHandlerStop
    sender = update.effective_user.id if update.effective_user else chat.id if chat else None
    if sender is None:
        return
    verdict = guard.take(sender)
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.NOTICE:
        await _tell(update, SLOW_DOWN)
    raise ApplicationHandlerStop


def _addressed(update: Update, bot: Bot) -> bool:
    """Whether the update is meant for the bot: group chatter neither counts nor gets a reply."""
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None:
        return False
    if message.chat.type == message.chat.PRIVATE or (message.text or "").startswith("/"):
        return True
    return bool(_mentions_of_me(message, bot)) or _replies_to_me(message, bot)


def _mentions_of_me(message: Message, bot: Bot) -> list[str]:
    me = f"@{bot.username}".lower()
    return [m for m in message.parse_entities([MessageEntity.MENTION]).values() if m.lower() == me]


def _replies_to_me(message: Message, bot: Bot) -> bool:
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot.id)


async def _tell(update: Update, text: str) -> None:
    """One line for the sender: a toast for a button press, else a reply to the message."""
    if update.callback_query:
        await update.callback_query.answer(text)
    elif update.effective_message:
        await update.effective_message.reply_text(text)


async def _reply_all(message: Message, pieces: list[str], markup: InlineKeyboardMarkup | None = None) -> None:
    """Send the pieces in order, threaded to `message`; buttons go under the last one.

    Never more than render.MAX_MESSAGES: the views are cut to fit, this is the last guard.
    """
    if len(pieces) > render.MAX_MESSAGES:
        log.warning("reply of %d messages cut to %d", len(pieces), render.MAX_MESSAGES)
        pieces = pieces[: render.MAX_MESSAGES]
    for i, piece in enumerate(pieces):
        await message.reply_text(piece, reply_markup=markup if i == len(pieces) - 1 else None)


async def _examples(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    """This index's example questions, made once (in the answer thread: it asks them)."""
    svc = services(context)
    if svc.examples is None:
        pool: Executor | None = context.bot_data.get("answer_pool")
        svc.examples = await asyncio.get_running_loop().run_in_executor(pool, example_questions, svc.kb, svc.ask)
    return svc.examples


def _try_asking(examples: list[str]) -> str:
    """`Thử hỏi:` and the examples, one per line (HTML); the no-articles line when there are none."""
    if not examples:
        return render.plain(NO_ARTICLES)
    return "Thử hỏi:\n" + "\n".join(f"• {render.plain(q)}" for q in examples)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets and shows example questions made from the newest articles (or says there are none
    yet); a deployment without admins also tells the person their chat id, to become one."""
    if update.message is None:
        return
    lines = [render.plain(GREETING), _try_asking(await _examples(context))]
    if not services(context).settings.admin_chat_ids:
        lines.append(_your_id(update.message.chat.id) + " Chủ bot ghi mã này vào ADMIN_CHAT_IDS để dùng /add, /reload.")
    await update.message.reply_text("\n".join(lines))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explains how to ask, in private chats and in groups, with the example questions."""
    if update.message:
        await update.message.reply_text(render.plain(HELP) + "\n" + _try_asking(await _examples(context)))


def _your_id(chat_id: int) -> str:
    return f"Mã chat của bạn (chat id): <code>{chat_id}</code>."


async def id_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/id`: the chat's id, what ADMIN_CHAT_IDS and ALLOWED_CHAT_IDS take."""
    if update.message:
        await update.message.reply_text(
            _your_id(update.message.chat.id) + " Ghi nó vào ADMIN_CHAT_IDS (quản trị: /add, /reload) "
            "hoặc ALLOWED_CHAT_IDS trong .env của bot."
        )


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Lists the articles with dates and links (or says there are none yet)."""
    if update.message:
        kb = services(context).kb
        if not kb.articles:
            await update.message.reply_text(render.plain(NO_ARTICLES))
            return
        await _reply_all(update.message, render.sources_messages(newest_first(kb.articles.values())))


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
        mentions = _mentions_of_me(message, context.bot)
        if not mentions and not _replies_to_me(message, context.bot):
            return
        for mention in mentions:
            question = question.replace(mention, " ")
    await _answer(update, context, question)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice: a short polite line in private chats."""
    if update.message:
        await update.message.reply_text(NOT_TEXT)


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """The one path every question takes: guards, follow-up, typing, ask, reply with buttons."""
    message = update.message
    if message is None:
        return
    svc = services(context)
    question = " ".join(question.split())
    if not question:
        examples = await _examples(context)
        await message.reply_text(render.plain(f"{EMPTY}, ví dụ: /ask {examples[0]}" if examples else f"{EMPTY}."))
        return
    if (refused := intake.problem(question, svc.settings.max_question_chars)) is not None:
        await message.reply_text(refused)
        return
    answer = await _ask(context, svc, message.chat.id, svc.followups.resolve(message.chat.id, question))
    if answer.found:
        svc.followups.remember(message.chat.id, answer.question)
    await _reply_all(message, render.answer_messages(answer), _buttons(answer, svc))


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


def _buttons(answer: Answer, svc: Services) -> InlineKeyboardMarkup | None:
    if not answer.found or not answer.citations:
        return None
    best = str(answer.citations[0].sentence_index)
    others = ".".join(str(c.sentence_index) for c in answer.citations[1 : _MAX_OTHERS + 1])
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "Ngữ cảnh", callback_data=_signed(svc, f"{_CONTEXT}:{svc.fingerprint}:{best}")
                ),
                InlineKeyboardButton(
                    "Nguồn khác", callback_data=_signed(svc, f"{_MORE}:{svc.fingerprint}:{others}")
                ),
            ]
        ]
    )


def _signed(svc: Services, data: str) -> str:
    """`data:<tag>`: a keyed digest, so only data the bot issued is ever acted on."""
    tag = hmac.new(svc.button_key, data.encode(), hashlib.sha256).digest()[:_TAG_BYTES]
    return f"{data}:{base64.urlsafe_b64encode(tag).decode()}"


def _parse_button(query: CallbackQuery, svc: Services) -> tuple[str, list[int]] | None:
    """(kind, sentence ids) of a button this bot made for this index, or None (stale, forged)."""
    raw = query.data or ""
    data = raw.rpartition(":")[0]
    if len(raw) > _MAX_BUTTON_DATA or not hmac.compare_digest(raw, _signed(svc, data)):
        return None
    kind, fingerprint, ids = (data.split(":") + ["", ""])[:3]
    if kind not in (_CONTEXT, _MORE) or fingerprint != svc.fingerprint:
        return None
    indexes = [int(i) for i in ids.split(".") if i.isdigit()]
    if not all(i < len(svc.kb.sentences) for i in indexes) or (kind == _CONTEXT and len(indexes) != 1):
        return None
    return kind, indexes[:_MAX_OTHERS]


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "Ngữ cảnh" shows the sentences around the quote; "Nguồn khác" the next best matches."""
    query = update.callback_query
    if query is None:
        return
    svc = services(context)
    parsed = _parse_button(query, svc)
    if parsed is None or not isinstance(query.message, Message) or isinstance(svc.kb, NoArticles):
        await query.answer(STALE)
        return
    await query.answer()
    kind, indexes = parsed
    kb = svc.kb
    if kind == _CONTEXT:
        pieces = render.context_messages(
            kb.neighbours(indexes[0], _CONTEXT_WINDOW), kb.article_of(indexes[0]), kb.sentences[indexes[0]]
        )
    else:
        pieces = render.others_messages([(kb.sentences[i], kb.article_of(i)) for i in indexes])
    await _reply_all(query.message, pieces)


async def refresh(application: Application) -> bool:
    """Swap in a new index when the article files changed (after KEEP_DAYS removed the expired
    ones); buttons of the old one become stale."""
    svc: Services = application.bot_data["services"]
    try:
        # Off the answer thread, so questions never wait for a rebuild (bot.lang.tokenize serializes
        # pyvi calls); one refresh at a time.
        pool = application.bot_data.setdefault(
            "refresh_pool", ThreadPoolExecutor(1, thread_name_prefix="refresh")
        )
        kb = await asyncio.get_running_loop().run_in_executor(pool, refreshed_within, svc.kb, svc.settings)
    except BotError:
        log.exception("articles changed but cannot be used; still answering from the previous ones")
        return False
    except Exception:  # anything else (a full disk…): keep answering, try again at the next check
        log.exception("could not refresh the articles; still answering from the previous ones")
        return False
    if kb is None:
        return False
    application.bot_data["services"] = svc.with_articles(kb)
    if kb.articles:
        log.info("articles reloaded: %d articles, %d sentences", len(kb.articles), len(kb.sentences))
    return True


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/reload` (ADMIN_CHAT_IDS only): pick up new articles now."""
    chat = update.effective_chat
    if update.message is None or chat is None or chat.id not in services(context).settings.admin_chat_ids:
        return
    changed = await refresh(context.application)
    folders = services(context).kb.directories
    skipped = await asyncio.get_running_loop().run_in_executor(None, skipped_files, folders)
    lines = ["Đã nạp lại các bài báo." if changed else "Không có bài báo nào thay đổi."]
    if skipped:
        shown = "; ".join(skipped[:_SKIPPED_SHOWN]) + (" …" if len(skipped) > _SKIPPED_SHOWN else "")
        lines.append(f"Bỏ qua {len(skipped)} tệp không phải bài báo: {shown}")
    await update.message.reply_text("\n".join(lines))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs the full traceback, then apologises in one line; the bot keeps running."""
    log.error("error while handling update %s", getattr(update, "update_id", "?"), exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        with suppress(TelegramError):
            await update.effective_message.reply_text(APOLOGY)
