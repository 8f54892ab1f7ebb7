"""What the indexes and the records database hold, for the web UI's Admin page.

>>> status = index_status(Store(Path(".trustdesk")), Settings())      # doctest: +SKIP
>>> status.store_mode, [i.index for i in status.indexes]               # doctest: +SKIP
('embedded', ['company-northwind', 'standards'])
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.records import default_url, safe_url
from ingest.store import Store


@dataclass(frozen=True)
class IndexInfo:
    index: str  # "standards" or "company-<tenant>"
    collection: str
    generation: int
    documents: int
    chunks: int
    built_at: str  # the last ingest that changed it (ISO 8601, UTC)
    model: str


@dataclass
class Status:
    store_mode: str  # embedded | server
    store_where: str  # a folder, or the server's URL
    database: str  # the records database URL, password hidden
    indexes: list[IndexInfo] = field(default_factory=list)

    @property
    def standards(self) -> IndexInfo | None:
        return next((i for i in self.indexes if i.index == "standards"), None)


def index_status(store: Store, settings) -> Status:
    """Every published index with its document and chunk counts; raises StoreUnavailable if the store is down."""
    found = []
    for pub in store.indexes():
        chunks = store.hashes(pub)  # chunk ids are "<doc id>::<section>[::n]"
        docs = {cid.split("::", 1)[0] for cid in chunks}
        found.append(IndexInfo(pub.index, pub.collection, pub.generation, len(docs), len(chunks),
                               pub.created_at, pub.model))
    return Status("server" if store.chroma_url else "embedded", store.where,
                  safe_url(settings.database_url or default_url(settings.data_dir)), found)
