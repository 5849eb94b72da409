"""The persisted index cache: one directory per key, written atomically, verified before use.

Tokenizing is the slow part of start-up (pyvi, ~4.5k sentences/s per core), so the built
index is kept on disk under a key made of everything that shapes it. An entry is written
in a temporary directory and renamed into place, so a reader never sees half of one; on
open every file's size and BLAKE2 digest are checked against the manifest, and an entry
that fails is deleted and reported as a miss: a corrupt or stale cache is never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_TMP_PREFIX = ".tmp-"
_STALE_TMP_SECONDS = 3600


def cache_key(parts: Iterable[str]) -> str:
    """A digest of `parts` (settings, tokenizer version, article digests) and the format version."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"format={FORMAT_VERSION}".encode())
    for part in parts:
        h.update(b"\0" + part.encode("utf-8"))
    return h.hexdigest()


def _file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "blake2b").hexdigest()


class IndexStore:
    """Keyed, verified cache entries below `root`; the newest `keep` entries survive a save."""

    def __init__(self, root: Path, keep: int = 3) -> None:
        self.root = root
        self.keep = keep

    def open(self, key: str) -> Path | None:
        """The entry for `key` if it exists and every file checks out, else None."""
        entry = self.root / key
        if not (entry / MANIFEST).is_file():
            return None
        problem = self._problem(entry, key)
        if problem is None:
            return entry
        log.warning("index cache %s is unusable (%s); rebuilding it", entry, problem)
        shutil.rmtree(entry, ignore_errors=True)
        return None

    def _problem(self, entry: Path, key: str) -> str | None:
        try:
            manifest = self.manifest(entry)
            if manifest.get("format") != FORMAT_VERSION or manifest.get("key") != key:
                return "written for another key or format"
            files: dict[str, list] = manifest["files"]
            for name, (size, digest) in files.items():
                path = entry / name
                if path.stat().st_size != size or _file_digest(path) != digest:
                    return f"{name} changed since it was written"
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return f"unreadable manifest or file: {exc}"
        return None

    @staticmethod
    def manifest(entry: Path) -> dict:
        """The entry's manifest: key, format, files, and the `meta` the writer added."""
        return json.loads((entry / MANIFEST).read_text(encoding="utf-8"))

    def latest(self) -> Path | None:
        """The most recently written valid entry, whatever its key (for incremental rebuilds)."""
        entries = sorted(self._entries(), key=lambda p: p.stat().st_mtime, reverse=True)
        for entry in entries:
            try:
                key = self.manifest(entry)["key"]
            except (OSError, ValueError, KeyError):
                continue
            if self.open(key) is not None:
                return entry
        return None

    def _entries(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(_TMP_PREFIX)]

    def save(self, key: str, write: Callable[[Path], None], meta: dict | None = None) -> Path:
        """Let `write` fill a temporary directory, add the manifest, then rename it to the entry.

        Raises OSError when the cache folder is not writable; the caller may go on uncached.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=self.root))
        try:
            write(tmp)
            files = {p.name: [p.stat().st_size, _file_digest(p)] for p in sorted(tmp.iterdir())}
            manifest = {"key": key, "format": FORMAT_VERSION, "files": files, "meta": meta or {}}
            (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
            entry = self.root / key
            shutil.rmtree(entry, ignore_errors=True)  # a stale or corrupt entry under the same key
            try:
                os.rename(tmp, entry)
            except OSError:
                if not entry.is_dir():
                    raise
                log.debug("another process wrote index cache %s first", entry)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self._prune(entry)
        return entry

    def _prune(self, current: Path) -> None:
        """Drop all but the newest entries, and temporary directories a killed build left behind."""
        old = sorted(
            (p for p in self._entries() if p != current), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for entry in old[max(self.keep - 1, 0) :]:
            shutil.rmtree(entry, ignore_errors=True)
        now = time.time()
        for tmp in self.root.glob(_TMP_PREFIX + "*"):
            if now - tmp.stat().st_mtime > _STALE_TMP_SECONDS:
                shutil.rmtree(tmp, ignore_errors=True)
