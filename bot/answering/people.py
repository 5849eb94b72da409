"""Who-answers: people as title + name, the holder of a role, the subject of a verb.

News names people as `Đại tướng Phan Văn Giang`, with roles in apposition after a comma
(`đồng chí Sengphet Houngboungnuang, Đại sứ …`), and refers back to them as groups
(`Bộ trưởng Bộ Quốc phòng hai bên`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answering.question import Question
from bot.answering.spans import (
    Word,
    anchor_spans,
    clause_bounds,
    clip,
    fresh,
    occurrences,
    syllables,
    until_clause_end,
    word_from,
    words,
)
from bot.lang.lexicon import AUXILIARIES, FOLDED_SYNONYMS, ORG_WORDS, PLACES, TITLE_WORDS, TITLES_WRITTEN
from bot.lang.normalize import canonical, fold, has_diacritics


@dataclass(frozen=True)
class Person:
    start: int
    end: int
    name_start: int


def persons(sentence: str) -> list[Person]:
    """Title + proper name (`Đại tướng Phan Văn Giang`, `đồng chí Sengphet …`) in the sentence."""
    ws = words(sentence)
    found: list[Person] = []
    i = 0
    while i < len(ws):
        if ws[i].pos != "Np" or ws[i].key in PLACES:
            i += 1
            continue
        j = i
        while j < len(ws) and ws[j].pos == "Np":
            j += 1
            while _hyphenated(ws, j):
                j += 2  # `Moon Jae` `-` `in`: pyvi splits a hyphenated name; it is one
        name = ws[i:j]
        while name and name[-1].key in PLACES:
            name = name[:-1]
        title = _title_before(ws, i)
        syllables = sum(len(w.text.split()) for w in name)
        appositive = syllables >= 2 and j + 1 < len(ws) and ws[j].text == "," and _is_title(ws[j + 1])
        if name and name[0].key not in ORG_WORDS and (title is not None or appositive):
            start = ws[title].start if title is not None else name[0].start
            found.append(Person(start, name[-1].end, name[0].start))
        i = j
    return found


def _hyphenated(ws: Sequence[Word], j: int) -> bool:
    """Does a name go on at `j` as `-syllable`, written without spaces (`Jae-in`, `Son-hui`)?"""
    return (
        j + 1 < len(ws)
        and ws[j].text == "-"
        and ws[j].start == ws[j - 1].end
        and ws[j + 1].start == ws[j].end
        and ws[j + 1].text.isalpha()  # one syllable: a pyvi compound holds a space
    )


def _title_before(ws: Sequence[Word], i: int) -> int | None:
    """Index of a title word shortly before position i, with no punctuation in between."""
    for k in range(i - 1, max(-1, i - 5), -1):
        if ws[k].pos == "F":
            return None
        if _is_title(ws[k]):
            return k
    return None


def _is_title(w: Word) -> bool:
    """A title word, read with its accents when it is written with them: `có` is not `cô`, nor
    `thấy` `thầy`, nor `Ảnh` `anh`."""
    return w.key in TITLE_WORDS and (
        not has_diacritics(w.text) or canonical(w.text).replace(" ", "_") in TITLES_WRITTEN
    )


def prepositional_target(question: Question, sentence: str) -> str | None:
    """`... tới ai?` / `... giữa những cơ quan nào?`: what follows that preposition in the sentence."""
    prep = question.intent.preposition
    if not prep:
        return None
    anchors = anchor_spans(question, sentence)
    after = anchors[0][0] if anchors else 0
    same = (lambda w: w.casefold() == prep.casefold()) if question.accented else (lambda w: fold(w) == prep)
    hit = next((m for m in re.finditer(r"\w+", sentence[after:]) if same(m.group(0))), None)
    if not hit:
        return None
    start = after + hit.end()
    while start < len(sentence) and sentence[start].isspace():
        start += 1
    for p in persons(sentence):
        if p.start == start:
            return sentence[p.start : p.end]
    return clip(until_clause_end(sentence, start))


def _role_holder(question: Question, sentence: str) -> str | None:
    """`<role> là ai` / `ai làm <role>` / `<role> nào`: the person the sentence gives that role.

    The role is the comma-separated segment that repeats most of the question (`Bộ trưởng Bộ
    Quốc phòng Vương quốc Campuchia`); its holder is the name right after it, or else the
    nearest name before it in the same clause (`Đại tướng Tea Seiha, Phó Thủ tướng, Bộ trưởng …`).
    A deputy (`Phó …`) does not hold the role the question names.
    """
    wanted = question.content_syllables
    people = [p for p in persons(sentence) if fresh(question, sentence[p.name_start : p.end])]
    if not wanted or not people:
        return None
    anchors = anchor_spans(question, sentence)
    if "pho" not in wanted:
        deputy = re.compile(r"\bphó\s+(?:\w+\s+)?$", re.IGNORECASE)
        anchors = [a for a in anchors if not deputy.search(sentence[: a[0]])]
    segments: list[tuple[int, int, int, int]] = []  # (covered, run length, anchor start, anchor end)
    for seg in re.finditer(r"[^,;:]+", sentence):
        inside = [a for a in anchors if seg.start() <= a[0] and a[1] <= seg.end()]
        if not inside or ("pho" not in wanted and re.match(r"\s*phó\b", seg.group(0), re.IGNORECASE)):
            continue
        covered = len(wanted & {s for s, _, _ in syllables(seg.group(0))})
        if covered >= min(2, len(wanted)):  # one shared syllable (`tướng` of `Đại tướng`) names no role
            longest = inside[0]  # anchor_spans lists the longest run first
            segments.append((covered, longest[2], longest[0], longest[1]))
    for _, _, a_start, a_end in sorted(segments, key=lambda k: (-k[0], -k[1])):
        holder = _holder_near(sentence, people, a_start, a_end)
        if holder:
            return holder
    return None


def _holder_near(sentence: str, people: list[Person], a_start: int, a_end: int) -> str | None:
    """The name right after a role, or the name the role stands in apposition to (`Name, role`)."""
    for p in people:
        if p.name_start >= a_end and not sentence[a_end : p.name_start].strip():
            return sentence[p.name_start : p.end] if p.start < a_end else sentence[p.start : p.end]
    c_start, _ = clause_bounds(sentence, a_start)
    before = [p for p in people if c_start <= p.start and p.end <= a_start]
    if before and re.fullmatch(
        r"\s*(?:làm|là|giữ chức|được bổ nhiệm làm|được bầu làm)\s*",
        sentence[before[-1].end : a_start],
        re.IGNORECASE,
    ):
        p = before[-1]  # `do Đại tá Phạm Thanh Bình làm Giám đốc`
        return sentence[p.start : p.end]
    if before and sentence[before[-1].end :].lstrip().startswith(","):
        p = before[-1]
        return sentence[p.start : p.end]
    return None


def _subject_of(question: Question, sentence: str) -> str | None:
    """`Ai <verb> …`: the person (or noun phrase) before that verb in the sentence."""
    found = _verb_position(question, sentence)
    if found is None:
        return None
    verb_at = found[0]
    c_start, _ = clause_bounds(sentence, verb_at)
    before = [p for p in persons(sentence) if c_start <= p.start and p.end <= verb_at]
    if before:
        return _pick_subject(question, sentence, _coordinated(sentence, before), verb_at)
    phrase_start = max((m.end() for m in re.finditer(r",", sentence[:verb_at])), default=c_start)
    phrase = re.sub(r"\s+(?:đã|đang|sẽ|vừa|cùng|cũng|mới)\s*$", "", sentence[phrase_start:verb_at].rstrip())
    if canonical(phrase.rsplit(maxsplit=1)[-1] if phrase.split() else "") in _PASSIVE - {"do"}:
        return None  # `Các mẫu đá được thu thập`: what undergoes the verb, not who does it
    return clip(phrase) if re.search(r"\w", phrase) else None


# Read as written (`do` is not `đó`): before the doer, `được các nhà quý tộc chọn`; after the verb,
# `được tổ chức bởi Viện …`; inside its phrase, `Viện … của Hoa Kỳ`.
_PASSIVE = frozenset({"được", "bị", "do"})
_BY = "bởi"
_JOINS = frozenset({"của", "và"})
_DOER_POS = frozenset({"N", "Np", "Nc", "Ny", "Nu", "M", "L", "A"})  # what a doer's phrase is made of


def _doer(question: Question, sentence: str) -> str | None:
    """`Ai <verb> …` of a passive sentence: the one who does it, the noun phrase after `bởi` that
    follows the verb (`được tổng hợp bởi Nafzger`), or between `được`/`bị`/`do` and the verb (`do
    Liên đoàn … điều hành`); not the subject before it, which undergoes it. A name, so capitalised."""
    found = _verb_position(question, sentence)
    if found is None:
        return None
    verb_at, verb_end = found
    ws = words(sentence)
    after = word_from(ws, verb_end)
    if after < len(ws) and canonical(ws[after].text) == _BY:
        phrase = _noun_phrase(ws, after + 1)
        return sentence[phrase[0] : phrase[1]] if phrase else None
    at = next((k for k, w in enumerate(ws) if w.end > verb_at), len(ws))
    for k in range(at - 1, max(at - 8, -1), -1):
        if canonical(ws[k].text) in _PASSIVE:
            phrase = _noun_phrase(ws, k + 1)
            return sentence[phrase[0] : phrase[1]] if phrase and phrase[1] <= ws[at].start else None
        if ws[k].pos not in _DOER_POS:
            return None
    return None


def _noun_phrase(ws: Sequence[Word], i: int) -> tuple[int, int] | None:
    """The noun phrase starting at word i, with `của` and `và` joining nouns (`Viện … của Hoa Kỳ`)."""
    end = None
    j = i
    while j < len(ws):
        joins = canonical(ws[j].text) in _JOINS and j + 1 < len(ws) and ws[j + 1].pos in {"N", "Np", "Nc", "Ny"}
        if ws[j].pos not in _DOER_POS and not (joins and end is not None):
            break
        end = ws[j].end if ws[j].pos in _DOER_POS else end
        j += 1
    return (ws[i].start, end) if end is not None else None


def _coordinated(sentence: str, people: list[Person]) -> list[Person]:
    """The last person before a verb and those joined to it by `và`/`cùng` (`A, role, và B, role`)."""
    group = [people[-1]]
    for earlier in reversed(people[:-1]):
        between = sentence[earlier.end : group[0].start]
        if not re.search(r"\b(và|cùng|với)\s*$", between.strip(" ,"), re.IGNORECASE):
            break
        group.insert(0, earlier)
    return group


def _pick_subject(question: Question, sentence: str, group: list[Person], verb_at: int) -> str:
    """One of several co-subjects when the question names a side (`Phía Việt Nam, ai …`), else all."""
    side = question.intent.side
    if side and len(group) > 1:
        wanted = fold(side)
        ends = [p.start for p in group[1:]] + [verb_at]
        own = [p for p, end in zip(group, ends, strict=True) if wanted in fold(sentence[p.end : end])]
        if len(own) == 1:
            return sentence[own[0].start : own[0].end]
    return " và ".join(sentence[p.start : p.end] for p in group)


def _verb_position(question: Question, sentence: str) -> tuple[int, int] | None:
    """Where the sentence repeats the words right after `Ai (đã)` (start, end): the verb whose subject is asked.

    Falls back to the longest run of question words when the question does not start with `ai`.
    """
    q = list(question.syllables)
    if "ai" in q:
        rest = q[q.index("ai") + 1 :]
        while rest and rest[0] in AUXILIARIES:
            rest = rest[1:]
        for wording in [rest, *_reworded(rest)]:
            for n in range(len(wording), 0, -1):  # the longest beginning of it the sentence says
                if found := occurrences(wording[:n], sentence):
                    said = syllables(sentence)
                    return said[found[0]][1], said[found[0] + n - 1][2]
    anchors = anchor_spans(question, sentence)
    return (anchors[0][0], anchors[0][1]) if anchors else None


def _reworded(words_after: list[str]) -> list[list[str]]:
    """The question's verb said the way news says it (`lái` → `điều khiển`), rest unchanged."""
    out = []
    for n in (2, 1):
        verb = " ".join(words_after[:n])
        for synonym in FOLDED_SYNONYMS.get(verb, ()):
            out.append(synonym.split() + words_after[n:])
    return out


