"""Short-answer spans cut from small Vietnamese sentences written here."""

from __future__ import annotations

from bot.answering.extract import extract
from bot.answering.people import named_near, persons, resolve_group
from bot.answering.question import analyze


def _span(question: str, sentence: str) -> str | None:
    return extract(analyze(question), sentence)


def test_persons_are_title_plus_name_not_organisations() -> None:
    s = "Sáng 5/3, Thượng tướng Nguyễn Văn Hùng, Thứ trưởng Bộ Quốc phòng, đã tiếp Bộ trưởng Quốc phòng Nhật Bản Kishi Nobuo."
    found = [s[p.start : p.end] for p in persons(s)]
    assert "Thượng tướng Nguyễn Văn Hùng" in found
    assert not any(f.startswith("Bộ Quốc") for f in found)


def test_titles_news_abbreviates_or_gives_in_court_are_titles() -> None:
    s = "ĐBQH Lê Văn Hòa cho biết, theo TS. Nguyễn Văn Hùng, bị cáo Trần Văn Nam đã khai nhận."
    assert [s[p.start : p.end] for p in persons(s)] == ["ĐBQH Lê Văn Hòa", "TS. Nguyễn Văn Hùng", "bị cáo Trần Văn Nam"]
    assert named_near(analyze("ĐBQH nào cho biết cán bộ tâm tư?"), "ĐBQH Lê Văn Hòa cho biết cán bộ tâm tư.") == (
        "ĐBQH Lê Văn Hòa"
    )


def test_a_title_written_with_accents_is_read_with_them() -> None:
    for s in ("Ngôi làng có tên Hòa Bình từ lâu.", "Ảnh Lao Động", "Người dân thấy Trần Văn Nam bỏ chạy."):
        assert persons(s) == [], s  # `có` is not `cô`, `Ảnh` not `anh`, `thấy` not `thầy`
    s = "Năm nay cô Nguyễn Thị Lan dạy toán, thay thầy Lê Văn Hùng."
    assert [s[p.start : p.end] for p in persons(s)] == ["cô Nguyễn Thị Lan", "thầy Lê Văn Hùng"]
    s = "Theo co Nguyen Thi Lan, lop hoc da kin cho."  # written without accents: read without them
    assert [s[p.start : p.end] for p in persons(s)] == ["co Nguyen Thi Lan"]


def test_who_subject_of_the_verb() -> None:
    s = "Ngày 3/4, tại Hà Nội, Đại tướng Trần Văn An, Bộ trưởng Bộ Quốc phòng, đã ký Bản ghi nhớ với Bộ Quốc phòng Ấn Độ."
    assert _span("Ai đã ký Bản ghi nhớ với Bộ Quốc phòng Ấn Độ?", s) == "Đại tướng Trần Văn An"


def test_who_of_a_passive_sentence_is_its_doer() -> None:
    """`được … bởi X`, `do X …`: X does it; the subject before the verb undergoes it."""
    s = "Bộ dữ liệu gốc được tổng hợp bởi Trần Minh và được giao cho Viện Vật lý để phục hồi."
    assert _span("Ai đã tổng hợp bộ dữ liệu gốc?", s) == "Trần Minh"
    s = "Giải thưởng được tổ chức bởi Hội Nhà văn Việt Nam cho những tác phẩm xuất sắc."
    assert _span("Giải thưởng do ai tổ chức?", s) == "Hội Nhà văn Việt Nam"
    s = "Các môn thi đấu do Liên đoàn Thể thao Đông Nam Á điều hành."
    assert _span("Ai điều hành các môn thi đấu?", s) == "Liên đoàn Thể thao Đông Nam Á"
    s = "Các mẫu đất Sao Hỏa được thu thập từ thiên thạch rơi xuống sa mạc."
    assert _span("Ai thu thập các mẫu đất?", s) is None  # what was collected is no one who collects


def test_who_role_holder_named_after_or_before_the_role() -> None:
    after = (
        "Bộ trưởng Lê Văn Bình chuyển lời thăm hỏi của Thủ tướng Thái Lan Srettha Thavisin tới các đại biểu."
    )
    assert _span("Thủ tướng Thái Lan là ai?", after) == "Srettha Thavisin"
    before = "Dự lễ có: ông Somsak Inthavong, Đại sứ Lào tại Hàn Quốc; cùng nhiều đại biểu."
    assert _span("Đại sứ Lào tại Hàn Quốc là ai?", before) == "ông Somsak Inthavong"


