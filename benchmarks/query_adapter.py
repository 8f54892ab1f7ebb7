"""Would a query-side linear adapter over MiniLM help retrieval? A measurement, not a feature.

Fits a 384x384 map W (ridge regression towards the identity) from practitioner wording to the lead sections of
the items that cover it (bot/data/retrieval_pairs.yaml, 1,611 pairs written in bulk by a helper who read no eval
set), on 80% of the pairs, and prints dense hit@5 on the other 20% with and without it. On 2026-12-07 the adapter
lost at every regularisation tried (0.904 without; 0.848-0.879 with), so the retriever does not use one.

    python benchmarks/query_adapter.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import Settings  # noqa: E402
from bot.engine import Assistant  # noqa: E402
from bot.retrieve import embed_texts  # noqa: E402
from ingest.schema import LEAD_SECTIONS  # noqa: E402

PAIRS = Path(__file__).resolve().parents[1] / "bot" / "data" / "retrieval_pairs.yaml"
LAMBDAS = (0.3, 1, 3, 10, 30)


def lead_vectors(retriever) -> dict[str, np.ndarray]:
    out = {}
    for doc, rows in retriever.by_doc.items():
        leads = [i for i in rows if retriever.metas[i].get("section") in LEAD_SECTIONS] or rows[:1]
        v = retriever.vectors[leads].mean(0)
        out[doc] = v / np.linalg.norm(v)
    return out


def hit_at_5(retriever, queries: np.ndarray, wanted: list[list[str]], w: np.ndarray | None = None) -> float:
    hits = 0
    for q, docs in zip(queries, wanted):
        v = q @ w if w is not None else q
        order = np.argsort(-(retriever.vectors @ (v / np.linalg.norm(v))))
        top: list[str] = []
        for i in order:
            doc = retriever.metas[i]["doc_id"]
            if doc not in top:
                top.append(doc)
            if len(top) == 5:
                break
        hits += bool(set(top) & set(docs))
    return hits / len(wanted)


def main() -> None:
    retriever = Assistant(Settings()).retriever()
    lead = lead_vectors(retriever)
    pairs = yaml.safe_load(PAIRS.read_text(encoding="utf-8"))["pairs"]
    items = [(p["text"], [str(d) for d in p["soc2"] + p["iso"] + p["guidance"] if str(d) in lead]) for p in pairs]
    items = [item for item in items if item[1]]
    random.Random(7).shuffle(items)
    cut = int(len(items) * 0.8)
    started = time.perf_counter()
    q = np.vstack(embed_texts([t for t, _ in items], batch_size=64))
    print(f"embedded {len(items)} pairs in {time.perf_counter() - started:.0f} s; train {cut}, held out {len(items) - cut}")
    train, test = q[:cut], q[cut:]
    wanted = [docs for _, docs in items]
    targets = np.vstack([np.mean([lead[d] for d in docs], 0) for docs in wanted[:cut]])
    targets /= np.linalg.norm(targets, axis=1, keepdims=True)
    print(f"dense hit@5, held out, no adapter: {hit_at_5(retriever, test, wanted[cut:]):.3f}")
    for lam in LAMBDAS:
        w = np.linalg.solve(train.T @ train + lam * np.eye(q.shape[1]), train.T @ targets + lam * np.eye(q.shape[1]))
        print(f"lambda {lam:>4}: held out {hit_at_5(retriever, test, wanted[cut:], w):.3f}")


if __name__ == "__main__":
    main()
