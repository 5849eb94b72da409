"""Vietnamese text normalization: one spelling per word, so matching ignores how it was typed.

Articles and questions mix Unicode forms (NFC vs decomposed), old and new tone placement
(`hoà`/`hòa`, `Uỷ`/`Ủy`) and sometimes no diacritics at all. Matching goes through these
functions; quotes always show the article's original text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Old style puts the tone on the second vowel of an open `oa`/`oe`/`uy` (`hoà`, `thuỷ`);
# new style puts it on the first (`hòa`, `thủy`). `qu` + `y` is not such a pair (`quý`).
_OLD_TONE = re.compile(r"(?<![qQ])([oOuU])([aAeEyY])([\u0300\u0301\u0303\u0309\u0323])(?!\w)")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fix_tones(text: str) -> str:
    """NFC text with old-style tone placement rewritten to the new style."""
    pairs = {"o": "ae", "u": "y"}

    def move(m: re.Match[str]) -> str:
        first, second, tone = m.groups()
        if second.lower() not in pairs[first.lower()]:
            return m.group(0)
        return first + tone + second

    decomposed = unicodedata.normalize("NFD", text)
    return nfc(_OLD_TONE.sub(move, decomposed))


def unaccented(text: str) -> str:
    """Every diacritic removed, `đ` as `d`, letter case kept (`Đà Nẵng` -> `Da Nang`): what a
    person without a Vietnamese keyboard types."""
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lowercase and `unaccented`: the form matching compares.

    Cached: answering folds the same syllables thousands of times per question.
    """
    return unaccented(text.casefold())


def has_diacritics(text: str) -> bool:
    """True when any letter carries a Vietnamese mark, i.e. the writer typed accents."""
    return fold(text) != text.casefold()


def canonical(text: str) -> str:
    """The matching form: NFC, new tone placement, lowercase, dashes unified, spaces squeezed."""
    text = fix_tones(nfc(text)).casefold().replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", text).strip()
