"""The answering core end to end on small articles written here: answers, abstention, sources."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.answering.answer import Answerer
from bot.render import answer_lines
from bot.settings import Settings
from tests.conftest import answerer_for, write_article

ARTICLE_2023 = """https://news.example/an-do-2023.html
Việt Nam và Ấn Độ ký bản ghi nhớ hợp tác quân y

Thứ Sáu, 16/06/2023, 08:00

Sáng 15/6, tại Hà Nội, Đại tướng Trần Văn An, Bộ trưởng Bộ Quốc phòng Việt Nam, đã hội đàm với ông Rajnath Singh, Bộ trưởng Quốc phòng Ấn Độ.

Kết thúc hội đàm, hai Bộ trưởng đã ký Bản ghi nhớ về hợp tác quân y và Thỏa thuận về hỗ trợ hậu cần.

Hai bên nhất trí tăng cường hợp tác đào tạo, công nghiệp quốc phòng và gìn giữ hòa bình.

Minh Anh
"""

ARTICLE_2019 = """Ấn Độ tặng Việt Nam tàu tuần tra

Thứ Hai, 02/12/2019, 10:00

Ngày 1/12, tại TP Hồ Chí Minh, Bộ trưởng Quốc phòng Ấn Độ Nirmala Sitharaman đã trao tặng 12 tàu tuần tra cao tốc cho Bộ đội Biên phòng Việt Nam.