def resolve_group(phrase: str, article_sentences: Sequence[str]) -> str | None:
    """`Bộ trưởng Bộ Quốc phòng hai bên` → the people the article gives that role, by name."""
    m = re.search(r"\b(hai|ba|các)\s+(bên|nước|phía)\b", phrase, re.IGNORECASE)
    role = phrase[: m.start()].strip() if m else None
    if not role:
        m2 = re.match(r"\s*(?:hai|ba)\s+(.+)$", phrase, re.IGNORECASE)
        role = m2.group(1).strip() if m2 else None
    if not role:
        return None
    head = fold(" ".join(role.split()[:2]))
    names: list[str] = []
    for text in article_sentences:
        for p in persons(text):
            tail = fold(until_clause_end(text, p.end))
            label = text[p.start : p.end]
            if head in tail and label not in names and not any(fold(label) in fold(n) for n in names):
                names.append(label)
    if len(names) < 2:
        return None
    return " và ".join(names[:3])


def who(question: Question, sentence: str) -> str | None:
    doer = _doer(question, sentence)
    if doer and fresh(question, doer) and any(w[:1].isupper() for w in doer.split()):
        return doer
    role = question.intent.wants_role
    for rule in (prepositional_target, _role_holder if role else _subject_of, _role_holder):
        found = rule(question, sentence)
        if found and fresh(question, found) and _names_someone(found):
            return found
    return None


