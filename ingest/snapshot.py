"""What a cold reader needs of an embedded index, without importing chromadb.

Importing chromadb and opening its client costs about a second, and reading a
generation through it another third: most of a one-shot `trustdesk ask`. A
published generation never changes (ingest fills a new collection and flips a
flag), so the store keeps a copy of each one's chunks beside Chroma's folder,
`snapshots/<collection>.<collection id>.chunks.npz`, and finds which generation is
published by reading Chroma's own SQLite catalog with the standard library.
Readers keep what they derive from a generation there too (the retriever's BM25
index, under a tag that names the code that built it).

Both are shortcuts, never the truth: anything unexpected here (no file, a torn
or foreign file, a catalog laid out differently by another Chroma version)
returns None, and the store asks Chroma itself. The collection id in the file
name is a UUID Chroma draws per collection, so a rebuilt folder whose
generations restart at g1 never meets an old copy.

>>> published_rows(Path(".trustdesk/chroma"))             # doctest: +SKIP
[Row(uid='5d14...', name='td-standards-g1', metadata={'published': True, ...})]
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger("trustdesk")

FORMAT = 1
SUFFIX = ".npz"
CHUNKS = "chunks"
BUSY_TIMEOUT_SECONDS = 5.0
ABANDONED_AFTER_SECONDS = 3600
_CATALOG = """
    SELECT c.id, c.name, m.key, m.str_value, m.int_value, m.float_value, m.bool_value
    FROM collections AS c LEFT JOIN collection_metadata AS m ON m.collection_id = c.id
"""


@dataclass(frozen=True)
class Row:
    """One collection in Chroma's catalog."""

    uid: str
    name: str
    metadata: dict


def published_rows(chroma_dir: Path) -> list[Row] | None:
    """Every collection and its metadata, read from `chroma_dir`/chroma.sqlite3; None if that cannot be done.

    Opened read-only: a journal-mode database is only read (no file is created beside it), and a write by an
    ingest in progress is waited for, as any SQLite reader does.
    """
    database = chroma_dir / "chroma.sqlite3"
    if not database.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
        try:
            found = conn.execute(_CATALOG).fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:  # damaged, locked for too long, or another Chroma's layout: Chroma will say
        log.debug("reading Chroma's catalog in %s directly failed (%s); asking Chroma", chroma_dir, exc)
        return None
    rows: dict[str, Row] = {}
    for uid, name, key, text, number, real, flag in found:
        row = rows.setdefault(uid, Row(str(uid), str(name), {}))
        if key is not None:
            row.metadata[key] = next((v for v in (text, number, real) if v is not None), None) \
                if flag is None else bool(flag)
    return list(rows.values())


def path(folder: Path, name: str, uid: str, tag: str) -> Path:
    return folder / f"{name}.{uid}.{tag}{SUFFIX}"


def save(folder: Path, name: str, uid: str, tag: str, arrays: dict[str, np.ndarray]) -> Path:
    """Save arrays derived from one generation (`tag` says what they are), atomically: a reader sees the whole
    file or none."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".writing-", suffix=SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)  # as readable as the index beside it (mkstemp makes it private)
        target = path(folder, name, uid, tag)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def load(folder: Path, name: str, uid: str, tag: str) -> dict[str, np.ndarray] | None:
    """The arrays saved under `tag` for one generation, or None if there is no readable file."""
    target = path(folder, name, uid, tag)
    try:
        with np.load(target, allow_pickle=False) as saved:
            return {key: saved[key] for key in saved.files}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:  # torn, or not ours: Chroma has it
        log.warning("ignoring the unreadable index copy %s (%s)", target, exc)
        return None


def text_array(value) -> np.ndarray:
    """JSON-able `value` as bytes an .npz holds without pickling."""
    return np.frombuffer(json.dumps(value).encode(), dtype=np.uint8)


def from_text_array(array: np.ndarray):
    return json.loads(array.tobytes())


def write_chunks(folder: Path, name: str, uid: str, got: dict) -> Path:
    """Save one generation's chunks (Chroma's `get` with documents, metadatas and embeddings)."""
    payload = {"format": FORMAT, "name": name, "uid": uid, "ids": list(got["ids"]),
               "documents": list(got["documents"]), "metadatas": [dict(m or {}) for m in got["metadatas"]]}
    return save(folder, name, uid, CHUNKS, {"vectors": np.asarray(got["embeddings"], dtype=np.float32),
                                             "payload": text_array(payload)})


def read_chunks(folder: Path, name: str, uid: str) -> dict | None:
    """One generation's chunks as Chroma's `get` returns them, or None if there is no sound copy."""
    saved = load(folder, name, uid, CHUNKS)
    try:
        payload, vectors = from_text_array(saved["payload"]), saved["vectors"]
        ids = payload["ids"]
        sound = (payload["format"] == FORMAT and payload["name"] == name and payload["uid"] == uid
                 and vectors.ndim == 2 and len(vectors) == len(ids) == len(payload["documents"])
                 == len(payload["metadatas"]))
    except (TypeError, KeyError, ValueError):  # None (no file), or not a copy of ours
        sound = False
    if not sound:
        if saved is not None:
            log.warning("ignoring the index copy of %s in %s: it does not describe that collection", name, folder)
        return None
    return {"ids": ids, "documents": payload["documents"], "metadatas": payload["metadatas"], "embeddings": vectors}


def sweep(folder: Path, keep: set[str]) -> None:
    """Remove the copies of collections that no longer exist (`keep`: the ids of those that do), and writes
    that a crash left behind (an hour old: a reader may be writing one right now)."""
    if not folder.is_dir():
        return
    now = time.time()
    for file in folder.iterdir():
        try:
            if file.name.startswith(".writing-"):
                if now - file.stat().st_mtime > ABANDONED_AFTER_SECONDS:
                    file.unlink()
            elif file.name.endswith(SUFFIX) and _uid(file.name) not in keep:
                file.unlink()
        except FileNotFoundError:  # another ingest's sweep, or a write that just finished
            continue


def _uid(filename: str) -> str | None:
    """The collection id in "<name>.<uid>.<tag>.npz" (names and ids hold no dots)."""
    parts = filename.split(".")
    return parts[1] if len(parts) == 4 else None
