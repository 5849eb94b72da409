"""Short-answer extraction: the span of a sentence that answers the question.

Rules follow how Vietnamese news writes each kind of fact: people as title + name
(`Đại tướng Phan Văn Giang`) with roles in apposition after a comma; places after `tại`/`ở`
as nested units (`thị trấn Lao Bảo, huyện Hướng Hóa, tỉnh Quảng Trị`); documents signed as a
comma list after `ký`; counts as `lần thứ N`. Spans are cut from the original sentence, so
an answer is always the article's own words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.normalize import fix_tones, fold, nfc
from bot.question import Question, QType
from bot.tokenize import STOPWORDS

MAX_ANSWER = 150

_TITLE_WORDS = frozenset(
    fold(w).replace(" ", "_")
    for w in (
        "đại_tướng thượng_tướng trung_tướng thiếu_tướng đại_tá thượng_tá trung_tá thiếu_tá đô_đốc "
        "bộ_trưởng thứ_trưởng thủ_tướng phó_thủ_tướng chủ_tịch phó_chủ_tịch tổng_thống phó_tổng_thống "
        "tổng_bí_thư bí_thư đại_sứ ông bà đồng_chí giáo_sư tiến_sĩ bác_sĩ thống_đốc thị_trưởng "
        "giám_đốc tổng_giám_đốc tư_lệnh trưởng_đoàn ngài phát_ngôn_viên huấn_luyện_viên hlv cầu_thủ "
        "tiền_đạo tiền_vệ hậu_vệ thủ_môn đội_trưởng ca_sĩ nhạc_sĩ nhà_văn nhà_thơ diễn_viên nghệ_sĩ đạo_diễn "
        "nhà_báo phóng_viên tổng_biên_tập hiệu_trưởng luật_sư kỹ_sư chuyên_gia nhà_sáng_lập chủ_nhiệm "
        "trưởng_ban trưởng_phòng chánh_văn_phòng thư_ký anh chị cụ thầy cô vận_động_viên võ_sĩ kỳ_thủ"
    ).split()
)
# Proper nouns that name places, never people: they start many Np runs (`Campuchia Samdech …`).
_PLACES = frozenset(
    fold(p)
    for p in (
        "Việt_Nam Lào Campuchia Thái_Lan Trung_Quốc Mỹ Hoa_Kỳ Nhật_Bản Hàn_Quốc Triều_Tiên Nga Pháp "
        "Đức Anh Úc Ấn_Độ Singapore Indonesia Malaysia Philippines Myanmar Brunei Đông_Timor ASEAN "
        "Liên_hợp_quốc EU Hà_Nội TP.HCM Đà_Nẵng Hải_Phòng Cần_Thơ Ukraine Israel Iran Canada Italy "
        "Tây_Ban_Nha Hà_Lan Bỉ Thụy_Điển Na_Uy Phần_Lan Đan_Mạch Ba_Lan Séc Hungary Cuba Brazil Argentina"
    ).split()
)
# Words that open organisation names (`Bộ Quốc phòng`, `Tổng cục An ninh`), never people's.
_ORG_WORDS = frozenset(
    fold(w)
    for w in (
        "bộ ban tổng_cục cục sở vụ viện quân_ủy quân_khu quân_đội chính_phủ quốc_hội đảng ủy_ban hội_đồng "
        "trung_ương bộ_chính_trị bộ_tư_lệnh bộ_đội đại_sứ_quán tòa_án công_ty tập_đoàn ngân_hàng trường "
        "học_viện binh_đoàn sư_đoàn hải_quân không_quân lục_quân cảnh_sát công_an quốc_phòng chính_trị "
        "hoàng_gia vương_quốc cộng_hòa liên_bang nhà_nước nhân_dân"
    ).split()
)
_PLACE_NOUNS = frozenset(
    fold(p)
    for p in (
        "thị_trấn thị_xã huyện tỉnh thành_phố tp xã phường quận thủ_đô trụ_sở cột_mốc cột mốc biên_giới "
        "khu vực làng bản ấp điểm cầu sân bay cảng cửa_khẩu trung_tâm hội_trường nhà khách đảo vùng "
        "nước quốc_gia khách_sạn bệnh_viện trường"
    ).split()
)
_UNIT_NOUNS = frozenset(fold(p) for p in "thị_trấn thị_xã huyện tỉnh thành_phố tp xã phường quận".split())
_DOCUMENT_HEADS = (
    "nghị định thư", "kế hoạch", "thỏa thuận", "hiệp định", "biên bản ghi nhớ", "bản ghi nhớ", "tuyên bố",
    "chương trình", "hợp đồng", "công hàm", "hiệp ước", "quy chế", "ý định thư", "văn kiện", "thư",
    "nghị quyết", "quyết định", "bản cam kết", "khung", "công ước",
)
_ORDINALS = r"\d+|nhất|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười(?:\s+\w+)?"
_FOLDED_STOP = frozenset(fold(w) for w in STOPWORDS)
_CLAUSE_END = re.compile(r"[;:.!?…]")
_PREPOSITIONS = ("tới", "với", "cho", "giữa", "của", "bởi", "từ", "đến", "trước")


@dataclass(frozen=True)
class Word:
    """A pyvi word with its character span in the original sentence."""

    text: str
    start: int
    end: int
    pos: str

    @property
    def key(self) -> str:
        return fold(self.text).replace(" ", "_")

    @property
    def capitalized(self) -> bool:
        return self.text[:1].isupper()


@lru_cache(maxsize=4096)
def words(sentence: str) -> tuple[Word, ...]:
    """pyvi words and POS tags aligned back to the sentence's characters."""
    from pyvi import ViPosTagger, ViTokenizer

    tokens, tags = ViPosTagger.postagging(ViTokenizer.tokenize(fix_tones(nfc(sentence))))
    fixed = fix_tones(nfc(sentence))
    out: list[Word] = []
    cursor = 0
    for token, tag in zip(tokens, tags):
        start = end = None
        pos = cursor
        for syllable in token.split("_"):
            found = fixed.find(syllable, pos)
            if found < 0:
                break
            start = found if start is None else start
            end = pos = found + len(syllable)
        else:
            if start is not None and end is not None:
                out.append(Word(sentence[start:end].replace("\n", " "), start, end, str(tag)))
                cursor = end
    return tuple(out)