Bộ trưởng Quốc phòng Ấn Độ Nirmala Sitharaman cho biết Ấn Độ sẽ tiếp tục giúp Việt Nam nâng cao năng lực tuần tra trên biển.
"""


@pytest.fixture
def answerer(tmp_path: Path, settings: Settings) -> Answerer:
    folder = tmp_path / "articles"
    write_article(folder, "an-do-2023.txt", ARTICLE_2023)
    write_article(folder, "an-do-2019.txt", ARTICLE_2019)
    return answerer_for(folder, settings)


def test_who_signed_with_quote_and_citation(answerer: Answerer) -> None:
    a = answerer.ask("Ai đã hội đàm với Bộ trưởng Quốc phòng Ấn Độ?")
    assert a.found and a.answer == "Đại tướng Trần Văn An"
    top = a.citations[0]
    assert top.sentence.startswith("Sáng 15/6, tại Hà Nội")
    assert top.url == "https://news.example/an-do-2023.html" and top.published.isoformat() == "2023-06-16"


def test_when_resolves_event_relative_date_with_dateline_year(answerer: Answerer) -> None:
    a = answerer.ask("Bản ghi nhớ về hợp tác quân y được ký khi nào?")
    assert a.found and a.answer is not None
    assert "15/06/2023" in a.answer and "kết thúc hội đàm" in a.answer
    assert a.citations[0].sentence.startswith("Kết thúc hội đàm")


def test_what_was_signed_lists_documents(answerer: Answerer) -> None:
    a = answerer.ask("Hai Bộ trưởng đã ký những văn kiện gì?")
    assert a.answer == "Bản ghi nhớ về hợp tác quân y, Thỏa thuận về hỗ trợ hậu cần"


def test_how_many_and_where(answerer: Answerer) -> None:
    assert answerer.ask("Ấn Độ trao tặng bao nhiêu tàu tuần tra?").answer == "12 tàu tuần tra"
    assert answerer.ask("Ấn Độ trao tặng tàu tuần tra ở đâu?").answer == "TP Hồ Chí Minh"


def test_question_without_diacritics_finds_the_accented_sentence(answerer: Answerer) -> None:
    a = answerer.ask("ai da hoi dam voi bo truong quoc phong an do")
    assert a.found and "Trần Văn An" in (a.answer or "")


@pytest.mark.parametrize(
    "question",
    [
        "Giá vàng hôm nay là bao nhiêu?",
        "Ai là Bộ trưởng Quốc phòng Thái Lan?",
        "Việt Nam và Nhật Bản ký hiệp định thương mại khi nào?",
        "Thời tiết Hà Nội ngày mai thế nào?",
        "",
        "???",
    ],
)
def test_abstains_when_the_articles_do_not_hold_the_answer(answerer: Answerer, question: str) -> None:
    a = answerer.ask(question)
    assert not a.found and a.answer is None  # never an answer: "not sure" with its quotes at most
    if a.unsure:
        assert a.citations and question.strip("?")
    else:
        assert a.citations == () and a.note and "2 bài" in a.note


def test_different_answers_from_different_dates_are_all_given_newest_first(answerer: Answerer) -> None:
    a = answerer.ask("Bộ trưởng Quốc phòng Ấn Độ là ai?")
    assert a.found and a.answer is not None
    assert a.answer.index("Rajnath Singh") < a.answer.index("Nirmala Sitharaman")
    assert "16/06/2023" in a.answer and "02/12/2019" in a.answer
    assert [c.published.year for c in a.citations[:2]] == [2023, 2019]


def test_json_contract(answerer: Answerer) -> None:
    data = answerer.ask("Ai đã hội đàm với Bộ trưởng Quốc phòng Ấn Độ?").to_json()
    assert set(data) == {"question", "found", "answer", "citations"}
    assert set(data["citations"][0]) == {"article_id", "title", "url", "published", "sentence", "score"}
    assert data["citations"][0]["published"] == "2023-06-16"


def test_terminal_view_is_answer_quote_citation_in_few_lines(answerer: Answerer) -> None:
    lines = answer_lines(answerer.ask("Hai Bộ trưởng đã ký những văn kiện gì?"))
    assert lines[0].startswith("Trả lời: Bản ghi nhớ")
    assert lines[1].startswith("“Kết thúc hội đàm") and lines[1].endswith("”")
    assert (
        lines[2]
        == "— Việt Nam và Ấn Độ ký bản ghi nhớ hợp tác quân y, 16/06/2023, https://news.example/an-do-2023.html"
    )
    assert len(lines) <= 8


def test_yes_no_question_says_yes_only_when_the_sentence_states_it(answerer: Answerer) -> None:
    yes = answerer.ask("Hai Bộ trưởng có ký Bản ghi nhớ về hợp tác quân y không?")
    assert yes.found and yes.answer is not None and yes.answer.startswith("Có.")
    other = answerer.ask("Hai Bộ trưởng có ký hiệp định thương mại với Nhật Bản không?")
    assert not other.found or (other.answer or "").startswith("Bài báo không nói rõ."), other.answer


def test_yes_no_says_no_or_not_settled_first(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "yn"
    write_article(
        folder,
        "yn.txt",
        "Tài xế xe tải gây tai nạn trên quốc lộ 14\n\nThứ Hai, 10/07/2017, 09:00\n\n"
        "Tài xế xe tải gây tai nạn trên quốc lộ 14 chưa bị khởi tố vì còn chờ kết quả giám định.\n\n"
        "Công an tỉnh đang điều tra vụ tai nạn xe tải làm hai người bị thương trên quốc lộ 14.\n",
    )
    answerer = answerer_for(folder, settings)
    no = answerer.ask("Tài xế xe tải gây tai nạn trên quốc lộ 14 có bị khởi tố không?")
    assert no.found and (no.answer or "").startswith("Không."), no.answer
    not_yet = answerer.ask("Tài xế xe tải gây tai nạn trên quốc lộ 14 đã bị khởi tố chưa?")
    assert not_yet.found and (not_yet.answer or "").startswith("Không."), not_yet.answer
    unsettled = answerer.ask("Vụ tai nạn xe tải trên quốc lộ 14 có được bồi thường không?")
    assert not unsettled.found or (unsettled.answer or "").startswith("Bài báo không nói rõ."), unsettled.answer


def test_same_day_sentence_takes_the_day_of_the_storys_time_marker(
    tmp_path: Path, settings: Settings
) -> None:
    folder = tmp_path / "lu"
    write_article(
        folder,
        "lu.txt",
        "Bộ đội giúp dân vùng lũ\n\nThứ Ba, 22/10/2024, 08:00\n\n"
        "Sáng 21/10, Quân khu 4 huy động 1.200 chiến sĩ giúp dân huyện Hương Khê.\n\n"
        "Nước dâng cao hơn 2 m trong đêm 20/10.\n\n"
        "Chiều cùng ngày, Hội Chữ thập đỏ tỉnh đã trao 5 tấn gạo cho các hộ dân bị cô lập.\n",
    )
    a = answerer_for(folder, settings).ask("Hội Chữ thập đỏ trao gạo cho các hộ dân bị cô lập khi nào?")
    assert a.answer == "Thứ Hai, 21/10/2024 (chiều cùng ngày)"


def test_a_day_before_is_counted_back_from_the_storys_day(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "truoc"
    write_article(
        folder,
        "truoc.txt",
        "Bộ đội giúp dân vùng lũ\n\nThứ Ba, 22/10/2024, 08:00\n\n"
        "Sáng 21/10, Quân khu 4 huy động 1.200 chiến sĩ giúp dân huyện Hương Khê.\n\n"
        "Một ngày trước khi bộ đội đến, Hội Chữ thập đỏ tỉnh đã trao 5 tấn gạo cho các hộ dân bị cô lập.\n",
    )
    a = answerer_for(folder, settings).ask("Hội Chữ thập đỏ trao gạo cho các hộ dân bị cô lập khi nào?")
    assert a.answer == "Chủ Nhật, 20/10/2024 (một ngày trước khi bộ đội đến)"


def test_a_sentence_giving_the_asked_name_another_number_loses(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "bv"
    write_article(
        folder,
        "bv.txt",
        "Bệnh viện dã chiến cấp 2 số 6 lên đường\n\nThứ Năm, 20/06/2024, 10:00\n\n"
        "Ngày 20/6/2024, Bộ Quốc phòng tổ chức lễ xuất quân cho Bệnh viện dã chiến cấp 2 số 6.\n\n"
        "Bệnh viện gồm hơn 180 cán bộ, nhân viên, do Đại tá Phạm Văn Bình làm Giám đốc.\n\n"
        "Đơn vị sẽ thay thế Bệnh viện dã chiến cấp 2 số 5 tại thị trấn Bentiu.\n",
    )
    answerer = answerer_for(folder, settings)
    assert (
        answerer.ask("Bệnh viện dã chiến cấp 2 số 6 có bao nhiêu cán bộ, nhân viên?").answer == "hơn 180 cán bộ"
    )
    assert answerer.ask("Giám đốc Bệnh viện dã chiến cấp 2 số 6 là ai?").answer == "Đại tá Phạm Văn Bình"


def test_words_news_uses_instead_still_match(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "tn"
    write_article(
        folder,
        "tn.txt",
        "Xe khách va chạm xe tải trên quốc lộ 1A\n\nThứ Ba, 12/03/2024, 11:20\n\n"
        "Khoảng 5h30 sáng nay, vụ va chạm giữa xe khách và xe tải trên quốc lộ 1A khiến 3 người tử vong.\n\n"
        "Xe khách do tài xế Nguyễn Văn Lực điều khiển, chở 38 hành khách.\n",
    )
    answerer = answerer_for(folder, settings)
    assert answerer.ask("Vụ tai nạn làm chết mấy người?").answer == "3 người"
    assert answerer.ask("Ai lái chiếc xe khách?").answer == "tài xế Nguyễn Văn Lực"
    assert answerer.ask("Tai nạn xảy ra lúc mấy giờ?").answer == "Thứ Ba, 12/03/2024 (Khoảng 5h30 sáng nay)"


def test_a_who_question_no_rule_answers_is_answered_with_the_name_not_a_clause(
    tmp_path: Path, settings: Settings
) -> None:
    folder = tmp_path / "driver"
    write_article(
        folder,
        "a.txt",
        "Xe khách lật trên đèo, 5 người bị thương\n"
        "Theo thông tin ban đầu, lúc 3h sáng 4/6, xe khách 29B-123.45 do tài xế Trần Minh Khoa (SN 1980, "
        "Nam Định) cầm lái đã lật xuống vực khi đổ đèo, khiến 5 hành khách bị thương.",
    )
    answerer = answerer_for(folder, settings)
    question = "Người cầm lái chiếc xe khách bị lật tên là gì?"
    assert answerer.ask(question).answer == "tài xế Trần Minh Khoa"
    assert "the person named nearest the question's words" in "\n".join(answerer.explain(question))


def test_a_when_question_the_article_gives_no_date_for_is_not_answered_with_a_clause(
    tmp_path: Path, settings: Settings
) -> None:
    folder = tmp_path / "undated"
    write_article(
        folder,
        "a.txt",
        "Đội tuyển bóng chuyền nữ giành huy chương vàng\n"
        "Đội tuyển bóng chuyền nữ Việt Nam đã giành huy chương vàng nhờ chiến thắng Thái Lan với tỷ số 3-1. "
        "Huấn luyện viên trưởng khen ngợi tinh thần của các cầu thủ.",
    )
    answerer = answerer_for(folder, settings)
    answer = answerer.ask("Đội tuyển bóng chuyền nữ giành huy chương vàng khi nào?")
    assert not answer.found and answer.answer is None
    assert answer.note and "không nêu nó diễn ra khi nào" in answer.note and "bóng chuyền nữ" in answer.note
    explained = answerer.explain("Đội tuyển bóng chuyền nữ giành huy chương vàng khi nào?")
    assert "short answer: None, the sentence and its article do not say when" in explained


def test_a_question_on_the_time_of_day_is_not_answered_with_a_day(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "clock"
    write_article(
        folder,
        "a.txt",
        "Động đất mạnh ở biển Aegean\n"
        "Ngày 13/6, một trận động đất mạnh 6,3 độ Richter đã làm rung chuyển thành phố Izmir và đảo Lesbos. "
        "Nhiều tòa nhà bị hư hại.",
    )
    answer = answerer_for(folder, settings).ask("Động đất làm rung chuyển Izmir và đảo Lesbos lúc mấy giờ?")
    assert not answer.found and answer.note and "không nêu nó diễn ra lúc mấy giờ" in answer.note


def _cut_in(folder: Path, settings: Settings, article: str, marker: str) -> Callable[[str], str | None]:
    """The extractors' span for a question in the sentence of `article` that holds `marker`."""
    from bot.answering.extractors import Extractors
    from bot.answering.question import analyze

    write_article(folder, "a.txt", article)
    kb = answerer_for(folder, settings).kb
    index = next(i for i, s in enumerate(kb.sentences) if marker in s.text)
    extractors = Extractors(kb)

    def cut(question: str) -> str | None:
        found = extractors.cut(analyze(question), index)
        return found.text if found else None

    return cut


