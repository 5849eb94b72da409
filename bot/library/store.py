"""The persisted index cache: one directory per key, written atomically, verified before use.

Analysing is the slow part of start-up (pyvi, ~2.3k sentences/s per core), so what it
produced is kept on disk under a key made of everything that shapes it. An entry is written
in a temporary directory and renamed into place, so a reader never sees half of one (a build
killed half-way leaves the previous entries as they were). Every file's size and BLAKE2
digest are in the manifest; with them the writer records each file's size, mtime and inode,
and an open hashes only files whose stats changed since (or that are not older than that
record), so a restart does not re-hash hundreds of megabytes. An entry that fails is deleted and reported as a miss: a
corrupt or stale cache is never trusted.
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

FORMAT_VERSION = 3
MANIFEST = "manifest.json"
_VERIFIED = "verified.json"  # stats of the files as they were when their digests last checked out
_TMP_PREFIX = ".tmp-"
_STALE_TMP_SECONDS = 3600


def cache_key(parts: Iterable[str]) -> str:
    """A digest of `parts` (settings, tokenizer version, article digests) and the format version."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"format={FORMAT_VERSION}".encode())
    for part in parts:
        h.update(b"\0" + part.encode("utf-8"))
    return h.hexdigest()


def _stat(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


def _stamp_verified(entry: Path, names: Iterable[str]) -> None:
    """Record the files' stats as of a successful digest check. A later open trusts a file whose
    stats still match and whose mtime is older than this record (a file written in the same clock
    tick as the record, as a damaging write right after it could be, is hashed again)."""
    try:
        stats = {name: _stat(entry / name) for name in names}
        (entry / _VERIFIED).write_text(json.dumps(stats), encoding="utf-8")
    except OSError:
        pass  # a read-only cache is hashed in full at every open


def _verified(entry: Path) -> tuple[dict[str, list[int]], int]:
    """The recorded stats and when they were recorded (the record's own mtime)."""
    try:
        path = entry / _VERIFIED
        stamps = json.loads(path.read_text(encoding="utf-8"))
        return (stamps, path.stat().st_mtime_ns) if isinstance(stamps, dict) else ({}, 0)
    except (OSError, ValueError):
        return {}, 0


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
            stamps, stamped_at = _verified(entry)
            hashed = False
            for name, (size, digest) in files.items():
                stat = _stat(entry / name)
                if stat[0] != size:
                    return f"{name} changed since it was written"
                if stamps.get(name) == list(stat) and stat[1] < stamped_at:
                    continue  # unchanged since its digest last checked out
                hashed = True
                if _file_digest(entry / name) != digest:
                    return f"{name} changed since it was written"
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return f"unreadable manifest or file: {exc}"
        if hashed:
            _stamp_verified(entry, files)
        return None

    @staticmethod
    def manifest(entry: Path) -> dict:
        """The entry's manifest: key, format, files, and the `meta` the writer added.

        TypeError when it is not a JSON object (`null`, `[]`, `5` are damage too)."""
        manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise TypeError(f"manifest is a JSON {type(manifest).__name__}, not an object")
        return manifest

    def latest(self, match: Callable[[dict], bool] = lambda meta: True) -> Path | None:
        """The most recently written valid entry whose `meta` matches, whatever its key (for
        incremental rebuilds); entries with an unreadable manifest are deleted on the way."""
        return next(iter(self.entries(match, first=True)), None)

    def entries(self, match: Callable[[dict], bool] = lambda meta: True, first: bool = False) -> list[Path]:
        """The valid entries whose `meta` matches, newest first (only the newest with `first`)."""
        found: list[Path] = []
        entries = sorted(self._entries(), key=lambda p: p.stat().st_mtime, reverse=True)
        for entry in entries:
            try:
                manifest = self.manifest(entry)
                key, meta = manifest["key"], manifest.get("meta", {})
                if not isinstance(key, str) or not isinstance(meta, dict):
                    raise TypeError("manifest without a key and meta")
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("index cache %s is unusable (%s); deleting it", entry, exc)
                shutil.rmtree(entry, ignore_errors=True)
                continue
            if match(meta) and self.open(key) is not None:
                found.append(entry)
                if first:
                    break
        return found

    def _entries(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        # Hidden names are not entries: temporary folders, embedding journals, build locks.
        return [p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")]

    def save(
        self, key: str, write: Callable[[Path], dict | None], meta: dict | None = None, family: str | None = None
    ) -> Path:
        """Let `write` fill a temporary directory, add the manifest, then rename it to the entry.

        The manifest's `meta` is `meta` updated with what `write` returns. Raises OSError when
        the cache folder is not writable; the caller may go on uncached.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=self.root))
        try:
            meta = {**(meta or {}), **(write(tmp) or {})}
            files = {p.name: [p.stat().st_size, _file_digest(p)] for p in sorted(tmp.iterdir())}
            manifest = {"key": key, "format": FORMAT_VERSION, "files": files, "meta": meta}
            (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
            _stamp_verified(tmp, files)  # digests just computed: the first open need not hash again
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
        self._prune(entry, family)
        return entry

    def _family(self, entry: Path) -> str | None:
        try:
            meta = self.manifest(entry).get("meta")
            return meta.get("family") if isinstance(meta, dict) else None
        except (OSError, ValueError, TypeError):
            return None

    def _prune(self, current: Path, family: str | None = None) -> None:
        """Drop all but the newest entries of `family` (entries of other folders are theirs to keep;
        those of no family are as good as any), and temporary directories a killed build left."""
        old = sorted(
            (p for p in self._entries() if p != current and self._family(p) in (family, None)),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for entry in old[max(self.keep - 1, 0) :]:
            shutil.rmtree(entry, ignore_errors=True)
        now = time.time()
        for tmp in self.root.glob(_TMP_PREFIX + "*"):
            if now - tmp.stat().st_mtime > _STALE_TMP_SECONDS:
                shutil.rmtree(tmp, ignore_errors=True)
