"""The persisted index: keyed, atomic, verified; the knowledge base uses it and reloads from it."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from bot.errors import EmptyCorpusError
from bot.lang.tokenize import Analysis, tokenize_many
from bot.library import ingest, knowledge
from bot.library.knowledge import KnowledgeBase
from bot.library.store import FORMAT_VERSION, MANIFEST, IndexStore, cache_key
from bot.settings import Settings
from bot.telegram.handlers import Services, refresh
from tests.conftest import SEEDS, TESTS_DATA


def write_files(directory: Path) -> None:
    (directory / "a.npy").write_bytes(b"alpha" * 100)
    (directory / "b.json").write_text('{"x": 1}', encoding="utf-8")


def test_cache_key_depends_on_every_part_and_their_order() -> None:
    key = cache_key(["k1=1.5", "doc-a", "doc-b"])
    assert key == cache_key(["k1=1.5", "doc-a", "doc-b"])
    assert len({key, cache_key(["k1=1.2", "doc-a", "doc-b"]), cache_key(["k1=1.5", "doc-b", "doc-a"])}) == 3


def test_save_then_open_returns_the_verified_entry(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "cache")
    entry = store.save("k1", write_files, {"note": "hi"})
    assert store.open("k1") == entry
    assert (entry / "a.npy").read_bytes() == b"alpha" * 100
    assert store.manifest(entry)["meta"] == {"note": "hi"}
    assert store.open("other") is None
    assert [p.name for p in store.root.iterdir()] == ["k1"]  # no temporary directory left


@pytest.mark.parametrize(
    "damage",
    [
        lambda e: (e / "a.npy").write_bytes(b"alphA" + b"alpha" * 99),  # same size, one byte flipped
        lambda e: (e / "a.npy").write_bytes(b"alpha"),  # truncated
        lambda e: (e / "b.json").unlink(),
        lambda e: (e / MANIFEST).write_text("{not json", encoding="utf-8"),
    ],
)
def test_a_damaged_entry_is_a_miss_and_is_removed(tmp_path: Path, damage) -> None:
    store = IndexStore(tmp_path)
    entry = store.save("k1", write_files)
    damage(entry)
    assert store.open("k1") is None
    assert not entry.exists()


def test_an_entry_under_the_wrong_key_is_not_trusted(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    entry = store.save("k1", write_files)
    entry.rename(tmp_path / "k2")
    assert store.open("k2") is None


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)

    def failing(directory: Path) -> None:
        write_files(directory)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.save("k1", failing)
    assert list(tmp_path.iterdir()) == []


def test_save_keeps_only_the_newest_entries(tmp_path: Path) -> None:
    store = IndexStore(tmp_path, keep=2)
    for key in ("k1", "k2", "k3"):
        store.save(key, write_files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k2", "k3"]
    assert store.latest() == tmp_path / "k3"


class CountingTokenizer:
    """str.split (and no words) that remembers how many texts it analysed."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str) -> Analysis:
        self.calls += 1
        return Analysis(text.lower().split(), ())


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    return folder


NEW_ARTICLE = (
    "Tiêu đề mới\n\nĐội tuyển bóng đá giành huy chương vàng tại Hà Nội. Người hâm mộ ăn mừng suốt đêm.\n"
)


