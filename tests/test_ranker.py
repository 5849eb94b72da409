"""The fitted ranker: its shipped model loads, it orders and abstains, and the fit reproduces it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answer import Answerer
from bot.evalsets import QuestionSet, half_of
from bot.fit import collect, fit
from bot.knowledge import KnowledgeBase
from bot.ranker import ANSWER_FEATURES, FEATURES, MODEL_PATH, Ranker
from bot.settings import Settings
from tests.conftest import SEEDS

DATA = Path(__file__).parent / "data"


def test_the_shipped_model_matches_the_features_the_core_computes() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES) and data["answer_features"] == list(ANSWER_FEATURES)
    ranker = Ranker.load()
    assert len(ranker.weights) == len(FEATURES) and 0.0 < ranker.threshold < 1.0


def test_contributions_add_up_to_the_score() -> None:
    ranker = Ranker.load()
    scored = ranker.score(tuple(0.5 for _ in FEATURES))
    assert scored.score == pytest.approx(sum(c for _, _, c in scored.contributions))
    assert [n for n, _, _ in scored.contributions] == list(FEATURES)


def test_fitted_ranker_answers_a_seed_question_and_refuses_an_unrelated_one(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, index_cache_dir=tmp_path, ranker="fitted")
    answerer = Answerer(KnowledgeBase.build(settings, [SEEDS]), settings)
    assert answerer.ranker is not None
    found = answerer.ask("Ai đã ký Nghị định thư hợp tác về cứu hộ cứu nạn?")
    assert found.found and "cứu hộ cứu nạn" in found.citations[0].sentence
    assert not answerer.ask("Giá vàng SJC hôm nay là bao nhiêu?").found


def test_fit_ranks_its_tuning_questions_better_than_bm25_alone(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, index_cache_dir=tmp_path)
    qset = QuestionSet(
        "independent", DATA / "independent" / "questions.jsonl", (DATA / "independent" / "articles",)
    )
    rows, spans = collect(qset, settings)
    assert rows and all(len(values) == len(FEATURES) for _, _, cands in rows for values, _ in cands)
    model = fit(rows, spans)
    fitted = Ranker(tuple(model["weights"]), (), 0.0, 0.0)  # type: ignore[arg-type]
    answerable = [cands for _, ok, cands in rows if ok and cands]
    by_bm25 = sum(cands[0][1] for cands in answerable)
    by_fit = sum(max(cands, key=lambda vg: fitted.score(vg[0]).score)[1] for cands in answerable)
    assert by_fit > by_bm25
    assert 0.0 < float(model["threshold"]) < 1.0  # type: ignore[arg-type]


def test_the_split_is_a_fixed_function_of_the_file_name() -> None:
    halves = {half_of(f"{n}.txt") for n in range(40)}
    assert halves == {"tune", "held"}
    assert half_of("22410606.txt") == half_of("22410606.txt")


def test_explain_shows_each_candidates_features_and_the_rule_that_cut_its_span(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, index_cache_dir=tmp_path)
    answerer = Answerer(KnowledgeBase.build(settings, [SEEDS]), settings)
    lines = answerer.explain("Ai đã ký Nghị định thư hợp tác về cứu hộ cứu nạn?")
    assert lines[0].startswith("question type: who")
    assert any(line.startswith("#1 score") and "rule who" in line for line in lines)
    assert any("cover_sentence=" in line for line in lines)
