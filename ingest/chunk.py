"""Split documents on their `##` headings into chunks that keep the document's metadata.

A chunk's ID is stable across runs (`CC6.1::what-it-requires`), and its hash
covers everything that goes into the index, so re-ingest can tell unchanged
chunks from changed ones.
"""

from __future__ import annotations

import hashlib
import json
import re

from langchain_core.documents import Document
from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from ingest.load import CorpusDoc

MAX_CHUNK_CHARS = 1800
_SPLITTER = MarkdownHeaderTextSplitter(headers_to_split_on=[("##", "section")], strip_headers=True)
_LONG = RecursiveCharacterTextSplitter(chunk_size=MAX_CHUNK_CHARS, chunk_overlap=150)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "body"


# Sections that are lists of IDs in the other framework: their meaning is the document's title,
# so only the header is embedded (BM25 still indexes every ID in them).
HEADER_ONLY_SECTIONS = frozenset({"Counterparts"})


def chunk_text(chunk: Document) -> str:
    """The text that is embedded: the document's title and section give each chunk context."""
    m = chunk.metadata
    header = f"{m['doc_id']} {m['title']}. {m['section']}."
    if m["section"] in HEADER_ONLY_SECTIONS:
        return header
    return f"{header}\n{chunk.page_content}"


def split(doc: CorpusDoc) -> list[Document]:
    """Chunks of one document, in reading order, each carrying the document's metadata."""
    meta = doc.meta
    base = {
        "doc_id": meta.id,
        "framework": meta.framework,
        "kind": meta.kind,
        "title": meta.title,
        "theme": meta.theme,
        "source": doc.source,
        # Chroma metadata values are scalars: lists travel as text.
        "aliases": "; ".join(meta.aliases),
        "related": " ".join(meta.related),
    }
    if meta.category:
        base["category"] = meta.category
    chunks: list[Document] = []
    used: dict[str, int] = {}
    for position, part in enumerate(_SPLITTER.split_text(doc.body)):
        section = part.metadata.get("section", "Overview")
        pieces = _LONG.split_text(part.page_content) if len(part.page_content) > MAX_CHUNK_CHARS else [part.page_content]
        for piece in pieces:
            if not piece.strip():
                continue
            slug = _slug(section)
            n = used.get(slug, 0)
            used[slug] = n + 1
            chunk_id = f"{meta.id}::{slug}" + (f"::{n}" if n else "")
            chunks.append(Document(
                id=chunk_id,
                page_content=piece.strip(),
                metadata={**base, "section": section, "position": position, "chunk_id": chunk_id},
            ))
    return chunks


def content_hash(chunk: Document) -> str:
    payload = json.dumps({"text": chunk_text(chunk), "meta": chunk.metadata}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]
