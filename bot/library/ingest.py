"""Ingestion: article files into the arrays of one cache entry, in batches, over all cores.

What a restart needs is all on disk: article metadata, bodies, sentence offsets, each
sentence's tagged words and BM25 terms. A build reads only the files whose size or mtime
differ from the newest entry's record of them; of those, only files whose content digest
changed are chunked and run through pyvi (their sentences in batches, over worker processes).
Everything else is copied from the old entry's arrays. Results are written to the entry's
temporary folder as they arrive and term lists become int32 arrays at once, so memory holds
the forward index and the postings, never Python strings per token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing as mp
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import numpy as np

from bot.errors import ArticleError, EmptyCorpusError
from bot.lang.normalize import canonical, fold
from bot.lang.tokenize import Analyzer
from bot.library import embed, nearest
from bot.library.chunking import split_sentences
from bot.library.corpus import ArticleFile, decode_article, parse_article
from bot.library.index import BM25Index, Encoded, first_occurrence_order

log = logging.getLogger(__name__)

ARTICLES = "articles.json"
_WORDS = re.compile(r"\w+")
TAGS = "tags.json"
# Raw little-endian arrays (no header: their length follows from the pointer arrays).
RAW = {
    "bodies": np.uint8,  # every body, UTF-8, one after the other
    "sent_char": np.int32,  # (start, end) of each sentence, characters into its body
    "sent_byte": np.int64,  # (start, end) of each sentence, bytes into `bodies`
    "sent_article": np.int32,  # article number of each sentence
    "word_ptr": np.int64,  # sentence i's words are word_span[word_ptr[i]:word_ptr[i+1]]
    "word_span": np.int32,  # (start, end) of each word, characters into its sentence
    "word_pos": np.uint8,  # each word's POS tag, an index into tags.json
    "body_ptr": np.int64,  # article n's body is bodies[body_ptr[n]:body_ptr[n+1]]
    "forms": np.uint8,  # every article's matching forms (see `matching_forms`), UTF-8
    "forms_ptr": np.int64,  # article n's: forms[forms_ptr[2n]:forms_ptr[2n+1]], then to [2n+2]
    "sent_forms": np.int32,  # each sentence's words in its article's forms: (start, end) canonical, then folded
}
# The e5 vectors (`bot.library.embed.Codes`), written by the second pass: rows of DIM int8, their scales
# and the 16-byte digest of the passage each was made from (`embed.key`: what later builds reuse);
# and each sentence row's error bound for the search of a question's closest sentences.
VECTORS = {
    "sent_vec": np.int8,  # sentence i's vector: sent_vec[i] * sent_scale[i]
    "sent_scale": np.float32,
    "sent_key": np.uint8,
    "sent_spread": np.float32,  # how far sentence i's int8 cosine may stray (`nearest.spread`)
    "title_vec": np.int8,  # article n's title
    "title_scale": np.float32,
    "title_key": np.uint8,
}
_BATCH_CHARS = 1 << 16  # characters of sentences per worker task (~500 sentences, ~0.25 s of pyvi)
_MIN_PARALLEL_BYTES = 1 << 18  # less changed text than this is analysed in this process


def digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Record:
    """One article of an entry, as `articles.json` stores it."""

    id: str
    title: str
    url: str | None
    published: str | None  # ISO datetime
    byline: str | None
    dateline: str | None
    path: str
    size: int
    mtime_ns: int
    digest: str
    sentences: int

    @classmethod
    def load(cls, entry: Path) -> list[Record]:
        return [cls(*row) for row in json.loads((entry / ARTICLES).read_text(encoding="utf-8"))]


def matching_forms(title: str, body: str, spans: np.ndarray) -> tuple[str, str, np.ndarray]:
    """The article as the answerer matches questions against it: the words of its title and body
    canonical (`normalize.canonical`) and folded (`normalize.fold`), each joined by single spaces
    and space-padded (` bộ trưởng ký `); and where each sentence (`spans`, characters into the body)
    is in them: (n, 4) character offsets such that `form[start - 1:end]` is the sentence's own padded
    form. Folding a whole article, then its candidate sentences, per question was most of an
    answer's time on the archive."""
    forms = _Form(canonical), _Form(fold.__wrapped__)  # not through fold's cache: it would keep every article

    def add(text: str) -> list[int]:
        for form in forms:
            form.add(text)
        return [form.size for form in forms]

    add(title + "\n")
    where = np.zeros((len(spans), 4), np.int32)
    at = 0
    for k, (start, end) in enumerate(spans.tolist()):
        c0, f0 = add(body[at:start])
        c1, f1 = add(body[start:end])
        where[k] = c0, c1, f0, f1
        at = end
    add(body[at:])
    return forms[0].text(), forms[1].text(), where


