"""Question analysis: what kind of answer is asked for, and which words carry the content.

Typing works on accent-folded text when the question has no diacritics, so `khi nao` is a
when-question as much as `khi nào`; with diacritics it matches exactly, so `mấy` (how many)
is not confused with `máy` (machine).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.lang import entries
from bot.lexicon import FOLDED_SYNONYMS, SYNONYMS
from bot.normalize import canonical, fold, has_diacritics
from bot.tokenize import FOLDED, query_terms


class QType(StrEnum):
    WHO = "who"
    WHEN = "when"
    WHERE = "where"
    WHAT = "what"
    HOW_MANY = "how_many"
    YES_NO = "yes_no"
    WHY = "why"
    HOW = "how"


# Nouns that, followed by `nào`, ask for a person/organisation, a place or a time.
_PERSON_NOUNS = (
    "người|vị|ông|bà|ai|đồng chí|lãnh đạo|quan chức|nhân vật|bộ trưởng|thứ trưởng|thủ tướng|"
    "chủ tịch|tổng thống|đại sứ|tướng|đại tướng|thượng tướng|trung tướng|thiếu tướng|trưởng đoàn|"
    "cơ quan|tổ chức|đơn vị|bên|phía|lực lượng|bộ|ban|doanh nghiệp|công ty|đoàn"
)
_PLACE_NOUNS = "nơi|chỗ|tỉnh|thành phố|huyện|quận|xã|phường|địa điểm|địa phương|vùng|khu vực|quốc gia|nước"
_TIME_NOUNS = "khi|lúc|ngày|hôm|năm|tháng|thời gian|thời điểm|dịp|giờ|buổi"


# Checked in order: the first family that matches decides the type.
def _words(concept: str) -> str:
    return "|".join(rf"\b{re.escape(w)}\b" for w in sorted(entries(concept), key=len, reverse=True))


_PATTERNS: tuple[tuple[QType, str], ...] = (
    (QType.WHY, _words("why_words")),
    (QType.HOW_MANY, r"\blần thứ mấy\b|\blần thứ bao nhiêu\b"),
    (QType.WHEN, r"\b(?:ngày|tháng|năm|hôm|thứ|mấy) (?:mấy|giờ)\b|(?<!một )(?<!mỗi )\bnăm bao nhiêu\b"),
    (QType.HOW_MANY, r"\bbao nhiêu\b|\bmấy\b|\bsố lượng\b|\bbao xa\b|\bbao lâu\b"),
    (QType.WHEN, rf"\bbao giờ\b|\b(?:{_TIME_NOUNS}) nào\b|\bkhi nào\b"),
    (
        QType.WHERE,
        rf"\b(?:ở|tại|đi|đến|tới|về|từ|vào|nơi) đâu\b|\bđâu\s*\??$|\b(?:{_PLACE_NOUNS}) nào\b|\bđịa điểm\b",
    ),
    (QType.WHO, rf"\bai\b|\b(?:{_PERSON_NOUNS})(?: [^\s]+){{0,4}} nào\b"),
    (QType.HOW, _words("how_words")),
    (QType.WHAT, r"\bgì\b|\bnào\b"),
    (QType.YES_NO, r"\bcó\b.*\bkhông\b\s*\??$|\bđã\b.*\bchưa\b\s*\??$|\bphải không\b"),
)
_COMPILED = tuple((t, re.compile(p)) for t, p in _PATTERNS)
_FOLDED = tuple((t, re.compile(fold(p))) for t, p in _PATTERNS)


# What a how-many question counts (`bao nhiêu tiền`, `mấy trận`): the answer's unit.
_COUNTED = re.compile(r"\b(?:bao nhiêu|mấy)\s+(\w+(?: \w+)?)", re.IGNORECASE)
_HEAD = re.compile(
    r"(?:(?:những|các|loại)\s+)*\b((?!(?:những|các)\b)\w+(?:\s(?!(?:những|các)\b)\w+)?)\s+(?:gì|nào)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Question:
    """An analysed question: `terms` are its own content terms, `search_terms` those plus the
    words news uses instead (what BM25 is asked), `text` the cleaned question.

    `head` is the category a what-question asks for (`văn kiện` in `ký những văn kiện gì`), or
    the unit a how-many question counts (`tiền` in `bao nhiêu tiền`): the answer fills it, so a
    sentence need not repeat it.
    """

    text: str
    qtype: QType | None
    terms: tuple[str, ...]
    accented: bool
    head: str | None = None
    search_terms: tuple[str, ...] = ()

    @property
    def matchable(self) -> str:
        """The question in the form sentences are compared in (folded when typed without accents)."""
        return canonical(self.text) if self.accented else fold(canonical(self.text))


def question_type(text: str) -> QType | None:
    """The answer type asked for, or None for questions no rule recognises."""
    accented = has_diacritics(text)
    probe = canonical(text) if accented else fold(canonical(text))
    for qtype, pattern in _COMPILED if accented else _FOLDED:
        if pattern.search(probe):
            return qtype
    return None


def _with_synonyms(terms: list[str]) -> list[str]:
    """The query terms plus those of the words news uses instead (`chết` → `tử vong`)."""
    extra: list[str] = []
    for term in terms:
        folded = term.startswith(FOLDED)
        word = term[len(FOLDED) :] if folded else term.replace("_", " ")
        if folded:  # typed without accents: the other words' syllables, without accents too
            extra.extend(FOLDED + p for synonym in FOLDED_SYNONYMS.get(word, ()) for p in synonym.split())
            continue
        for synonym in SYNONYMS.get(word, ()):
            parts = synonym.split()
            extra.extend(([synonym.replace(" ", "_")] if len(parts) > 1 else []) + parts)
    return terms + [t for t in extra if t not in terms]


_MARKUP = re.compile(r"</?[A-Za-z][^<>]{0,40}>")


def analyze(text: str) -> Question:
    clean = " ".join(_MARKUP.sub(" ", text).split())  # pasted `<b>…</b>` is formatting, not words
    qtype = question_type(clean)
    own = query_terms(clean)
    head = None
    if qtype is QType.WHAT:
        head = _HEAD.search(canonical(clean))
    elif qtype is QType.HOW_MANY:
        head = _COUNTED.search(canonical(clean))
    return Question(
        text=clean,
        qtype=qtype,
        terms=tuple(own),
        search_terms=tuple(_with_synonyms(own)),
        accented=has_diacritics(clean),
        head=head.group(1) if head else None,
    )
