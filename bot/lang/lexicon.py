"""Word lists of Vietnamese news writing that answer extraction relies on, in the matching
forms the extractors compare with (folded, `_` for compounds).

General to the genre, not to any article: titles that precede names, words that open
organisation names, place and administrative-unit nouns, the heads of signed documents. The
lists themselves are data, one concept a file, in `bot/lang/vi/`.
"""

from __future__ import annotations

from bot.lang.lists import entries
from bot.lang.normalize import canonical, fold

TITLE_WORDS = frozenset(fold(w).replace(" ", "_") for w in entries("titles"))
# … as written, accents kept (`canonical`): folded, `cô` is also `có` and `anh` also `ảnh`.
TITLES_WRITTEN = frozenset(canonical(w) for w in entries("titles"))
PLACES = frozenset(fold(p) for p in entries("places"))
ORG_WORDS = frozenset(fold(w) for w in entries("organisation_words"))
PLACE_NOUNS = frozenset(fold(p) for p in entries("place_nouns"))
UNIT_NOUNS = frozenset(fold(p) for p in entries("unit_nouns"))
DOCUMENT_HEADS = entries("document_heads")
ORDINALS = r"\d+|nhất|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười(?:\s+\w+)?"
PREPOSITIONS = entries("prepositions")
AUXILIARIES = frozenset(entries("auxiliaries"))
WEAK_VERBS = frozenset(entries("weak_verbs"))
FRAME_WORDS = frozenset(entries("frame_words"))
MONEY_WORDS = frozenset(entries("money_words"))
CURRENCY_WORDS = frozenset(entries("currency_words"))
VENUE_VERBS = frozenset(entries("venue_verbs"))
NAME_PARTICLES = frozenset(entries("name_particles"))
NAME_INNER_WORDS = frozenset(entries("name_inner_words"))
YES_NO_FILLERS = frozenset(entries("yes_no_fillers"))
# A why-answer opens at a reason word (`vì`), not at one that opens a consequence (`do vậy`); as
# written, syllable by syllable (`do` is not `độ`).
REASON_WORDS = tuple(tuple(canonical(w).split()) for w in entries("reason_words"))
CONSEQUENCE_WORDS = tuple(tuple(canonical(w).split()) for w in entries("consequence_words"))
# A sentence that gives a reason at all, wherever (`do chủ quan nên …`, `nguyên nhân là …`).
CAUSE_WORDS = tuple(tuple(canonical(w).split()) for w in entries("cause_words"))
APPROXIMATORS = entries("approximators")
SCALE_WORDS = frozenset(fold(w) for w in entries("scale_words"))
UNIT_POWERS = frozenset(fold(w) for w in entries("unit_powers"))
UNITS_BEFORE_NUMBER = frozenset(fold(w) for w in entries("units_before_number"))

# Words news and readers use for the same thing (`chết` / `tử vong`), the ways one name is written
# (`TPHCM` / `TP.HCM` / `Thành phố Hồ Chí Minh`), and the abbreviations people type with what
# articles write in full (`VN` / `Việt Nam`): a question word counts as present when the article
# says any word of its group.
SYNONYM_GROUPS = tuple(
    tuple(w.strip().lower() for w in line.split(",")) for concept in ("synonyms", "name_spellings") for line in entries(concept)
) + tuple(
    (short.strip().lower(), long.strip().lower())
    for short, _, long in (line.partition("=") for line in entries("abbreviations"))
)
_GROUPED: dict[str, dict[str, None]] = {}
for _group in SYNONYM_GROUPS:
    for _word in _group:
        _GROUPED.setdefault(_word, {}).update(dict.fromkeys(w for w in _group if w != _word))
SYNONYMS = {word: tuple(others) for word, others in _GROUPED.items()}  # a word's groups, merged
FOLDED_SYNONYMS = {fold(word): tuple(fold(w) for w in others) for word, others in SYNONYMS.items()}

# The short ways a chat question is typed (`ko`, `đc`) → the words they stand for.
CHAT_SPELLINGS = {
    short.strip(): long.strip() for short, _, long in (line.partition("=") for line in entries("chat_spellings"))
}

# A measure a question asks (`dài`, `xa`) → the units its answer is counted in.
MEASURE_UNITS = {
    fold(measure.strip()): frozenset(fold(u.strip()) for u in units.split(","))
    for measure, _, units in (line.partition("=") for line in entries("measure_units"))
}