class _Form:
    """One matching form being made: its words, and its length so far (padded: each word is
    followed by one space, the whole preceded by one)."""

    def __init__(self, normal: Callable[[str], str]) -> None:
        self._normal = normal
        self._words: list[str] = []
        self.size = 1

    def add(self, text: str) -> None:
        for piece in _pieces(text):
            words = _WORDS.findall(self._normal(piece))
            self._words += words
            self.size += sum(map(len, words)) + len(words)

    def text(self) -> str:
        return " " + " ".join(self._words) + " "


def _pieces(text: str, size: int = 1 << 16) -> list[str]:
    """`text` cut at whitespace into pieces of about `size` characters. Both forms are made piece
    by piece (the same words: neither form looks across whitespace), so no single C call over a
    megabyte-long article holds the GIL while the bot's answer thread waits."""
    pieces = []
    start = 0
    while len(text) - start > size:
        cut = next((i for i in range(start + size, len(text)) if text[i].isspace()), len(text))
        pieces.append(text[start:cut])
        start = cut + 1
    pieces.append(text[start:])
    return pieces


@dataclass(frozen=True)
class _Parsed:
    """One changed file, read and cut into sentences (in this process: that part is fast)."""

    record: Record
    body: bytes
    forms: tuple[bytes, bytes]
    sent_forms: np.ndarray  # (n, 4) int32
    sent_char: np.ndarray  # (n, 2) int32
    sent_byte: np.ndarray  # (n, 2) int64, relative to the body
    texts: list[str]


@dataclass(frozen=True)
class _Analysed:
    """A batch of sentences after pyvi (in a worker): strings joined, arrays compact."""

    terms: str  # every sentence's terms, "\x1f"-joined
    term_counts: np.ndarray  # terms per sentence
    word_span: np.ndarray  # (w, 2) int32
    word_counts: np.ndarray  # words per sentence
    tags: str  # every word's tag, " "-joined


def _parse(file: ArticleFile, known: str | None) -> _Parsed | str | None:
    """The file read and split; its digest when it matches `known`; None (warned) when unusable."""
    path = Path(file.path)
    try:
        raw = path.read_bytes()
        content = digest(raw)
        if content == known:
            return content
        article = parse_article(decode_article(raw), path)
    except (ArticleError, OSError) as exc:
        log.warning("skipping article %s: %s", path, exc)
        return None
    sentences = split_sentences(article)
    body = article.body
    sent_byte = np.zeros((len(sentences), 2), np.int64)
    done_chars, done_bytes = 0, 0
    for k, s in enumerate(sentences):
        done_bytes += len(body[done_chars : s.start].encode())
        sent_byte[k] = done_bytes, done_bytes + len(s.text.encode())
        done_chars, done_bytes = s.end, int(sent_byte[k, 1])
    record = Record(
        article.id,
        article.title,
        article.url,
        article.published.isoformat() if article.published else None,
        article.byline,
        article.dateline,
        file.path,
        file.size,
        file.mtime_ns,
        content,
        len(sentences),
    )
    spans = np.array([(s.start, s.end) for s in sentences], np.int32).reshape(-1, 2)
    canonical_form, folded_form, sent_forms = matching_forms(article.title, body, spans)
    forms = canonical_form.encode(), folded_form.encode()
    return _Parsed(record, body.encode(), forms, sent_forms, spans, sent_byte, [s.text for s in sentences])


