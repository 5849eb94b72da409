"""The searchable library: articles, their sentences, and the BM25 index over them.

Built once at start-up and shared (read-only) by every question, whether it comes from the
command line or from Telegram.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.chunking import Sentence, split_sentences
from bot.corpus import Article, article_paths, load_articles
from bot.errors import EmptyCorpusError
from bot.index import BM25Index, Encoded
from bot.settings import Settings
from bot.store import IndexStore, cache_key
from bot.tokenize import TOKENIZER_VERSION, Tokenizer, index_terms, tokenize_many

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    """A retrieved sentence with its BM25 score."""

    index: int
    score: float


class KnowledgeBase:
    """Articles + sentences + index; sentence `i` of the index is `sentences[i]`."""

    def __init__(
        self,
        articles: Sequence[Article],
        sentences: Sequence[Sentence],
        index: BM25Index,
        directories: Sequence[Path],
        *,
        snapshot: _Snapshot | None = None,
    ) -> None:
        self.articles: dict[str, Article] = {a.id: a for a in articles}
        self.sentences: tuple[Sentence, ...] = tuple(sentences)
        self.index = index
        self.directories = tuple(directories)
        self._snapshot = snapshot
        self._by_article: dict[str, list[int]] = {}
        for i, s in enumerate(self.sentences):
            self._by_article.setdefault(s.article_id, []).append(i)

    @classmethod
    def build(
        cls,
        settings: Settings,
        directories: Sequence[Path] = (),
        tokenizer: Tokenizer = index_terms,
    ) -> KnowledgeBase:
        """Load and chunk every article in `directories` (default ARTICLES_DIR) and index them.

        The index comes from the cache in INDEX_CACHE_DIR when one matches the sentences and
        settings; otherwise it is built (re-tokenizing only articles the newest cache entry
        lacks) and saved for the next start.
        """
        directories = tuple(directories) or (settings.articles_dir,)
        return cls._assemble(_Snapshot.read(directories, settings, tokenizer), None)

    def refreshed(self) -> KnowledgeBase | None:
        """A new knowledge base if the article files changed since this one was built, else None.

        Cheap when nothing changed (one stat per file). Unchanged articles keep their tokens,
        so only new or edited articles are tokenized. Raises EmptyCorpusError when no usable
        article is left; the caller then keeps serving this one.
        """
        if self._snapshot is None or _stamp(self.directories) == self._snapshot.stamp:
            return None  # built by hand (tests), or unchanged
        snapshot = _Snapshot.read(self.directories, self._snapshot.settings, self._snapshot.tokenizer)
        if snapshot.key == self._snapshot.key:
            self._snapshot = snapshot  # touched, not changed: remember the new stamp
            return None
        return self._assemble(snapshot, self)

    @classmethod
    def _assemble(cls, snap: _Snapshot, previous: KnowledgeBase | None) -> KnowledgeBase:
        settings = snap.settings
        store = IndexStore(settings.index_cache_dir)
        entry = store.open(snap.key)
        index = _load_index(entry, len(snap.sentences)) if entry else None
        if index is None:
            index = _build_index(snap, _reusable(previous, store, snap.tokenizer_id))
            meta = {
                "tokenizer": snap.tokenizer_id,
                "articles": [list(p) for p in zip(snap.digests, snap.counts)],
            }
            try:
                store.save(snap.key, index.save, meta)
            except OSError as exc:
                log.warning(
                    "could not write the index cache in %s (%s); the next start re-tokenizes", store.root, exc
                )
        log.debug("%d sentences from %d articles ready", len(snap.sentences), len(snap.articles))
        return cls(snap.articles, snap.sentences, index, snap.directories, snapshot=snap)

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

    def article_of(self, sentence_index: int) -> Article:
        return self.articles[self.sentences[sentence_index].article_id]

    def article_sentences(self, article_id: str) -> list[int]:
        """Indexes of an article's sentences, in reading order."""
        return self._by_article.get(article_id, [])

    def neighbours(self, sentence_index: int, window: int = 1) -> list[Sentence]:
        """The sentence with up to `window` sentences of the same article on each side."""
        sentence = self.sentences[sentence_index]
        ids = self.article_sentences(sentence.article_id)
        lo = max(0, sentence.position - window)
        return [self.sentences[i] for i in ids[lo : sentence.position + window + 1]]


Stamp = tuple[tuple[str, int, int], ...]


def _stamp(directories: Sequence[Path]) -> Stamp:
    """(path, size, mtime) of every article file: changes whenever a file is added, edited or removed."""
    try:
        paths = article_paths(directories)
    except EmptyCorpusError:
        return ()
    stats = ((p, p.stat()) for p in paths)
    return tuple((str(p), st.st_size, st.st_mtime_ns) for p, st in stats)


