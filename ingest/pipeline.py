"""Documents -> chunks -> embeddings -> a new published generation in Chroma.

Incremental: chunks whose content hash is unchanged keep their embeddings
(copied from the published generation), changed and new chunks are embedded,
removed ones are simply not carried over. If nothing changed, nothing is
written at all.

>>> report = ingest(load_corpus(Path("corpus")), Store(Path(".trustdesk")))   # doctest: +SKIP
>>> report.embedded, report.reused                                             # doctest: +SKIP
(0, 1034)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from langchain_core.documents import Document

from ingest.chunk import chunk_text, content_hash, split
from ingest.embed import MODEL_NAME, embedder
from ingest.load import CorpusDoc
from ingest.store import STANDARDS, Store

if TYPE_CHECKING:
    from ingest.records import Records

BATCH = 64
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class IngestReport:
    index: str
    documents: int
    chunks: int
    embedded: int
    reused: int
    removed: int
    changed: bool
    collection: str
    seconds: float


def chunks_of(docs: list[CorpusDoc]) -> list[Document]:
    return [chunk for doc in docs for chunk in split(doc)]


def _metadata(chunk: Document, digest: str) -> dict:
    return {**chunk.metadata, "hash": digest}


def ingest(docs: list[CorpusDoc], store: Store, index: str = STANDARDS, *,
           rebuild: bool = False, progress: Progress | None = None, records: "Records | None" = None) -> IngestReport:
    """Publish `docs` as the index's next generation. With `records`, the ingest holds that database's lock
    for the index, so processes on any machine sharing it take turns (IngestBusy says who is running).
    A store that cannot be written (a read-only data directory) is refused before anything starts."""
    store.check_writable()
    if records is None:
        return _ingest(docs, store, index, rebuild, progress, None)
    from ingest.lock import hold

    with hold(records, f"ingest:{index}") as held:
        return _ingest(docs, store, index, rebuild, progress, held)


def _ingest(docs: list[CorpusDoc], store: Store, index: str, rebuild: bool, progress: Progress | None,
            held) -> IngestReport:
    started = time.perf_counter()
    progress = progress or (lambda stage, done, total: None)
    chunks = chunks_of(docs)
    digests = {c.id: content_hash(c) for c in chunks}
    published = store.published(index)
    old = store.hashes(published) if published and published.model == MODEL_NAME and not rebuild else {}
    removed = len(set(old) - set(digests)) if published else 0
    if published and not rebuild and old == digests:
        return IngestReport(index, len(docs), len(chunks), 0, len(chunks), 0, False,
                            published.collection, time.perf_counter() - started)

    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    target = store.new_generation(index, MODEL_NAME, created)
    try:
        reuse = [cid for cid, digest in digests.items() if old.get(cid) == digest]
        if reuse:
            source = store.collection(published.collection)
            for start in range(0, len(reuse), 512):
                ids = reuse[start:start + 512]
                got = store._call(source.get, ids=ids, include=["embeddings", "documents", "metadatas"])
                store._write(target.add, ids=got["ids"], embeddings=got["embeddings"],
                            documents=got["documents"], metadatas=got["metadatas"])
                progress("reuse", start + len(ids), len(reuse))
        reused = set(reuse)
        # Shortest first: each batch then pads to similar lengths, which is most of the speed on a CPU.
        fresh = sorted((c for c in chunks if c.id not in reused), key=lambda c: len(chunk_text(c)))
        model = embedder() if fresh else None
        for start in range(0, len(fresh), BATCH):
            batch = fresh[start:start + BATCH]
            vectors = model.embed_documents([chunk_text(c) for c in batch])
            store._write(target.add, ids=[c.id for c in batch], embeddings=vectors,
                        documents=[c.page_content for c in batch],
                        metadatas=[_metadata(c, digests[c.id]) for c in batch])
            progress("embed", start + len(batch), len(fresh))
        count = store._call(target.count)
        if count != len(chunks):
            raise RuntimeError(f"index holds {count} chunks, expected {len(chunks)}")
        if held is not None:
            held.check()  # never publish after the lock was taken over
        store.publish(target)
    except BaseException:
        try:
            store.drop(target.name)
        except Exception:  # the next ingest removes unpublished generations anyway
            pass
        raise
    return IngestReport(index, len(docs), len(chunks), len(fresh), len(reuse), removed, True,
                        target.name, time.perf_counter() - started)