def _analyse(analyzer: Analyzer, texts: list[str]) -> _Analysed:
    """pyvi over a batch of sentences (a worker's task)."""
    terms: list[str] = []
    term_counts, word_counts, spans, tags = [], [], [], []
    for text in texts:
        analysis = analyzer(text)
        terms.extend(analysis.terms)
        term_counts.append(len(analysis.terms))
        word_counts.append(len(analysis.words))
        for w in analysis.words:
            spans.append((w.start, w.end))
            tags.append(w.pos)
    return _Analysed(
        "\x1f".join(terms),
        np.array(term_counts, np.int64),
        np.array(spans, np.int32).reshape(-1, 2),
        np.array(word_counts, np.int64),
        " ".join(tags),
    )


def _ids(names: list[str], numbering: dict[str, int], dtype: type) -> np.ndarray:
    """`names` as numbers, new names numbered as they come (in any order: the vocabulary and the
    tags are renumbered by first use when the entry is finished). Map and set run at C speed:
    this process encodes every token of the corpus while the workers analyse."""
    for name in set(names).difference(numbering):
        numbering[name] = len(numbering)
    return np.fromiter(map(numbering.__getitem__, names), dtype, count=len(names))


def _worker_init(level: int) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


class _Pipeline:
    """Sentences in, analyses out in the same order: batches of about `_BATCH_CHARS` characters
    go to a process pool (across article boundaries, so one huge article uses every core),
    with at most a few batches in flight so that finished results never pile up.

    Without `parallel`, each batch is analysed here. Forking is avoided when other threads run
    (the Telegram bot): a forkserver starts the workers then.
    """

    def __init__(self, analyzer: Analyzer, workers: int, parallel: bool) -> None:
        self._analyzer = analyzer
        self._buffer: list[str] = []
        self._chars = 0
        self._inflight: deque[Future[_Analysed]] = deque()
        self._window = 3 * workers
        self._pool: ProcessPoolExecutor | None = None
        if parallel and workers > 1:  # each worker loads pyvi itself: this process stays small
            method = (
                "fork"
                if threading.active_count() == 1 and "fork" in mp.get_all_start_methods()
                else "forkserver"
            )
            self._pool = ProcessPoolExecutor(
                workers,
                mp_context=mp.get_context(method),
                initializer=_worker_init,
                initargs=(logging.getLogger().level,),
            )

    def put(self, texts: list[str]) -> Iterator[_Analysed]:
        """Queue sentences; yields the analyses that must be taken now to keep the window."""
        for text in texts:
            self._buffer.append(text)
            self._chars += len(text)
            if self._chars >= _BATCH_CHARS:
                yield from self._send()

    def drain(self) -> Iterator[_Analysed]:
        """Every analysis still owed, in order."""
        if self._buffer:
            yield from self._send()
        while self._inflight:
            yield self._inflight.popleft().result()

    def _send(self) -> Iterator[_Analysed]:
        batch, self._buffer, self._chars = self._buffer, [], 0
        if self._pool is None:
            yield _analyse(self._analyzer, batch)
            return
        self._inflight.append(self._pool.submit(_analyse, self._analyzer, batch))
        while len(self._inflight) > self._window:
            yield self._inflight.popleft().result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


@dataclass(frozen=True)
class Old:
    """The entry a build copies unchanged articles from."""

    entry: Path
    records: list[Record]
    arrays: dict[str, np.ndarray]
    index: BM25Index
    tags: list[str]
    sent_ptr: np.ndarray  # article n's sentences are sent_ptr[n]:sent_ptr[n+1]

    @classmethod
    def open(cls, entry: Path) -> Old:
        records = Record.load(entry)
        return cls(
            entry,
            records,
            load_raw(entry),
            BM25Index.load(entry),
            json.loads((entry / TAGS).read_text(encoding="utf-8")),
            np.concatenate(([0], np.cumsum([r.sentences for r in records], dtype=np.int64))),
        )


