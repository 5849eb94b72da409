"""Pick the real-news articles the question writers worked on (run once; kept to show how).

Articles come from github:magizbox/scraper `vn_news/data` (fetched, never committed). The
pick is deterministic: for each topic, the articles whose title holds one of its words,
of readable length, left out the reserved list, ordered by a hash of the file name.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pathlib

TOPICS = {
    "diplomacy-defence": ["hội đàm", "ký kết", "quốc phòng", "hợp tác", "Thủ tướng"],
    "government": ["Chính phủ", "UBND", "Bộ trưởng", "Quốc hội", "bổ nhiệm"],
    "business": ["mua lại", "cổ phần", "doanh nghiệp", "ký hợp đồng", "sáp nhập"],
    "economy": ["GDP", "xuất khẩu", "tăng trưởng", "lạm phát", "giá xăng"],
    "accidents": ["tai nạn", "xe khách", "va chạm", "cháy", "lật"],
    "disasters": ["bão", "lũ", "động đất", "sạt lở", "mưa lớn"],
    "sport": ["bóng đá", "HLV", "V-League", "vô địch", "tuyển"],
    "health": ["bệnh viện", "dịch", "sốt xuất huyết", "ngộ độc", "Bộ Y tế"],
    "education": ["học sinh", "thi THPT", "giáo viên", "đại học", "tuyển sinh"],
    "courts": ["xét xử", "tuyên án", "TAND", "bị cáo", "phạt tù"],
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", type=pathlib.Path, help="the mirror's vn_news/data folder")
    ap.add_argument("--reserved", type=pathlib.Path, required=True)
    ap.add_argument("--per-topic", type=int, default=7)
    ap.add_argument(
        "--besides",
        type=pathlib.Path,
        action="append",
        default=[],
        help="a question set whose articles are taken",
    )
    a = ap.parse_args()
    reserved = {
        ln.strip() for ln in a.reserved.read_text(encoding="utf-8").splitlines() if ln.strip()[:1].isdigit()
    }
    reserved |= {
        json.loads(ln)["article"] for q in a.besides for ln in q.read_text(encoding="utf-8").splitlines()
    }
    files = sorted(a.data.glob("*.txt"), key=lambda p: hashlib.sha1(p.name.encode()).hexdigest())
    taken: set[str] = set()
    for topic, words in TOPICS.items():
        n = 0
        for p in files:
            if p.name in reserved or p.name in taken:
                continue
            text = p.read_text(encoding="utf-8", errors="replace")
            title = text.split("\n", 1)[0]
            if not any(w.lower() in title.lower() for w in words) or not 1800 <= len(text) <= 6000:
                continue
            taken.add(p.name)
            print(f"{topic}\t{p.name}\t{title}")
            n += 1
            if n == a.per_topic:
                break


if __name__ == "__main__":
    main()
