"""The numpy query embedder computes sentence-transformers' vectors (cosine >= 0.9999)."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.chunk import chunk_text, split
from ingest.embed import embedder
from ingest.load import load_corpus
from ingest.minilm import MiniLM

pytestmark = pytest.mark.slow


def test_vectors_equal_sentence_transformers_on_the_corpus(tmp_path):
    from tests.conftest import CORPUS

    chunks = [chunk_text(c) for doc in load_corpus(CORPUS) for c in split(doc)]
    texts = chunks[::25]  # every 25th chunk: short sections and 256-token ones alike
    texts += ["do u encrypt backups??", "CC6.1", "wat replaced A.12.6.1", "é ñ 中文 🙂", "x" * 3000]
    ours = MiniLM.load().encode(texts)
    theirs = np.asarray(embedder().embed_documents(texts), dtype=np.float32)
    cosines = (ours * theirs).sum(axis=1)
    assert len(texts) > 40 and cosines.min() >= 0.9999, cosines.min()
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_empty_and_single_inputs():
    model = MiniLM.load()
    assert model.encode([]).shape == (0, 384)
    assert model.encode([""]).shape == (1, 384)