def test_second_build_loads_the_cache_without_tokenizing(
    settings: Settings, articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_tok, second_tok = CountingTokenizer(), CountingTokenizer()
    first = KnowledgeBase.build(settings, [articles], first_tok)
    monkeypatch.setattr(ingest, "_parse", None)  # a restart reads no article file, let alone chunks one
    monkeypatch.setattr(knowledge, "_file_digest", None)
    second = KnowledgeBase.build(settings, [articles], second_tok)
    assert first_tok.calls == len(first.sentences) > 0
    assert second_tok.calls == 0
    query = ["hợp", "tác", "quốc", "phòng"]
    assert np.array_equal(second.index.get_scores(query), first.index.get_scores(query))


def _entries(settings: Settings) -> list[Path]:
    """The cache's entries, not its hidden build locks and journals."""
    return IndexStore(settings.index_cache_dir).entries()


def test_a_changed_setting_or_corrupt_cache_rebuilds(settings: Settings, articles: Path) -> None:
    KnowledgeBase.build(settings, [articles], CountingTokenizer())
    [entry] = _entries(settings)
    (entry / "postings_weight.npy").write_bytes(b"\x93NUMPY garbage")
    tok = CountingTokenizer()
    kb = KnowledgeBase.build(settings, [articles], tok)
    assert tok.calls > 0 and kb.index.top_k(["hợp", "tác"], 3)
    other = settings.model_copy(update={"bm25_k1": 1.2})
    tok = CountingTokenizer()
    KnowledgeBase.build(other, [articles], tok)
    assert tok.calls == 0  # tokens reused from the newest entry, index rebuilt for the new k1
    assert len(_entries(settings)) == 2


def test_refreshed_picks_up_a_new_article_tokenizing_only_it(settings: Settings, articles: Path) -> None:
    tok = CountingTokenizer()
    kb = KnowledgeBase.build(settings, [articles], tok)
    assert kb.refreshed() is None
    (articles / "000_476baa55c1d77fce.txt").touch()  # touched, not changed
    assert kb.refreshed() is None
    before = tok.calls
    (articles / "900_new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    new = kb.refreshed()
    assert new is not None and "900_new" in new.articles
    assert tok.calls - before == len(new.article_sentences("900_new")) == 2
    hits = new.search(["huy", "chương", "vàng"], 1)
    assert new.sentences[hits[0].index].article_id == "900_new"
    elsewhere = settings.model_copy(update={"index_cache_dir": articles.parent / "c2"})
    fresh = KnowledgeBase.build(elsewhere, [articles], tok)
    query = ["hà", "nội", "hợp", "tác"]
    np.testing.assert_allclose(new.index.get_scores(query), fresh.index.get_scores(query), rtol=0, atol=0)


def test_refreshed_after_removal_and_when_nothing_is_left(settings: Settings, articles: Path) -> None:
    kb = KnowledgeBase.build(settings, [articles], CountingTokenizer())
    (articles / "003_c0e68c6c8b24d8e4.txt").unlink()
    smaller = kb.refreshed()
    assert smaller is not None and list(smaller.articles) == ["000_476baa55c1d77fce"]
    (articles / "000_476baa55c1d77fce.txt").unlink()
    with pytest.raises(EmptyCorpusError):
        smaller.refreshed()


def test_tokenize_many_over_processes_equals_one_process() -> None:
    texts = [f"câu số {i} nói về hợp tác" for i in range(300)]
    assert tokenize_many(texts, str.split, workers=2, min_parallel=10) == [t.split() for t in texts]
    assert tokenize_many([], str.split) == []


def test_index_cache_manifest_names_the_tokenizer_and_articles(settings: Settings, articles: Path) -> None:
    kb = KnowledgeBase.build(settings, [articles], CountingTokenizer())
    [entry] = _entries(settings)
    meta = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))["meta"]
    assert meta["analyzer"].split("@")[0].endswith("CountingTokenizer")
    assert (meta["articles"], meta["sentences"]) == (len(kb.articles), len(kb.sentences))


@pytest.mark.parametrize("manifest", ["null", "[]", "5", '"text"', '{"key": 5}'])
def test_a_manifest_that_is_json_but_not_an_object_is_damage(
    settings: Settings, articles: Path, manifest: str
) -> None:
    KnowledgeBase.build(settings, [articles], CountingTokenizer())
    [entry] = _entries(settings)
    (entry / MANIFEST).write_text(manifest, encoding="utf-8")
    tok = CountingTokenizer()
    kb = KnowledgeBase.build(settings, [articles], tok)
    assert tok.calls == len(kb.sentences) > 0  # rebuilt from the articles
    assert json.loads((kb.entry / MANIFEST).read_text(encoding="utf-8"))["format"] == FORMAT_VERSION