def test_deputy_does_not_hold_the_role() -> None:
    s = "Đại tướng Trần Văn An hội đàm với Đại tướng Mok Sopheap, Phó Thủ tướng Campuchia."
    assert _span("Thủ tướng Campuchia là ai?", s) is None


def test_who_after_a_preposition() -> None:
    s = "Bộ trưởng Lê Văn Bình gửi thư chúc mừng tới Thủ tướng Phạm Minh Hải cùng toàn thể đại biểu."
    assert _span("Bộ trưởng Lê Văn Bình gửi thư chúc mừng tới ai?", s) == "Thủ tướng Phạm Minh Hải"


def test_group_reference_resolved_from_the_article() -> None:
    article = [
        "Tham dự có Đại tướng Trần Văn An, Bộ trưởng Bộ Quốc phòng Việt Nam.",
        "Phía bạn có Đại tướng Mok Sopheap, Bộ trưởng Bộ Quốc phòng Campuchia.",
    ]
    assert (
        resolve_group("Bộ trưởng Bộ Quốc phòng hai bên", article)
        == "Đại tướng Trần Văn An và Đại tướng Mok Sopheap"
    )


def test_where_keeps_nested_units() -> None:
    s = "Ngày 2/9, tại xã Tân Phú, huyện Đồng Xuân, tỉnh Phú Yên đã diễn ra lễ khánh thành cầu."
    assert _span("Lễ khánh thành cầu diễn ra ở đâu?", s) == "xã Tân Phú, huyện Đồng Xuân, tỉnh Phú Yên"


def test_a_place_opens_with_its_kind_and_goes_on_with_its_direction() -> None:
    """`trại`, `căn cứ`, `bang` open a place as `xã` does; `, phía bắc Seoul` says where it lies."""
    s = "Cuộc tập trận diễn ra tại trại Humphreys ở TP Pyeongtaek, phía nam Seoul và kéo dài hai ngày."
    assert _span("Cuộc tập trận diễn ra ở đâu?", s) == "trại Humphreys ở TP Pyeongtaek, phía nam Seoul"
    s = "Theo cảnh sát, bức ảnh được chụp tại bang Texas ở miền nam nước Mỹ."  # a federal state
    assert _span("Bức ảnh được chụp ở đâu?", s) == "bang Texas"


def test_why_is_the_reason_given_soon_after_the_words_the_question_repeats() -> None:
    s = "Nhiều người uống rượu bia bị đau dạ dày, vì nồng độ cồn làm tổn thương niêm mạc."
    assert _span("Tại sao người uống rượu bia bị đau dạ dày?", s) == "vì nồng độ cồn làm tổn thương niêm mạc"
    # `độ` is not `do`, and `do vậy` opens a consequence, not a reason
    s = "Hành tinh đạt độ sáng lớn nhất lúc hoàng hôn, do vậy mà dân gian gọi là sao Hôm."
    assert _span("Tại sao hành tinh đạt độ sáng lớn nhất?", s) is None


def test_a_question_on_a_condition_is_answered_by_what_follows_then() -> None:
    s = "Nếu số cầu thủ vượt quá quy định của đoàn thì chúng tôi sẽ tự lo kinh phí, ông Nam nói."
    assert (_span("Nếu số cầu thủ vượt quy định thì đội giải quyết thế nào?", s) or "").startswith(
        "chúng tôi sẽ tự lo kinh phí"
    )


def test_how_many_ordinal_and_count() -> None:
    s = "Hai bên đánh giá cao Đối thoại Chiến lược lần thứ 5 và kế hoạch năm nay."
    assert _span("Đối thoại Chiến lược là lần thứ mấy?", s) == "lần thứ 5"
    assert (
        _span("Có bao nhiêu người tham dự hội nghị?", "Hội nghị có 350 đại biểu tham dự.") == "350 đại biểu"
    )


def test_a_name_in_another_language_is_what_follows_that_language() -> None:
    s = "Hiệp hội Thép Việt Nam (tiếng Anh: Vietnam Steel Association, viết tắt: VSA) được thành lập năm 1996."
    assert _span("Tên tiếng Anh của Hiệp hội Thép Việt Nam là gì?", s) == "Vietnam Steel Association"
    s = "Vịnh Hạ Long (tiếng Pháp: Baie d'Along; tiếng Anh: Ha Long Bay) là di sản thiên nhiên."
    assert _span("ten tieng anh cua vinh ha long la gi", s) == "Ha Long Bay"
    assert _span("Tên tiếng Nhật của Vịnh Hạ Long là gì?", s) != "Ha Long Bay"