@lru_cache(maxsize=8192)
def _syllables(text: str) -> tuple[tuple[str, int, int], ...]:
    """Folded syllables with their character spans."""
    return tuple((fold(m.group(0)), m.start(), m.end()) for m in re.finditer(r"\w+", text))


def anchor_spans(question: Question, sentence: str) -> list[tuple[int, int, int]]:
    """Runs of the question's words found in the sentence: (char start, char end, length), longest first."""
    return list(_anchor_spans(question.text, sentence))


@lru_cache(maxsize=8192)
def _anchor_spans(question: str, sentence: str) -> tuple[tuple[int, int, int], ...]:
    q = [s for s, _, _ in _syllables(question)]
    starts: dict[str, list[int]] = {}
    for j, syllable in enumerate(q):
        starts.setdefault(syllable, []).append(j)
    sent = _syllables(sentence)
    runs: list[tuple[int, int, int]] = []
    for i, (syllable, start, _) in enumerate(sent):
        best = 0
        for j in starts.get(syllable, ()):
            n = 1
            while i + n < len(sent) and j + n < len(q) and sent[i + n][0] == q[j + n]:
                n += 1
            best = max(best, n)
        if best:
            runs.append((start, sent[i + best - 1][2], best))
    return tuple(sorted(runs, key=lambda r: (-r[2], r[0])))


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
        if ws[i].pos != "Np" or ws[i].key in _PLACES:
            i += 1
            continue
        j = i
        while j < len(ws) and ws[j].pos == "Np":
            j += 1
        name = ws[i:j]
        while name and name[-1].key in _PLACES:
            name = name[:-1]
        title = _title_before(ws, i)
        syllables = sum(len(w.text.split()) for w in name)
        appositive = (
            syllables >= 2 and j + 1 < len(ws) and ws[j].text == "," and ws[j + 1].key in _TITLE_WORDS
        )
        if name and name[0].key not in _ORG_WORDS and (title is not None or appositive):
            start = ws[title].start if title is not None else name[0].start
            found.append(Person(start, name[-1].end, name[0].start))
        i = j
    return found


def _title_before(ws: Sequence[Word], i: int) -> int | None:
    """Index of a title word shortly before position i, with no punctuation in between."""
    for k in range(i - 1, max(-1, i - 5), -1):
        if ws[k].pos == "F":
            return None
        if ws[k].key in _TITLE_WORDS:
            return k
    return None


def _clause_bounds(sentence: str, pos: int) -> tuple[int, int]:
    """The `;`/`:`-delimited clause around character `pos`."""
    start = max((m.end() for m in re.finditer(r"[;:]", sentence[:pos])), default=0)
    m = re.search(r"[;:]", sentence[pos:])
    return start, pos + m.start() if m else len(sentence)


