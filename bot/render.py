"""Plain-text views of answers for the terminal; the Telegram layer has its own HTML view."""

from __future__ import annotations

from bot.answering.answer import Answer, Citation
from bot.lang.dates import format_day


def citation_line(citation: Citation) -> str:
    """`— title, dd/mm/yyyy, URL`, leaving out what the article does not give."""
    parts = [citation.title]
    if citation.published:
        parts.append(format_day(citation.published))
    if citation.url:
        parts.append(citation.url)
    return "— " + ", ".join(parts)


def answer_lines(answer: Answer) -> list[str]:
    """Answer, quote, citation: at most ~8 lines so it reads at a glance."""
    if answer.unsure:  # not sure: the likeliest sentences, each with where it comes from
        lines = [answer.note or ""]
        for c in answer.citations:
            lines += [f"“{_shorten(c.sentence, 240)}”", citation_line(c)]
        return lines
    if not answer.found:
        return [answer.note or "Không tìm thấy câu trả lời trong các bài báo hiện có."]
    best = answer.citations[0]
    lines = [f"Trả lời: {answer.answer}", f"“{best.sentence}”", citation_line(best)]
    others: dict[str, Citation] = {}
    for c in answer.citations[1:]:
        if c.article_id != best.article_id:
            others.setdefault(c.article_id, c)
    for c in list(others.values())[:2]:
        lines.append(f"Nguồn khác: “{_shorten(c.sentence)}” {citation_line(c)}")
    return lines


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit)] + " …"