def test_what_kinds_are_the_list_after_the_kind_and_a_colon() -> None:
    s = "Luật mới cung cấp kênh tiếp cận vốn cho doanh nghiệp, với 2 loại quỹ: Quỹ bảo lãnh tín dụng, Quỹ khởi nghiệp."
    assert _span("luat moi lap ra 2 loai quy nao", s) == "Quỹ bảo lãnh tín dụng, Quỹ khởi nghiệp"


def test_what_was_signed_lists_the_documents() -> None:
    s = "Kết thúc hội đàm, hai Bộ trưởng đã ký Biên bản ghi nhớ về hợp tác quân y, Kế hoạch hợp tác năm 2025 và trao đổi quà."
    assert _span("Hai Bộ trưởng đã ký những văn kiện gì?", s) == (
        "Biên bản ghi nhớ về hợp tác quân y, Kế hoạch hợp tác năm 2025"
    )


def test_what_named_in_quotes_and_listed_after_the_head_noun() -> None:
    assert (
        _span("Năm 2024 được gọi là năm gì?", "Hai nước chọn 2024 là “Năm Hữu nghị Việt - Nhật”.")
        == "Năm Hữu nghị Việt - Nhật"
    )
    s = "Hai bên phối hợp ngăn chặn các loại tội phạm ma túy, buôn lậu, mua bán người."
    assert (
        _span("Hai bên phối hợp ngăn chặn những loại tội phạm nào?", s)
        == "tội phạm ma túy, buôn lậu, mua bán người"
    )


def test_place_names_keep_their_inner_lowercase_words() -> None:
    s = "Tối 14/8, tại Trung tâm Thể thao dưới nước Hòa Xuân, thành phố Đà Nẵng, vận động viên phá kỷ lục."
    assert (
        _span("Vận động viên phá kỷ lục ở đâu?", s)
        == "Trung tâm Thể thao dưới nước Hòa Xuân, thành phố Đà Nẵng"
    )


def test_the_kind_of_place_asked_opens_the_answer_with_each_of_its_names() -> None:
    """`sông nào`: the rivers named, each after its kind; a road's code, a school's level and a
    foreign name's particles belong to the name."""
    s = "Từ ngày 17 – 19/6 sẽ có lũ trên sông Đà, sông Mã với biên độ 2 - 4m; lũ quét tại vùng núi phía Bắc."
    assert _span("lũ sẽ xuất hiện trên sông nào?", s) == "sông Đà, sông Mã"
    s = "Vào lúc 15 giờ ngày 4/7, trên đường ĐT.743 (đoạn qua phường Tân Bình), xe tải nổ lốp."
    assert _span("xe tải nổ lốp trên tuyến đường nào?", s) == "đường ĐT.743"
    s = "Lớp học hè được mở tại Trường Trung học cơ sở Nguyễn Du, quận 1, từ đầu tháng 7."
    assert _span("Lớp học hè được mở tại trường nào?", s) == "Trường Trung học cơ sở Nguyễn Du"
    s = "Trận chung kết diễn ra trên sân Estadio da Luz, Bồ Đào Nha, với 60.000 khán giả."
    assert _span("Trận chung kết đá trên sân nào?", s) == "sân Estadio da Luz"
    s = "Diễn đàn năm nay tại Giô-han-ne-xbơ (Nam Phi) đã tập trung tìm giải pháp tăng trưởng."
    assert _span("Diễn đàn năm nay tổ chức ở đâu?", s) == "Giô-han-ne-xbơ (Nam Phi)"
    s = "Trận đấu diễn ra tại Parc des Princes, thủ đô Paris, tối qua."
    assert _span("Trận đấu diễn ra ở đâu?", s) == "Parc des Princes"


def test_what_takes_the_object_of_the_questions_verb() -> None:
    s = "Ông Kim cho biết nhà máy sẽ sản xuất bảng mạch và mô-đun camera, với 70% sản phẩm xuất khẩu."
    assert (_span("Nhà máy sẽ sản xuất sản phẩm gì?", s) or "").startswith("bảng mạch và mô-đun camera")
    gift = "Dịp này, Bộ Y tế trao tặng Bệnh viện tỉnh 50.000 khẩu trang y tế và 2.000 bộ đồ bảo hộ."
    assert (
        _span("Bộ Y tế trao tặng Bệnh viện tỉnh những gì?", gift)
        == "50.000 khẩu trang y tế và 2.000 bộ đồ bảo hộ"
    )


