"""The searchable library: articles, their sentences and tagged words, and the BM25 index.

Built once at start-up and shared (read-only) by every question, whether it comes from the
command line or from Telegram. Everything comes memory-mapped from one cache entry (see
`bot/library/ingest.py`): opening it reads no article file and builds no per-sentence object;
a sentence, its words or an article are made when asked for.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import overload

import numpy as np

from bot.lang import segmenter, tokenize
from bot.lang.normalize import fold
from bot.lang.tokenize import TOKENIZER_VERSION, Analyzer, Word, analyze, tag
from bot.library import chunking, corpus, embed, ingest, nearest
from bot.library.chunking import Sentence
from bot.library.corpus import Article, ArticleFile, article_files
from bot.library.index import BM25Index
from bot.library.ingest import TAGS, Old, Plan, Record, build, digest, load_raw
from bot.library.store import IndexStore, cache_key
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    """A retrieved sentence with its BM25 score."""

    index: int
    score: float


Stamp = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class _Origin:
    """How a knowledge base was made, so `refreshed` can tell whether the files changed."""

    settings: Settings
    analyzer: Analyzer
    stamp: Stamp  # (path, size, mtime) of every article file when it was built
    key: str  # the cache key: analyzer, BM25 settings, every file's path and content digest


class KnowledgeBase:
    """Articles + sentences + words + index, from one cache entry; sentence `i` of the index is
    `sentences[i]`."""

    def __init__(
        self,
        entry: Path,
        index: BM25Index,
        directories: Sequence[Path],
        origin: _Origin | None = None,
        records: list[Record] | None = None,
    ) -> None:
        self.entry = entry
        self.index = index
        self.directories = tuple(directories)
        self._origin = origin
        # Plain views of the memory maps: indexing them is several times faster.
        self._raw = {name: np.asarray(array) for name, array in load_raw(entry).items()}
        self._records = Record.load(entry) if records is None else records
        self._tags: list[str] = json.loads((entry / TAGS).read_text(encoding="utf-8"))
        self._sent_ptr = np.concatenate(
            ([0], np.cumsum([r.sentences for r in self._records], dtype=np.int64))
        )
        self._table = _Articles(self._records, self._raw)
        self.articles: Mapping[str, Article] = self._table
        self.sentences: Sequence[Sentence] = _Sentences(self._records, self._raw, self._sent_ptr)
        self.words = lru_cache(maxsize=8192)(self._words)
        self._vectors = self._raw["sent_vec"], self._raw["sent_scale"]
        self._spreads = self._raw["sent_spread"]
        self._title_vectors = self._raw["title_vec"], self._raw["title_scale"]
        self.encoder = (
            embed.shared_encoder(origin.settings.e5_threads, origin.settings.e5_weights)
            if origin else embed.shared_encoder()
        )

    @property
    def built(self) -> dict[str, float]:
        """How the entry was made: seconds and sentences of each pass (`ingest.build`); {} when the
        entry did not record it."""
        try:
            meta = IndexStore.manifest(self.entry).get("meta", {})
        except (OSError, ValueError, TypeError):
            return {}
        took = meta.get("built") if isinstance(meta, dict) else None
        return took if isinstance(took, dict) else {}

    @property
    def fingerprint(self) -> str:
        """Names this corpus state (the cache key), e.g. to tell buttons of an older index apart."""
        return self._origin.key if self._origin else self.entry.name

    @classmethod
    def build(
        cls,
        settings: Settings,
        directories: Sequence[Path] = (),
        analyzer: Analyzer = analyze,
    ) -> KnowledgeBase:
        """The knowledge base of every article in `directories` (default `settings.answer_folders()`).

        It comes from the cache in INDEX_CACHE_DIR when one matches the files and settings;
        otherwise it is built, analysing only the files the newest cache entry lacks.
        """
        directories = tuple(directories) or settings.answer_folders()
        return _assemble(settings, analyzer, directories, article_files(directories))

    def refreshed(self) -> KnowledgeBase | None:
        """A new knowledge base if the article files changed since this one was built, else None.

        Cheap when nothing changed (one stat per file). Unchanged articles are copied, so only
        new or edited ones are analysed. Raises EmptyCorpusError when no usable article is left;
        the caller then keeps serving this one.
        """
        origin = self._origin
        if origin is None:
            return None  # built by hand (tests)
        files = article_files(self.directories, warn=False)
        if _stamp(files) == origin.stamp:
            return None
        kb = _assemble(origin.settings, origin.analyzer, self.directories, article_files(self.directories))
        if kb._origin is not None and kb._origin.key == origin.key:
            self._origin = kb._origin  # touched, not changed: remember the new stamp
            return None
        return kb

    def search(self, terms: Sequence[str], k: int) -> list[Hit]:
        return [Hit(i, score) for i, score in self.index.top_k(terms, k)]

    def scores(self, terms: Sequence[str], indices: Sequence[int]) -> dict[int, float]:
        """BM25 scores of the given sentences only."""
        docs = np.array(sorted(set(indices)), dtype=np.int64)
        return (
            dict(zip(docs.tolist(), self.index.scores_of(terms, docs).tolist(), strict=True))
            if len(docs)
            else {}
        )

    def similar(self, query: np.ndarray, k: int) -> list[Hit]:
        """The `k` sentences whose e5 vectors are closest to the question's, best first: exact
        cosines over every stored vector (`nearest.top_k`)."""
        if not len(self.sentences):
            return []
        rows, cos = nearest.top_k(*self._vectors, self._spreads, query, k, self.encoder.threads)
        return [Hit(int(i), float(c)) for i, c in zip(rows, cos, strict=True)]

    def cosines(self, query: np.ndarray, indices: Sequence[int]) -> np.ndarray:
        """The question's cosine with the given sentences."""
        codes, scales = self._vectors
        ids = np.asarray(indices, np.int64)
        return (codes[ids].astype(np.float32) @ query) * scales[ids] if len(ids) else np.zeros(0, np.float32)

    def vectors_of(self, indices: Sequence[int]) -> np.ndarray:
        """The given sentences' vectors, (len, DIM) float32."""
        codes, scales = self._vectors
        ids = np.asarray(indices, np.int64)
        return codes[ids].astype(np.float32) * scales[ids, None]

    def title_cosine(self, query: np.ndarray, article_id: str) -> float:
        """The question's cosine with an article's title."""
        n = self._table.number(article_id)
        if n is None:
            raise KeyError(article_id)
        codes, scales = self._title_vectors
        return float((codes[n].astype(np.float32) @ query) * scales[n])

    @cached_property
    def accents(self) -> dict[str, str]:
        """Folded syllable → its most frequent accented spelling in these articles (to give a
        question typed without accents its accents back, `bot.lang.restore`); made on first use."""
        best: dict[str, tuple[float, str]] = {}
        for term in self.index.encoded().terms:
            if term.startswith(tokenize.FOLDED) or "_" in term or not term.isalpha():
                continue
            folded, idf = fold(term), self.index.idf(term)
            if folded != term and (folded not in best or idf < best[folded][0]):
                best[folded] = (idf, term)
        return {folded: term for folded, (_, term) in best.items()}

    def article_of(self, sentence_index: int) -> Article:
        return self.articles[self.sentences[sentence_index].article_id]

    def article_sentences(self, article_id: str) -> list[int]:
        """Indexes of an article's sentences, in reading order."""
        n = self._table.number(article_id)
        return [] if n is None else list(range(int(self._sent_ptr[n]), int(self._sent_ptr[n + 1])))

    def neighbours(self, sentence_index: int, window: int = 1) -> list[Sentence]:
        """The sentence with up to `window` sentences of the same article on each side."""
        sentence = self.sentences[sentence_index]
        ids = self.article_sentences(sentence.article_id)
        lo = max(0, sentence.position - window)
        return [self.sentences[i] for i in ids[lo : sentence.position + window + 1]]

    def _words(self, sentence_index: int) -> tuple[Word, ...]:
        """The sentence's pyvi words with POS tags, as ingestion stored them (no pyvi here)."""
        raw = self._raw
        text = self.sentences[sentence_index].text
        w0, w1 = int(raw["word_ptr"][sentence_index]), int(raw["word_ptr"][sentence_index + 1])
        spans = raw["word_span"][w0:w1].tolist()
        tags = raw["word_pos"][w0:w1].tolist()
        return tuple(
            Word(text[s:e].replace("\n", " "), s, e, self._tags[t]) for (s, e), t in zip(spans, tags)
        )

    def article_forms(self, article_id: str) -> tuple[str, str]:
        """The article's title and body as the answerer matches them, stored at ingestion:
        canonical and folded words, space-padded (`ingest.matching_forms`)."""
        n = self._table.number(article_id)
        if n is None:
            raise KeyError(article_id)
        f0, f1, f2 = self._raw["forms_ptr"][2 * n : 2 * n + 3].tolist()
        forms = self._raw["forms"]
        return _text(forms[f0:f1]), _text(forms[f1:f2])

    def form_spans(self, sentence_index: int) -> tuple[int, int, int, int]:
        """Where the sentence is in its article's forms (`article_forms`), stored at ingestion:
        `canonical[c0 - 1:c1]` and `folded[f0 - 1:f1]` are its own words, space-padded."""
        c0, c1, f0, f1 = self._raw["sent_forms"][sentence_index].tolist()
        return c0, c1, f0, f1

    @staticmethod
    def tag_question(text: str) -> tuple[Word, ...]:
        """A question's words with POS tags, as ingestion tags sentences (pyvi's models run by
        bot.lang.segmenter: neither pyvi nor scikit-learn is imported)."""
        return tag(text)


