"""Question analysis: what kind of answer is asked for, and which words carry the content.

Typing works on accent-folded text when the question has no diacritics, so `khi nao` is a
when-question as much as `khi nào`; with diacritics it matches exactly, so `mấy` (how many)
is not confused with `máy` (machine).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from enum import StrEnum

from bot.lang.lexicon import (
    CHAT_SPELLINGS,
    FOLDED_SYNONYMS,
    FRAME_WORDS,
    MEASURE_UNITS,
    PREPOSITIONS,
    SYNONYMS,
    WEAK_VERBS,
)
from bot.lang.lists import entries
from bot.lang.normalize import canonical, fold, has_diacritics
from bot.lang.tokenize import FOLDED, FOLDED_STOPWORDS, STOPWORDS, Word, query_terms, tag


class QType(StrEnum):
    WHO = "who"
    WHEN = "when"
    WHERE = "where"
    WHAT = "what"
    HOW_MANY = "how_many"
    YES_NO = "yes_no"
    WHY = "why"
    HOW = "how"


# Checked in order: the first family that matches decides the type.
def _words(concept: str) -> str:
    return "|".join(rf"\b{re.escape(w)}\b" for w in sorted(entries(concept), key=len, reverse=True))


# Nouns that, followed by `nào`, ask for a person or organisation, a place or a time.
_PERSON_NOUNS, _PLACE_NOUNS, _TIME_NOUNS = (
    _words(f"asked_{kind}_nouns") for kind in ("person", "place", "time")
)

# Particles a yes/no question may end with after its `không` / `chưa` (`… không ạ?`).
_TAIL = r"(?:\s+(?:ạ|vậy|nhỉ|thế|hả|à|chứ))*\s*\??\s*$"

_PATTERNS: tuple[tuple[QType, str], ...] = (
    # `có ai … không` asks whether anyone did (yes or no), `… đúng không` whether a claim holds.
    (QType.YES_NO, rf"\bcó ai\b.*\b(?:không|chưa){_TAIL}|\b(?:đúng|phải|thật) (?:không|chưa){_TAIL}"),
    (QType.WHY, _words("why_words")),
    (QType.HOW_MANY, rf"\blần thứ mấy\b|\blần thứ bao nhiêu\b|(?:{_words('rank_words')})\s+thứ\s+(?:mấy|bao nhiêu)\b"),
    (QType.WHEN, r"\b(?:ngày|tháng|năm|hôm|thứ|mấy) (?:mấy|giờ)\b|(?<!một )(?<!mỗi )\bnăm bao nhiêu\b(?! tuổi)"),
    (QType.HOW_MANY, r"\bbao nhiêu\b|\bmấy\b|\bsố lượng\b|\bbao xa\b|\bbao lâu\b"),
    (QType.WHEN, rf"\bbao giờ\b|\b(?:{_TIME_NOUNS}) nào\b|\bkhi nào\b"),
    (
        QType.WHERE,
        # (`thị trường nào` asks which market, not at which school)
        rf"\b(?:ở|tại|đi|đến|tới|về|từ|vào|nơi) đâu\b|\bđâu\s*\??$|(?<!thị )\b(?:{_PLACE_NOUNS}) nào\b|\bđịa điểm\b",
    ),
    (QType.WHO, rf"\bai\b|\b(?:{_PERSON_NOUNS})(?: [^\s]+){{0,4}} nào\b|\btên (?:là )?gì\b"),
    (QType.YES_NO, rf"\bcó\b.*\bkhông{_TAIL}|\bđã\b.*\bchưa{_TAIL}|\bphải không\b|\b(?:à|hả)\s*\??\s*$"),
    (QType.HOW, _words("how_words")),
    (QType.WHAT, r"\bgì\b|\bnào\b"),
)
_COMPILED = tuple((t, re.compile(p)) for t, p in _PATTERNS)
_FOLDED = tuple((t, re.compile(fold(p))) for t, p in _PATTERNS)


# The folded first syllables of the words that ask how many (`bao nhiêu`, `mấy`).
COUNT_WORDS = frozenset({"bao", "may"})
# What a how-many question counts (`bao nhiêu tiền`, `mấy trận`): the answer's unit.
_COUNTED = re.compile(r"\b(?:bao nhiêu|mấy)\s+(\w+(?: \w+)?)", re.IGNORECASE)
_HEAD = re.compile(
    r"(?:(?:những|các|loại)\s+)*\b((?!(?:những|các)\b)\w+(?:\s(?!(?:những|các)\b)\w+)?)\s+(?:gì|nào)\b",
    re.IGNORECASE,
)
# … in a question typed without accents (`lap ra 3 loai quy nao`, `bao nhieu bi hai`)
_HEAD_FOLDED = re.compile(fold(_HEAD.pattern), re.IGNORECASE)
_COUNTED_FOLDED = re.compile(fold(_COUNTED.pattern), re.IGNORECASE)


@dataclass(frozen=True)
class Intent:
    """What exactly a question asks, beyond its type: each read once from the question, accents
    or not (`năm nào` = `nam nao`); extractors read these fields, never the question's text.

    Phrases are the question's own words (`named_unit` `tỉnh` in `tỉnh nào`), except `motion`,
    which is folded (`di` in `đi đâu`).
    """

    wants_year: bool = False  # `năm nào`
    wants_day: bool = False  # `ngày nào`, `hôm nào`, `ngày mấy`
    wants_clock: bool = False  # `mấy giờ`, `lúc mấy`
    label: str | None = None  # `lần thứ` in `lần thứ mấy`, `số` in `số mấy`: a number's label (folded)
    wants_role: bool = False  # `là ai`, `ai làm`, `… nào`: the holder of a role
    wants_documents: bool = False  # `ký những văn kiện gì`, `thỏa thuận`
    about_event: bool = False  # `hội đàm`, `lễ`, `diễn ra`: an event's place is where it opens
    conditional: bool = False  # `nếu … thì …`: asks what follows a condition
    named_unit: str | None = None  # `tỉnh` in `tỉnh nào`
    motion: str | None = None  # `di` in `đi đâu` (folded)
    preposition: str | None = None  # `với` in `hội đàm với ai` (as typed)
    side: str | None = None  # `Việt Nam` in `phía Việt Nam`
    measure: str | None = None  # `dai` in `dài bao nhiêu`, `xa` in `bao xa` (folded)
    predicate: str | None = None  # `được tổ chức trực tuyến` in `có được tổ chức trực tuyến không`
    asked_word: str | None = None  # the word before `gì`/`nào` (`văn kiện` in `văn kiện gì`)
    tail_head: str | None = None  # up to two words before a closing `nào`/`gì` (`tội phạm`)
    named_unit_syllables: tuple[str, ...] = ()  # `named_unit`, folded, syllable by syllable
    predicate_syllables: tuple[str, ...] = ()  # `predicate`, folded, syllable by syllable


@dataclass(frozen=True)
class Unit:
    """A content word of the question, as coverage looks for it: a pyvi word (`thủ tướng`) or, in a
    question typed without accents, a folded syllable (`thu`); `forms` are it and the words news
    uses for it, in the question's spelling form."""

    text: str
    key: str  # its index term
    folded: str
    forms: tuple[str, ...]


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
    intent: Intent = field(default_factory=Intent)
    folded: str = ""  # the text without accents, lowercased: what is compared with folded sentences
    syllables: tuple[str, ...] = ()  # its syllables, folded, in order
    content_syllables: frozenset[str] = frozenset()  # those that are not stop words
    head_syllables: tuple[str, ...] = ()  # `head`, folded, syllable by syllable
    words: tuple[Word, ...] = ()  # pyvi's words and tags
    units: tuple[Unit, ...] = ()  # the content words coverage weighs
    predicates: frozenset[str] = frozenset()  # its verbs and adjectives, folded (accented questions only)
    verbs: frozenset[str] = frozenset()  # its verbs that carry meaning (`ký`, not `là`), folded
    names: tuple[tuple[tuple[str, ...], ...], ...] = ()  # each proper name: its written forms, folded syllables
    pairs: tuple[tuple[str, str], ...] = ()  # adjacent syllables in `matchable`, not both stop words
    folded_pairs: tuple[tuple[str, str], ...] = ()  # the same pairs, folded

    def __hash__(self) -> int:
        """By its text: the fields are what the text parses to, and hashing them all (pyvi's words
        among them) on every cached per-candidate lookup would cost more than the lookup."""
        return hash(self.text)


