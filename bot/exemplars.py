"""Retrieval learned from labelled wording: practitioners' phrasings and the items that cover them.

`bot/data/retrieval_pairs.yaml` holds about 1,600 pairs (and `retrieval_pairs_statements.yaml` 450 control statements) written in bulk (never an eval set): a questionnaire row, an
engineer's shorthand or an auditor's request, with the SOC 2 criteria, ISO/IEC 27001:2022 items and guidance that
answer it. A question close to some of those phrasings votes for their items; the vote is a third ranked list beside
dense and BM25 in the standards retriever (`Retriever.search`), fused by the same reciprocal-rank rule, so one
neighbour can lift an item but never pin it.

A linear query adapter trained on the same pairs lost to plain MiniLM (benchmarks/query_adapter.py); the nearest
labelled phrasings add what the adapter did not: on held-out pairs, both frameworks in the first five 0.58 -> 0.66.

The phrasings' embeddings and documents ship in `bot/data/pair_vectors.npz`, keyed by the pairs file's hash
(`python -m bot.exemplars` refreshes them after editing the pairs), so a cold process parses and embeds nothing.

>>> votes = Exemplars.load().votes(vector, allowed={"CC6.1", "A.8.5"})   # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Collection
from pathlib import Path

import numpy as np

from ingest.datafile import read_yaml

PAIRS_PATH = Path(__file__).with_name("data") / "retrieval_pairs.yaml"
# control statements in the declarative style of public control catalogues ("Risk responses are chosen and tracked"),
# 450 more pairs written the same way
STATEMENTS_PATH = Path(__file__).with_name("data") / "retrieval_pairs_statements.yaml"
PAIRS_PATHS = (PAIRS_PATH, STATEMENTS_PATH)
VECTORS_PATH = Path(__file__).with_name("data") / "pair_vectors.npz"
NEIGHBOURS = 10  # labelled phrasings that vote for a question's items
MIN_SIMILARITY = 0.45  # a phrasing less close than this says nothing about the question


class Exemplars:
    """Labelled phrasings (unit vectors) and the documents each names, best first."""

    def __init__(self, vectors: np.ndarray, docs: list[tuple[str, ...]]):
        if len(vectors) != len(docs):
            raise ValueError(f"{len(vectors)} vectors for {len(docs)} phrasings")
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.docs = docs

    @classmethod
    @functools.cache
    def load(cls) -> "Exemplars":
        kept = shipped()
        if kept is not None:  # the common case: no YAML to parse on a cold start
            return cls(*kept)
        from bot.retrieve import embed_texts  # a stale or missing file: embed once, in this process

        texts, docs = pairs()
        vectors = np.vstack(embed_texts(texts, batch_size=64)) if texts else np.zeros((0, 384), np.float32)
        return cls(vectors, docs)

    def votes(self, vector: np.ndarray, allowed: Collection[str]) -> list[str]:
        """The documents the nearest phrasings name, most voted first: each neighbour adds its similarity to its
        documents, the first-named a little more than the rest."""
        if not len(self.docs):
            return []
        sims = self.vectors @ np.asarray(vector, dtype=np.float32)
        score: dict[str, float] = {}
        for j in np.argsort(-sims)[:NEIGHBOURS]:
            if sims[j] < MIN_SIMILARITY:
                break
            for rank, doc in enumerate(self.docs[j]):
                if doc in allowed:
                    score[doc] = score.get(doc, 0.0) + float(sims[j]) / (1 + 0.25 * rank)
        return sorted(score, key=lambda d: -score[d])


def pairs(paths: tuple[Path, ...] = PAIRS_PATHS) -> tuple[list[str], list[tuple[str, ...]]]:
    """(phrasings, the documents each names: its SOC 2, ISO and guidance items, in that order, best first)."""
    texts, docs = [], []
    for path in paths:
        for pair in read_yaml(path)["pairs"]:
            named = tuple(str(d) for d in [*pair.get("soc2", []), *pair.get("iso", []), *pair.get("guidance", [])])
            if named:
                texts.append(str(pair["text"]))
                docs.append(named)
    return texts, docs


def digest(paths: tuple[Path, ...] = PAIRS_PATHS) -> str:
    """The pairs files' hash: the shipped vectors are of these files or stale."""
    sha = hashlib.sha256()
    for path in paths:
        sha.update(Path(path).read_bytes())
    return sha.hexdigest()[:16]


def shipped() -> tuple[np.ndarray, list[tuple[str, ...]]] | None:
    """(vectors, documents per phrasing) from bot/data, when they are of the current pairs file."""
    try:
        with np.load(VECTORS_PATH) as saved:
            if str(saved["digest"]) != digest():
                return None
            docs = [tuple(str(names).split(" ")) for names in saved["docs"]]  # one read of the array, not one per row
            return saved["vectors"].astype(np.float32), docs
    except (OSError, ValueError, KeyError):
        return None


def freeze(embed: Callable[[list[str]], np.ndarray]) -> Path:
    """Write the phrasings' embeddings and documents to bot/data (run after editing the pairs)."""
    texts, docs = pairs()
    vectors = np.asarray(embed(texts), dtype=np.float16)
    np.savez_compressed(VECTORS_PATH, vectors=vectors, docs=np.array([" ".join(d) for d in docs]),
                        digest=np.array(digest()))
    return VECTORS_PATH


if __name__ == "__main__":  # python -m bot.exemplars: refresh bot/data/pair_vectors.npz after editing the pairs
    from ingest.embed import query_embedder

    print(f"wrote {freeze(query_embedder().encode)}")