class _Articles(Mapping[str, Article]):
    """Article records of an entry; an Article (with its body) is made on first access."""

    def __init__(self, records: list[Record], raw: dict[str, np.ndarray]) -> None:
        self._records = records
        self._raw = raw
        self._numbers = {r.id: n for n, r in enumerate(records)}
        self._made: dict[str, Article] = {}

    def number(self, article_id: str) -> int | None:
        return self._numbers.get(article_id)

    def __getitem__(self, article_id: str) -> Article:
        article = self._made.get(article_id)
        if article is None:
            n = self._numbers[article_id]
            r = self._records[n]
            lo, hi = int(self._raw["body_ptr"][n]), int(self._raw["body_ptr"][n + 1])
            article = self._made[article_id] = Article(
                id=r.id,
                title=r.title,
                url=r.url,
                published=datetime.fromisoformat(r.published) if r.published else None,
                byline=r.byline,
                body=_text(self._raw["bodies"][lo:hi]),
                path=Path(r.path),
                dateline=r.dateline,
            )
        return article

    def __iter__(self) -> Iterator[str]:
        return iter(self._numbers)

    def __len__(self) -> int:
        return len(self._records)


class _Sentences(Sequence[Sentence]):
    """The entry's sentences in index order, each decoded from the bodies when asked for."""

    def __init__(self, records: list[Record], raw: dict[str, np.ndarray], sent_ptr: np.ndarray) -> None:
        self._records = records
        self._raw = raw
        self._sent_ptr = sent_ptr
        self._size = int(sent_ptr[-1])
        # An answer reads the same few hundred sentences (candidates, their articles) many times.
        self._made = lru_cache(maxsize=1 << 15)(self._make)

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, i: int) -> Sentence: ...
    @overload
    def __getitem__(self, i: slice) -> list[Sentence]: ...
    def __getitem__(self, i: int | slice) -> Sentence | list[Sentence]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._size))]
        if i < 0:
            i += self._size
        if not 0 <= i < self._size:
            raise IndexError(i)
        return self._made(i)

    def _make(self, i: int) -> Sentence:
        raw = self._raw
        n = int(raw["sent_article"][i])
        (c0, c1), (b0, b1) = raw["sent_char"][i].tolist(), raw["sent_byte"][i].tolist()
        return Sentence(self._records[n].id, i - int(self._sent_ptr[n]), c0, c1, _text(raw["bodies"][b0:b1]))