def count_word_at(question: Question) -> int:
    """Where `bao nhiêu` / `mấy` stands among the question's syllables (their number if nowhere)."""
    q = question.syllables
    return next((i for i, s in enumerate(q) if s in COUNT_WORDS), len(q))


def question_type(text: str) -> QType | None:
    """The answer type asked for, or None for questions no rule recognises."""
    accented = has_diacritics(text)
    return _question_type(canonical(text) if accented else fold(canonical(text)), accented)


def _question_type(matchable: str, accented: bool) -> QType | None:
    for qtype, pattern in _COMPILED if accented else _FOLDED:
        if pattern.search(matchable):
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
    return terms + [t for t in dict.fromkeys(extra) if t not in terms]


_MARKUP = re.compile(r"</?[A-Za-z][^<>]{0,40}>")
_SYLLABLE = re.compile(r"\w+")
_ANY_STOP = STOPWORDS | FOLDED_STOPWORDS


_CHAT_SHORT = re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, CHAT_SPELLINGS))})(?!\w)")


def _spelled_out(text: str, accented: bool) -> str:
    """`… có giảm ko?` → `… có giảm không?`: the chat spellings written out, with accents only
    where the question has them (an unaccented question stays one to match)."""
    return _CHAT_SHORT.sub(lambda m: CHAT_SPELLINGS[m.group(0)] if accented else fold(CHAT_SPELLINGS[m.group(0)]), text)