def test_a_when_question_on_a_period_is_answered_with_both_its_ends(tmp_path: Path, settings: Settings) -> None:
    cut = _cut_in(
        tmp_path / "period",
        settings,
        "Thanh tra việc tuyển dụng công chức tại tỉnh Điện Biên\n"
        "Thanh tra Bộ Nội vụ đã kiểm tra việc tuyển dụng công chức của tỉnh Điện Biên giai đoạn 1/1/2015 – 31/12/2017. "
        "Đoàn thanh tra làm việc trong 30 ngày.",
        "giai đoạn",
    )
    assert cut("Thanh tra kiểm tra việc tuyển dụng ở Điện Biên trong giai đoạn nào?") == "1/1/2015 – 31/12/2017"


def test_of_a_sentences_days_a_when_question_takes_the_one_by_its_words(tmp_path: Path, settings: Settings) -> None:
    cut = _cut_in(
        tmp_path / "days",
        settings,
        "Phó Thủ tướng khảo sát sạt lở ở An Giang\n"
        "Trưa 16/5, Phó Thủ tướng đã đến khảo sát sạt lở tại xã Mỹ Hòa, nơi 12 căn nhà đổ sập xuống sông ngày 21/4 vừa qua. "
        "Đoàn công tác làm việc với tỉnh.",
        "sạt lở tại",
    )
    assert "21/4" in (cut("12 căn nhà ở xã Mỹ Hòa đổ sập xuống sông hôm nào?") or "")
    assert "16/5" in (cut("Phó Thủ tướng đến khảo sát sạt lở ở xã Mỹ Hòa hôm nào?") or "")


