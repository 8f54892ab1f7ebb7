"""Corpus and company documents -> chunks -> embeddings -> Chroma.

Public surface: `load_corpus`, `load_company`, `ingest`, `Store`, `STANDARDS`,
`company_index`, `embedder`, and the errors in `ingest.errors`.
"""

from ingest.errors import CorpusInvalid, IndexMissing, RecordsUnavailable, StoreUnavailable, TrustdeskError
from ingest.load import CorpusDoc, load_company, load_corpus
from ingest.pipeline import IngestReport, ingest
from ingest.store import STANDARDS, Published, Store, company_index

__all__ = [
    "CorpusDoc", "CorpusInvalid", "IndexMissing", "IngestReport", "Published", "STANDARDS",
    "Store", "StoreUnavailable", "TrustdeskError", "company_index", "ingest", "load_company",
    "load_corpus",
]
