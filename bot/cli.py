"""Command line: `python -m bot ask|sources|eval|run`.

Heavy modules (pyvi, numpy, rank-bm25, telegram) are imported inside the commands, so
`--help` answers at once. Results go to stdout, one line per item; logs go to stderr, warnings
only unless `-v` (the bot, `run`, logs INFO).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot import __version__
from bot.errors import BotError
from bot.settings import Settings, load_settings

if TYPE_CHECKING:
    from bot.answering.answer import Answer, Answerer
    from bot.library.knowledge import KnowledgeBase

log = logging.getLogger("bot")

PROMPT = "Type a question and press Enter, one per line; Ctrl-D ends.\n"
_FULL_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def program() -> str:
    """The name the command was started by, for its usage lines: `python -m bot` or `vnnews-bot`."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "python -m bot" if name in ("", "-c", "__main__.py") else name


def _verbosity(parser: argparse.ArgumentParser, default: object) -> None:
    """`-v` before or after the command; a subcommand's default must not reset the top one's."""
    parser.add_argument(
        "-v", "--verbose", action="count", default=default,
        help="log more on stderr: -v INFO, -vv DEBUG (default: warnings only; `run` logs INFO)",
    )


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The parser and each command's own, whose usage an error in that command shows."""
    parser = argparse.ArgumentParser(
        prog=program(),
        description="Answer questions about Vietnamese news articles, with quote and citation.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _verbosity(parser, 0)
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer a question (or one question per stdin line)")
    ask.add_argument(
        "question", nargs="*", help="the question; omit it to read one question per line from stdin"
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--articles", type=Path, help="articles folder (default: SEEDS_DIR and ARTICLES_DIR)")
    ask.add_argument(
        "--explain", action="store_true", help="also print each candidate's features and their parts"
    )

    sources = sub.add_parser("sources", help="list the articles the bot answers from")
    sources.add_argument("--articles", type=Path, help="articles folder (default: SEEDS_DIR and ARTICLES_DIR)")

    index = sub.add_parser(
        "index", help="build the search index cache now (else the first question builds it)"
    )
    index.add_argument(
        "--articles", type=Path, action="append", help="articles folder(s) (default: SEEDS_DIR and ARTICLES_DIR)"
    )

    ev = sub.add_parser(
        "eval", help="score the bot on question sets: one table row per set (or JSON for one file)"
    )
    ev.add_argument("questions", type=Path, nargs="*", help="questions .jsonl file(s) over --articles")
    ev.add_argument(
        "--articles", type=Path, action="append", help="articles folder(s) (default: SEEDS_DIR and ARTICLES_DIR)"
    )
    ev.add_argument(
        "--sets",
        nargs="+",
        metavar="NAME",
        help="known sets by name (dev, independent, wiki-tune, wiki-held, realnews-tune, …) or 'all'",
    )
    ev.add_argument(
        "--realnews",
        type=Path,
        help="the real-news articles folder (benchmarks/realnews/build_articles.py makes it)",
    )
    ev.add_argument("--show", action="store_true", help="print one row per question")

    fit = sub.add_parser(
        "fit",
        help="fit the ranker on the tuning sets: bot/answering/data/ranker.json with --realnews, else ranker-licensed.json",
    )
    fit.add_argument("--realnews", type=Path, help="the real-news articles folder, to fit on its tuning halves")
    fit.add_argument("--tuned-e5", action="store_true",
                     help="fit ranker-tuned.json, on the tuned e5's cosines (cross-fitted; needs --realnews)")

    add = sub.add_parser("add", help="fetch news pages by link and add their articles to ARTICLES_DIR")
    add.add_argument("urls", nargs="+", metavar="URL")
    add.add_argument("--articles", type=Path, help="articles folder (default: ARTICLES_DIR)")

    feeds = sub.add_parser("feeds", help="poll FEEDS and add their new articles to ARTICLES_DIR")
    feeds.add_argument("--once", action="store_true", help="poll once and exit (for cron); else every FEEDS_POLL_SECONDS")
    feeds.add_argument("--articles", type=Path, help="articles folder (default: ARTICLES_DIR)")
    feeds.add_argument(
        "-q", "--quiet", action="store_true", help="print only problems, on stderr (cron mails nothing else)"
    )

    run = sub.add_parser("run", help="run the Telegram bot (long polling, or --webhook)")
    run.add_argument("--webhook", action="store_true", help="serve a webhook instead of long polling")
    commands: dict[str, argparse.ArgumentParser] = sub.choices  # type: ignore[assignment]
    for command in commands.values():
        _verbosity(command, argparse.SUPPRESS)
    return parser, commands


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments; an unknown option is reported with its command's usage, not the top one's."""
    parser, commands = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _answerer(settings: Settings, folders: Sequence[Path] | None = None) -> Answerer:
    from bot.answering.answer import Answerer
    from bot.library.knowledge import KnowledgeBase

    return Answerer(KnowledgeBase.build(settings, folders or ()), settings)


def format_answer(answer: Answer) -> str:
    """The terminal view: short answer, quoted sentence, citation; other sources below."""
    from bot.render import answer_lines

    return "\n".join(answer_lines(answer))


def _questions(args: argparse.Namespace, stdin: TextIO, err: TextIO) -> Iterable[str]:
    """The argument, or each stdin line; bad UTF-8 stays in the line as lone surrogates. At a
    terminal, a prompt says what to do, rather than waiting silently."""
    if args.question:
        yield " ".join(args.question)
        return
    if stdin.isatty():
        err.write(PROMPT)
        err.flush()
    raw = getattr(stdin, "buffer", None)
    lines = (line.decode("utf-8", "surrogateescape") for line in raw) if raw else stdin
    for line in lines:
        yield line.rstrip("\r\n")


def cmd_ask(args: argparse.Namespace, settings: Settings, out: TextIO, stdin: TextIO, err: TextIO) -> int:
    """Answer each question; one that cannot be asked gets its error line and the rest go on."""
    from bot import intake

    answerer = _answerer(settings, [args.articles] if args.articles else None)
    for question in _questions(args, stdin, err):
        refused = intake.problem(question, settings.max_question_chars)
        if refused is not None:
            shown = intake.printable(question)
            row = {"question": shown, "found": False, "answer": None, "citations": [], "error": refused}
            out.write(json.dumps(row, ensure_ascii=False) + "\n" if args.json else refused + "\n\n")
        elif args.json:
            out.write(json.dumps(answerer.ask(question).to_json(), ensure_ascii=False) + "\n")
        else:
            out.write(format_answer(answerer.ask(question)) + "\n\n")
        if args.explain and refused is None:
            out.writelines(line + "\n" for line in answerer.explain(question))
        out.flush()
    return 0


def cmd_index(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Build (or verify) the persisted index; a running bot picks it up on its next refresh."""
    from bot.library.knowledge import KnowledgeBase

    kb = KnowledgeBase.build(settings, args.articles or ())
    out.write(
        f"index ready: {len(kb.sentences)} sentences from {len(kb.articles)} articles in {settings.index_cache_dir}\n"
    )
    took = kb.built
    if took.get("analysed") and took.get("analysed_s"):  # this entry was built now or earlier: say how
        rate = took["analysed"] / max(took["analysed_s"], 1e-9)
        line = f"  built from {took['analysed']} new sentences: analysed in {took['analysed_s']:.1f} s ({rate:,.0f}/s)"
        if took.get("embedded"):
            line += (f", e5 vectors in {took['embedded_s']:.1f} s "
                     f"({took['embedded'] / max(took['embedded_s'], 1e-9):,.1f}/s)")
        out.write(line + "\n")
    return 0


def cmd_sources(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.library.knowledge import KnowledgeBase

    kb = KnowledgeBase.build(settings, [args.articles] if args.articles else ())
    out.write(sources_table(kb) + "\n")
    return 0


def sources_table(kb: KnowledgeBase) -> str:
    """One row per article, the newest first."""
    from bot.lang.dates import format_day
    from bot.library.archive import newest_first

    rows = []
    for article in newest_first(kb.articles.values()):
        count = len(kb.article_sentences(article.id))
        when = format_day(article.published_date) if article.published_date else "—"
        rows.append(f"{article.id}\t{when}\t{count} câu\t{article.title}\t{article.url or ''}".rstrip())
    return "\n".join(rows)


def cmd_eval(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """Score question sets; those whose files are not here are named on stderr, with why."""
    from bot.answering.answer import Answerer
    from bot.fitting.evalsets import QuestionSet, all_sets
    from bot.fitting.evaluate import evaluate, table_header, table_row
    from bot.library.knowledge import KnowledgeBase

    folders = tuple(args.articles or settings.answer_folders())
    chosen = [QuestionSet(p.stem, p, folders) for p in args.questions]
    if args.sets:
        every = {s.name: s for s in all_sets(args.realnews)}
        unknown = [n for n in args.sets if n != "all" and n not in every]
        if unknown:
            raise BotError(f"unknown question set {unknown[0]!r}; known: {', '.join(every)}")
        named = list(every.values()) if "all" in args.sets else [every[n] for n in args.sets]
        absent = [(s.name, s.missing()) for s in named if s.missing()]
        if absent and "all" not in args.sets:
            raise BotError(f"question set {absent[0][0]} is not here: {absent[0][1]}")
        err.writelines(f"skipped {name}: {why}\n" for name, why in absent)
        if args.realnews is None and "all" in args.sets:
            err.write("skipped the real-news sets: pass --realnews DIR (see README, Measuring and fitting)\n")
        chosen += [s for s in named if not s.missing()]
    if not chosen:
        raise BotError("name a questions file or --sets NAME …")
    if len(chosen) > 1:
        out.write(table_header() + "\n")
    for qset in chosen:
        report = evaluate(Answerer(KnowledgeBase.build(settings, qset.folders), settings), qset.load())
        if args.show:
            out.writelines(row + "\n" for row in report.rows)
        line = table_row(qset.name, report.metrics) if len(chosen) > 1 else json.dumps(report.metrics)
        out.write(line + "\n")
    return 0


def cmd_fit(args: argparse.Namespace, out: TextIO) -> int:
    from bot.fitting.fit import main as fit

    model = fit(args.realnews, tuned=args.tuned_e5)
    out.write(json.dumps({k: v for k, v in model.items() if "weights" not in k}, ensure_ascii=False) + "\n")
    return 0


def cmd_add(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """One line per URL: the article added, or why not; 1 when any URL failed."""
    from bot.news.fetch import Fetcher, LinkError
    from bot.news.links import add_link

    folder = _writable(*((args.articles, "--articles") if args.articles else (settings.articles_dir, "ARTICLES_DIR")))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    fetcher = Fetcher(settings)
    failed = 0
    try:
        for url in args.urls:
            try:
                added = add_link(url, fetcher, folder, keep_days=settings.keep_days)
            except LinkError as exc:
                log.debug("adding %s failed", url, exc_info=True)
                err.write(f"error: {exc}\n")
                failed += 1
                continue
            except Exception as exc:  # a bug on one page (the extractor's, ours) must not cost the others
                log.debug("adding %s failed", url, exc_info=True)
                err.write(f"error: {url}: unexpected {type(exc).__name__}; LOG_LEVEL=DEBUG shows the details\n")
                failed += 1
                continue
            out.write(f"added: {added.summary()}\n")
    finally:
        fetcher.close()
    return 1 if failed else 0


def cmd_feeds(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Poll FEEDS (once, or until interrupted): one stdout line per item (none with --quiet);
    problems are logged, one stderr line each. 1 when a feed could not be read on the last poll."""
    import time

    from bot.errors import ConfigError
    from bot.library.archive import prune_folder, vietnam_now
    from bot.news.feeds import FeedPoller, FeedState
    from bot.news.fetch import Fetcher

    if not settings.feeds:
        raise ConfigError("FEEDS is empty: set FEEDS=https://…/rss (comma-separated RSS/Atom URLs)")
    if args.articles:
        settings = settings.model_copy(update={"articles_dir": _writable(args.articles, "--articles")})
    folder = _writable(settings.articles_dir, "ARTICLES_DIR")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    fetcher, state = Fetcher(settings), FeedState(settings.feeds_state_path)
    try:
        while True:
            reports = FeedPoller(settings, fetcher, state).poll()
            lines: list[str] = []
            for report in reports:
                lines += [f"added: {added.summary()}" for added in report.added]
                lines += [f"unchanged: {report.feed}"] if report.unchanged else []
            if settings.keep_days:
                removed = prune_folder(folder, settings.keep_days, vietnam_now())
                lines += [f"removed (older than KEEP_DAYS={settings.keep_days}): {p}" for p in removed]
            if not args.quiet:
                out.writelines(line + "\n" for line in lines)
                out.flush()
            if args.once:
                return 1 if any(r.failed for r in reports) else 0
            time.sleep(settings.feeds_poll_seconds)
    finally:
        state.close()
        fetcher.close()


def _writable(folder: Path, name: str) -> Path:
    """The folder articles are written into; a file in its place is named as such, at once."""
    if folder.exists() and not folder.is_dir():
        raise BotError(f"{name} {folder} is a file, not a folder: name the folder articles are written into")
    return folder


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.telegram.app import run

    return run(settings, webhook=args.webhook)


def protect_secrets(settings: Settings) -> None:
    """Mask the token and webhook secret in this process's output and logs, whatever the command."""
    from bot import redact

    redact.protect(settings.secret_values())
    redact.protect_streams()


class _Terse(logging.Formatter):
    """A log record as one line, as the commands write their own errors (`warning: …`); the
    details (tracebacks) come with -v."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _log_to_stderr(args: argparse.Namespace, settings: Settings) -> None:
    """Warnings only for one-shot commands, INFO for the bot; -v INFO, -vv DEBUG; LOG_LEVEL set
    in the environment replaces the default."""
    bot = args.command == "run"
    verbose = getattr(args, "verbose", 0)
    level = "DEBUG" if verbose >= 2 else "INFO" if verbose else settings.log_level or ("INFO" if bot else "WARNING")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FULL_FORMAT) if bot or verbose else _Terse())
    logging.basicConfig(level=level, handlers=[handler])


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    try:
        settings = load_settings()
        protect_secrets(settings)
        _log_to_stderr(args, settings)
        if args.command == "ask":
            return cmd_ask(args, settings, sys.stdout, sys.stdin, sys.stderr)
        if args.command == "sources":
            return cmd_sources(args, settings, sys.stdout)
        if args.command == "eval":
            return cmd_eval(args, settings, sys.stdout, sys.stderr)
        if args.command == "fit":
            return cmd_fit(args, sys.stdout)
        if args.command == "index":
            return cmd_index(args, settings, sys.stdout)
        if args.command == "add":
            return cmd_add(args, settings, sys.stdout, sys.stderr)
        if args.command == "feeds":
            return cmd_feeds(args, settings, sys.stdout)
        return cmd_run(args, settings)
    except BotError as exc:
        log.debug("command failed", exc_info=True)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