def test_files_vanishing_while_the_folder_is_read_are_skipped(
    settings: Settings, articles: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    (articles / "gone.txt").symlink_to(articles / "deleted.txt")
    (articles / "loop.txt").symlink_to(articles / "loop.txt")
    doomed = articles / "900_new.txt"
    doomed.write_text(NEW_ARTICLE, encoding="utf-8")
    scan = knowledge.article_files

    def scan_then_delete(*args, **kwargs):  # the file is listed, then deleted before it is read
        files = scan(*args, **kwargs)
        doomed.unlink(missing_ok=True)
        return files

    monkeypatch.setattr(knowledge, "article_files", scan_then_delete)
    with caplog.at_level(logging.WARNING):
        kb = KnowledgeBase.build(settings, [articles], CountingTokenizer())
    assert sorted(kb.articles) == ["000_476baa55c1d77fce", "003_c0e68c6c8b24d8e4"]
    for name in ("gone.txt", "loop.txt", "900_new.txt"):
        assert name in caplog.text


def test_the_bot_refresher_logs_a_failed_refresh_and_keeps_going(
    settings: Settings, articles: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    kb = KnowledgeBase.build(settings, [articles], CountingTokenizer())
    app = SimpleNamespace(bot_data={"services": Services.build(settings, kb)})
    (articles / "gone.txt").symlink_to(articles / "deleted.txt")  # appears after the start
    assert asyncio.run(refresh(app)) is False
    monkeypatch.setattr(KnowledgeBase, "refreshed", lambda self: (_ for _ in ()).throw(OSError("disk gone")))
    with caplog.at_level(logging.ERROR):
        assert asyncio.run(refresh(app)) is False
    assert "could not refresh the articles" in caplog.text
    monkeypatch.undo()
    (articles / "900_new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    assert asyncio.run(refresh(app)) is True
    assert "900_new" in app.bot_data["services"].kb.articles


def test_analysis_over_worker_processes_gives_the_same_entry(
    tmp_path: Path, articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small batches over a process pool (sentences of one article spread over workers) store
    exactly what one process stores."""
    for path in (TESTS_DATA / "general" / "articles").glob("*.txt"):
        shutil.copy(path, articles / path.name)
    built = []
    for parallel in (False, True):
        if parallel:
            monkeypatch.setattr(ingest, "_MIN_PARALLEL_BYTES", 0)
            monkeypatch.setattr(ingest, "_BATCH_CHARS", 400)
        settings = Settings(_env_file=None, index_cache_dir=tmp_path / f"cache-{parallel}")
        built.append(KnowledgeBase.build(settings, [articles]))
    one, many = built
    assert len(one.sentences) > 40 and one.fingerprint == many.fingerprint
    for name in ("word_span.bin", "word_pos.bin", "word_ptr.bin", "doc_terms.npy", "postings_weight.npy"):
        assert (one.entry / name).read_bytes() == (many.entry / name).read_bytes(), name
    assert [one.words(i) for i in range(len(one.sentences))] == [
        many.words(i) for i in range(len(many.sentences))
    ]


def test_an_incremental_rebuild_stores_what_a_fresh_build_stores(settings: Settings, articles: Path) -> None:
    """Words, tags, bodies and weights of a refreshed entry (one article removed, one added)
    equal those of an entry built from nothing."""
    kb = KnowledgeBase.build(settings, [articles])
    (articles / "003_c0e68c6c8b24d8e4.txt").unlink()
    (articles / "900_new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    new = kb.refreshed()
    assert new is not None
    fresh = KnowledgeBase.build(
        settings.model_copy(update={"index_cache_dir": articles.parent / "c2"}), [articles]
    )
    for name in (
        "tags.json",
        "word_span.bin",
        "word_pos.bin",
        "bodies.bin",
        "postings_weight.npy",
    ):
        assert (new.entry / name).read_bytes() == (fresh.entry / name).read_bytes(), name


def test_a_file_damaged_after_it_was_verified_is_still_caught(tmp_path: Path) -> None:
    """Opens trust files by their recorded stats; a write after the record changes them, or
    falls in the same clock tick as the record and is hashed again."""
    store = IndexStore(tmp_path)
    entry = store.save("k1", write_files)
    assert store.open("k1") == entry
    (entry / "a.npy").write_bytes(b"alphA" + b"alpha" * 99)  # same size
    assert store.open("k1") is None


def test_matching_forms_stored_at_ingestion_are_the_ones_evidence_matched_against(
    tmp_path: Path,
) -> None:
    """The canonical and folded words of title, body and dateline, and of each sentence, as
    `Coverage` computed them per question before they were stored."""
    from bot.answering.coverage import Coverage, _padded
    from bot.lang.normalize import canonical, fold

    folders = [SEEDS, *TESTS_DATA.glob("*/articles")]
    settings = Settings(_env_file=None, index_cache_dir=tmp_path / "cache")
    kb = KnowledgeBase.build(settings, folders)
    evidence = Coverage(kb)
    for article in kb.articles.values():
        when = article.published_date
        dateline = f"\nnăm {when.year} {when.day}/{when.month}/{when.year}" if when else ""
        text = article.title + "\n" + article.body + dateline
        assert evidence._article_forms(article.id) == (_padded(canonical(text)), _padded(fold(text)))
    for i, sentence in enumerate(kb.sentences):
        forms = evidence._sentences(i)
        if _padded(sentence.text).strip():
            assert forms == (_padded(canonical(sentence.text)), _padded(fold(sentence.text)))
        else:  # no word at all: nothing to match
            assert forms == (" ", " ")


def test_an_entry_made_by_other_parsing_code_is_not_used(
    settings: Settings, articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change to the parser, splitter or tokenizer changes what a file yields while the file
    stays the same: such an entry is neither opened nor copied from."""
    KnowledgeBase.build(settings, [articles], CountingTokenizer())
    monkeypatch.setattr(knowledge, "_code_version", lambda: "another-version")
    tok = CountingTokenizer()
    kb = KnowledgeBase.build(settings, [articles], tok)
    assert tok.calls == len(kb.sentences) > 0