def load_raw(entry: Path) -> dict[str, np.ndarray]:
    """An entry's raw arrays, memory-mapped; pairs (`sent_char`, `sent_byte`, `word_span`) as (n, 2),
    `sent_forms` as (n, 4), vectors as (n, DIM)."""
    arrays: dict[str, np.ndarray] = {}
    for name, dtype in {**RAW, **VECTORS}.items():
        path = entry / f"{name}.bin"
        empty = path.stat().st_size == 0  # np.memmap refuses an empty file
        array = np.zeros(0, dtype) if empty else np.memmap(path, dtype=dtype, mode="r")
        arrays[name] = array.reshape(-1, 2) if name in _PAIRS else array
    arrays["sent_forms"] = arrays["sent_forms"].reshape(-1, 4)
    for name in ("sent_vec", "title_vec"):
        arrays[name] = arrays[name].reshape(-1, embed.DIM)
    for name in ("sent_key", "title_key"):
        arrays[name] = arrays[name].reshape(-1, 16)
    return arrays


_PAIRS = ("sent_char", "sent_byte", "word_span")


@dataclass
class _Writer:
    """Streams articles into an entry's raw files and gathers its forward index and vocabulary."""

    folder: Path
    files: Mapping[str, BinaryIO]
    vocab: dict[str, int]
    tag_ids: dict[str, int]
    term_chunks: list[np.ndarray]
    doc_lengths: list[np.ndarray]
    records: list[Record]
    sources: list[int | None] = field(default_factory=list)  # each record's slot in the old entry, if copied
    body_bytes: int = 0
    form_bytes: int = 0
    words: int = 0

    @classmethod
    def open(cls, folder: Path) -> _Writer:
        files = {name: (folder / f"{name}.bin").open("wb") for name in RAW}
        files["word_ptr"].write(np.zeros(1, np.int64).tobytes())
        files["body_ptr"].write(np.zeros(1, np.int64).tobytes())
        files["forms_ptr"].write(np.zeros(1, np.int64).tobytes())
        return cls(folder, files, {}, {}, [], [], [])

    def _write(self, name: str, array: np.ndarray) -> None:
        self.files[name].write(np.ascontiguousarray(array, RAW[name]).tobytes())

    def _common(
        self,
        record: Record,
        body: bytes,
        forms: tuple[bytes, bytes],
        sent_forms: np.ndarray,
        sent_char: np.ndarray,
        sent_byte: np.ndarray,
    ) -> None:
        for form in forms:
            self._write("forms", np.frombuffer(form, np.uint8))
            self.form_bytes += len(form)
            self._write("forms_ptr", np.array([self.form_bytes]))
        self._write("sent_forms", sent_forms)
        self._write("bodies", np.frombuffer(body, np.uint8))
        self._write("sent_char", sent_char)
        self._write("sent_byte", sent_byte + self.body_bytes)
        self._write("sent_article", np.full(len(sent_char), len(self.records), np.int32))
        self.body_bytes += len(body)
        self._write("body_ptr", np.array([self.body_bytes]))
        self.records.append(record)

    def add_parsed(self, item: _Parsed) -> None:
        """An article's own arrays; its sentences' analyses follow through `add_analysed`."""
        self._common(item.record, item.body, item.forms, item.sent_forms, item.sent_char, item.sent_byte)
        self.sources.append(None)

    def add_analysed(self, item: _Analysed) -> None:
        terms = item.terms.split("\x1f") if item.terms else []
        self.term_chunks.append(_ids(terms, self.vocab, np.int32))
        self.doc_lengths.append(item.term_counts)
        self._write("word_pos", _ids(item.tags.split(" ") if item.tags else [], self.tag_ids, np.uint8))
        self._write("word_span", item.word_span)
        self._write("word_ptr", self.words + np.cumsum(item.word_counts))
        self.words += int(item.word_counts.sum())

    def add_old(self, old: Old, n: int, remap: np.ndarray, tag_remap: np.ndarray, record: Record) -> None:
        lo, hi = int(old.sent_ptr[n]), int(old.sent_ptr[n + 1])
        a = old.arrays
        body_lo, body_hi = int(a["body_ptr"][n]), int(a["body_ptr"][n + 1])
        body = bytes(a["bodies"][body_lo:body_hi])
        f0, f1, f2 = (int(x) for x in a["forms_ptr"][2 * n : 2 * n + 3])
        forms = (bytes(a["forms"][f0:f1]), bytes(a["forms"][f1:f2]))
        sent_byte = np.asarray(a["sent_byte"][lo:hi]) - body_lo
        self._common(record, body, forms, np.asarray(a["sent_forms"][lo:hi]), np.asarray(a["sent_char"][lo:hi]), sent_byte)
        self.sources.append(n)
        enc = old.index.encoded()
        t0, t1 = int(enc.doc_ptr[lo]), int(enc.doc_ptr[hi])
        self.term_chunks.append(remap[np.asarray(enc.term_ids[t0:t1])])
        self.doc_lengths.append(np.diff(enc.doc_ptr[lo : hi + 1]))
        w0, w1 = int(a["word_ptr"][lo]), int(a["word_ptr"][hi])
        self._write("word_pos", tag_remap[np.asarray(a["word_pos"][w0:w1])])
        self._write("word_span", np.asarray(a["word_span"][w0:w1]))
        self._write("word_ptr", self.words + (np.asarray(a["word_ptr"][lo + 1 : hi + 1]) - w0))
        self.words += w1 - w0

    def close(self) -> Encoded:
        for f in self.files.values():
            f.close()
        term_ids = np.concatenate(self.term_chunks) if self.term_chunks else np.zeros(0, np.int32)
        lengths = np.concatenate(self.doc_lengths) if self.doc_lengths else np.zeros(0, np.int64)
        self.term_chunks.clear()
        doc_ptr = np.zeros(len(lengths) + 1, np.int64)
        np.cumsum(lengths, out=doc_ptr[1:])
        return Encoded._canonical(list(self.vocab), doc_ptr, term_ids)

    def finish(self) -> None:
        """The JSON files: articles and tag names."""
        rows = [list(r.__dict__.values()) for r in self.records]
        (self.folder / ARTICLES).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        # Tags in order of first use, unused ones dropped: an incremental build stores what a fresh one does.
        path = self.folder / "word_pos.bin"
        pos = np.fromfile(path, np.uint8)
        order = first_occurrence_order(pos, len(self.tag_ids))
        remap = np.zeros(max(len(self.tag_ids), 1), np.uint8)
        remap[order] = np.arange(len(order), dtype=np.uint8)
        remap[pos].tofile(path)
        names = list(self.tag_ids)
        (self.folder / TAGS).write_text(json.dumps([names[i] for i in order.tolist()]), encoding="utf-8")


