"""A question's closest sentences by meaning: the exact top k of every stored e5 vector.

The vectors are int8 codes with a scale per row (`embed.Codes`). A float32 copy of them in memory
costs 1.5 KB per sentence and, at each question, a product that reads all of it; its BLAS threads
then spin on the cores the question's encoder needs. simsimd's SIMD int8 dot product reads the
codes themselves, a quarter of the bytes, and an error bound per row keeps the result exact.
"""

from __future__ import annotations

import numpy as np
import simsimd

SLACK = 1e-6  # float32 rounding of the exact products, beyond the bound of the int8 ones
# Rows per thread of the int8 pass: one thread reads 32k rows in about 2.5 ms; a second one costs
# little on idle cores but up to 8 ms on busy ones, so a small corpus is read by one.
ROWS_PER_THREAD = 1 << 15
_BLOCK = 1 << 16  # rows whose |codes| are summed at a time (bounded memory)


def spread(codes: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Per row, how far its int8 dot product with a quantised question can stray from the exact
    cosine, per unit of the question's own quantisation step (`top_k`): scale × |codes|₁ / 2.
    Computed once at ingestion and stored with the vectors (`ingest.write_vectors`)."""
    out = np.empty(len(scales), np.float32)
    for lo in range(0, len(scales), _BLOCK):
        block = np.abs(np.asarray(codes[lo : lo + _BLOCK], np.int16)).sum(axis=1, dtype=np.int32)
        out[lo : lo + len(block)] = scales[lo : lo + len(block)] * block / 2
    return out


def top_k(
    codes: np.ndarray, scales: np.ndarray, spreads: np.ndarray, query: np.ndarray, k: int, threads: int
) -> tuple[np.ndarray, np.ndarray]:
    """The `k` rows with the highest exact cosine to `query` (unit length), best first (ties: lower
    row first), and those cosines.

    Exact, at the cost of a quarter of float32's memory traffic: simsimd's SIMD int8 dot product
    of every row with the question quantised to int8 bounds each row's cosine within its
    `spreads` × the question's step; only rows whose bound reaches the k-th best exact cosine of
    the int8 shortlist are scored exactly (a few hundred of 100k). ~5 ms per 100k sentences on two
    cores; past a few million an approximate nearest-neighbour index would be needed.
    """
    k = min(k, len(scales))
    step = float(np.abs(query).max()) / 127.0
    if k == 0 or step == 0.0:
        rows = np.arange(k)
        return rows, np.zeros(k, np.float32)
    quantised = np.clip(np.rint(query / step), -127, 127).astype(np.int8)
    threads = max(1, min(threads, len(scales) // ROWS_PER_THREAD))
    rough = np.asarray(simsimd.cdist(quantised[None], codes, metric="dot", threads=threads))[0] * (scales * step)
    shortlist = np.argpartition(-rough, k - 1)[:k]
    floor = _exact(codes, scales, shortlist, query).min()
    rows = np.flatnonzero(rough + spreads * step >= floor - SLACK)
    cos = _exact(codes, scales, rows, query)
    best = np.lexsort((rows, -cos))[:k]
    return rows[best], cos[best]


def _exact(codes: np.ndarray, scales: np.ndarray, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    return (np.asarray(codes[rows], np.float32) * scales[rows, None]) @ query
