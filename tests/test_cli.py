"""The command-line contract: ask (one question, batch, JSON), sources, eval, errors, start-up cost."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

import bot
from bot import cli, intake
from bot.errors import ConfigError
from bot.fitting import evalsets
from bot.settings import load_settings
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
    assert rows[1] == {"question": "", "found": False, "answer": None, "citations": [], "error": intake.EMPTY}
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


@pytest.mark.parametrize("name", ["ADMIN_CHAT_IDS", "ALLOWED_CHAT_IDS"])
@pytest.mark.parametrize("value", ["1_000", "١٢٣", "１２３", "+5", "[1,2]", "12a", "1.0", "--5", "0x10"])
def test_chat_ids_are_plain_signed_integers_or_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, f"42,{value}")
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    message = str(caught.value)
    assert message.startswith(f"setting {name} is invalid: ") and "\n" not in message
    assert "is not a chat id" in message and "123,-456" in message


def test_chat_ids_may_be_spaced_and_separated_by_semicolons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_CHAT_IDS", " 901 ; -1001234567890,, 7 ")
    monkeypatch.setenv("ALLOWED_CHAT_IDS", "")
    settings = load_settings(_env_file=None)
    assert settings.admin_chat_ids == (901, -1001234567890, 7) and settings.allowed_chat_ids == ()


def test_the_pause_between_requests_to_a_host_must_fit_in_the_fetch_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FETCH_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("FETCH_HOST_DELAY_SECONDS", "5")
    with pytest.raises(ConfigError, match=r"^setting FETCH_HOST_DELAY_SECONDS is invalid: must be shorter than "
                                          r"FETCH_TIMEOUT_SECONDS \(5\)"):
        load_settings(_env_file=None)


def _process(tmp_path: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` as a user runs it: its own logging, a cache of its own, no LOG_LEVEL."""
    environ = {k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL", "ARTICLES_DIR", "SEEDS_DIR")}
    environ.update({"INDEX_CACHE_DIR": str(tmp_path / "cache"), "ARTICLES_DIR": str(tmp_path / "articles"), **env})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=environ, timeout=120, check=False)


def test_version_and_the_program_name_as_invoked(tmp_path: Path) -> None:
    done = _process(tmp_path, "--version")
    assert (done.returncode, done.stdout) == (0, f"python -m bot {bot.__version__}\n")
    assert _process(tmp_path, "--help").stdout.startswith("usage: python -m bot ")
    script = Path(sys.executable).with_name("vnnews-bot")
    if not script.exists():
        pytest.skip(f"the vnnews-bot script is not installed beside {sys.executable} (pip install -e .)")
    helped = subprocess.run([script, "--help"], capture_output=True, text=True, check=True, timeout=60)
    assert helped.stdout.startswith("usage: vnnews-bot ")