def _text(utf8: np.ndarray) -> str:
    """Bytes of a memory map as text, decoded in place (no intermediate copy)."""
    return str(utf8.data, "utf-8")


def _stamp(files: Sequence[ArticleFile]) -> Stamp:
    return tuple((f.path, f.size, f.mtime_ns) for f in files)


def _analyzer_id(analyzer: Analyzer) -> str:
    """What the cache knows an analyzer by: the tokenizer version, or its import path for test
    analyzers; with a digest of the code that turns files into an entry, so that an entry made by
    another version of the parser, splitter or tokenizer is neither opened nor copied from (the
    files' digests alone would not tell)."""
    if analyzer is analyze:
        name = TOKENIZER_VERSION
    else:
        name = f"{getattr(analyzer, '__module__', '')}.{getattr(analyzer, '__qualname__', type(analyzer).__qualname__)}"
    return f"{name}@{_code_version()}"


@cache
def _code_version() -> str:
    h = hashlib.blake2b(digest_size=8)
    for module in (corpus, chunking, tokenize, segmenter, ingest, embed):
        h.update(Path(module.__file__ or "").read_bytes())
    return h.hexdigest()


def _family(directories: Sequence[Path]) -> str:
    """Names the folders an entry is built from: entries of other folders are kept apart (pruned
    on their own, never in the way of another folder's build)."""
    h = hashlib.blake2b(digest_size=8)
    for d in directories:
        h.update(str(d.resolve()).encode() + b"\0")
    return h.hexdigest()


