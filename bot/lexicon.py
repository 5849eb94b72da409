"""Word lists of Vietnamese news writing that answer extraction relies on.

General to the genre, not to any article: titles that precede names, words that open
organisation names, place and administrative-unit nouns, the heads of signed documents.
"""

from __future__ import annotations

from bot.lang import entries
from bot.normalize import fold

TITLE_WORDS = frozenset(
    fold(w).replace(" ", "_")
    for w in ["đại_tướng", "thượng_tướng", "trung_tướng", "thiếu_tướng", "đại_tá", "thượng_tá", "trung_tá", "thiếu_tá", "đô_đốc", "chuẩn_đô_đốc", "phó_đô_đốc", "bộ_trưởng", "thứ_trưởng", "thủ_tướng", "phó_thủ_tướng", "chủ_tịch", "phó_chủ_tịch", "tổng_thống", "phó_tổng_thống", "tổng_bí_thư", "bí_thư", "đại_sứ", "ông", "bà", "đồng_chí", "giáo_sư", "tiến_sĩ", "bác_sĩ", "thống_đốc", "thị_trưởng", "giám_đốc", "tổng_giám_đốc", "tư_lệnh", "trưởng_đoàn", "ngài", "phát_ngôn_viên", "huấn_luyện_viên", "hlv", "cầu_thủ", "tiền_đạo", "tiền_vệ", "hậu_vệ", "thủ_môn", "đội_trưởng", "ca_sĩ", "nhạc_sĩ", "nhà_văn", "nhà_thơ", "diễn_viên", "nghệ_sĩ", "đạo_diễn", "nhà_báo", "phóng_viên", "tổng_biên_tập", "hiệu_trưởng", "luật_sư", "kỹ_sư", "chuyên_gia", "nhà_sáng_lập", "chủ_nhiệm", "trưởng_ban", "trưởng_phòng", "chánh_văn_phòng", "thư_ký", "anh", "chị", "cụ", "thầy", "cô", "vận_động_viên", "võ_sĩ", "kỳ_thủ", "tài_xế", "lái_xe"]
)
# Proper nouns that name places, never people: they start many Np runs (`Campuchia Samdech …`).
PLACES = frozenset(
    fold(p)
    for p in ["Việt_Nam", "Lào", "Campuchia", "Thái_Lan", "Trung_Quốc", "Mỹ", "Hoa_Kỳ", "Nhật_Bản", "Hàn_Quốc", "Triều_Tiên", "Nga", "Pháp", "Đức", "Anh", "Úc", "Ấn_Độ", "Singapore", "Indonesia", "Malaysia", "Philippines", "Myanmar", "Brunei", "Đông_Timor", "ASEAN", "Liên_hợp_quốc", "EU", "Hà_Nội", "TP.HCM", "Đà_Nẵng", "Hải_Phòng", "Cần_Thơ", "Ukraine", "Israel", "Iran", "Canada", "Italy", "Tây_Ban_Nha", "Hà_Lan", "Bỉ", "Thụy_Điển", "Na_Uy", "Phần_Lan", "Đan_Mạch", "Ba_Lan", "Séc", "Hungary", "Cuba", "Brazil", "Argentina"]
)
# Words that open organisation names (`Bộ Quốc phòng`, `Tổng cục An ninh`), never people's.
ORG_WORDS = frozenset(
    fold(w)
    for w in ["bộ", "ban", "tổng_cục", "cục", "sở", "vụ", "viện", "quân_ủy", "quân_khu", "quân_đội", "chính_phủ", "quốc_hội", "đảng", "ủy_ban", "hội_đồng", "trung_ương", "bộ_chính_trị", "bộ_tư_lệnh", "bộ_đội", "đại_sứ_quán", "tòa_án", "công_ty", "tập_đoàn", "ngân_hàng", "trường", "học_viện", "binh_đoàn", "sư_đoàn", "hải_quân", "không_quân", "lục_quân", "cảnh_sát", "công_an", "quốc_phòng", "chính_trị", "hoàng_gia", "vương_quốc", "cộng_hòa", "liên_bang", "nhà_nước", "nhân_dân"]
)
PLACE_NOUNS = frozenset(
    fold(p)
    for p in ["thị_trấn", "thị_xã", "huyện", "tỉnh", "thành_phố", "tp", "xã", "phường", "quận", "thủ_đô", "trụ_sở", "cột_mốc", "cột", "mốc", "biên_giới", "khu", "vực", "làng", "bản", "ấp", "điểm", "cầu", "sân", "bay", "cảng", "cửa_khẩu", "trung_tâm", "hội_trường", "nhà", "khách", "đảo", "vùng", "nước", "quốc_gia", "khách_sạn", "bệnh_viện", "trường"]
)
UNIT_NOUNS = frozenset(fold(p) for p in ["thị_trấn", "thị_xã", "huyện", "tỉnh", "thành_phố", "tp", "xã", "phường", "quận"])
DOCUMENT_HEADS = (
    "nghị định thư",
    "kế hoạch",
    "thỏa thuận",
    "hiệp định",
    "biên bản ghi nhớ",
    "bản ghi nhớ",
    "tuyên bố",
    "chương trình",
    "hợp đồng",
    "công hàm",
    "hiệp ước",
    "quy chế",
    "ý định thư",
    "văn kiện",
    "thư",
    "nghị quyết",
    "quyết định",
    "bản cam kết",
    "khung",
    "công ước",
)
ORDINALS = r"\d+|nhất|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười(?:\s+\w+)?"
PREPOSITIONS = ("tới", "với", "cho", "giữa", "của", "bởi", "từ", "đến", "trước")

AUXILIARIES = frozenset(["da", "se", "vua", "dang", "cung", "moi", "tung", "co"])

# Words news and readers use for the same thing (`chết` / `tử vong`), and the abbreviations
# people type with what articles write in full (`VN` / `Việt Nam`): a question word counts as
# present when the article says any word of its group.
SYNONYM_GROUPS = tuple(
    tuple(w.strip() for w in line.split(",")) for line in entries("synonyms")
) + tuple(
    (short.strip().lower(), long.strip().lower())
    for short, _, long in (line.partition("=") for line in entries("abbreviations"))
)
SYNONYMS = {word: tuple(w for w in group if w != word) for group in SYNONYM_GROUPS for word in group}
FOLDED_SYNONYMS = {fold(word): tuple(fold(w) for w in others) for word, others in SYNONYMS.items()}