def analyze(text: str) -> Question:
    """The only reading of the question's text: every form a later step compares is made here."""
    clean = " ".join(_MARKUP.sub(" ", text).split())  # pasted `<b>…</b>` is formatting, not words
    accented = has_diacritics(clean)
    clean = _spelled_out(clean, accented)
    said = canonical(clean)
    folded = fold(clean)
    matchable = said if accented else fold(said)
    qtype = _question_type(matchable, accented)
    own = query_terms(clean)
    head_match = None
    if qtype is QType.WHAT:
        head_match = (_HEAD if accented else _HEAD_FOLDED).search(matchable)
    elif qtype is QType.HOW_MANY:
        head_match = (_COUNTED if accented else _COUNTED_FOLDED).search(matchable)
    head = head_match.group(1) if head_match else None
    syllables = tuple(fold(m.group(0)) for m in _SYLLABLE.finditer(clean))
    tagged = tag(clean)
    predicates = frozenset(w.key.replace("_", " ") for w in tagged if w.pos[:1] in {"V", "A"}) if accented else frozenset()
    pairs = _pairs(_SYLLABLE.findall(matchable))
    return Question(
        text=clean,
        qtype=qtype,
        terms=tuple(own),
        search_terms=tuple(_with_synonyms(own)),
        accented=accented,
        head=head,
        intent=intent(clean, folded, accented),
        folded=folded,
        syllables=syllables,
        content_syllables=frozenset(s for s in syllables if s not in FOLDED_STOPWORDS),
        head_syllables=tuple(fold(head).split()) if head else (),
        words=tagged,
        units=_units(own, head, folded, accented),
        predicates=predicates,
        verbs=frozenset(fold(w.text) for w in tagged if w.pos == "V" and w.key not in WEAK_VERBS),
        names=_names(tagged) if accented else (),
        pairs=tuple(pairs),
        folded_pairs=tuple((fold(a), fold(b)) for a, b in pairs),
    )


