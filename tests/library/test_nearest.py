"""The question's closest sentences by meaning (`bot.library.nearest`): exact, whatever the int8
shortcut does on the way."""

from __future__ import annotations

import numpy as np

from bot.library import embed, nearest


def test_nearest_is_the_exact_top_k_of_every_row() -> None:
    """The int8 shortcut loses nothing: the same rows, order and cosines as a float32 product over
    every row, on clustered vectors whose near-ties the int8 pass alone would misorder."""
    rng = np.random.default_rng(5)
    centres = rng.standard_normal((4, embed.DIM))
    raw = np.repeat(centres, 500, axis=0) + 0.05 * rng.standard_normal((2000, embed.DIM))
    codes = embed.Codes.of(raw / np.linalg.norm(raw, axis=1, keepdims=True))
    exact = codes.codes.astype(np.float32) * codes.scales[:, None]  # the rows as stored
    spreads = nearest.spread(codes.codes, codes.scales)
    misordered = 0
    for query in (exact[7] + 0.01 * rng.standard_normal(embed.DIM).astype(np.float32), exact[1999]):
        query = (query / np.linalg.norm(query)).astype(np.float32)
        cos = exact @ query
        want = np.lexsort((np.arange(len(cos)), -cos))[:30]
        step = np.abs(query).max() / 127
        rough = (codes.codes.astype(np.int32) @ np.rint(query / step).astype(np.int32)) * codes.scales
        misordered += np.argsort(-rough, kind="stable")[:30].tolist() != want.tolist()
        rows, got = nearest.top_k(codes.codes, codes.scales, spreads, query, 30, threads=2)
        assert rows.tolist() == want.tolist()
        np.testing.assert_allclose(got, cos[want], rtol=0, atol=1e-6)
    assert misordered  # the exact pass mattered
    rows, got = nearest.top_k(codes.codes[:3], codes.scales[:3], spreads[:3], exact[0], 30, threads=1)
    assert sorted(rows.tolist()) == [0, 1, 2] and len(got) == 3  # fewer rows than asked
    rows, _ = nearest.top_k(codes.codes, codes.scales, spreads, np.zeros(embed.DIM, np.float32), 2, threads=1)
    assert len(rows) == 2  # a question with no vector (nothing to look for) finds no meaning, no error