@dataclass(frozen=True)
class _Snapshot:
    """The articles as read at one moment, with the cache key of the index they need."""

    settings: Settings
    tokenizer: Tokenizer
    directories: tuple[Path, ...]
    stamp: Stamp
    articles: list[Article]
    sentences: list[Sentence]
    counts: tuple[int, ...]  # sentences per article, in index order
    digests: tuple[str, ...]  # per article, a digest of its sentence texts (what gets tokenized)
    key: str  # the cache key: tokenizer, BM25 settings, and every article's digest

    @property
    def tokenizer_id(self) -> str:
        return _tokenizer_id(self.tokenizer)

    @classmethod
    def read(cls, directories: tuple[Path, ...], settings: Settings, tokenizer: Tokenizer) -> _Snapshot:
        stamp = _stamp(directories)
        articles = load_articles(directories)
        per_article = [split_sentences(a) for a in articles]
        sentences = [s for group in per_article for s in group]
        if not sentences:
            raise EmptyCorpusError(
                f"the articles in {', '.join(map(str, directories))} have no body sentences"
            )
        digests = tuple(
            hashlib.blake2b("\x1f".join(s.text for s in group).encode(), digest_size=16).hexdigest()
            for group in per_article
        )
        counts = tuple(map(len, per_article))
        shape = (
            _tokenizer_id(tokenizer),
            f"k1={settings.bm25_k1}",
            f"b={settings.bm25_b}",
            f"eps={settings.bm25_epsilon}",
        )
        key = cache_key(shape + tuple(f"{d}:{n}" for d, n in zip(digests, counts)))
        return cls(settings, tokenizer, directories, stamp, articles, sentences, counts, digests, key)


def _tokenizer_id(tokenizer: Tokenizer) -> str:
    """What the cache key knows a tokenizer by: its version, or its import path for test tokenizers."""
    if tokenizer is index_terms:
        return TOKENIZER_VERSION
    name = getattr(tokenizer, "__qualname__", type(tokenizer).__qualname__)
    return f"{getattr(tokenizer, '__module__', '')}.{name}"


@dataclass(frozen=True)
class _Reusable:
    """An earlier index whose tokens can be reused, article by article."""

    encoded: Encoded
    ranges: dict[str, range]  # article digest -> its documents in `encoded`


def _reusable(previous: KnowledgeBase | None, store: IndexStore, tokenizer_id: str) -> _Reusable | None:
    """Tokens from the running knowledge base, or else from the newest cache entry, if made the same way."""
    if (
        previous is not None
        and previous._snapshot is not None
        and previous._snapshot.tokenizer_id == tokenizer_id
    ):
        pairs = list(zip(previous._snapshot.digests, previous._snapshot.counts))
        index: BM25Index | None = previous.index
    else:
        entry = store.latest()
        if entry is None:
            return None
        meta = store.manifest(entry).get("meta", {})
        if meta.get("tokenizer") != tokenizer_id:
            return None
        pairs = [(str(d), int(n)) for d, n in meta.get("articles", [])]
        index = _load_index(entry, sum(n for _, n in pairs))
    if index is None:
        return None
    ranges: dict[str, range] = {}
    start = 0
    for digest, count in pairs:
        ranges[digest] = range(start, start + count)
        start += count
    return _Reusable(index.encoded(), ranges)


def _load_index(entry: Path, size: int) -> BM25Index | None:
    """The entry's index if it loads and has one document per sentence, else None."""
    try:
        index = BM25Index.load(entry)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("index cache %s is unusable (%s); rebuilding it", entry, exc)
        return None
    return index if len(index) == size else None


def _build_index(snap: _Snapshot, reuse: _Reusable | None) -> BM25Index:
    """Tokenize the articles `reuse` lacks (over all cores), then index everything."""
    known = reuse.ranges if reuse else {}
    starts = [0]
    for n in snap.counts:
        starts.append(starts[-1] + n)
    todo = [i for i, d in enumerate(snap.digests) if d not in known]
    texts = [s.text for i in todo for s in snap.sentences[starts[i] : starts[i + 1]]]
    log.info(
        "tokenizing %d of %d sentences (%d new or changed articles)",
        len(texts),
        len(snap.sentences),
        len(todo),
    )
    tokens = iter(tokenize_many(texts, snap.tokenizer, progress=True))
    pieces: list[range | list[list[str]]] = [
        known[d] if d in known else [next(tokens) for _ in range(n)]
        for d, n in zip(snap.digests, snap.counts)
    ]
    encoded = Encoded.of(pieces, reuse.encoded if reuse else None)
    settings = snap.settings
    return BM25Index.from_encoded(
        encoded, k1=settings.bm25_k1, b=settings.bm25_b, epsilon=settings.bm25_epsilon
    )