def clip(text: str) -> str:
    """At most MAX_ANSWER characters, cut at a comma when it must be cut."""
    text = text.strip(" ,;:.-–")
    if len(text) <= MAX_ANSWER:
        return text
    cut = text.rfind(",", 0, MAX_ANSWER)
    return text[: cut if cut > 20 else MAX_ANSWER].rstrip(" ,")


def _until_clause_end(sentence: str, start: int) -> str:
    m = _CLAUSE_END.search(sentence, start)
    return sentence[start : m.start() if m else len(sentence)]


def _question_words(question: Question) -> set[str]:
    return {s for s, _, _ in _syllables(question.text)}


def _fresh(question: Question, text: str) -> bool:
    """True when the span says something the question does not already say."""
    q = _question_words(question)
    return any(s not in q for s, _, _ in _syllables(text))


# --- who ------------------------------------------------------------------------


def _prepositional_target(question: Question, sentence: str) -> str | None:
    """`... tới ai?` / `... giữa những cơ quan nào?`: what follows that preposition in the sentence."""
    m = re.search(
        rf"\b({'|'.join(_PREPOSITIONS)})\s+(?:(?:những|các)\s+)?(?:ai|\w+(?:\s\w+)?\s+nào)\s*\??\s*$",
        question.text,
        re.IGNORECASE,
    )
    if not m:
        return None
    prep = m.group(1).casefold()
    anchors = anchor_spans(question, sentence)
    after = anchors[0][0] if anchors else 0
    hit = re.search(rf"\b{prep}\s+", sentence[after:], re.IGNORECASE)
    if not hit:
        return None
    start = after + hit.end()
    for p in persons(sentence):
        if p.start == start:
            return sentence[p.start : p.end]
    return clip(_until_clause_end(sentence, start))


def _content_syllables(question: Question) -> set[str]:
    return {s for s in _question_words(question) if s not in _FOLDED_STOP}


def _role_holder(question: Question, sentence: str) -> str | None:
    """`<role> là ai` / `ai làm <role>` / `<role> nào`: the person the sentence gives that role.

    The role is the comma-separated segment that repeats most of the question (`Bộ trưởng Bộ
    Quốc phòng Vương quốc Campuchia`); its holder is the name right after it, or else the
    nearest name before it in the same clause (`Đại tướng Tea Seiha, Phó Thủ tướng, Bộ trưởng …`).
    A deputy (`Phó …`) does not hold the role the question names.
    """
    wanted = _content_syllables(question)
    people = [p for p in persons(sentence) if _fresh(question, sentence[p.name_start : p.end])]
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
        covered = len(wanted & {s for s, _, _ in _syllables(seg.group(0))})
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
    c_start, _ = _clause_bounds(sentence, a_start)
    before = [p for p in people if c_start <= p.start and p.end <= a_start]
    if before and sentence[before[-1].end :].lstrip().startswith(","):
        p = before[-1]
        return sentence[p.start : p.end]
    return None


def _subject_of(question: Question, sentence: str) -> str | None:
    """`Ai <verb> …`: the person (or noun phrase) before that verb in the sentence."""
    verb_at = _verb_position(question, sentence)
    if verb_at is None:
        return None
    c_start, _ = _clause_bounds(sentence, verb_at)
    before = [p for p in persons(sentence) if c_start <= p.start and p.end <= verb_at]
    if before:
        p = before[-1]
        return sentence[p.start : p.end]
    phrase_start = max((m.end() for m in re.finditer(r",", sentence[:verb_at])), default=c_start)
    phrase = re.sub(r"\s+(?:đã|đang|sẽ|vừa|cùng|cũng|mới)\s*$", "", sentence[phrase_start:verb_at].rstrip())
    return clip(phrase) if re.search(r"\w", phrase) else None


_AUXILIARIES = frozenset("da se vua dang cung moi tung co".split())


def _verb_position(question: Question, sentence: str) -> int | None:
    """Where the sentence repeats the words right after `Ai (đã)`: the verb whose subject is asked.

    Falls back to the longest run of question words when the question does not start with `ai`.
    """
    q = [w for w, _, _ in _syllables(question.text)]
    if "ai" in q:
        rest = q[q.index("ai") + 1 :]
        while rest and rest[0] in _AUXILIARIES:
            rest = rest[1:]
        sent = _syllables(sentence)
        best: tuple[int, int] | None = None  # (run length, char start)
        for i in range(len(sent)):
            n = 0
            while n < len(rest) and i + n < len(sent) and sent[i + n][0] == rest[n]:
                n += 1
            if n and (best is None or n > best[0]):
                best = (n, sent[i][1])
        if best:
            return best[1]
    anchors = anchor_spans(question, sentence)
    return anchors[0][0] if anchors else None


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
            tail = fold(_until_clause_end(text, p.end))
            label = text[p.start : p.end]
            if head in tail and label not in names and not any(fold(label) in fold(n) for n in names):
                names.append(label)
    if len(names) < 2:
        return None
    return " và ".join(names[:3])


