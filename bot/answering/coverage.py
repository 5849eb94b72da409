"""Lexical evidence that a sentence answers a question: how much of the question it (and its
article) covers, and whether the question's named entities belong to that article.

These replace a raw BM25 threshold for abstaining, which does not transfer between corpora:
coverage is a share in [0, 1] whatever the corpus size.
"""

from __future__ import annotations

import itertools
import math
import re
from functools import lru_cache

from bot.answering.question import Question, Unit
from bot.answering.spans import anchor_spans
from bot.lang.normalize import canonical, fold
from bot.lang.tokenize import FOLDED
from bot.library.knowledge import KnowledgeBase


def _scattered(unit: str, text: str) -> bool:
    parts = unit.split()
    return len(parts) > 1 and all(f" {p} " in text for p in parts)


def _padded(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", text)) + " "


class Coverage:
    """Coverage and entity checks over one KnowledgeBase; article texts are prepared once."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._articles = lru_cache(maxsize=4096)(self._article_forms)
        self._sentences = lru_cache(maxsize=8192)(self._sentence_forms)
        self._windows = lru_cache(maxsize=8192)(self._window_form)
        self._titles = lru_cache(maxsize=4096)(self._title_forms)
        self._locations = lru_cache(maxsize=4096)(self._where_found)
        # Asked once per candidate sentence; the same for all of them.
        self.units = lru_cache(maxsize=256)(self._units)
        self.syllable_weights = lru_cache(maxsize=256)(self._syllable_weights)

    def _sentence_forms(self, index: int) -> tuple[str, str]:
        """The sentence's canonical and folded words, space-padded: its part of its article's forms."""
        c0, c1, f0, f1 = self.kb.form_spans(index)
        text, folded = self._articles(self.kb.sentences[index].article_id)
        return text[c0 - 1 : c1], folded[f0 - 1 : f1]

    def _article_forms(self, article_id: str) -> tuple[str, str]:
        """The article's title, body (padded at ingestion) and dateline, canonical and folded."""
        when = self.kb.articles[article_id].published_date
        dateline = f"năm {when.year} {when.day}/{when.month}/{when.year}" if when else ""
        text, folded = self.kb.article_forms(article_id)
        if dateline:
            text, folded = text + _padded(dateline)[1:], folded + _padded(fold(dateline))[1:]
        return text, folded

    def _units(self, q: Question) -> list[tuple[Unit, float]]:
        """The question's content words with idf weights.

        A noun no article has (`vàng`, `Thái Lan`) weighs the most: it is what the question is
        about. A verb or adjective no article has (`đặt` for `nằm`) is likely a paraphrase and
        weighs like a typical word.
        """
        n = max(len(self.kb.index), 1)
        unknown = math.log(2 * n + 1)
        out: list[tuple[Unit, float]] = []
        for unit in q.units:
            idf = self.kb.index.idf(unit.key)
            if idf == 0.0:
                idf = unknown / 2 if unit.folded in q.predicates else unknown
            out.append((unit, max(idf, 0.05)))
        return out

    def _window_form(self, index: int, form: int) -> str:
        """The sentences right before and after, in the question's matching form."""
        sentence = self.kb.sentences[index]
        ids = self.kb.article_sentences(sentence.article_id)
        near = ids[max(0, sentence.position - 1) : sentence.position + 2]
        return " ".join(self._sentences(i)[form] for i in near if i != index)

    def _where_found(self, q: Question, index: int) -> list[tuple[int, bool]]:
        """Where each question word (of `units`) is found first: 0 in the sentence, 1 scattered in
        it, 2 in the sentence before or after, 3 elsewhere in its article, 4 nowhere; and whether
        the article's title has it. One pass that coverage and absent words both read."""
        form = 0 if q.accented else 1
        sentence = self._sentences(index)[form]
        article_id = self.kb.sentences[index].article_id
        article = self._articles(article_id)[form]
        title = self._titles(article_id)[form]
        window = self._windows(index, form)
        out = []
        for unit, _ in self.units(q):
            forms = unit.forms
            if any(f" {f} " in sentence for f in forms):
                where = 0
            elif _scattered(unit.text, sentence):
                where = 1  # `ghi bàn` vs `bàn thắng … ghi`
            elif any(f" {f} " in window for f in forms):
                where = 2
            elif any(f" {f} " in article for f in forms) or _scattered(unit.text, article):
                where = 3
            else:
                where = 4
            out.append((where, any(f" {f} " in title for f in forms)))
        return out

    def coverage_parts(self, q: Question, index: int) -> tuple[float, float, float, float, float]:
        """Weighted shares of the question's words found (in this order of preference) in the
        sentence, scattered in it, in a neighbouring sentence, elsewhere in its article; and the
        share its article's title has."""
        units = self.units(q)
        if not units:
            return (0.0, 0.0, 0.0, 0.0, 0.0)
        parts = [0.0] * 5
        for (_, weight), (where, in_title) in zip(units, self._locations(q, index), strict=True):
            if where < 4:
                parts[where] += weight
            if in_title:
                parts[4] += weight
        total = sum(w for _, w in units)
        return tuple(p / total for p in parts)  # type: ignore[return-value]

    def _title_forms(self, article_id: str) -> tuple[str, str]:
        """The article's title in both matching forms."""
        title = self.kb.articles[article_id].title
        return _padded(canonical(title)), _padded(fold(title))

    def _syllable_weights(self, q: Question) -> dict[str, float]:
        """The question's folded content syllables with the idf of their folded term."""
        n = max(len(self.kb.index), 1)
        unknown = math.log(2 * n + 1)
        out: dict[str, float] = {}
        for syllable in q.syllables:
            if syllable in q.content_syllables and syllable not in out:
                idf = self.kb.index.idf(FOLDED + syllable)
                out[syllable] = max(idf, 0.05) if idf != 0.0 else unknown
        return out

    def syllable_cover(self, q: Question, index: int) -> float:
        """Weighted share of the question's syllables (accents ignored) the sentence has, wherever
        pyvi put the word boundaries."""
        weights = self.syllable_weights(q)
        if not weights:
            return 0.0
        said = set(self._sentences(index)[1].split())
        return sum(w for s, w in weights.items() if s in said) / sum(weights.values())

    def longest_run(self, q: Question, index: int) -> float:
        """The longest run of the question's syllables the sentence repeats in order, over the
        question's content syllables (capped at 1)."""
        runs = anchor_spans(q, self.kb.sentences[index].text)
        return min(runs[0][2] / max(len(self.syllable_weights(q)), 1), 1.0) if runs else 0.0

    def absent_nouns(self, q: Question, index: int) -> tuple[float, float]:
        """Weighted shares of the question's other words (names, nouns, numbers) found neither in
        the sentence nor beside it (scattered over both counts as found), and found nowhere in
        its article: a near miss (another figure, another place) usually names something the
        article does not."""
        units = self.units(q)
        if not units:
            return (0.0, 0.0)
        form = 0 if q.accented else 1
        near = self._sentences(index)[form] + " " + self._windows(index, form) + " "
        away = nowhere = 0.0
        for (unit, weight), (where, _) in zip(units, self._locations(q, index), strict=True):
            if unit.folded in q.predicates or where < 3 or _scattered(unit.text, near):
                continue
            away += weight
            nowhere += weight if where == 4 else 0.0
        total = sum(w for _, w in units)
        return away / total, nowhere / total

    def unknown(self, q: Question) -> float:
        """Weighted share of the question's content words that no article has at all (`Thái Lan`
        asked of articles about India): the same for every candidate, a reason not to answer."""
        units = self.units(q)
        if not units:
            return 0.0
        index = self.kb.index
        absent = sum(
            w for unit, w in units if unit.text.replace(" ", "_") not in index and FOLDED + unit.folded not in index
        )
        return absent / sum(w for _, w in units)

    def fresh_tokens(self, q: Question, index: int) -> tuple[float, float]:
        """Whether the sentence has a capitalised word (not its first) and a number that the
        question does not: the raw material of a name or a count the question asks for."""
        asked = set(q.syllables)
        tokens = re.findall(r"\w+", self.kb.sentences[index].text)
        name = any(t[:1].isupper() and fold(t) not in asked for t in tokens[1:])
        number = any(t[:1].isdigit() and t not in asked for t in tokens)
        return float(name), float(number)

    def missing(self, q: Question, index: int) -> bool:
        """True when some question word is in neither the sentence nor its article."""
        form = 0 if q.accented else 1
        sentence = self._sentences(index)[form]
        article = self._articles(self.kb.sentences[index].article_id)[form]
        return any(
            not any(f" {f} " in sentence or f" {f} " in article for f in unit.forms)
            and not _scattered(unit.text, sentence)
            and not _scattered(unit.text, article)
            for unit, _ in self.units(q)
        )

    def numbers_conflict(self, q: Question, index: int) -> bool:
        """The sentence gives a word of the question another number (`số 5` for `bệnh viện … số 6`)."""
        asked = q.syllables
        said = re.findall(r"\w+", self._sentences(index)[1])
        numbered = {(a, b) for a, b in itertools.pairwise(asked) if b.isdigit() and not a.isdigit()}
        pairs = set(itertools.pairwise(said))
        return any(
            (word, num) not in pairs and any(a == word and b.isdigit() and b != num for a, b in pairs)
            for word, num in numbered
        )

    def verbs(self, q: Question, index: int) -> float:
        """Share of the question's verbs (`ký`, `điện đàm`) the sentence repeats: the predicate must match."""
        wanted = q.verbs
        if not wanted:
            return 0.0
        sentence = self._sentences(index)[1]
        return sum(1 for v in wanted if f" {v} " in sentence) / len(wanted)

    def proximity(self, q: Question, index: int) -> float:
        """Share of the question's adjacent word pairs the sentence repeats side by side.

        `Thủ tướng Campuchia` then beats a sentence with `Phó Thủ tướng, … Campuchia`.
        """
        pairs = q.pairs
        if not pairs:
            return 0.0
        form = 0 if q.accented else 1
        sentence = self._sentences(index)[form]
        return sum(1 for a, b in pairs if f" {a} {b} " in sentence) / len(pairs)

    def rare_pairs(self, q: Question, index: int) -> float:
        """Like `proximity`, each pair weighted by the idf of its rarer syllable: `phía Việt Nam`
        counts for more than `đã ký`."""
        pairs = q.pairs
        weights = self.syllable_weights(q)
        if not pairs or not weights:
            return 0.0
        form = 0 if q.accented else 1
        sentence = self._sentences(index)[form]
        weighted = [
            (max(weights.get(fa, 0.0), weights.get(fb, 0.0)), a, b)
            for (a, b), (fa, fb) in zip(pairs, q.folded_pairs, strict=True)
        ]
        total = sum(w for w, _, _ in weighted)
        return sum(w for w, a, b in weighted if f" {a} {b} " in sentence) / total if total else 0.0

    def entities_agree(self, q: Question, index: int) -> bool:
        """Every proper name in the question (a country, a person) appears in the sentence's article."""
        if not q.accented:
            return True
        article = self._articles(self.kb.sentences[index].article_id)[1]
        for forms in q.names:
            if not any(f" {' '.join(form)} " in article for form in forms):
                return False
        return self._numbers_agree(q, article)

    @staticmethod
    def _numbers_agree(q: Question, article: str) -> bool:
        """A number naming something (`bão số 4`, `lần thứ 2`, `năm 2025`) must appear so in the article."""
        syllables = q.syllables
        for i, s in enumerate(syllables):
            if not s.isdigit():
                continue
            before = f" {syllables[i - 1]} {s} " if i > 0 else None
            after = f" {s} {syllables[i + 1]} " if i + 1 < len(syllables) else None
            if not any(probe and probe in article for probe in (before, after)):
                return False
        return True
