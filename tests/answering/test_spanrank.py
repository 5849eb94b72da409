"""The short-answer span model: its candidates and its pick."""

from __future__ import annotations

from bot.answering.question import QType, analyze
from bot.answering.ranker import Ranker
from bot.answering.spanrank import SPAN_FEATURES, candidates, pick
from bot.answering.spans import MAX_ANSWER, about, clause_spans, clip

SENTENCE = "Trận đấu bị hoãn vì mưa lớn kéo dài, sân ngập nước, Ban tổ chức thông báo sẽ đá bù vào tuần sau."


def test_clauses_single_and_paired_are_candidates_with_one_value_per_feature() -> None:
    spans = candidates(analyze("Vì sao trận đấu bị hoãn?"), SENTENCE, None)
    texts = [s.text for s in spans]
    assert "sân ngập nước," in texts
    assert any(t.startswith("Trận đấu bị hoãn vì mưa lớn kéo dài, sân ngập nước") for t in texts)
    assert all(len(s.values) == len(SPAN_FEATURES) for s in spans)


def _inner_kind(span_values: tuple[float, ...]) -> str | None:
    marked = [name for name, v in zip(SPAN_FEATURES[-4:], span_values[-4:], strict=True) if v]
    return marked[0] if marked else None


def test_parts_of_a_clause_where_answers_start_or_end_are_candidates_too() -> None:
    sentence = "Ban tổ chức đã thông báo hoãn trận đấu để bảo đảm an toàn cho cầu thủ."
    why = {s.text: _inner_kind(s.values) for s in candidates(analyze("Vì sao Ban tổ chức hoãn?"), sentence, None)}
    assert why["để bảo đảm an toàn cho cầu thủ"] == "from_cause"
    assert why["đã thông báo hoãn trận đấu để bảo đảm an toàn cho cầu thủ"] == "after_anchor"
    sentence = "Sourigna Vongsa, con út của hoàng tử, trị vì 57 năm và là vị vua cuối cùng của vương quốc."
    who = {s.text: _inner_kind(s.values) for s in candidates(analyze("Sourigna Vongsa là ai?"), sentence, None)}
    assert who["vị vua cuối cùng của vương quốc"] == "after_copula"


def test_a_trusted_extractors_span_is_the_only_candidate() -> None:
    q = analyze("Ai thông báo đá bù?")
    assert q.qtype is QType.WHO
    spans = candidates(q, SENTENCE, "Ban tổ chức")
    assert [s.text for s in spans] == ["Ban tổ chức"]


def test_the_shipped_span_weights_pick_the_reason_for_a_why_question() -> None:
    q = analyze("Vì sao trận đấu bị hoãn?")
    chosen = pick(candidates(q, SENTENCE, None), Ranker.load().span_weights)
    assert chosen is not None and "mưa lớn" in chosen


def test_pick_of_nothing_is_none() -> None:
    assert pick([], ()) is None


def test_an_unsettled_yes_no_quotes_the_clauses_about_the_question_that_fit() -> None:
    q = analyze("Tăng viện phí có làm ảnh hưởng chỉ số giá tiêu dùng không?")
    sentence = (
        "Theo đánh giá của Sở Y tế Hà Nội, 17,6% người chưa tham gia BHYT không phải là con số quá cao, "
        "việc tăng viện phí không ảnh hưởng đến chỉ số giá tiêu dùng của toàn thành phố, "
        "cũng như không tạo nên sự biến động quá lớn về thị trường giá cả."
    )
    quoted = about(q, sentence, 100)
    assert quoted == "việc tăng viện phí không ảnh hưởng đến chỉ số giá tiêu dùng của toàn thành phố"
    wider = about(q, sentence, 150)  # the clause after it fits too; the one before does not
    assert wider is not None and wider.startswith("việc tăng") and wider.endswith("thị trường giá cả")
    assert about(analyze("Mưa bão ở miền Bắc à?"), sentence, 100) is None  # nothing of it here


def test_a_bracket_is_one_clause_whatever_commas_it_holds() -> None:
    """A quote or an answer never begins inside a bracket (`Trung Quốc) đã …`)."""
    sentence = "Hội nghị cấp cao (gồm Việt Nam, Lào, Campuchia) đã khai mạc, kéo dài hai ngày."
    assert [sentence[a:b] for a, b in clause_spans(sentence)] == [
        "Hội nghị cấp cao",
        "(gồm Việt Nam, Lào, Campuchia)",
        "đã khai mạc,",
        "kéo dài hai ngày.",
    ]
    unclosed = "Giá xăng (RON 95, E5 tăng, dầu giảm"
    assert [unclosed[a:b] for a, b in clause_spans(unclosed)] == ["Giá xăng", "(RON 95, E5 tăng, dầu giảm"]


def test_a_long_answer_is_clipped_at_a_comma_else_between_words() -> None:
    listed = "Hội nghị có đại diện các bộ, ngành, " + "địa phương và doanh nghiệp " * 6
    assert clip(listed) == "Hội nghị có đại diện các bộ, ngành"
    words = "Thủ tướng đã tham dự phiên bế mạc và lễ bàn giao vai trò nước chủ nhà " * 3
    clipped = clip(words)
    assert len(clipped) <= MAX_ANSWER and words.startswith(clipped + " ")
