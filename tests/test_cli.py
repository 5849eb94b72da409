"""The command-line contract: ask (one question, batch, JSON), sources, eval, errors, start-up cost."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli, intake
from tests.conftest import ROOT, SEEDS, write_article


def _run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, argv: list[str], stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setenv("INDEX_CACHE_DIR", str(tmp_path / "cache"))
    if "ARTICLES_DIR" not in os.environ:  # not a developer's data/articles
        monkeypatch.setenv("ARTICLES_DIR", str(tmp_path / "articles"))
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


def _ask_process(tmp_path: Path, *args: str | bytes, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "INDEX_CACHE_DIR": str(tmp_path / "cache"), "ARTICLES_DIR": str(tmp_path / "articles"),
           "MAX_QUESTION_CHARS": "100"}
    return subprocess.run([sys.executable, "-m", "bot", "ask", *args], input=stdin, capture_output=True,
                          cwd=ROOT, env=env, timeout=120, check=False)


def test_bad_bytes_and_overlong_lines_get_an_error_row_and_the_batch_goes_on(tmp_path: Path) -> None:
    lines = [
        "Ai làm Trưởng đoàn phía Lào?".encode(),
        b"Ai \xff\xfe k\xc3 \xed\xa0\x80 ?",  # invalid UTF-8 and an encoded lone surrogate
        ("Ai " + "rất " * 40 + "?").encode(),  # 165 characters, over MAX_QUESTION_CHARS=100
        "Hội đàm cấp cao Việt Nam - Lào diễn ra ở đâu?".encode(),
    ]
    done = _ask_process(tmp_path, "--json", stdin=b"\n".join(lines) + b"\n")
    assert done.returncode == 0, done.stderr.decode()
    rows = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert len(rows) == 4 and b"Traceback" not in done.stderr
    assert rows[0]["found"] and "Chansamone" in rows[0]["answer"]
    assert rows[1]["found"] is False and "không đọc được" in rows[1]["error"] and "\ufffd" in rows[1]["question"]
    assert rows[2]["found"] is False and "100 ký tự" in rows[2]["error"]
    assert rows[3]["found"] and "Lao Bảo" in rows[3]["answer"]


def test_a_bad_bytes_argument_is_one_error_line(tmp_path: Path) -> None:
    done = _ask_process(tmp_path, b"Ai \xff k\xfd?")
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    assert done.stdout.decode("utf-8").strip() == intake.UNREADABLE


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("TELEGRAM_API_BASE_URL", "abc", "must be an http(s) URL"),
        ("TELEGRAM_API_BASE_URL", "", "must be an http(s) URL"),
        ("TELEGRAM_BOT_TOKEN", "123456:AAE-key\nsecondline", "contains spaces, line breaks"),
        ("TELEGRAM_BOT_TOKEN", "123456:AAE key with spaces", "contains spaces, line breaks"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token-at-all", "does not look like a token"),
    ],
)
def test_bad_telegram_settings_stop_run_at_once_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:AAE-valid_key")
    monkeypatch.setenv(name, value)
    code, out, err = _run(monkeypatch, tmp_path, ["run"])
    assert code == 2 and out == ""
    [line] = err.splitlines()
    assert line.startswith(f"error: setting {name} is invalid: ") and says in line
    if name == "TELEGRAM_BOT_TOKEN":
        assert "AAE" not in err
