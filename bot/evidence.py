"""Evidence that a sentence answers a question: how much of the question it (and its article)
covers, and whether the question's named entities belong to that article.

These replace a raw BM25 threshold for abstaining, which does not transfer between corpora:
coverage is a share in [0, 1] whatever the corpus size.
"""

from __future__ import annotations

import itertools
import math
import re
from functools import lru_cache

from bot.knowledge import KnowledgeBase
from bot.lexicon import SYNONYMS
from bot.normalize import canonical, fold
from bot.question import Question
from bot.spans import words
from bot.tokenize import FOLDED, STOPWORDS

# Verbs too general to show that a sentence states the asked-about event.
_WEAK_VERBS = frozenset("la co duoc bi lam dien ra".split() + ["dien_ra", "nhac_toi", "goi", "to_chuc"])
# Words that only frame an event (`Lễ phát động … tổ chức ở đâu`, `Tai nạn xảy ra lúc nào`): the
# article need not repeat them.
_FRAME_WORDS = frozenset({"lễ", "buổi", "cuộc", "sự kiện", "hoạt động", "chuyến", "xảy ra", "diễn ra"})
# Credit for a question word found elsewhere in the article rather than in the sentence, and
# for a compound whose syllables the sentence has, but not side by side.
CONTEXT_CREDIT = 0.6
SCATTERED_CREDIT = 0.7


def _forms(unit: str, accented: bool) -> tuple[str, ...]:
    """The unit and the words news uses for the same thing, in the question's spelling form."""
    forms = (unit, *SYNONYMS.get(unit, ()))
    return forms if accented else tuple(dict.fromkeys(fold(f) for f in forms))


def _scattered(unit: str, text: str) -> bool:
    parts = unit.split()
    return len(parts) > 1 and all(f" {p} " in text for p in parts)


_ANY_STOP = STOPWORDS | {fold(w) for w in STOPWORDS}


def _pairs(text: str) -> list[tuple[str, str]]:
    """Adjacent syllable pairs of a question, leaving out pairs of two stop words."""
    syllables = re.findall(r"\w+", text)
    return [(a, b) for a, b in itertools.pairwise(syllables) if not (a in _ANY_STOP and b in _ANY_STOP)]


