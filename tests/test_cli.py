"""The command-line contract: ask (one question, batch, JSON), sources, eval, errors, start-up cost."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from tests.conftest import ROOT, SEEDS, write_article


def _run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, argv: list[str], stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setenv("INDEX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(ROOT)
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def test_ask_prints_answer_quote_and_citation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out, _ = _run(monkeypatch, tmp_path, ["ask", "Hội đàm cấp cao Việt Nam - Lào diễn ra ở đâu?"])
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) <= 8
    assert lines[0] == "Trả lời: thị trấn Lao Bảo, huyện Hướng Hóa, tỉnh Quảng Trị"
    assert lines[1].startswith("“Ngày 12/12, tại thị trấn Lao Bảo")
    assert lines[2] == "— Việt Nam - Lào tăng cường hợp tác về quốc phòng, 13/12/2021"


def test_batch_json_gives_one_object_per_input_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    questions = "Ai làm Trưởng đoàn phía Lào?\n\nGiá vàng hôm nay là bao nhiêu?\n"
    code, out, _ = _run(monkeypatch, tmp_path, ["ask", "--json", "--articles", str(SEEDS)], questions)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 3
    assert rows[0]["found"] and "Chansamone Chanyalath" in rows[0]["answer"]
    assert rows[0]["citations"][0]["published"] == "2021-12-13"
    assert rows[1] == {"question": "", "found": False, "answer": None, "citations": []}
    assert rows[2]["found"] is False


def test_sources_lists_articles(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out, _ = _run(monkeypatch, tmp_path, ["sources"])
    rows = out.strip().splitlines()
    assert code == 0 and len(rows) == 2
    # the newest first; the undated article last
    assert "13/12/2021\t16 câu\tViệt Nam - Lào tăng cường hợp tác về quốc phòng" in rows[0]
    assert rows[1].split("\t")[1] == "—"


def test_eval_prints_metrics(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    qfile = tmp_path / "q.jsonl"
    qfile.write_text(
        json.dumps(
            {
                "question": "Ai làm Trưởng đoàn phía Lào?",
                "answerable": True,
                "sentences": ["Về phía nước bạn Lào có"],
                "answers": ["Chansamone"],
            },
            ensure_ascii=False,
        )
        + "\n"
        + json.dumps({"question": "Giá vàng hôm nay?", "answerable": False}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    code, out, _ = _run(monkeypatch, tmp_path, ["eval", str(qfile)])
    metrics = json.loads(out.strip().splitlines()[-1])
    assert code == 0
    assert metrics["hit@1"] == 1.0 and metrics["short_answer_acc"] == 1.0 and metrics["abstain_acc"] == 1.0


def test_errors_are_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, _, err = _run(monkeypatch, tmp_path, ["ask", "x", "--articles", str(tmp_path / "nope")])
    assert code == 2 and err.count("\n") == 1 and "does not exist" in err
    monkeypatch.setenv("BM25_K1", "abc")
    code, _, err = _run(monkeypatch, tmp_path, ["sources"])
    assert (
        code == 2
        and err.strip()
        == "error: setting BM25_K1 is invalid: Input should be a valid number, unable to parse string as a number"
    )


def test_folder_with_only_bad_files_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    write_article(folder, "a.txt", "")
    code, _, err = _run(monkeypatch, tmp_path, ["sources", "--articles", str(folder)])
    assert code == 2 and "no usable article" in err


def test_help_imports_nothing_heavy() -> None:
    probe = (
        "import sys\n"
        "from bot import cli\n"
        "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pyvi', 'numpy', 'rank_bm25', 'telegram') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout
    assert "HEAVY []" in out
