"""The packages keep their order: a stage imports only the stages below it (and the settings and
errors at the top), so the pipeline reads from the tree."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

# What each stage may import, besides itself.
BELOW = {
    "lang": set(),
    "library": {"lang", "settings", "errors"},
    "answering": {"lang", "library", "settings", "errors"},
    "fitting": {"answering", "lang", "library", "settings", "errors"},
    "news": {"lang", "library", "settings", "errors"},
    "telegram": {"answering", "lang", "library", "news", "settings", "errors", "redact", "intake"},
}


def _imported(path: str) -> set[str]:
    """The first part under `bot.` of every module a file imports, at any depth of its code."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot"):
            parts = node.module.split(".")
            out |= {parts[1]} if len(parts) > 1 else {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[1] for a in node.names if a.name.startswith("bot.")}
    return out


@pytest.mark.parametrize("stage", sorted(BELOW))
def test_a_stage_imports_only_the_stages_below_it(stage: str) -> None:
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "bot" / stage).glob("*.py"))
    assert files
    wrong = {f: sorted(_imported(f) - BELOW[stage] - {stage}) for f in files}
    assert not {f: w for f, w in wrong.items() if w}


def test_a_stage_not_listed_here_is_a_new_package_to_place() -> None:
    packages = {p.name for p in (ROOT / "bot").iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(BELOW)


def test_no_module_past_the_parse_folds_or_tags_the_question_text() -> None:
    """`question.analyze` is the only reading of the question: its text is never folded,
    re-split into syllables or tagged again downstream."""
    reread = ("fold(q.text", "fold(question.text", "syllables(question.text", "syllables(q.text",
              "words(q.text", "words(question.text", "tag(q.text", "tag(question.text",
              "findall(r\"\\w+\", q.folded", "fold(q.head", "fold(question.head")
    for path in (ROOT / "bot" / "answering").glob("*.py"):
        if path.name == "question.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not [r for r in reread if r in text], path.name