def _padded(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", text)) + " "


class Evidence:
    """Coverage and entity checks over one KnowledgeBase; article texts are prepared once."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._articles: dict[str, tuple[str, str]] = {}
        self._sentences = lru_cache(maxsize=8192)(self._sentence_forms)
        # Asked once per candidate sentence; the same for all of them.
        self.units = lru_cache(maxsize=256)(self._units)

    def _sentence_forms(self, index: int) -> tuple[str, str]:
        text = self.kb.sentences[index].text
        return _padded(canonical(text)), _padded(fold(text))

    def _article_forms(self, article_id: str) -> tuple[str, str]:
        if article_id not in self._articles:
            when = self.kb.articles[article_id].published_date
            dateline = f"năm {when.year} {when.day}/{when.month}/{when.year}" if when else ""
            text, folded = self.kb.article_forms(article_id)  # title and body, padded at ingestion
            if dateline:
                text, folded = text + _padded(dateline)[1:], folded + _padded(fold(dateline))[1:]
            self._articles[article_id] = (text, folded)
        return self._articles[article_id]

    def _units(self, q: Question) -> list[tuple[str, float]]:
        """Content words of the question with idf weights.

        A noun no article has (`vàng`, `Thái Lan`) weighs the most: it is what the question is
        about. A verb or adjective no article has (`đặt` for `nằm`) is likely a paraphrase and
        weighs like a typical word.
        """
        n = max(len(self.kb.index), 1)
        unknown = math.log(2 * n + 1)
        tagged = words(q.text) if q.accented else ()
        loose = {w.key.replace("_", " ") for w in tagged if w.pos[:1] in {"V", "A"}}
        out: list[tuple[str, float]] = []
        asked = f" {fold(q.text)} "
        # Frame phrases pyvi left as separate syllables (`xảy`, `ra`) are dropped syllable by syllable.
        seen: set[str] = {
            syllable
            for phrase in _FRAME_WORDS
            if " " in phrase and f" {fold(phrase)} " in asked
            for syllable in (*phrase.split(), *fold(phrase).split())
        }
        for term in q.terms:
            if term.startswith(FOLDED):
                unit, key = term[len(FOLDED) :], term
            elif "_" in term or not any(term in t.split("_") for t in q.terms if "_" in t):
                unit, key = term.replace("_", " "), term
            else:
                continue  # a syllable of a compound already counted as a whole word
            if (
                unit in seen
                or unit in STOPWORDS
                or unit in _FRAME_WORDS
                or (q.head and unit in q.head.split() + [q.head])
            ):
                continue
            seen.add(unit)
            idf = self.kb.index.idf(key)
            if idf == 0.0:
                idf = unknown / 2 if fold(unit) in loose else unknown
            out.append((unit, max(idf, 0.05)))
        return out

    def coverage(self, q: Question, index: int) -> float:
        """Weighted share of question words in the sentence (full credit) or its article (partial)."""
        units = self.units(q)
        if not units:
            return 0.0
        form = 0 if q.accented else 1
        sentence = self._sentences(index)[form]
        article = self._article_forms(self.kb.sentences[index].article_id)[form]
        got = 0.0
        for unit, weight in units:
            forms = _forms(unit, q.accented)
            if any(f" {f} " in sentence for f in forms):
                got += weight
            elif _scattered(unit, sentence):
                got += weight * SCATTERED_CREDIT  # `ghi bàn` vs `bàn thắng … ghi`
            elif any(f" {f} " in article for f in forms) or _scattered(unit, article):
                got += weight * CONTEXT_CREDIT
        return got / sum(w for _, w in units)

    def missing(self, q: Question, index: int) -> bool:
        """True when some question word is in neither the sentence nor its article."""
        form = 0 if q.accented else 1
        sentence = self._sentences(index)[form]
        article = self._article_forms(self.kb.sentences[index].article_id)[form]
        return any(
            not any(f" {f} " in sentence or f" {f} " in article for f in _forms(unit, q.accented))
            and not _scattered(unit, sentence)
            and not _scattered(unit, article)
            for unit, _ in self.units(q)
        )

    def numbers_conflict(self, q: Question, index: int) -> bool:
        """The sentence gives a word of the question another number (`số 5` for `bệnh viện … số 6`)."""
        asked = re.findall(r"\w+", fold(q.text))
        said = re.findall(r"\w+", self._sentences(index)[1])
        numbered = {(a, b) for a, b in itertools.pairwise(asked) if b.isdigit() and not a.isdigit()}
        pairs = set(itertools.pairwise(said))
        return any(
            (word, num) not in pairs and any(a == word and b.isdigit() and b != num for a, b in pairs)
            for word, num in numbered
        )

    def verbs(self, q: Question, index: int) -> float:
        """Share of the question's verbs (`ký`, `điện đàm`) the sentence repeats: the predicate must match."""
        wanted = {fold(w.text) for w in words(q.text) if w.pos == "V" and w.key not in _WEAK_VERBS}
        if not wanted:
            return 0.0
        sentence = self._sentences(index)[1]
        return sum(1 for v in wanted if f" {v} " in sentence) / len(wanted)

    def proximity(self, q: Question, index: int) -> float:
        """Share of the question's adjacent word pairs the sentence repeats side by side.

        `Thủ tướng Campuchia` then beats a sentence with `Phó Thủ tướng, … Campuchia`.
        """
        pairs = _pairs(q.matchable)
        if not pairs:
            return 0.0
        form = 0 if q.accented else 1
        sentence = self._sentences(index)[form]
        return sum(1 for a, b in pairs if f" {a} {b} " in sentence) / len(pairs)

    def entities_agree(self, q: Question, index: int) -> bool:
        """Every proper name in the question (a country, a person) appears in the sentence's article."""
        if not q.accented:
            return True
        article = self._article_forms(self.kb.sentences[index].article_id)[1]
        for i, w in enumerate(words(q.text)):
            if w.pos != "Np" or not w.capitalized:
                continue
            name = fold(w.text).split()
            # The question's first word is capitalised anyway: pyvi may glue it to the name
            # (`Đoàn Philippines`), so there the name without it counts too.
            forms = [name, name[1:]] if i == 0 and len(name) > 1 else [name]
            if not any(f" {' '.join(form)} " in article for form in forms):
                return False
        return self._numbers_agree(q, article)

    @staticmethod
    def _numbers_agree(q: Question, article: str) -> bool:
        """A number naming something (`bão số 4`, `lần thứ 2`, `năm 2025`) must appear so in the article."""
        syllables = re.findall(r"\w+", fold(q.text))
        for i, s in enumerate(syllables):
            if not s.isdigit():
                continue
            before = f" {syllables[i - 1]} {s} " if i > 0 else None
            after = f" {s} {syllables[i + 1]} " if i + 1 < len(syllables) else None
            if not any(probe and probe in article for probe in (before, after)):
                return False
        return True
