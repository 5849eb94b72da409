"""Short-answer extraction: the span of a sentence that answers the question.

Rules follow how Vietnamese news writes each kind of fact: people (see bot.answering.people); places
after `tại`/`ở` as nested units (`thị trấn Lao Bảo, huyện Hướng Hóa, tỉnh Quảng Trị`);
documents signed as a comma list after `ký`; counts with their unit (`350 đại biểu`,
`lần thứ 2`). Dates are bot.lang.dates' work.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answering.people import prepositional_target, who
from bot.answering.question import QType, Question, count_word_at
from bot.answering.spans import (
    Word,
    about,
    anchor_spans,
    clause_bounds,
    clip,
    fresh,
    occurrences,
    syllable_from,
    syllables,
    until_clause_end,
    words,
)
from bot.lang.dates import approximated
from bot.lang.lexicon import (
    CONSEQUENCE_WORDS,
    CURRENCY_WORDS,
    DOCUMENT_HEADS,
    FOLDED_SYNONYMS,
    MEASURE_UNITS,
    MONEY_WORDS,
    NAME_INNER_WORDS,
    NAME_PARTICLES,
    ORDINALS,
    PLACE_NOUNS,
    REASON_WORDS,
    SCALE_WORDS,
    UNIT_NOUNS,
    UNIT_POWERS,
    UNITS_BEFORE_NUMBER,
    VENUE_VERBS,
    WEAK_VERBS,
    YES_NO_FILLERS,
)
from bot.lang.normalize import canonical, fold

# The lowercase words a name may hold between its capitalised words: a foreign name's particles,
# a Vietnamese institution's inner words.
_INSIDE_NAMES = NAME_PARTICLES | NAME_INNER_WORDS


def _place_after(ws: Sequence[Word], i: int) -> tuple[int, int] | None:
    """The place phrase starting at word i: place nouns, names, and `, huyện …` continuations."""
    j = i
    end = None
    while j < len(ws):
        w = ws[j]
        if w.capitalized and w.pos != "F" or w.key in PLACE_NOUNS or w.pos == "Np":
            end = w.end
            j += 1
        elif w.text == "," and j + 1 < len(ws) and (ws[j + 1].key in UNIT_NOUNS or ws[j + 1].key == "phia"):
            j += 1  # `, huyện …`; `, phía bắc Seoul`
        elif end is not None and _name_ahead(ws, j):
            j += 1  # `Khu kinh tế Dung Quất`, `Trung tâm Thể thao dưới nước Hòa Xuân`
        elif end is not None and (after := _after_particles(ws, j)) is not None:
            j = after  # `Parc des Princes`
        elif end is not None and (glued := _glued_code(ws, j)):
            end = ws[j + glued - 1].end  # `Đơ-ban`, a name written as Vietnamese sounds it
            j += glued
        elif w.text in "()" and end is not None:
            j += 1
            end = w.end if w.text == ")" else end
        else:
            break
    return (ws[i].start, end) if end is not None else None


_INNER_POS = frozenset({"N", "Nc", "A", "E", "M"})


def _name_ahead(ws: Sequence[Word], j: int, reach: int = 3) -> bool:
    """Lowercase words inside a place name: a name follows within `reach` nouns/adjectives."""
    for w in ws[j : j + reach + 1]:
        if w.capitalized and w.pos != "F":
            return True
        if w.pos not in _INNER_POS and w.key not in VENUE_VERBS:
            return False
    return False


def _named_unit(question: Question, sentence: str) -> str | None:
    """`tỉnh nào` / `nước nào`: a unit of that kind named in the sentence (`tỉnh Savannakhet`)."""
    if not question.intent.named_unit:
        return None
    phrase = question.intent.named_unit_syllables
    unit = next((u for u in ("_".join(phrase), phrase[-1]) if u in PLACE_NOUNS), None)
    if unit is None:
        return None
    ws = words(sentence)
    for i, w in enumerate(ws):
        if w.key != unit:
            continue
        j = _name_end(ws, i + 1)
        if j == i + 1:
            continue
        # `sông Thao, sông Lô`, `tỉnh Lào Cai và tỉnh Yên Bái`: the same kind named again goes on
        while j + 2 < len(ws) and ws[j].text in {",", "và"} and ws[j + 1].key == unit:
            if (again := _name_end(ws, j + 2)) == j + 2:
                break
            j = again
        span = sentence[w.start : ws[j - 1].end]
        if fresh(question, span):
            return span
    return None


def _name_end(ws: Sequence[Word], j: int) -> int:
    """The index after the capitalised words from j on (none: j), with the particles of a foreign
    name between them (`Stade de l'Amitíe`)."""
    start = j
    while j < len(ws):
        if ws[j].capitalized and ws[j].pos != "F":
            j += 1
        elif j > start and (glued := _glued_code(ws, j)):
            j += glued  # `ĐT.741`, `QL.1A`
        elif j > start and (after := _after_particles(ws, j)) is not None:
            j = after
        else:
            break
    return j


def _glued_code(ws: Sequence[Word], j: int) -> int:
    """How many words from j on go on a name as its code, written with no space (`ĐT.741`, `QL-1A`):
    a number after a dot or dash, with the dot or dash when it stands alone; 0 when none."""
    def glued(k: int) -> bool:
        return k < len(ws) and ws[k - 1].end == ws[k].start

    if ws[j].text in {".", "-"} and glued(j) and glued(j + 1) and ws[j + 1].text[:1].isalnum():
        return 2
    return int(glued(j) and ws[j - 1].text[-1:] in {".", "-"} and ws[j].text[:1].isdigit())


def _after_particles(ws: Sequence[Word], j: int) -> int | None:
    """Where a name goes on after the lowercase words it holds from word j (`de l'` in `Stade de
    l'Amitíe`, `phổ thông` in `Trường Trung học phổ thông Lý Sơn`): the capitalised word after at
    most three of them, or None."""
    k = j
    while k < len(ws) and k < j + 3 and (ws[k].text in _INSIDE_NAMES or ws[k].text in {"'", "’"}):
        k += 1
    return k if j < k < len(ws) and ws[k].capitalized and ws[k].pos != "F" else None


def where(question: Question, sentence: str) -> str | None:
    for rule in (prepositional_target, _named_unit):
        found = rule(question, sentence)
        if found:
            return found
    ws = words(sentence)
    anchors = anchor_spans(question, sentence)
    focus = anchors[0][0] if anchors else 0
    motion = question.intent.motion
    preps = {"tai", "o"} | ({motion} - {"o", "tai", "noi"} if motion else set())
    places: list[tuple[int, int]] = []
    for i, w in enumerate(ws[:-1]):
        if w.key in preps and (w.pos == "E" or w.key != "o"):
            span = _place_after(ws, i + 1)
            if span and fresh(question, sentence[span[0] : span[1]]):
                places.append(span)
    if not places:
        return None
    asked = f" {' '.join(question.syllables)} "

    def repeats_question(span: tuple[int, int]) -> bool:
        """`… ở Nam Sudan` for a question asking where *in* Nam Sudan."""
        names = [w for w in words(sentence[span[0] : span[1]]) if w.pos == "Np"]
        return any(f" {fold(w.text)} " in asked for w in names)

    # Where an event took place is the place the sentence opens with (`Ngày 20/6, tại X, …`).
    event = question.intent.about_event
    start, end = min(places, key=lambda s: (repeats_question(s), s[0] if event else abs(s[0] - focus)))
    text = sentence[start:end]
    if text.count("(") > text.count(")"):
        text = text[: text.rfind("(")]
    return clip(text)


# --- how many ------------------------------------------------------------------------


def how_many(question: Question, sentence: str) -> str | None:
    focus, sure = _asked_about(question, sentence)
    counts = _counts(sentence)
    q = question.folded
    if question.intent.label:  # `số mấy`: the label and its number (`số 92`), not a count
        label = r"\s+".join(question.intent.label.split())
        pattern = re.compile(rf"\b{label}\s+(?:{ORDINALS})\b", re.IGNORECASE)
        found = [(m.start(), _coded(sentence, m.end())) for m in pattern.finditer(fold(sentence)) if m.group(0) not in q]
    else:
        found = [
            _asked_unit(question, sentence, span)
            for span in counts
            if fold(sentence[span[0] : span[1]]) not in q
        ]
        found = [s for s in found if count_fits(question, sentence[s[0] : s[1]])] or found
    if not found:
        return None
    said = syllables(sentence)
    described = _described(question)
    # Where the words before `bao nhiêu` are not found as a phrase, the count its item names wins
    alone = {} if sure else _named_alone(question, said, counts)
    start, end = min(
        found,
        key=lambda span: (
            not _describes(said, span, described),
            -alone.get(span[0], 0),
            span[0] < focus,
            abs(span[0] - focus),
        ),
    )
    return sentence[approximated(sentence, start) : end]


def _asked_unit(question: Question, sentence: str, span: tuple[int, int]) -> tuple[int, int]:
    """A bare number followed by the unit the question counts, which the tagger did not take for a
    noun (`502 bị hại`) or which is written capitalised as a name's first word (`12 Hiệp định
    thương mại tự do` for `bao nhiêu hiệp định`): the count with that unit."""
    if not question.head or re.search(r"[^\d\s.,]", sentence[span[0] : span[1]]):
        return span  # a count with a unit (`18%`, `4 bị cáo`)
    m = re.match(r"\s+" + r"\s+".join(map(re.escape, question.head_syllables)) + r"\b", fold(sentence[span[1] :]))
    return (span[0], span[1] + m.end()) if m else span


_NAMED_REACH = 5  # syllables before a count that name what it counts (`tại BV tuyến tỉnh là 50%`)


def _named_alone(question: Question, said: Sequence[tuple[str, int, int]], counts: Sequence[tuple[int, int]]) -> dict[int, int]:
    """For each count (by start), how many of the question's word pairs (`thủy lợi`, `hà nội`) the few
    syllables before it repeat that those before no other count do: a list of values (`Đại học Thủy
    Lợi: khoảng 18 – 19 điểm; …`) names each one's item just before it. Pairs, not syllables, so
    that `Hàn Quốc` does not pass for `Trung Quốc`."""
    asked = question.syllables
    pairs = {
        pair
        for pair in itertools.pairwise(asked)
        if any(s in question.content_syllables for s in pair)
    }
    named: dict[int, set[tuple[str, str]]] = {}
    previous = 0
    for start, end in counts:
        before = [s for s, a, b in said if a >= previous and b <= start][-_NAMED_REACH:]
        named[start] = set(itertools.pairwise(before)) & pairs
        previous = end
    return {
        start: len(mine - set().union(*(other for key, other in named.items() if key != start)))
        for start, mine in named.items()
    }


_DESCRIBED_REACH = 4  # syllables after a count that describe what it counts


def _described(question: Question) -> frozenset[str]:
    """What the question says it counts, beyond the unit: the content syllables after `bao nhiêu`
    and its unit (`hộ nông dân` in `bao nhiêu phần trăm hộ nông dân đăng ký`)."""
    after = question.syllables[count_word_at(question) + 1 :]
    return frozenset(after) & question.content_syllables - set(question.head_syllables)


def _describes(said: Sequence[tuple[str, int, int]], span: tuple[int, int], described: frozenset[str]) -> bool:
    """Do the few syllables right after a count repeat two of what the question counts?"""
    after = syllable_from(said, span[1])
    return len({s for s, _, _ in said[after : after + _DESCRIBED_REACH]} & described) >= 2


# A document's number goes on with its code: `số 20/2017/NĐ-CP`, `số 5360 CĐ/BCT-PCTT`.
_CODE = re.compile(r"/[^\s,;:()]+|\s+[A-ZĐ]{1,8}/[^\s,;:()]+")


def _coded(sentence: str, end: int) -> int:
    """The end of a labelled number, its document code included."""
    m = _CODE.match(sentence, end)
    return end + len(m.group(0).rstrip(".")) if m else end


def _is_year(sentence: str, start: int) -> bool:
    """`năm 2018`, `2020`: a year, not a count."""
    return bool(re.match(r"(?:19|20)\d{2}(?!\d)", sentence[start:])) and not re.search(
        r"\d[.,]?$", sentence[:start]
    )


_CURRENCIES = CURRENCY_WORDS - SCALE_WORDS  # money named (`đồng`, `USD`), not only scaled (`tỷ`)


def count_fits(question: Question, count: str) -> bool:
    """Does a count have the unit the question counts (`bao nhiêu sĩ quan` → `900 sĩ quan`)?

    Money (`bao nhiêu tiền`, `vốn`, `bao nhiêu triệu USD`) fits any currency, or a scale the count
    ends with (`3.280 tỷ`), not a scale of something else (`303 triệu cổ phiếu`); a measure (`dài
    bao nhiêu`, `bao xa`) its units (`bot/lang/vi/measure_units.txt`); a question naming neither
    fits all.
    """
    text = fold(count)
    measure = question.intent.measure
    if measure is not None:  # `dài bao nhiêu`: a length, in a unit of length
        return bool(MEASURE_UNITS[measure] & set(re.findall(r"\w+", text)))
    if not question.head:
        return True
    # `bao nhiêu triệu USD` counts dollars: a scale is no unit while a word follows it
    unit = next((s for s in question.head_syllables if s not in SCALE_WORDS), question.head_syllables[0])
    if unit in MONEY_WORDS or unit in CURRENCY_WORDS:
        said = re.findall(r"\w+", text)
        padded = " " + " ".join(said) + " "
        named = any(f" {c} " in padded for c in _CURRENCIES)
        return "$" in text or named or bool(said) and said[-1] in SCALE_WORDS
    return unit in text.split()


def _asked_about(question: Question, sentence: str) -> tuple[int, bool]:
    """Where the sentence repeats the words just before `bao nhiêu`/`mấy`: a count follows them;
    and whether it repeats two or more of them (one, `là`, `đạt`, may stand anywhere)."""
    wh = count_word_at(question)
    before = question.syllables[max(0, wh - 3) : wh]
    for n in range(len(before), 0, -1):
        if found := occurrences(before[-n:], sentence):
            return syllables(sentence)[found[0] + n - 1][2], n >= 2
    anchors = anchor_spans(question, sentence)
    return (anchors[0][1] if anchors else 0), False


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")  # `1.000`, `83,50`


def _counts(sentence: str) -> list[tuple[int, int]]:
    """A number with its unit word (`350 đại biểu`, `1.000 tỷ đồng`, `15%`), skipping dates and years; a
    range or score as one (`70 - 120 mm`, `2-4`, `từ 415.000 đến 587.000 km vuông`), a rate with its
    period (`300.000 đồng/ngày`)."""
    ws = words(sentence)
    spans = []
    ends: set[int] = set()  # the second numbers of ranges taken
    for i, w in enumerate(ws):
        if not _NUMBER.fullmatch(w.text) or (i + 1 < len(ws) and ws[i + 1].text == "/"):
            continue
        if i > 0 and ws[i - 1].text == "/" or i in ends:
            continue  # `410/442`, or the end of a range already taken with its start
        if _ratio(ws, i):
            ends.add(i + 2)
            spans.append((w.start, ws[i + 2].end))  # `tỷ lệ hoán đổi 1:1,02`
            continue
        last = _range_end(ws, i) or i
        ends.add(last)
        if _is_year(sentence, w.start):
            continue  # `năm 2018`, `từ 2005 đến 2010`
        end = _unit_end(ws, last)
        spans.append((_count_start(ws, i, last, end), end))
    return spans


def _ratio(ws: Sequence[Word], i: int) -> bool:
    """Is the number at `i` the first of a ratio written with a colon and no space (`1:1,02`), not a
    clock time (`10:30`)?"""
    if i + 2 >= len(ws) or ws[i + 1].text != ":" or not _NUMBER.fullmatch(ws[i + 2].text):
        return False
    glued = ws[i].end == ws[i + 1].start and ws[i + 1].end == ws[i + 2].start
    return glued and not re.fullmatch(r"\d{2}", ws[i + 2].text)


def _count_start(ws: Sequence[Word], i: int, last: int, end: int) -> int:
    """Where the count of the number at `i` begins: at `từ` of a range written with words (`từ 5
    đến 7`), at a unit news writes before the number when none follows it (`tuổi 39`), else at it."""
    before = fold(ws[i - 1].text) if i > 0 else ""
    opened = last > i and before == "tu" or end == ws[last].end and before in UNITS_BEFORE_NUMBER
    return ws[i - 1].start if opened else ws[i].start


def _range_end(ws: Sequence[Word], i: int) -> int | None:
    """Where a range that starts with the number at `i` ends: `70 - 120`, `18 – 19`, `từ 415.000 đến 587.000`."""
    if i + 2 >= len(ws) or not ws[i + 2].text[:1].isdigit():
        return None
    joined = ws[i + 1].text in {"-", "–"} or i > 0 and fold(ws[i - 1].text) == "tu" and fold(ws[i + 1].text) in {"den", "toi"}
    return i + 2 if joined else None


_MEASURED = frozenset().union(*MEASURE_UNITS.values())  # every unit of a measure (`km`, `dặm`, `m`)


def _currency(w: Word) -> bool:
    return w.text.isupper() and len(w.text) <= 4 or fold(w.text) in CURRENCY_WORDS  # USD, VND, đô la


def _unit_end(ws: Sequence[Word], i: int) -> int:
    """The end of the number at `i` with its unit: numbers, classifiers and scales go on to the
    noun (`1.000 tỷ đồng`, `3.000 ngôi nhà`, `1,5 tỷ tấn`), a currency to its country (`đô la Mỹ`)."""
    last = i
    for j in range(i + 1, min(len(ws), i + 4)):
        nxt = ws[j]
        scale = fold(nxt.text) in SCALE_WORDS
        unit = nxt.text == "%" or _currency(nxt) or nxt.pos in {"N", "Nu"} and not nxt.capitalized
        if unit and not scale:
            last = j
            break
        if scale or nxt.pos in {"Nc", "M"} and not nxt.capitalized:
            last = j
        elif fold(ws[last].text) in SCALE_WORDS and nxt.capitalized:
            last = j  # `30 triệu Bảng`
            break
        else:
            break
    if _currency(ws[last]) and last + 1 < len(ws) and ws[last + 1].pos == "Np":
        last += 1  # `đô la Mỹ`
    elif last + 1 < len(ws) and fold(ws[last].text) in _MEASURED and fold(ws[last + 1].text) in UNIT_POWERS:
        last += 1  # `km vuông`
    rate = last + 2 < len(ws) and ws[last + 1].text == "/" and ws[last + 1].start == ws[last].end
    if rate and ws[last + 2].pos == "N":
        last += 2  # `đồng/ngày`
    return ws[last].end


# --- what --------------------------------------------------------------------------


def _documents(sentence: str, after: int) -> list[str]:
    """Document names in the comma/`và` list after a `ký` verb."""
    m = re.search(r"\bký(?:\s+kết)?\s+", sentence[after:], re.IGNORECASE)
    if not m:
        return []
    start = after + m.end()
    parts = re.split(r"(,\s*|\s+và\s+)", until_clause_end(sentence, start))
    heads = tuple(fold(h) for h in DOCUMENT_HEADS)
    docs: list[str] = []
    for k in range(0, len(parts), 2):
        item = parts[k].strip()
        if fold(item).startswith(heads):
            docs.append(item)
        elif docs and item and ("," in parts[k - 1] or words(item)[0].pos != "V"):
            docs[-1] += parts[k - 1] + item  # `… về hợp tác quản lý, bảo vệ biên giới và cửa khẩu`
        elif docs:
            break
    return docs


def _consequent(question: Question, sentence: str) -> str | None:
    """`Nếu … vượt quy định thì VFF giải quyết thế nào?` of `Nếu … vượt quá … thì chúng tôi sẽ đi theo
    dạng tự túc …`: a question on a condition is answered by what follows the sentence's `thì`, after
    the words the question repeats, to the end of that clause."""
    if not question.intent.conditional:
        return None
    runs = anchor_spans(question, sentence)
    if not runs:
        return None
    for m in re.finditer(r"\bthì\s+", sentence[runs[0][1] :], re.IGNORECASE):
        span = until_clause_end(sentence, runs[0][1] + m.end())
        if fresh(question, span):
            return clip(span)
    return None


def _in_language(question: Question, sentence: str) -> str | None:
    """`Tên tiếng Anh của … là gì?` of `… (tiếng Anh: Object-oriented programming, viết tắt: OOP)`:
    what the sentence gives after `tiếng <that language>:`, to the next comma, semicolon or bracket."""
    asked = question.syllables
    for m in re.finditer(r"\btieng\s+([^\W\d]+(?:\s+[^\W\d]+)?)\s*:\s*", fold(sentence)):
        language = m.group(1).split()
        named = any(asked[k : k + 1 + len(language)] == ("tieng", *language) for k in range(len(asked)))
        if named:
            given = re.match(r"[^,;()]+", sentence[m.end() :])
            return given.group(0).strip() if given else None
    return None


def _listed(question: Question, sentence: str) -> str | None:
    """`3 loại quỹ nào` of `… với 3 loại quỹ: Quỹ phát triển DNNVV, Quỹ bảo lãnh …`: the list the
    sentence gives after the kind asked and a colon."""
    if not question.head_syllables:
        return None
    head = r"\s+".join(map(re.escape, question.head_syllables))
    m = re.search(rf"\b{head}\s*:\s*", fold(sentence))
    if not m:
        return None
    listed = until_clause_end(sentence, m.end())
    return clip(listed) if fresh(question, listed) else None


def _quoted(question: Question, sentence: str) -> str | None:
    head = question.intent.asked_word
    for m in re.finditer(r"[“\"]([^”\"]{3,120})[”\"]", sentence):
        if head and fold(m.group(1)).startswith(fold(head)):
            return m.group(1)
    return None


def _head_noun_span(question: Question, sentence: str) -> str | None:
    """`những loại tội phạm nào?` → from `tội phạm` in the sentence to the end of its clause."""
    head = question.intent.tail_head
    if not head:
        return None
    hit = re.search(re.escape(head), sentence, re.IGNORECASE)
    if not hit:
        return None
    span = until_clause_end(sentence, hit.start())
    return clip(span) if fresh(question, span) else None


def _object_of(question: Question, sentence: str) -> str | None:
    """What follows the question's words in the sentence, to the end of that clause.

    Tries the longest match first; among equals, the one whose clause shares most word pairs
    with the question (`duy trì` in the clause that also says `ba Bộ trưởng Quốc phòng`).
    """
    q_pairs = set(itertools.pairwise(question.syllables))

    def overlap(a: tuple[int, int, int]) -> int:
        lo, hi = clause_bounds(sentence, a[0])
        clause = [s for s, _, _ in syllables(sentence[lo:hi])]
        return len(q_pairs & set(itertools.pairwise(clause)))

    for a in sorted(anchor_spans(question, sentence), key=lambda a: (-a[2], -overlap(a))):
        span = until_clause_end(sentence, a[1])
        if fresh(question, span):
            return clip(span)
    return None


def what(question: Question, sentence: str) -> str | None:
    if question.intent.wants_documents:
        anchors = anchor_spans(question, sentence)
        docs = _documents(sentence, 0) or _documents(sentence, anchors[0][0] if anchors else 0)
        return clip(", ".join(docs)) if docs else None
    for rule in (_consequent, _in_language, _listed, _quoted, _verb_object, _head_noun_span, _object_of):
        found = rule(question, sentence)
        if found:
            return found
    return None


def _verb_object(question: Question, sentence: str) -> str | None:
    """`… sẽ sản xuất sản phẩm gì?`: what follows that verb in the sentence, to the clause end.

    Among several places the verb occurs, the one followed by the asked category (`hỗ trợ vật
    tư`), else the one whose clause shares most word pairs with the question.
    """
    asked = question.words
    wh = next((i for i, w in enumerate(asked) if w.key in {"gi", "nao"}), len(asked))
    head = list(question.head_syllables)
    verbs = [
        w
        for w in asked[:wh]
        if w.pos == "V" and w.key not in WEAK_VERBS and w.key.replace("_", " ") != " ".join(head)
    ]
    if not verbs:
        return None
    verb = verbs[-1].key.split("_")
    sent = syllables(sentence)
    places = occurrences(verb, sentence)
    if not places:
        return None

    def followed_by_head(i: int) -> bool:
        after = [s for s, _, _ in sent[i + len(verb) : i + len(verb) + 3 + len(head)]]
        return bool(head) and any(after[k : k + len(head)] == head for k in range(len(after)))

    q_pairs = set(itertools.pairwise(question.syllables))

    def overlap(i: int) -> int:
        lo, hi = clause_bounds(sentence, sent[i][1])
        return len(q_pairs & set(itertools.pairwise(s for s, _, _ in syllables(sentence[lo:hi]))))

    best = max(places, key=lambda i: (followed_by_head(i), overlap(i)))
    start = best + len(verb)
    asked_words = set(question.syllables) - set(head)
    while start < len(sent) and sent[start][0] in asked_words:
        start += 1  # the object the question already names (`trao tặng Bộ Quốc phòng Philippines …`)
    if start >= len(sent):
        return None
    span = re.sub(r"^(?:(?:các|những)\s+)?(?:loại\s+)?", "", until_clause_end(sentence, sent[start][1]))
    return clip(span) if fresh(question, span) else None


def yes_no(question: Question, sentence: str) -> str | None:
    """`… có được tổ chức trực tuyến không?`: the clause stating that predicate, if the sentence does
    (its verdict is read in that clause: `…, vẫn chưa có đường bay thẳng` is a no)."""
    if not question.intent.predicate:
        return None
    wanted = set(question.intent.predicate_syllables) - YES_NO_FILLERS
    found = {s for s, _, _ in syllables(sentence)}
    said = {w for w in wanted - found if any(set(o.split()) <= found for o in FOLDED_SYNONYMS.get(w, ()))}
    if not wanted or not wanted - said <= found:  # `TW` is said as `Trung ương`
        return None
    return about(question, sentence, 0)  # the clause that says it (a run of the question is in it)


_REASON_REACH = 15  # syllables after the words the question repeats where its reason may start


def why(question: Question, sentence: str) -> str | None:
    """`Tại sao … bị rối loạn tiêu hóa?` of `…, rối loạn tiêu hóa, vì nồng độ cồn …`: from the first
    reason word soon after a run of the words the question repeats (the longest run that has one),
    to the sentence's end (clipped); not `do vậy`, which opens a consequence."""
    said = syllables(sentence)
    written = [canonical(sentence[start:end]) for _, start, end in said]  # `độ` is not `do`

    def opens(k: int, phrases: tuple[tuple[str, ...], ...]) -> bool:
        return any(written[k : k + len(p)] == list(p) for p in phrases)

    for n, (_, end, length) in enumerate(anchor_spans(question, sentence)):
        if n and length < 2:
            break
        after = syllable_from(said, end)
        for k in range(after, min(after + _REASON_REACH, len(said))):
            if opens(k, REASON_WORDS) and not opens(k, CONSEQUENCE_WORDS):
                return clip(sentence[said[k][1] :])
    return None


EXTRACTORS = {
    QType.WHO: who,
    QType.WHERE: where,
    QType.HOW_MANY: how_many,
    QType.WHAT: what,
    QType.HOW: what,  # `diễn ra như thế nào`: what the event's verb is followed by
    QType.YES_NO: yes_no,
    QType.WHY: why,
}


@dataclass(frozen=True)
class Cut:
    """An answer span, the article's own words, and the rule that cut it (`ask --explain` names it)."""

    text: str
    rule: str


def cut(question: Question, sentence: str) -> Cut | None:
    """The answer span for non-date questions, by the rule registered for the question's type, or
    None when the sentence holds no such span."""
    rule = EXTRACTORS.get(question.qtype) if question.qtype else None
    text = rule(question, sentence) if rule else None
    return Cut(text, rule.__name__) if rule and text is not None else None


def extract(question: Question, sentence: str) -> str | None:
    """The text of `cut`."""
    found = cut(question, sentence)
    return found.text if found else None
