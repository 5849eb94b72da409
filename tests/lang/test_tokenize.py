"""Normalization and BM25 terms: accents, tone placement, questions typed without diacritics."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata

import pytest

from bot.lang import segmenter
from bot.lang.normalize import canonical, fix_tones, fold, has_diacritics, nfc
from bot.lang.tokenize import FOLDED, index_terms, query_terms
from bot.library.chunking import split_sentences
from bot.library.corpus import load_articles
from tests.conftest import SEEDS, SHARED_EVAL, TESTS_DATA


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà bình", "hòa bình"),
        ("Uỷ viên", "Ủy viên"),
        ("Thanh Thuỷ", "Thanh Thủy"),
        ("khoẻ", "khỏe"),
        ("quý", "quý"),
        ("hoàng", "hoàng"),
        ("thuyền", "thuyền"),
    ],
)
def test_old_tone_placement_is_rewritten(old: str, new: str) -> None:
    assert fix_tones(old) == new


def test_decomposed_input_matches_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Hướng Hoá")
    assert canonical(decomposed) == canonical("Hướng Hóa") == "hướng hóa"


def test_fold_removes_every_mark() -> None:
    assert fold("Đại tướng Ngô Xuân Lịch") == "dai tuong ngo xuan lich"
    assert has_diacritics("Lào") and not has_diacritics("Lao Bao")


def test_index_terms_hold_compounds_syllables_and_folded_forms() -> None:
    terms = index_terms("Bộ trưởng đã ký Nghị định thư")
    assert {"bộ_trưởng", "bộ", "trưởng", "ký", "nghị_định_thư", "nghị", "thư"} <= set(terms)
    assert {FOLDED + "ky", FOLDED + "nghi", FOLDED + "truong"} <= set(terms)
    assert "." not in terms and "," not in terms


def test_question_words_are_not_content() -> None:
    assert query_terms("Ai đã ký Nghị định thư khi nào?") == ["ký", "nghị_định_thư", "nghị", "định", "thư"]
    assert "ở" not in query_terms("Hội đàm diễn ra ở đâu?") and "đâu" not in query_terms(
        "Hội đàm diễn ra ở đâu?"
    )


def test_question_without_diacritics_gives_folded_terms() -> None:
    assert query_terms("ai da ky nghi dinh thu khi nao") == [
        FOLDED + s for s in ("ky", "nghi", "dinh", "thu")
    ]


def test_tone_placement_does_not_change_terms() -> None:
    assert query_terms("Uỷ viên hoà bình") == query_terms("Ủy viên hòa bình")


def test_the_sklearn_free_segmenter_gives_pyvis_output_on_every_committed_text() -> None:
    """bot.lang.segmenter runs pyvi's own models without importing scikit-learn; on every committed
    article sentence, title and question it segments and tags exactly as pyvi does."""
    from pyvi import ViPosTagger, ViTokenizer

    root = TESTS_DATA.parent
    texts = [
        "",
        "Σ ΣΑ",
        "TP.HCM ... ==> a@b.com http://x.vn 1.000,5 Mr. ThS. Đ. v.v 8/9",
    ]
    folders = [SEEDS, SHARED_EVAL / "articles", *root.glob("data/*/articles")]
    for article in (a for folder in folders if folder.is_dir() for a in load_articles([folder])):
        texts += [article.title] + [s.text for s in split_sentences(article)]
    for questions in [*root.glob("data/**/*.jsonl"), SHARED_EVAL / "dev-questions.jsonl"]:
        if questions.is_file():
            texts += [json.loads(line)["question"] for line in questions.read_text().splitlines() if line]
    assert len(texts) > 300
    for text in (fix_tones(nfc(t)) for t in texts):
        tokenized = segmenter.tokenize(text)
        assert tokenized == ViTokenizer.tokenize(text), text
        tokens, tags = ViPosTagger.postagging(tokenized)
        assert segmenter.postag(tokenized) == (list(tokens), list(tags)), text


def test_answering_a_question_imports_neither_pyvi_nor_scikit_learn() -> None:
    code = (
        "import sys; from bot.lang.tokenize import analyze, query_terms; from bot.library.knowledge import KnowledgeBase; "
        "query_terms('Ai đã ký?'); analyze('Bộ trưởng đã ký.'); KnowledgeBase.tag_question('Ai đã ký?'); "
        "print(sorted(m for m in ('pyvi', 'sklearn') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