def _pairs(syllables: list[str]) -> list[tuple[str, str]]:
    """Adjacent syllable pairs of a question, leaving out pairs of two stop words."""
    return [(a, b) for a, b in itertools.pairwise(syllables) if not (a in _ANY_STOP and b in _ANY_STOP)]


def _forms(unit: str, accented: bool) -> tuple[str, ...]:
    """The unit and the words news uses for the same thing, in the question's spelling form."""
    if accented:
        return (unit, *SYNONYMS.get(unit, ()))
    return tuple(dict.fromkeys((unit, *FOLDED_SYNONYMS.get(unit, ()))))


def _units(terms: list[str], head: str | None, folded: str, accented: bool) -> tuple[Unit, ...]:
    """The question's content words: its terms less stop words, frame words (`xảy ra`), the asked
    category or unit (`head`: the answer fills it) and syllables of a compound already counted."""
    asked = f" {folded} "
    # Frame phrases pyvi left as separate syllables (`xảy`, `ra`) are dropped syllable by syllable.
    seen: set[str] = {
        syllable
        for phrase in FRAME_WORDS
        if " " in phrase and f" {fold(phrase)} " in asked
        for syllable in (*phrase.split(), *fold(phrase).split())
    }
    out: list[Unit] = []
    for term in terms:
        if term.startswith(FOLDED):
            unit, key = term[len(FOLDED) :], term
        elif "_" in term or not any(term in t.split("_") for t in terms if "_" in t):
            unit, key = term.replace("_", " "), term
        else:
            continue  # a syllable of a compound already counted as a whole word
        if unit in seen or unit in STOPWORDS or unit in FRAME_WORDS or (head and unit in [*head.split(), head]):
            continue
        seen.add(unit)
        out.append(Unit(unit, key, fold(unit), _forms(unit, accented)))
    return tuple(out)