def test_co_subjects_and_the_side_the_question_names() -> None:
    s = (
        "Chiều 24/11, Thượng tướng Lê Minh An, Thứ trưởng Bộ Quốc phòng Việt Nam, và ông Juan Reyes, "
        "Thứ trưởng Bộ Quốc phòng Philippines, đồng chủ trì đối thoại."
    )
    assert _span("Ai đồng chủ trì đối thoại?", s) == "Thượng tướng Lê Minh An và ông Juan Reyes"
    assert _span("Phía Philippines, ai đồng chủ trì đối thoại?", s) == "ông Juan Reyes"


def test_yes_no_needs_the_asked_predicate_in_the_sentence() -> None:
    s = "Do dịch bệnh, đối thoại được tổ chức theo hình thức trực tuyến, với điểm cầu tại Manila."
    assert _span("Đối thoại có được tổ chức trực tuyến không?", s) == "đối thoại được tổ chức theo hình thức trực tuyến"
    assert _span("Đối thoại có được tổ chức tại Hà Nội không?", s) is None
    # `chịu`, `còn`: how the question asks, not what the sentence must repeat
    s = "Tại phiên tòa, bị cáo Hòa không nhận tội, dù có đủ chứng cứ."
    assert _span("Bị cáo Hòa có chịu nhận tội không?", s) == "bị cáo Hòa không nhận tội"
    s = "Hai bảo tàng nổi tiếng là Louvre và Orsay đã phải đóng cửa."
    assert _span("Mưa lũ có khiến bảo tàng Louvre phải đóng cửa không?", s) is not None
    # a predicate word the article writes in full (`TW`: `Trung ương`)
    s = "Ngay sau đó, Hội đồng Đội Trung ương đã quyết định trao tặng bằng khen cho em."
    assert _span("Em có được Hội đồng Đội TW tặng bằng khen không?", s) == "Hội đồng Đội Trung ương đã quyết định trao tặng bằng khen cho em"
    # the clause that says it, where the verdict is read, not the sentence's opening
    s = "Thẳng thắn nhìn nhận kết quả hợp tác, ông Zeman tiếc khi đến nay vẫn chưa có đường bay thẳng giữa Hà Nội và Praha."
    assert _span("Hà Nội với Praha đã có đường bay thẳng chưa?", s) == (
        "ông Zeman tiếc khi đến nay vẫn chưa có đường bay thẳng giữa Hà Nội và Praha"
    )


def test_counts_keep_to_the_unit_asked_and_skip_years() -> None:
    s = "Đoàn gồm 3 tàu với hơn 900 sĩ quan, thủy thủ, lần đầu đến thăm kể từ năm 2018."
    assert _span("Đoàn chở theo bao nhiêu sĩ quan, thủy thủ?", s) == "hơn 900 sĩ quan"
    assert _span("Bệnh viện có bao nhiêu người?", "Bệnh viện được thành lập năm 2018.") is None
    assert _span("Bao nhiêu người thiệt mạng?", "Từ 2005 đến 2010 có 30 người thiệt mạng.") == "30 người"


def test_a_ratio_is_one_count_and_a_clock_time_none() -> None:
    s = "Tỷ lệ hoán đổi là 1:1,05 (1 cổ phiếu A đổi lấy 1,05 cổ phiếu B)."
    assert _span("Tỷ lệ hoán đổi cổ phiếu là bao nhiêu?", s) == "1:1,05"
    s = "Lúc 10:30, có 25 người được đưa đi cấp cứu."
    assert _span("Có bao nhiêu người được đưa đi cấp cứu?", s) == "25 người"


def test_money_asked_with_its_scale_is_counted_in_money() -> None:
    """`bao nhiêu triệu USD` counts dollars: `triệu` alone is no unit (`303 triệu cổ phiếu`), though a
    bare scale is money written short (`3.280 tỷ`)."""
    s = "Công ty sẽ niêm yết 303 triệu cổ phiếu và dự kiến thu về 150 triệu USD trong năm nay."
    assert _span("Công ty huy động được bao nhiêu triệu USD?", s) == "150 triệu USD"
    s = "Công ty sẽ niêm yết 303 triệu cổ phiếu, lãi năm ngoái 3.280 tỷ."
    assert _span("Công ty lãi bao nhiêu tỷ đồng?", s) == "3.280 tỷ"


