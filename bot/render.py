"""Plain-text views of answers for the terminal; the Telegram layer has its own HTML view."""

from __future__ import annotations

from bot.answer import Answer, Citation
from bot.dates import format_day


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
    if not answer.found:
        return [answer.note or "Không tìm thấy câu trả lời trong các bài báo hiện có."]
    best = answer.citations[0]
    lines = [f"Trả lời: {answer.answer}", f"“{best.sentence}”", citation_line(best)]
    others = [c for c in answer.citations[1:] if c.article_id != best.article_id or c.sentence != best.sentence]
    if others:
        lines.append("Nguồn khác: " + "; ".join(citation_line(c)[2:] for c in others[:2]))
    return lines