def named_near(question: Question, sentence: str) -> str | None:
    """For a who-question no rule answered: the person the sentence names with a title (`do tài
    xế Nguyễn Văn Vượng điều khiển`) nearest the longest run of the question's words, if the
    question does not name them already."""
    runs = anchor_spans(question, sentence)
    if not runs:
        return None
    asked = set(question.syllables)
    people = [p for p in persons(sentence) if _someone_else(sentence, p, asked)]
    if not people:
        return None
    start, end, _ = runs[0]
    p = min(people, key=lambda p: min(abs(p.start - end), abs(start - p.end)))
    return sentence[p.start : p.end]


def _someone_else(sentence: str, p: Person, asked: set[str]) -> bool:
    """A full name (two capitalised syllables or more) the question does not give: `Nguyễn Xuân
    Phúc` is the `Thủ tướng Phúc` it asks about, and `Cù lao Ông Hổ` names no one."""
    name = re.findall(r"\w+", sentence[p.name_start : p.end])
    return len(name) >= 2 and all(w[:1].isupper() for w in name) and fold(name[-1]) not in asked


def _names_someone(span: str) -> bool:
    """A who-answer names a person or body (a capitalised word after the first) or a group (`hai bên`)."""
    rest = span.split()[1:]
    return any(w[:1].isupper() for w in rest) or bool(
        re.search(r"\b(hai|ba|các)\s+(bên|nước|phía|bộ trưởng)", span, re.IGNORECASE)
    )


# --- where ----------------------------------------------------------------------