class _BuildLock:
    """One build at a time per folder set, across processes (`index` in a terminal and the running
    bot): the other one answers from the last complete entry meanwhile instead of waiting hours."""

    def __init__(self, root: Path, family: str) -> None:
        self._path = root / f".lock-{family}"
        self._file: object | None = None

    def acquire(self, wait: bool) -> bool:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            handle = self._path.open("a")
        except OSError:
            return True  # a read-only cache: nothing to share with
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # type: ignore[attr-defined]
            self._file = None


def _assemble(
    settings: Settings, analyzer: Analyzer, directories: tuple[Path, ...], files: list[ArticleFile]
) -> KnowledgeBase:
    """Open the entry for these files, or build it from the newest entry made the same way."""
    store = IndexStore(settings.index_cache_dir)
    analyzer_id = _analyzer_id(analyzer)
    encoder_id = embed.model_id(settings.e5_weights)
    family = _family(directories)
    params = {"k1": settings.bm25_k1, "b": settings.bm25_b, "epsilon": settings.bm25_epsilon}

    def made_alike(meta: dict) -> bool:
        return meta.get("analyzer") == analyzer_id and meta.get("encoder") == encoder_id

    newest = store.latest(lambda meta: made_alike(meta) and meta.get("family") == family)
    records = Record.load(newest) if newest else []
    plan = Plan.of(files, records)
    digests = [
        r.digest if same and r else _file_digest(f.path) for f, r, same in zip(files, plan.known, plan.same)
    ]
    if newest is None:  # new folders: copy what an entry of other folders has of the same files
        newest, records = _closest(store, made_alike, files, digests)
        plan = Plan.of(files, records, digests)
    key = cache_key(
        [analyzer_id, encoder_id, *(f"{k}={v}" for k, v in params.items())]
        + [f"{f.path}:{d}" for f, d in zip(files, digests) if d is not None]
    )
    origin = _Origin(settings, analyzer, _stamp(files), key)
    entry = store.open(key)
    if entry is None:
        lock = _BuildLock(store.root, family)
        if not lock.acquire(wait=False):
            stale = store.latest(lambda meta: made_alike(meta) and meta.get("family") == family)
            if stale is not None:
                log.warning(
                    "another process is indexing %s; answering from the last complete index (%s articles) meanwhile",
                    ", ".join(map(str, directories)), IndexStore.manifest(stale)["meta"].get("articles"),
                )
                stale_origin = _Origin(settings, analyzer, (), IndexStore.manifest(stale)["key"])
                return KnowledgeBase(stale, BM25Index.load(stale), directories, stale_origin)
            lock.acquire(wait=True)
        try:
            entry = store.open(key) or _write_entry(settings, store, key, family, plan, _old(newest), analyzer,
                                                    params, directories)
        finally:
            lock.release()
    index = BM25Index.load(entry)
    kb = KnowledgeBase(entry, index, directories, origin, records if entry == newest else None)
    log.debug("%d sentences from %d articles ready", len(kb.sentences), len(kb.articles))
    return kb