def who(question: Question, sentence: str) -> str | None:
    asks_role = re.search(r"\blà\s+ai\b|\bai\s+(?:là|làm)\b|\bnào\b", question.text, re.IGNORECASE) or (
        not question.accented and re.search(r"\bla ai\b|\bai (?:la|lam)\b|\bnao\b", fold(question.text))
    )
    for rule in (_prepositional_target, _role_holder if asks_role else _subject_of, _role_holder):
        found = rule(question, sentence)
        if found and _fresh(question, found) and _names_someone(found):
            return found
    return None


def _names_someone(span: str) -> bool:
    """A who-answer names a person or body (a capitalised word after the first) or a group (`hai bên`)."""
    rest = span.split()[1:]
    return any(w[:1].isupper() for w in rest) or bool(re.search(r"\b(hai|ba|các)\s+(bên|nước|phía|bộ trưởng)", span, re.IGNORECASE))


# --- where ----------------------------------------------------------------------


def _place_after(ws: Sequence[Word], i: int) -> tuple[int, int] | None:
    """The place phrase starting at word i: place nouns, names, and `, huyện …` continuations."""
    j = i
    end = None
    while j < len(ws):
        w = ws[j]
        if w.capitalized and w.pos != "F" or w.key in _PLACE_NOUNS or w.pos == "Np":
            end = w.end
            j += 1
        elif w.text == "," and j + 1 < len(ws) and ws[j + 1].key in _UNIT_NOUNS:
            j += 1
        elif w.text in "()" and end is not None:
            j += 1
            end = w.end if w.text == ")" else end
        else:
            break
    return (ws[i].start, end) if end is not None else None


def _named_unit(question: Question, sentence: str) -> str | None:
    """`tỉnh nào` / `nước nào`: a unit of that kind named in the sentence (`tỉnh Savannakhet`)."""
    m = re.search(r"\b(\w+(?:\s\w+)?)\s+nào\b", question.text, re.IGNORECASE)
    if not m:
        return None
    phrase = fold(m.group(1)).split()
    unit = next((u for u in ("_".join(phrase), phrase[-1]) if u in _PLACE_NOUNS), None)
    if unit is None:
        return None
    ws = words(sentence)
    for i, w in enumerate(ws):
        if w.key != unit:
            continue
        j = i + 1
        while j < len(ws) and ws[j].capitalized and ws[j].pos != "F":
            j += 1
        span = sentence[w.start : ws[j - 1].end]
        if j > i + 1 and _fresh(question, span):
            return span
    return None


def where(question: Question, sentence: str) -> str | None:
    for rule in (_prepositional_target, _named_unit):
        found = rule(question, sentence)
        if found:
            return found
    ws = words(sentence)
    anchors = anchor_spans(question, sentence)
    focus = anchors[0][0] if anchors else 0
    motion = re.search(r"\b(\w+)\s+đâu\b", question.text, re.IGNORECASE)
    preps = {"tai", "o"} | ({fold(motion.group(1))} - {"o", "tai", "noi"} if motion else set())
    places: list[tuple[int, int]] = []
    for i, w in enumerate(ws[:-1]):
        if w.key in preps and (w.pos == "E" or w.key != "o"):
            span = _place_after(ws, i + 1)
            if span and _fresh(question, sentence[span[0] : span[1]]):
                places.append(span)
    if not places:
        return None
    start, end = min(places, key=lambda s: abs(s[0] - focus))
    text = sentence[start:end]
    if text.count("(") > text.count(")"):
        text = text[: text.rfind("(")]
    return clip(text)


# --- how many ------------------------------------------------------------------------


def how_many(question: Question, sentence: str) -> str | None:
    anchors = anchor_spans(question, sentence)
    focus = anchors[0][1] if anchors else 0
    q = fold(question.text)
    if "lan thu" in q:
        pattern = re.compile(rf"lần\s+thứ\s+(?:{_ORDINALS})", re.IGNORECASE)
        found = [(m.start(), m.end()) for m in pattern.finditer(sentence) if fold(m.group(0)) not in q]
    else:
        found = [span for span in _counts(sentence) if fold(sentence[span[0] : span[1]]) not in q]
        if question.head:
            unit = fold(question.head)
            found = [s for s in found if unit in fold(sentence[s[0] : s[1]])] or found
    if not found:
        return None
    start, end = min(found, key=lambda span: abs(span[0] - focus))
    return sentence[start:end]


