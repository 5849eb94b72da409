"""Quality floor: the dev set through the answering core must not score below what was reached.

Raise FLOOR when the figures improve; never lower it to make a change pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer import Answerer
from bot.evaluate import evaluate, load_questions
from bot.knowledge import KnowledgeBase
from bot.settings import Settings
from tests.conftest import SEEDS, SHARED_EVAL

FLOOR = {"hit@1": 1.0, "short_answer_acc": 0.96, "strict_date_acc": 1.0, "abstain_acc": 1.0}


@pytest.mark.skipif(not (SHARED_EVAL / "dev-questions.jsonl").exists(), reason="../shared/eval is not beside the repo")
def test_dev_set_does_not_drop_below_the_floor(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, index_cache_dir=tmp_path / "cache")
    kb = KnowledgeBase.build(settings, [SEEDS, SHARED_EVAL / "articles"])
    report = evaluate(Answerer(kb, settings), load_questions(SHARED_EVAL / "dev-questions.jsonl"))
    below = {k: (report.metrics[k], floor) for k, floor in FLOOR.items() if report.metrics[k] < floor}
    assert not below, f"dev-set figures fell below the floor: {below}\n" + "\n".join(report.rows)