def test_of_a_list_of_counts_the_one_the_question_describes() -> None:
    """The words before `bao nhiêu` point at the first count; what follows the count names which."""
    s = "Tỉnh sẽ vận động 100% doanh nghiệp, 100% trường học và 60% hộ dân lắp điện mặt trời mái nhà."
    assert _span("Tỉnh sẽ vận động bao nhiêu phần trăm hộ dân lắp điện mặt trời?", s) == "60%"
    assert _span("Tỉnh sẽ vận động bao nhiêu phần trăm doanh nghiệp?", s) == "100%"


def test_of_a_list_of_counts_the_one_whose_item_the_question_names() -> None:
    """A list of values names each one's item just before it; the words before `bao nhiêu`, where
    the sentence does not repeat them as a phrase, do not decide."""
    s = "Điểm chuẩn dự kiến: Đại học Hàng Hải khoảng 20 điểm, Đại học Thủy Lợi khoảng 18 – 19 điểm."
    assert _span("dh thuy loi diem chuan du kien khoang bao nhieu", s) == "khoảng 18 – 19 điểm"
    assert _span("dh hang hai diem chuan du kien khoang bao nhieu", s) == "khoảng 20 điểm"
    s = "Mức trần chung 150.000 đồng, riêng tại Hà Nội và TP HCM 200.000 đồng."
    assert _span("Mức trần ở Hà Nội và TP.HCM là bao nhiêu?", s) == "200.000 đồng"
    # one syllable of a name is not the name: `Hàn Quốc` does not name what `Trung Quốc` asks
    s = "Trung Quốc vẫn là thị trường lớn nhất với kim ngạch đạt 4,3 tỷ USD; Hàn Quốc đạt 2,5 tỷ USD, tăng 19%."
    assert _span("nhap khau tu trung quoc thang 1 dat bao nhieu ty usd", s) == "4,3 tỷ USD"
    # the words before `bao nhiêu` found as a phrase still point at their count
    s = "Tốc độ năm nay (22.392 km vuông mỗi năm) cao hơn 18% so với năm trước (19.018 km vuông)."
    assert _span("Tốc độ năm nay cao hơn bao nhiêu so với năm trước?", s) == "hơn 18%"


def test_a_count_keeps_the_unit_asked_the_tagger_did_not_read_as_a_noun() -> None:
    s = "Ngoài 3 bị cáo, tòa đã triệu tập 650 người, gồm 420 bị hại và 230 người liên quan."
    assert _span("Tòa triệu tập bao nhiêu bị hại?", s) == "420 bị hại"


def test_a_count_keeps_the_unit_asked_when_it_opens_a_name() -> None:
    """`12 Hiệp định thương mại tự do`: the unit is capitalised as the name's first word, and the
    count of the unit asked wins over another count of it written plainly."""
    s = "Việt Nam đã ký 12 Hiệp định thương mại tự do, và đang đàm phán 4 hiệp định khác."
    assert _span("Việt Nam đã ký được bao nhiêu hiệp định rồi?", s) == "12 Hiệp định"