@dataclass(frozen=True)
class Plan:
    """What a build must do: every file in order, with what the newest entry knows of it."""

    files: list[ArticleFile]
    known: list[Record | None]  # the old record of the same path (or same name and content), if any
    same: list[bool]  # the same path, size and mtime as on record: not even read

    @classmethod
    def of(cls, files: Sequence[ArticleFile], old: Sequence[Record], digests: Sequence[str | None] = ()) -> Plan:
        """With `digests` (of every file), a file elsewhere with the name and content of an old
        record is known too: a folder copied or moved is not analysed again."""
        by_path = {r.path: r for r in old}
        by_content = {(Path(r.path).name, r.digest): r for r in old} if digests else {}
        known = [
            by_path.get(f.path) or (by_content.get((Path(f.path).name, d)) if d is not None else None)
            for f, d in zip(files, digests or [None] * len(files))
        ]
        same = [
            r is not None and (r.path, r.size, r.mtime_ns) == (f.path, f.size, f.mtime_ns) for f, r in zip(files, known)
        ]
        return cls(list(files), known, same)


def build(
    folder: Path,
    plan: Plan,
    old: Old | None,
    analyzer: Analyzer,
    *,
    k1: float,
    b: float,
    epsilon: float,
    progress: bool,
    where: str,
    encoder: embed.Encoder,
    known: embed.Known | None,
) -> tuple[list[Record], BM25Index, dict[str, float]]:
    """Write a complete entry (all but the manifest) into `folder`; its articles, index and vectors,
    and how long each pass took (`analysed_s`: reading, splitting, pyvi and the index; `embedded_s`:
    the vectors) and how many sentences each pass worked on (those of new or changed files)."""
    from tqdm import tqdm  # only builds need it

    started = time.monotonic()
    todo = [not same for same in plan.same]
    writer = _Writer.open(folder)
    slots: dict[str, int] = {}
    remap = np.zeros(0, np.int32)
    tag_remap = np.zeros(0, np.uint8)
    if old is not None:
        slots = {r.path: n for n, r in enumerate(old.records)}
        vocab, tag_ids = writer.vocab, writer.tag_ids
        remap = np.fromiter((vocab.setdefault(t, len(vocab)) for t in old.index.encoded().terms), np.int32)
        tag_remap = np.fromiter((tag_ids.setdefault(t, len(tag_ids)) for t in old.tags), np.uint8)
    changed_bytes = sum(f.size for f, t in zip(plan.files, todo) if t)
    log.info("reading %d of %d article files (%d MB)", sum(todo), len(plan.files), changed_bytes >> 20)
    pipeline = _Pipeline(analyzer, os.cpu_count() or 1, changed_bytes >= _MIN_PARALLEL_BYTES)
    seen: set[str] = set()
    bar = tqdm(total=sum(todo), disable=None if progress else True, unit="file", desc="indexing", leave=False)
    try:
        for file, record, again in zip(plan.files, plan.known, todo):
            item = _parse(file, record.digest if record else None) if again else (record and record.digest)
            bar.update(again)
            if item is None:
                continue
            if file.stem in seen:
                log.warning("skipping %s: another file already has an article named %s", file.path, file.stem)
                continue
            seen.add(file.stem)
            if isinstance(item, _Parsed):
                writer.add_parsed(item)
                for analysed in pipeline.put(item.texts):
                    writer.add_analysed(analysed)
                continue
            assert old is not None and record is not None  # unchanged content: copied from the old entry
            for analysed in pipeline.drain():  # what comes before it, first
                writer.add_analysed(analysed)
            fresh = replace(record, path=file.path, size=file.size, mtime_ns=file.mtime_ns)
            writer.add_old(old, slots[record.path], remap, tag_remap, fresh)
        for analysed in pipeline.drain():
            writer.add_analysed(analysed)
    finally:
        pipeline.close()
        bar.close()
    if not any(r.sentences for r in writer.records):
        raise EmptyCorpusError(
            f"no usable article in {where}: add UTF-8 .txt files (a title line, then the text)"
        )
    index = BM25Index.from_encoded(writer.close(), k1=k1, b=b, epsilon=epsilon)
    index.save(folder)
    writer.finish()
    analysed_at = time.monotonic()
    embedded = write_vectors(folder, writer.records, writer.sources, old, encoder, known, progress)
    new_sentences = sum(r.sentences for r, source in zip(writer.records, writer.sources) if source is None)
    return writer.records, index, {
        "analysed_s": round(analysed_at - started, 2),
        "analysed": new_sentences,
        "embedded_s": round(time.monotonic() - analysed_at, 2),
        "embedded": embedded,
    }


