"""The fitted ranker: its shipped model loads, it orders, it replies in three ways, and the fit
ranks better than BM25 alone."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.answering.answer import Answerer
from bot.answering.candidates import retrieve
from bot.answering.question import analyze
from bot.answering.ranker import FEATURES, MODEL_PATH, REPLY_FEATURES, Ranker, Reply
from bot.fitting.evalsets import (
    FITTED_REALNEWS,
    NEAR_MISS_SETS,
    REALNEWS_SETS,
    QuestionSet,
    half_of,
    realnews_sets,
)
from bot.fitting.fit import (
    answer_threshold,
    asking_unanswerable,
    candidates,
    collect,
    fit,
    group_outcomes,
    none_threshold,
)
from bot.library.knowledge import KnowledgeBase
from bot.settings import Settings
from tests.conftest import SEEDS, TESTS_DATA, write_article

DATA = TESTS_DATA
QUESTION = "Ai đã ký Nghị định thư hợp tác về cứu hộ cứu nạn?"


@pytest.fixture(scope="module")
def seeds_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    settings = Settings(_env_file=None, index_cache_dir=tmp_path_factory.mktemp("cache"))
    return KnowledgeBase.build(settings, [SEEDS])


def _answerer(kb: KnowledgeBase, ranker: Ranker | None = None) -> Answerer:
    return Answerer(kb, Settings(_env_file=None), ranker)


def test_the_shipped_model_matches_the_features_the_core_computes() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES) and data["reply_features"] == list(REPLY_FEATURES)
    ranker = Ranker.load()
    assert len(ranker.weights) == len(FEATURES) and len(ranker.answer.weights) == len(REPLY_FEATURES)
    assert 0.0 < ranker.answer_threshold < 1.0 and 0.0 < ranker.unsure_threshold < 1.0
    assert any(w for name, w in zip(FEATURES, ranker.weights) if name.startswith("e5"))


def test_contributions_add_up_to_the_score() -> None:
    ranker = Ranker.load()
    scored = ranker.score(tuple(0.5 for _ in FEATURES))
    assert scored.score == pytest.approx(sum(c for _, _, c in scored.contributions))
    assert [n for n, _, _ in scored.contributions] == list(FEATURES)


def test_three_replies_by_the_two_probabilities() -> None:
    ranker = replace(Ranker.load(), answer_threshold=0.6, unsure_threshold=0.5)
    assert ranker.decide(0.7, 0.9) is Reply.ANSWER
    assert ranker.decide(0.5, 0.9) is Reply.UNSURE
    assert ranker.decide(0.5, 0.4) is Reply.NONE


def test_answers_a_seed_question_and_refuses_an_unrelated_one(seeds_kb: KnowledgeBase) -> None:
    answerer = _answerer(seeds_kb)
    found = answerer.ask(QUESTION)
    assert found.found and not found.unsure and "cứu hộ cứu nạn" in found.citations[0].sentence
    refused = answerer.ask("Giá vàng SJC hôm nay là bao nhiêu?")
    assert not refused.found and not refused.unsure and not refused.citations
    assert refused.note and refused.note.startswith("Các bài báo hiện có không nêu")


def test_not_sure_quotes_the_likeliest_sentences_and_says_so(seeds_kb: KnowledgeBase) -> None:
    unsure = _answerer(seeds_kb, replace(Ranker.load(), answer_threshold=1.01, unsure_threshold=0.0)).ask(QUESTION)
    assert (unsure.found, unsure.unsure, unsure.answer) == (False, True, None)
    assert len(unsure.citations) == 3 and "cứu hộ cứu nạn" in unsure.citations[0].sentence
    assert unsure.note and unsure.note.startswith("Tôi không chắc")
    row = unsure.to_json()
    assert row["found"] is False and row["unsure"] is True and len(row["citations"]) == 3
    nothing = _answerer(seeds_kb, replace(Ranker.load(), answer_threshold=1.01, unsure_threshold=1.01)).ask(QUESTION)
    assert (nothing.found, nothing.unsure, nothing.citations) == (False, False, ())
    assert "unsure" not in nothing.to_json()


def test_the_threshold_holds_the_stated_false_answer_rate() -> None:
    import numpy as np

    p = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    right = np.array([True, True, False, True, False, False])
    weight = np.ones(6)
    assert answer_threshold(p, right, weight, 0.25) == pytest.approx(0.6)  # 1 wrong of 4
    assert answer_threshold(p, right, weight, 0.0) == pytest.approx(0.8)
    assert answer_threshold(p, np.zeros(6, bool), weight, 0.1) == 1.0  # nothing may be answered


def test_the_articles_do_not_say_it_no_more_often_wrongly_than_the_stated_rate() -> None:
    """Below the threshold the reply is "the articles do not say": it is wrong where the question
    was answerable, and may be so for at most the given share of those replies."""
    p = np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.6])
    answerable = np.array([False, False, True, False, True, True])
    weight = np.ones(6)
    assert none_threshold(p, answerable, weight, 0.25) == pytest.approx(0.4)  # 1 wrong of 4
    assert none_threshold(p, answerable, weight, 0.0) == pytest.approx(0.2)
    assert none_threshold(p, np.ones(6, bool), weight, 0.1) == 0.0  # never: every question was answerable


def test_the_answer_threshold_is_set_only_on_groups_that_ask_what_their_articles_do_not_say() -> None:
    """Group w asks only answerable questions: its false answers are wrong sentences alone, so it
    would hold the rate as if no question were unanswerable."""
    groups = ["a", "a", "w", "w", "b"]
    answerable = np.array([True, False, True, True, False])
    assert asking_unanswerable(groups, answerable).tolist() == [True, True, False, False, True]
    assert asking_unanswerable(["w", "w"], np.ones(2, bool)).all()  # none asks: the rate is held on all


def test_the_fit_reports_what_the_pooled_threshold_does_to_each_group() -> None:
    """Group a: one right answer, one wrong, one unanswerable question refused; group b: an
    unanswerable question answered and an answerable one refused; group c: one answerable question
    refused, so no answer to judge and no unanswerable question."""
    groups = ["a", "a", "a", "b", "b", "c"]
    given = np.array([True, True, False, True, False, False])
    best = np.array([True, False, False, False, False, False])
    answerable = np.array([True, True, False, False, True, True])
    assert group_outcomes(groups, given, best, answerable) == {
        "a": {"answered": 0.6667, "false_answers": 0.5, "hit1": 0.5, "abstain": 1.0},
        "b": {"answered": 0.5, "false_answers": 1.0, "hit1": 0.0, "abstain": 0.0},
        "c": {"answered": 0.0, "false_answers": None, "hit1": 0.0, "abstain": None},  # nothing to judge
    }


def test_fit_ranks_its_tuning_questions_better_than_bm25_alone(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, index_cache_dir=tmp_path)
    qset = QuestionSet(
        "independent", DATA / "independent" / "questions.jsonl", (DATA / "independent" / "articles",)
    )
    rows, spans = collect(qset, settings)
    assert rows and all(len(values) == len(FEATURES) for _, _, _, cands in rows for values, _ in cands)
    model = fit(rows, spans, settings.candidate_k)
    fitted = replace(Ranker.untrained(), weights=tuple(model["weights"]))  # type: ignore[arg-type]
    kept = candidates(rows, settings.candidate_k)  # as answering keeps them: every retrieved one is collected
    assert sum(map(len, (c for *_, c in kept))) < sum(map(len, (c for *_, c in rows)))
    answerable = [cands for _, _, ok, cands in kept if ok and cands]
    by_bm25 = sum(cands[0][1] for cands in answerable)
    by_fit = sum(max(cands, key=lambda vg: fitted.score(vg[0]).score)[1] for cands in answerable)
    assert by_fit > by_bm25
    assert model["candidate_k"] == settings.candidate_k
    assert 0.0 < float(model["answer_threshold"]) <= 1.0  # type: ignore[arg-type]


def test_the_split_is_a_fixed_function_of_the_file_name() -> None:
    halves = {half_of(f"{n}.txt") for n in range(40)}
    assert halves == {"tune", "held"}
    assert half_of("22410606.txt") == half_of("22410606.txt")


def test_a_measuring_real_news_set_is_scored_whole_and_never_fitted(tmp_path: Path) -> None:
    sets = {s.name: s for s in realnews_sets(tmp_path)}
    measuring = set(REALNEWS_SETS) - FITTED_REALNEWS
    assert measuring and FITTED_REALNEWS.issubset(REALNEWS_SETS)
    for name in measuring:
        assert sets[name].half is None and not sets[name].fitted
        assert sets[name].folders == (tmp_path / name,)
    for name in FITTED_REALNEWS:
        assert {sets[f"{name}-tune"].half, sets[f"{name}-held"].half} == {"tune", "held"}
        assert sets[f"{name}-tune"].fitted
    for name, (over, _) in NEAR_MISS_SETS.items():
        assert over in FITTED_REALNEWS
        assert sets[name].folders == (tmp_path / over,) and not sets[name].fitted
        assert all(not q["answerable"] and half_of(q["article"]) == "tune" for q in sets[name].load())
    assert len(sets) == 2 * len(FITTED_REALNEWS) + len(measuring) + len(NEAR_MISS_SETS)


def test_explain_shows_each_candidates_features_e5_included(seeds_kb: KnowledgeBase) -> None:
    lines = _answerer(seeds_kb).explain(QUESTION)
    assert lines[0].startswith("question type: who")
    assert lines[1].startswith("reply: answer (answers ")
    assert any(line.startswith("#1 score") and "rule who" in line for line in lines)
    assert any(line.startswith("short answer: ") and line.endswith("the extractor's span, completed") for line in lines)
    assert any("cover_sentence=" in line and "e5=" in line and "e5_title=" in line for line in lines)


def test_a_question_typed_without_accents_is_read_with_them_by_the_encoder(seeds_kb: KnowledgeBase) -> None:
    lines = _answerer(seeds_kb).explain("ai da ky nghi dinh thu hop tac ve cuu ho cuu nan")
    assert "e5 read it as: ai đã ký nghị định thư hợp tác về cứu hộ cứu nạn" in lines


def test_evidence_is_gathered_for_the_first_of_either_retriever_with_every_retrieved_as_context(
    seeds_kb: KnowledgeBase,
) -> None:
    q = analyze(QUESTION)
    pool = retrieve(seeds_kb, q, Settings(_env_file=None).retrieve_k)
    everything = {ev.index: ev.values for ev in Answerer(seeds_kb, Settings(_env_file=None, candidate_k=100)).evidence(q)[0]}
    kept = Answerer(seeds_kb, Settings(_env_file=None, candidate_k=4)).evidence(q)[0]
    cosines = seeds_kb.cosines(pool.query, [h.index for h in pool.hits])
    bm25_first = {h.index for h in pool.hits[:4]}
    e5_first = {pool.hits[i].index for i in np.argsort(-cosines, kind="stable")[:4]}
    assert len(everything) == len(pool.hits) > len(kept)
    assert [ev.index for ev in kept] == [h.index for h in pool.hits if h.index in bm25_first | e5_first]
    assert all(ev.values == everything[ev.index] for ev in kept)  # the same features, whoever else was kept


def test_the_window_feature_is_the_cosine_with_the_mean_of_the_sentence_and_its_neighbours(
    seeds_kb: KnowledgeBase,
) -> None:
    """The window of a first or last sentence holds one neighbour, of any other two."""
    q = analyze(QUESTION)
    query = retrieve(seeds_kb, q, Settings(_env_file=None).retrieve_k).query
    evidence = Answerer(seeds_kb, Settings(_env_file=None, candidate_k=100)).evidence(q)[0]
    widths = set()
    for ev in evidence:
        sentence = seeds_kb.sentences[ev.index]
        ids = seeds_kb.article_sentences(sentence.article_id)
        window = [ev.index] + [ids[p] for p in (sentence.position - 1, sentence.position + 1) if 0 <= p < len(ids)]
        widths.add(len(window))
        mean = seeds_kb.vectors_of(window).mean(axis=0)
        want = (mean @ query) / max(np.linalg.norm(mean), 1e-9)
        assert ev.values[FEATURES.index("e5_window")] == pytest.approx(float(want), abs=1e-6)
    assert widths == {2, 3}


def test_a_why_question_sees_which_sentences_give_a_reason(tmp_path: Path) -> None:
    """`reason_for_why`: a cause word anywhere in the sentence, as written (`do`, not `độ`), and only
    for a why-question."""
    folder = tmp_path / "articles"
    write_article(
        folder,
        "cau.txt",
        "Cầu treo ở xã Tân Lập bị sập\n"
        "Sáng 12/7, cây cầu treo bắc qua suối ở xã Tân Lập bị sập một nhịp.\n"
        "Theo chính quyền xã, cầu bị sập do mưa lớn kéo dài làm sạt lở mố cầu.\n"
        "Cây cầu treo ở xã Tân Lập có độ dài khoảng 40 mét.\n",
    )
    settings = Settings(_env_file=None, index_cache_dir=tmp_path / "cache", candidate_k=100)
    answerer = Answerer(KnowledgeBase.build(settings, [folder]), settings)
    reason = FEATURES.index("reason_for_why")

    def given(question: str) -> dict[str, float]:
        evidence = answerer.evidence(analyze(question))[0]
        return {answerer.kb.sentences[ev.index].text[:12]: ev.values[reason] for ev in evidence}

    assert given("Vì sao cầu treo ở xã Tân Lập bị sập?") == {"Sáng 12/7, c": 0.0, "Theo chính q": 1.0, "Cây cầu treo": 0.0}
    assert set(given("Cầu treo ở xã Tân Lập bị sập khi nào?").values()) == {0.0}
