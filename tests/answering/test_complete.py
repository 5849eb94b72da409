"""Completing a typed extractor's answer: each rule widens it with the sentence's own words, and
only where they belong to it (real pyvi words, as ingestion tags sentences)."""

from __future__ import annotations

import pytest

from bot.answering.complete import complete
from bot.answering.question import analyze
from bot.answering.spans import words


def _complete(question: str, sentence: str, answer: str) -> str:
    return complete(analyze(question), sentence, words(sentence), answer)


@pytest.mark.parametrize(
    ("question", "sentence", "answer", "completed"),
    [
        (  # the rest of what the question counts
            "HLV muốn có mấy cầu thủ nhập tịch vậy?",
            "Tôi mong sẽ có được 3 cầu thủ nhập tịch ở cả 3 tuyến.",
            "3 cầu thủ",
            "3 cầu thủ nhập tịch",
        ),
        (  # a second count the question asks for
            "Luật có mấy chương, mấy điều?",
            "Theo đó, dự án Luật gồm 4 chương 35 điều.",
            "4 chương",
            "4 chương 35 điều",
        ),
        (  # … written after a comma
            "Luật có bao nhiêu chương, bao nhiêu điều?",
            "Luật Hỗ trợ doanh nghiệp gồm 5 chương, 42 điều, với nội dung chính là hỗ trợ vốn.",
            "5 chương",
            "5 chương, 42 điều",
        ),
        (  # the other end of a range, in the same unit, with its `từ`
            "Bỏ trốn sau tai nạn bị phạt bao nhiêu tiền?",
            "Phạt tiền từ 4.000.000 đồng đến 6.000.000 đồng đối với người điều khiển xe.",
            "4.000.000 đồng",
            "từ 4.000.000 đồng đến 6.000.000 đồng",
        ),
        (  # a second place joined by `và`
            "Triều Tiên từng gặp chuyên gia Mỹ ở những nơi nào?",
            "Các quan chức Triều Tiên đã gặp các chuyên gia Mỹ ở Geneva và Malaysia.",
            "Geneva",
            "Geneva và Malaysia",
        ),
        (  # a role takes the titled name it stands in apposition to
            "Ai là trưởng ban tổ chức lễ hội?",
            "Trao đổi với báo chí, bà Phạm Thị Oanh, Phó Chủ tịch UBND thành phố, Trưởng Ban tổ chức lễ hội cho biết.",
            "Phó Chủ tịch UBND thành phố",
            "bà Phạm Thị Oanh, Phó Chủ tịch UBND thành phố",
        ),
        (  # the part of the month, the clock before the day, the year after the month
            "Ông Kim ra lệnh tăng cường phòng thủ khi nào?",
            "Quyết định được cho là do ông Kim đưa ra vào giữa tháng 4, sau vụ phóng tên lửa.",
            "tháng 4",
            "giữa tháng 4",
        ),
        (
            "Tai nạn xảy ra khi nào?",
            "Trước đó, lúc 4h35 sáng 7/5, xe khách đến Km1632 thì va chạm với xe tải.",
            "sáng 7/5",
            "lúc 4h35 sáng 7/5",
        ),
        (
            "Ủy ban được thành lập khi nào?",
            "Ủy ban được thành lập vào tháng 7, 1961.",
            "tháng 7",
            "tháng 7, 1961",
        ),
        (  # a range of years
            "Khi nào các vụ tấn công nhiều nhất?",
            "Các vụ tấn công nhiều nhất trong khoảng thời gian từ 2005 đến 2010.",
            "2005",
            "từ 2005 đến 2010",
        ),
        (  # a range of days whose end is written as a bare day and month
            "Vòng loại diễn ra khi nào?",
            "Vòng loại giải U-19 châu Á diễn ra từ ngày 30-10 đến 7-11 tại Hà Nội.",
            "ngày 30-10",
            "từ ngày 30-10 đến 7-11",
        ),
    ],
)
def test_each_rule_widens_the_answer_with_what_belongs_to_it(
    question: str, sentence: str, answer: str, completed: str
) -> None:
    assert _complete(question, sentence, answer) == completed


@pytest.mark.parametrize(
    ("question", "sentence", "answer"),
    [
        # what follows is not what the question counts
        ("Có bao nhiêu người bị thương?", "Có 5 người chết và 7 người bị thương.", "5 người"),
        # `đến` opens a time, not the other end of a count of people
        ("Có bao nhiêu người ở lại?", "Có 5 người đến 10 giờ mới về.", "5 người"),
        # a number after the date counts something else
        ("Lũ về khi nào?", "Lũ về vào tháng 7 2000 người phải sơ tán.", "tháng 7"),
        # `và` joins no name
        ("Hội nghị diễn ra ở đâu?", "Hội nghị diễn ra ở Hà Nội và nhiều nơi khác.", "Hà Nội"),
        # a place before the comma is not a person the answer stands beside
        (
            "Ai đã hội đàm với Trung tướng Arvind Mehra?",
            "Tại thành phố Nha Trang, tỉnh Khánh Hòa, Thượng tướng Lê Quang Vinh đã hội đàm với Trung tướng Arvind Mehra.",
            "Thượng tướng Lê Quang Vinh",
        ),
    ],
)
def test_nothing_is_added_that_does_not_belong_to_the_answer(question: str, sentence: str, answer: str) -> None:
    assert _complete(question, sentence, answer) == answer


def test_an_answer_the_sentence_does_not_hold_verbatim_is_left_as_it_is() -> None:
    sentence = "Sáng 7/5, xe khách gặp nạn trên đường Hồ Chí Minh."
    assert _complete("Có bao nhiêu xe gặp nạn?", sentence, "Thứ Hai, 7/5") == "Thứ Hai, 7/5"