def _write_entry(
    settings: Settings,
    store: IndexStore,
    key: str,
    family: str,
    plan: Plan,
    old: Old | None,
    analyzer: Analyzer,
    params: dict[str, float],
    directories: tuple[Path, ...],
) -> Path:
    """Build the entry (resuming the embedding of an interrupted build of the same folders)."""
    encoder_id = embed.model_id(settings.e5_weights)
    earlier = store.entries(lambda meta: meta.get("encoder") == encoder_id)[:_LOOK_THROUGH]
    known = embed.Known(store.root / f".journal-{family}", [*earlier, *embed.bundled(settings.e5_weights)])
    encoder = embed.shared_encoder(settings.e5_threads, settings.e5_weights)

    def write(folder: Path) -> dict:
        where = ", ".join(map(str, directories))
        records, _, took = build(folder, plan, old, analyzer, **params, progress=True, where=where,
                                 encoder=encoder, known=known)
        sentences = sum(r.sentences for r in records)
        return {"analyzer": _analyzer_id(analyzer), "encoder": encoder_id, "family": family, **params,
                "articles": len(records), "sentences": sentences, "built": took}

    try:
        entry = store.save(key, write, family=family)
    except OSError as exc:
        log.warning("could not write the index cache in %s (%s); the next start analyses again", store.root, exc)
        private = Path(tempfile.mkdtemp(prefix="vnnews-index-"))
        atexit.register(shutil.rmtree, private, True)
        write(private)
        return private
    known.clear()
    return entry


# How many other entries a build of new folders looks through for files it can copy.
_LOOK_THROUGH = 8


def _closest(
    store: IndexStore, made_alike: Callable[[dict], bool], files: Sequence[ArticleFile], digests: Sequence[str | None]
) -> tuple[Path | None, list[Record]]:
    """The entry (made the same way) holding most of these files by name and content, and its records."""
    wanted = {(Path(f.path).name, d) for f, d in zip(files, digests) if d is not None}
    best: tuple[int, Path | None, list[Record]] = (0, None, [])
    for entry in store.entries(made_alike)[:_LOOK_THROUGH]:
        try:
            records = Record.load(entry)
        except (OSError, ValueError, TypeError) as exc:
            log.debug("index cache %s: %s", entry, exc)
            continue
        shared = sum((Path(r.path).name, r.digest) in wanted for r in records)
        if shared > best[0]:
            best = (shared, entry, records)
    return best[1], best[2]


def _old(entry: Path | None) -> Old | None:
    if entry is None:
        return None
    try:
        return Old.open(entry)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("index cache %s is unusable (%s); analysing every article again", entry, exc)
        return None


def _file_digest(path: str) -> str | None:
    """The content digest of a file whose stat changed; None when it vanished meanwhile."""
    try:
        return digest(Path(path).read_bytes())
    except OSError as exc:
        log.warning("skipping article %s: %s", path, exc)
        return None
