"""Corpus and company documents -> chunks -> embeddings -> Chroma.

Public surface: `load_corpus`, `load_company`, `ingest`, `Store`, `STANDARDS`,
`company_index`, `embedder`, and the errors in `ingest.errors`.
The records database (answer library, feedback, fill checkpoints, chat threads)
is the package `ingest.records`.

The names are imported when first used (PEP 562): answering a question imports
`ingest.store` and `ingest.embed`, and must not pay for the ingest pipeline's
imports (LangChain's splitters) on a cold `trustdesk ask`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ingest.errors import CorpusInvalid, IndexMissing, RecordsUnavailable, StoreUnavailable, TrustdeskError

# The default records database: this SQLite file in the data dir (`ingest.records.default_url`). Named here, where
# importing it costs nothing, because a cold `trustdesk ask` probes the file without importing SQLAlchemy.
RECORDS_FILE = "trustdesk.db"

if TYPE_CHECKING:
    from ingest.load import CorpusDoc, load_company, load_corpus
    from ingest.pipeline import IngestReport, ingest
    from ingest.store import STANDARDS, Published, Store, company_index

_WHERE = {"CorpusDoc": "ingest.load", "load_company": "ingest.load", "load_corpus": "ingest.load",
          "IngestReport": "ingest.pipeline", "ingest": "ingest.pipeline", "STANDARDS": "ingest.store",
          "Published": "ingest.store", "Store": "ingest.store", "company_index": "ingest.store"}

__all__ = [
    "CorpusDoc", "CorpusInvalid", "IndexMissing", "IngestReport", "Published", "RECORDS_FILE", "RecordsUnavailable",
    "STANDARDS",
    "Store", "StoreUnavailable", "TrustdeskError", "company_index", "ingest", "load_company", "load_corpus",
]


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'ingest' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