# How many sentences are embedded between two progress lines in the log (a bar shows on a terminal).
_LOG_EVERY = 2048


def write_vectors(
    folder: Path,
    records: list[Record],
    sources: list[int | None],
    old: Old | None,
    encoder: embed.Encoder,
    known: embed.Known | None,
    progress: bool,
) -> int:
    """The second pass: every sentence's and title's e5 codes, copied from the old entry for a
    copied article, else looked up or embedded from the text the first pass wrote. Returns how many
    sentences of new or changed articles it went through."""
    from tqdm import tqdm

    sent_ptr = np.concatenate(([0], np.cumsum([r.sentences for r in records], dtype=np.int64)))
    n = int(sent_ptr[-1])
    out = {
        name: _vector_file(folder, name, (rows, embed.DIM) if name.endswith("vec") else (rows, 16) if name.endswith("key")
                           else (rows,))
        for name, rows in (("sent_vec", n), ("sent_scale", n), ("sent_key", n), ("sent_spread", n),
                           ("title_vec", len(records)), ("title_scale", len(records)), ("title_key", len(records)))
    }
    raw = load_raw(folder)  # what the first pass wrote: the text to embed
    bodies, sent_byte = raw["bodies"], raw["sent_byte"]
    new = [k for k, source in enumerate(sources) if source is None]
    for k, source in enumerate(sources):
        if source is not None and old is not None:
            lo, hi, old_lo = int(sent_ptr[k]), int(sent_ptr[k + 1]), int(old.sent_ptr[source])
            for kind in ("vec", "scale", "key"):
                out[f"sent_{kind}"][lo:hi] = old.arrays[f"sent_{kind}"][old_lo : old_lo + hi - lo]
                out[f"title_{kind}"][k] = old.arrays[f"title_{kind}"][source]
    titles, keys = embed.embed([records[k].title for k in new], encoder, known)
    _put(out, "title", new, titles, keys)
    rows = [(k, i) for k in new for i in range(int(sent_ptr[k]), int(sent_ptr[k + 1]))]
    total = len(rows)
    if total:
        log.info("embedding %d sentences of %d articles", total, len(new))
    bar = tqdm(total=total, disable=None if progress else True, unit="sentence", desc="embedding", leave=False)
    started, logged = time.monotonic(), 0
    try:
        for lo in range(0, total, 8 * embed.BATCH):
            chunk = rows[lo : lo + 8 * embed.BATCH]
            texts = [
                embed.passage(records[k].title, bytes(bodies[sent_byte[i, 0] : sent_byte[i, 1]]).decode("utf-8"))
                for k, i in chunk
            ]
            done, keys = embed.embed(texts, encoder, known)
            _put(out, "sent", [i for _, i in chunk], done, keys)
            bar.update(len(chunk))
            if lo + len(chunk) - logged >= _LOG_EVERY:
                logged = lo + len(chunk)
                rate = logged / max(time.monotonic() - started, 1e-9)
                log.info("embedded %d of %d sentences (%.0f/s)", logged, total, rate)
    finally:
        bar.close()
    out["sent_spread"][:] = nearest.spread(out["sent_vec"], out["sent_scale"])
    for array in out.values():
        if isinstance(array, np.memmap):
            array.flush()
    return total


def _put(out: dict[str, np.ndarray], kind: str, rows: list[int], codes: embed.Codes, keys: list[bytes]) -> None:
    out[f"{kind}_vec"][rows] = codes.codes
    out[f"{kind}_scale"][rows] = codes.scales
    out[f"{kind}_key"][rows] = np.frombuffer(b"".join(keys), np.uint8).reshape(-1, 16)


def _vector_file(folder: Path, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A writable memory map of one vector array (an empty file when it has no rows)."""
    path = folder / f"{name}.bin"
    if 0 in shape:
        path.write_bytes(b"")
        return np.zeros(shape, VECTORS[name])
    return np.memmap(path, dtype=VECTORS[name], mode="w+", shape=shape)
