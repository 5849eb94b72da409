"""Command line: `python -m bot ask|sources|eval|run`.

Heavy modules (pyvi, numpy, rank-bm25, telegram) are imported inside the commands, so
`--help` answers at once.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.errors import BotError
from bot.settings import Settings, load_settings

if TYPE_CHECKING:
    from bot.answer import Answer, Answerer
    from bot.knowledge import KnowledgeBase

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Answer questions about Vietnamese news articles, with quote and citation.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer a question (or one question per stdin line)")
    ask.add_argument(
        "question", nargs="*", help="the question; omit it to read one question per line from stdin"
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--articles", type=Path, help="articles folder (default: ARTICLES_DIR, i.e. seeds)")

    sources = sub.add_parser("sources", help="list the articles the bot answers from")
    sources.add_argument("--articles", type=Path, help="articles folder (default: ARTICLES_DIR)")

    index = sub.add_parser(
        "index", help="build the search index cache now (else the first question builds it)"
    )
    index.add_argument(
        "--articles", type=Path, action="append", help="articles folder(s) (default: ARTICLES_DIR)"
    )

    ev = sub.add_parser("eval", help="score the bot on a questions .jsonl file")
    ev.add_argument("questions", type=Path)
    ev.add_argument(
        "--articles", type=Path, action="append", help="articles folder(s) (default: ARTICLES_DIR)"
    )
    ev.add_argument("--show", action="store_true", help="print one row per question")

    run = sub.add_parser("run", help="run the Telegram bot (long polling, or --webhook)")
    run.add_argument("--webhook", action="store_true", help="serve a webhook instead of long polling")
    return parser


def _answerer(settings: Settings, folders: Sequence[Path] | None = None) -> Answerer:
    from bot.answer import Answerer
    from bot.knowledge import KnowledgeBase

    return Answerer(KnowledgeBase.build(settings, folders or ()), settings)


def format_answer(answer: Answer) -> str:
    """The terminal view: short answer, quoted sentence, citation; other sources below."""
    from bot.render import answer_lines

    return "\n".join(answer_lines(answer))


def _questions(args: argparse.Namespace, stdin: TextIO) -> Iterable[str]:
    """The argument, or each stdin line; bad UTF-8 stays in the line as lone surrogates."""
    if args.question:
        yield " ".join(args.question)
        return
    raw = getattr(stdin, "buffer", None)
    lines = (line.decode("utf-8", "surrogateescape") for line in raw) if raw else stdin
    for line in lines:
        yield line.rstrip("\r\n")


def cmd_ask(args: argparse.Namespace, settings: Settings, out: TextIO, stdin: TextIO) -> int:
    """Answer each question; one that cannot be asked gets its error line and the rest go on."""
    from bot import intake

    answerer = _answerer(settings, [args.articles] if args.articles else None)
    for question in _questions(args, stdin):
        refused = intake.problem(question, settings.max_question_chars)
        if refused is not None:
            shown = intake.printable(question)
            row = {"question": shown, "found": False, "answer": None, "citations": [], "error": refused}
            out.write(json.dumps(row, ensure_ascii=False) + "\n" if args.json else refused + "\n\n")
        elif args.json:
            out.write(json.dumps(answerer.ask(question).to_json(), ensure_ascii=False) + "\n")
        else:
            out.write(format_answer(answerer.ask(question)) + "\n\n")
        out.flush()
    return 0


def cmd_index(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Build (or verify) the persisted index; a running bot picks it up on its next refresh."""
    from bot.knowledge import KnowledgeBase

    kb = KnowledgeBase.build(settings, args.articles or ())
    out.write(
        f"index ready: {len(kb.sentences)} sentences from {len(kb.articles)} articles in {settings.index_cache_dir}\n"
    )
    return 0


def cmd_sources(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.knowledge import KnowledgeBase

    kb = KnowledgeBase.build(settings, [args.articles] if args.articles else ())
    out.write(sources_table(kb) + "\n")
    return 0


def sources_table(kb: KnowledgeBase) -> str:
    from bot.dates import format_day

    rows = []
    for article in kb.articles.values():
        count = len(kb.article_sentences(article.id))
        when = format_day(article.published_date) if article.published_date else "—"
        rows.append(f"{article.id}\t{when}\t{count} câu\t{article.title}\t{article.url or ''}".rstrip())
    return "\n".join(rows)


def cmd_eval(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.evaluate import evaluate, load_questions

    answerer = _answerer(settings, args.articles)
    report = evaluate(answerer, load_questions(args.questions))
    if args.show:
        for row in report.rows:
            out.write(row + "\n")
    out.write(json.dumps(report.metrics, ensure_ascii=False) + "\n")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.telegram.app import run

    return run(settings, webhook=args.webhook)


def protect_secrets(settings: Settings) -> None:
    """Mask the token and webhook secret in this process's output and logs, whatever the command."""
    from bot import redact

    redact.protect(settings.secret_values())
    redact.protect_streams()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        protect_secrets(settings)
        logging.basicConfig(
            level=settings.log_level,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
        if args.command == "ask":
            return cmd_ask(args, settings, sys.stdout, sys.stdin)
        if args.command == "sources":
            return cmd_sources(args, settings, sys.stdout)
        if args.command == "eval":
            return cmd_eval(args, settings, sys.stdout)
        if args.command == "index":
            return cmd_index(args, settings, sys.stdout)
        return cmd_run(args, settings)
    except BotError as exc:
        log.debug("command failed", exc_info=True)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