def test_a_bad_option_shows_its_own_commands_usage(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("ask", "feeds", "eval"):
        with pytest.raises(SystemExit) as exited:
            cli.main([command, "--bogus"])
        err = capsys.readouterr().err
        assert exited.value.code == 2
        assert err.startswith("usage: ") and f" {command} [-h]" in err.splitlines()[0]
        assert err.rstrip().endswith(f"{command}: error: unrecognized arguments: --bogus")


def test_ask_at_a_terminal_says_what_to_type_instead_of_waiting_silently(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    environ = {**os.environ, "INDEX_CACHE_DIR": str(tmp_path / "cache"), "ARTICLES_DIR": str(tmp_path / "articles")}
    process = subprocess.Popen([sys.executable, "-m", "bot", "ask"], stdin=terminal, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=ROOT, env=environ, text=True)
    os.close(terminal)
    try:
        os.write(controller, "Ai làm Trưởng đoàn phía Lào?\n".encode())
        os.write(controller, b"\x04")  # Ctrl-D at the start of a line: end of input
        out, err = process.communicate(timeout=120)
    finally:
        os.close(controller)
    assert process.returncode == 0 and err.startswith(cli.PROMPT)
    assert out.startswith("Trả lời: ") and "Chansamone Chanyalath" in out
    piped = _process(tmp_path, "ask", stdin="")  # not a terminal: no prompt, nothing asked
    assert (piped.returncode, piped.stdout, piped.stderr) == (0, "", "")


def test_an_empty_question_or_a_blank_batch_line_asks_for_a_question(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, _ = _run(monkeypatch, tmp_path, ["ask", "  "])
    assert code == 0 and out == intake.EMPTY + "\n\n"
    code, out, _ = _run(monkeypatch, tmp_path, ["ask"], "Ai làm Trưởng đoàn phía Lào?\n\n")
    answers = out.split("\n\n")
    assert answers[0].startswith("Trả lời: ") and answers[1] == intake.EMPTY


def test_warnings_only_by_default_and_v_for_more(tmp_path: Path) -> None:
    """A first `ask` on new articles used to print a timestamped INFO line."""
    quiet = _process(tmp_path, "ask", "Ai làm Trưởng đoàn phía Lào?")
    assert quiet.returncode == 0 and quiet.stderr == "" and "Chansamone" in quiet.stdout
    write_article(tmp_path / "articles", "moi.txt", "Tin mới\n\nHà Nội khai trương tuyến metro số 3.\n")
    verbose = _process(tmp_path, "ask", "-v", "Hà Nội khai trương tuyến metro số mấy?")
    assert " INFO bot.library.ingest: reading 1 of 3 article files" in verbose.stderr
    assert "DEBUG" not in verbose.stderr
    assert " DEBUG " in _process(tmp_path, "-vv", "sources").stderr


def test_a_file_given_for_a_folder_is_named_as_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    file = write_article(tmp_path, "bai.txt", "Tiêu đề\nThân bài.")
    code, _, err = _run(monkeypatch, tmp_path, ["ask", "x", "--articles", str(file)])
    assert code == 2 and err == f"error: {file} is a file, not a folder of articles: name the folder that holds it\n"
    code, _, err = _run(monkeypatch, tmp_path, ["add", "http://127.0.0.1:9/x", "--articles", str(file)])
    assert code == 2 and err.startswith(f"error: --articles {file} is a file, not a folder")
    monkeypatch.setenv("FEEDS", "http://127.0.0.1:9/rss")
    code, _, err = _run(monkeypatch, tmp_path, ["feeds", "--once", "--articles", str(file)])
    assert code == 2 and err.startswith(f"error: --articles {file} is a file, not a folder")
    monkeypatch.setenv("ARTICLES_DIR", str(file))
    code, _, err = _run(monkeypatch, tmp_path, ["feeds", "--once"])
    assert code == 2 and err.startswith(f"error: ARTICLES_DIR {file} is a file, not a folder")


def test_a_warning_names_its_file_once(tmp_path: Path) -> None:
    folder = tmp_path / "bai"
    write_article(folder, "tot.txt", "Tiêu đề\nNội dung bài báo.")
    (folder / "binary.txt").write_bytes(b"\x89PNG\x00\x00\x01")
    done = _process(tmp_path, "sources", "--articles", str(folder))
    assert done.returncode == 0
    assert done.stderr == f"warning: skipping article {folder / 'binary.txt'}: binary file, not text\n"


def test_eval_all_names_the_sets_it_skipped_and_why(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(evalsets, "SHARED_EVAL", tmp_path / "no-shared" / "eval")
    code, out, err = _run(monkeypatch, tmp_path, ["eval", "--sets", "all"])
    assert code == 0
    names = [row.split("|")[1].strip() for row in out.splitlines()[2:]]
    assert names == ["independent", "independent-2", "independent-3", "general"]
    skipped = err.splitlines()
    assert [line.split(":")[0] for line in skipped] == [
        "skipped dev", "skipped dev-articles-more", "skipped wiki-tune", "skipped wiki-held", "skipped the real-news sets"
    ]
    assert all("expected in ../shared beside the checkout" in line for line in skipped[:4])
    code, _, err = _run(monkeypatch, tmp_path, ["eval", "--sets", "dev"])
    assert code == 2 and err.startswith("error: question set dev is not here: ")
