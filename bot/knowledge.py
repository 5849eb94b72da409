"""The searchable library: articles, their sentences, and the BM25 index over them.

Built once at start-up and shared (read-only) by every question, whether it comes from the
command line or from Telegram.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.chunking import Sentence, split_sentences
from bot.corpus import Article, load_articles
from bot.errors import EmptyCorpusError
from bot.index import BM25Index
from bot.settings import Settings
from bot.tokenize import Tokenizer, index_terms

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
    ) -> None:
        self.articles: dict[str, Article] = {a.id: a for a in articles}
        self.sentences: tuple[Sentence, ...] = tuple(sentences)
        self.index = index
        self.directories = tuple(directories)
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
        """Load, chunk, tokenize and index every article in `directories` (default ARTICLES_DIR)."""
        directories = tuple(directories) or (settings.articles_dir,)
        articles = load_articles(directories)
        sentences = [s for a in articles for s in split_sentences(a)]
        if not sentences:
            raise EmptyCorpusError(f"the articles in {', '.join(map(str, directories))} have no body sentences")
        docs = [tokenizer(s.text) for s in sentences]
        index = BM25Index.build(docs, k1=settings.bm25_k1, b=settings.bm25_b, epsilon=settings.bm25_epsilon)
        log.debug("indexed %d sentences from %d articles", len(sentences), len(articles))
        return cls(articles, sentences, index, directories)

    def search(self, terms: Sequence[str], k: int) -> list[Hit]:
        return [Hit(i, score) for i, score in self.index.top_k(terms, k)]

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