def test_terminal_view_of_not_sure_says_so_and_quotes_each_likely_sentence() -> None:
    from datetime import date

    from bot.answering.answer import Answer, Citation

    citations = tuple(
        Citation(f"a{n}", f"Bài {n}", None, date(2021, 12, n), f"Câu {n} có thể trả lời.", 0.5, n) for n in (1, 2)
    )
    lines = answer_lines(Answer("q", False, None, citations, "Tôi không chắc; đây là những câu gần nhất:", unsure=True))
    assert lines == [
        "Tôi không chắc; đây là những câu gần nhất:",
        "“Câu 1 có thể trả lời.”", "— Bài 1, 01/12/2021",
        "“Câu 2 có thể trả lời.”", "— Bài 2, 02/12/2021",
    ]


BRIDGE = """Khánh thành cầu Rồng mới ở Đà Nẵng

Thứ Hai, 05/08/2024, 08:00

Sáng 5/8, thành phố Đà Nẵng khánh thành cây cầu mới bắc qua sông Hàn, có 13 người được khen thưởng vì đã thi công vượt tiến độ.

Cây cầu có sáu làn xe và tuyến xe buýt số 92 chạy qua cầu từ tháng sau.

Chất lượng không khí quanh cầu được theo dõi liên tục bằng trạm quan trắc tự động.

Ban quản lý dự án không chỉ hoàn thành đúng hạn mà còn tiết kiệm 50 tỷ đồng.
"""


@pytest.fixture
def bridge(tmp_path: Path, settings: Settings) -> Answerer:
    folder = tmp_path / "bridge"
    write_article(folder, "cau-rong.txt", BRIDGE)
    return answerer_for(folder, settings)


def test_a_count_in_another_unit_than_the_measure_asked_is_never_the_answer(bridge: Answerer) -> None:
    a = bridge.ask("Cây cầu mới bắc qua sông Hàn dài bao nhiêu?")
    assert not a.found or a.answer != "13 người", a.answer


def test_a_numbered_label_is_answered_with_its_number(bridge: Answerer) -> None:
    a = bridge.ask("Tuyến xe buýt số mấy chạy qua cầu?")
    assert a.found and a.answer == "số 92", a.answer


def test_a_verdict_counts_only_words_that_negate(bridge: Answerer) -> None:
    air = bridge.ask("Chất lượng không khí quanh cầu có được theo dõi không?")
    assert air.found and (air.answer or "").startswith("Có."), air.answer
    saved = bridge.ask("Ban quản lý dự án có hoàn thành đúng hạn không?")
    assert saved.found and (saved.answer or "").startswith("Có."), saved.answer