def test_a_count_is_cut_as_the_article_writes_it() -> None:
    """Ranges, scaled amounts with their currency, rates and the word saying how exact it is."""
    cases = {
        ("Lượng mưa phổ biến bao nhiêu mm?", "Lượng mưa phổ biến ở mức 70 - 120 mm, có nơi trên 120 mm."): "70 - 120 mm",
        ("Điểm chuẩn dự kiến bao nhiêu?", "Điểm chuẩn dự kiến khoảng 18 – 19 điểm."): "khoảng 18 – 19 điểm",
        ("Vốn đăng ký là bao nhiêu?", "Số vốn đăng ký là 5,88 tỷ đô la Mỹ, đứng đầu danh sách."): "5,88 tỷ đô la Mỹ",
        ("Kim ngạch đạt bao nhiêu?", "Kim ngạch thương mại hai chiều đạt 7 tỷ USD, đầu tư tăng."): "7 tỷ USD",
        ("Thuê người gặt lúa mất bao nhiêu?", "Giá thuê người gặt lúa lên đến 300.000 đồng/ngày."): (
            "lên đến 300.000 đồng/ngày"
        ),
        ("Tâm bão cách đảo bao xa?", "Tâm bão cách đảo khoảng 440 km về phía đông."): "khoảng 440 km",
        # a squared or cubed unit is one unit, and the unit the question names picks the count
        ("Khu rừng rộng bao nhiêu dặm vuông?", "Khu rừng rộng 1.160.000 dặm vuông (3.000.000 km vuông)."): (
            "1.160.000 dặm vuông"
        ),
        ("Hồ chứa được bao nhiêu nước?", "Hồ chứa được 500 m khối nước."): "500 m khối",
        ("Có bao nhiêu km vuông rừng bị mất?", "Diện tích rừng bị mất đã tăng từ 415.000 đến 587.000 km vuông."): (
            "từ 415.000 đến 587.000 km vuông"
        ),
        ("Tiền thưởng là bao nhiêu?", "Huy chương được trao cùng số tiền thưởng là 5.500 đôla Canada."): "5.500 đôla Canada",
        ("Kenya xếp thứ mấy năm 2012?", "Năm 2012, quốc gia này xếp thứ 139 trên tổng số 176 quốc gia."): "thứ 139",
        ("Bao nhiêu phần trăm bé gái bỏ học?", "UNICEF ước tính có tới 30% bé gái ở khu vực này bỏ học."): "có tới 30%",
        ("Ông qua đời khi bao nhiêu tuổi?", "Ông qua đời ở tuổi 85, người con trai (50 tuổi) cho biết."): "tuổi 85",
        # a document's number with its code
        ("Chính phủ ban hành nghị định số mấy?", "Chính phủ ban hành Nghị định số 20/2017/NĐ-CP."): "số 20/2017/NĐ-CP",
        ("Bộ ra công điện số mấy?", "Bộ vừa có Công điện số 5360 CĐ/BCT-PCTT gửi các tỉnh."): "số 5360 CĐ/BCT-PCTT",
    }
    for (question, sentence), expected in cases.items():
        assert _span(question, sentence) == expected, question


def test_where_an_event_took_place_is_the_place_the_sentence_opens_with() -> None:
    s = (
        "Ngày 20/6/2024, tại Học viện Quân y, quận Hà Đông, TP Hà Nội, Bộ Quốc phòng tổ chức lễ xuất quân "
        "cho bệnh viện làm nhiệm vụ tại Phái bộ Liên hợp quốc ở Nam Sudan."
    )
    assert _span("Lễ xuất quân đi Nam Sudan diễn ra ở đâu?", s) == "Học viện Quân y, quận Hà Đông, TP Hà Nội"
    venue = "Tối 14/1, tại sân vận động Al Thumama ở Doha, đội tuyển thua 2-4."
    assert (_span("Trận đấu diễn ra ở đâu?", venue) or "").startswith("sân vận động Al Thumama")


def test_a_hyphenated_name_that_pyvi_splits_is_one_name() -> None:
    assert _span("Ai đã hội đàm với ông Tập Cận Bình?", "Tổng thống Moon Jae-in đã hội đàm với ông Tập Cận Bình.") == (
        "Tổng thống Moon Jae-in"
    )
    s = "Bà Choe Son-hui, người đứng đầu văn phòng ngoại giao Bắc Mỹ, được cho là đại diện của Triều Tiên."
    assert _span("Ai là người đại diện Triều Tiên?", s) == "Bà Choe Son-hui"


def test_a_who_question_no_rule_answers_gets_the_titled_name_nearest_its_words() -> None:
    s = (
        "Chiếc xe tải do anh Lê Văn Tâm điều khiển đã tông vào xe khách 29B-123.45 "
        "do tài xế Trần Minh Khoa (SN 1980, Nam Định) cầm lái theo hướng ngược lại."
    )
    assert named_near(analyze("Người cầm lái xe khách 29B-123.45 tên là gì?"), s) == "tài xế Trần Minh Khoa"
    assert named_near(analyze("Ai điều khiển chiếc xe tải?"), s) == "anh Lê Văn Tâm"


def test_the_nearest_name_is_never_one_the_question_gives_nor_a_place_or_a_verb() -> None:
    s = "Thủ tướng Trần Minh Khoa đã tiếp đoàn doanh nghiệp tại Hà Nội."
    assert named_near(analyze("Thủ tướng Khoa tiếp ai?"), s) is None  # the one asked about
    s = "Ngôi làng có tên Hòa Bình từ năm 1990, gần Cù lao Ông Hổ."
    assert named_near(analyze("Ai đặt tên cho ngôi làng?"), s) is None  # `có` is not `cô`; `Ông Hổ` a place