def _counts(sentence: str) -> list[tuple[int, int]]:
    """A number with its unit word (`350 đại biểu`, `1.000 tỷ đồng`, `15%`), skipping dates."""
    ws = words(sentence)
    spans = []
    for i, w in enumerate(ws):
        if not re.fullmatch(r"\d+(?:[.,]\d+)*", w.text) or (i + 1 < len(ws) and ws[i + 1].text == "/"):
            continue
        if i > 0 and ws[i - 1].text == "/":
            continue
        end = w.end
        if i + 2 < len(ws) and ws[i + 1].text == "-" and ws[i + 2].text.isdigit():
            spans.append((w.start, ws[i + 2].end))  # a score or range: `2-4`
            continue
        for nxt in ws[i + 1 : i + 4]:
            currency = nxt.text.isupper() and len(nxt.text) <= 4  # USD, VND, EUR
            if nxt.text == "%" or currency or nxt.pos in {"N", "Nc", "Nu", "M"} and not nxt.capitalized:
                end = nxt.end
                if nxt.pos in {"N", "Nu"} or nxt.text == "%" or currency:
                    break  # `1.000 tỷ đồng`, `3.000 ngôi nhà`: numbers and classifiers go on to the noun
            else:
                break
        spans.append((w.start, end))
    return spans


# --- what --------------------------------------------------------------------------


def _documents(sentence: str, after: int) -> list[str]:
    """Document names in the comma/`và` list after a `ký` verb."""
    m = re.search(r"\bký(?:\s+kết)?\s+", sentence[after:], re.IGNORECASE)
    if not m:
        return []
    start = after + m.end()
    items = re.split(r",\s*|\s+và\s+", _until_clause_end(sentence, start))
    heads = tuple(fold(h) for h in _DOCUMENT_HEADS)
    docs: list[str] = []
    for item in items:
        if fold(item.strip()).startswith(heads):
            docs.append(item.strip())
        elif docs:
            break
    return docs


def _quoted(question: Question, sentence: str) -> str | None:
    head = re.search(r"(\w+)\s+(?:gì|nào)\b", question.text, re.IGNORECASE)
    for m in re.finditer(r"[“\"]([^”\"]{3,120})[”\"]", sentence):
        if head and fold(m.group(1)).startswith(fold(head.group(1))):
            return m.group(1)
    return None


def _head_noun_span(question: Question, sentence: str) -> str | None:
    """`những loại tội phạm nào?` → from `tội phạm` in the sentence to the end of its clause."""
    m = re.search(r"(?:những|các)?\s*(?:loại\s+)?((?:\w+\s+){0,1}\w+)\s+(?:nào|gì)\s*\??\s*$", question.text, re.IGNORECASE)
    if not m:
        return None
    head = m.group(1)
    hit = re.search(re.escape(head), sentence, re.IGNORECASE)
    if not hit:
        return None
    span = _until_clause_end(sentence, hit.start())
    return clip(span) if _fresh(question, span) else None


def _object_of(question: Question, sentence: str) -> str | None:
    """What follows the question's words in the sentence, to the end of that clause.

    Tries the longest match first; among equals, the one whose clause shares most with the
    question (`duy trì` in the clause that also names `ba Bộ trưởng`).
    """
    q = _question_words(question)

    def overlap(a: tuple[int, int, int]) -> int:
        lo, hi = _clause_bounds(sentence, a[0])
        return sum(1 for s, _, _ in _syllables(sentence[lo:hi]) if s in q)

    for a in sorted(anchor_spans(question, sentence), key=lambda a: (-a[2], -overlap(a))):
        span = _until_clause_end(sentence, a[1])
        if _fresh(question, span):
            return clip(span)
    return None


def what(question: Question, sentence: str) -> str | None:
    q = fold(question.text)
    if re.search(r"\b(van kien|thoa thuan|hiep dinh|tai lieu|ky)\b", q):
        anchors = anchor_spans(question, sentence)
        docs = _documents(sentence, 0) or _documents(sentence, anchors[0][0] if anchors else 0)
        return clip(", ".join(docs)) if docs else None
    for rule in (_quoted, _head_noun_span, _object_of):
        found = rule(question, sentence)
        if found:
            return found
    return None


EXTRACTORS = {QType.WHO: who, QType.WHERE: where, QType.HOW_MANY: how_many, QType.WHAT: what}


def extract(question: Question, sentence: str) -> str | None:
    """The answer span for non-date questions, or None when the sentence holds no such span."""
    rule = EXTRACTORS.get(question.qtype) if question.qtype else None
    return rule(question, sentence) if rule else None