def _names(tagged: tuple[Word, ...]) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Each proper name of the question in the forms an article may write it: as tagged; without
    the question's first word, which is capitalised anyway and which pyvi may glue to the name
    (`Đoàn Philippines`); and its other spellings (`VN` for `Việt Nam`, `TPHCM` for `TP.HCM`)."""
    out = []
    for i, w in enumerate(tagged):
        if w.pos != "Np" or not w.capitalized:
            continue
        name = tuple(fold(w.text).split())
        forms = [name, name[1:]] if i == 0 and len(name) > 1 else [name]
        spelled = [tuple(_SYLLABLE.findall(other)) for other in FOLDED_SYNONYMS.get(" ".join(name), ())]
        out.append(tuple(f for f in forms + spelled if f))
    return tuple(out)


@dataclass(frozen=True)
class _Both:
    """A pattern written with accents, and its accent-free twin: a question typed with accents
    is matched exactly (`đầu` is not `đâu`), one typed without on the folded form."""

    accented: re.Pattern[str]
    folded: re.Pattern[str]

    @classmethod
    def of(cls, pattern: str) -> _Both:
        return cls(re.compile(pattern, re.IGNORECASE), re.compile(fold(pattern), re.IGNORECASE))

    def search(self, text: str, folded: str, accented: bool) -> re.Match[str] | None:
        return self.accented.search(text) if accented else self.folded.search(folded)


_WANTS_YEAR = _Both.of(r"\bnăm\s+nào\b")
_WANTS_DAY = _Both.of(r"\b(?:ngày|hôm)\s+(?:nào|mấy)\b")
_WANTS_CLOCK = _Both.of(r"\b(?:mấy giờ|giờ nào|lúc mấy)\b")
_LABEL = _Both.of(rf"\b({'|'.join(sorted(entries('numbered_labels'), key=len, reverse=True))})\s+(?:mấy|bao nhiêu)\b")
_WANTS_ROLE = _Both.of(r"\blà\s+ai\b|\bai\s+(?:là|làm)\b|\bnào\b|\btên\s+(?:là\s+)?gì\b")
_WANTS_DOCUMENTS = _Both.of(r"\b(?:văn kiện|thỏa thuận|hiệp định|tài liệu|ký)\b")
_EVENT = _Both.of(r"\b(?:diễn ra|tổ chức|khai mạc|bế mạc|họp|hội đàm|hội nghị|lễ)\b")
_CONDITIONAL = _Both.of(r"\b(?:nếu|thì)\b")
_NAMED_UNIT = _Both.of(r"\b(\w+(?:\s\w+)?)\s+nào\b")
_MOTION = _Both.of(r"\b(\w+)\s+đâu\b")
_PREPOSITION = _Both.of(
    rf"\b({'|'.join(PREPOSITIONS)})\s+(?:(?:những|các)\s+)?(?:ai|\w+(?:\s\w+)?\s+nào)\s*\??\s*$"
)
_MEASURE = _Both.of(r"\b(\w+)\s+(?:bao nhiêu|mấy)\b|\bbao\s+(xa|lâu)\b")
_SIDE = _Both.of(r"\b(?:phía|bên|đoàn)\s+(\w+(?:\s\w+)?)")
# `có … không` / `có … chưa`, less a `phải là` / `đúng là` that only asks whether; else `đã … chưa`.
_PREDICATE = _Both.of(rf"\bcó\s+(?:(?:phải|đúng|thật)\s+là\s+)?(.+?)\s+(?:không|chưa){_TAIL}")
_DONE_YET = _Both.of(rf"\bđã\s+(.+?)\s+chưa{_TAIL}")
_ASKED_WORD = _Both.of(r"(\w+)\s+(?:gì|nào)\b")
_TAIL_HEAD = _Both.of(r"(?:những|các)?\s*(?:loại\s+)?((?:\w+\s+){0,1}\w+)\s+(?:nào|gì)\s*\??\s*$")


def intent(text: str, folded: str, accented: bool) -> Intent:
    """The question's sub-intents, each matched once: with accents when it was typed with them,
    else on its folded form; phrases are cut from the question as typed (folding keeps every
    letter in place)."""
    same = len(folded) == len(text)

    def found(pattern: _Both) -> bool:
        return pattern.search(text, folded, accented) is not None

    def phrase(pattern: _Both) -> str | None:
        m = pattern.search(text, folded, accented)
        if not m:
            return None
        return text[m.start(1) : m.end(1)] if same or accented else m.group(1)

    motion = phrase(_MOTION)
    named_unit = phrase(_NAMED_UNIT)
    predicate = phrase(_PREDICATE) or phrase(_DONE_YET)
    measured = _MEASURE.search(text, folded, accented)
    measure = fold(measured.group(1) or measured.group(2)) if measured else None
    return Intent(
        wants_year=found(_WANTS_YEAR),
        wants_day=found(_WANTS_DAY),
        wants_clock=found(_WANTS_CLOCK),
        label=fold(labelled) if (labelled := phrase(_LABEL)) else None,
        wants_role=found(_WANTS_ROLE),
        wants_documents=found(_WANTS_DOCUMENTS),
        about_event=found(_EVENT),
        conditional=found(_CONDITIONAL),
        named_unit=named_unit,
        motion=fold(motion) if motion else None,
        preposition=phrase(_PREPOSITION),
        side=phrase(_SIDE),
        measure=measure if measure in MEASURE_UNITS else None,
        predicate=predicate,
        asked_word=phrase(_ASKED_WORD),
        tail_head=phrase(_TAIL_HEAD),
        named_unit_syllables=tuple(fold(named_unit).split()) if named_unit else (),
        predicate_syllables=tuple(fold(m.group(0)) for m in _SYLLABLE.finditer(predicate or "")),
    )
