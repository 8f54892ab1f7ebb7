"""Chroma, embedded or on a server, and the publish protocol that keeps readers safe.

An index ("standards", or "company-<tenant>") is a series of Chroma
collections, one per generation: `td-standards-g7` (`ingest.generations`). Ingest fills a new
generation while readers keep using the published one, then publishes by
flagging the new collection in a single metadata update, and only then drops
the old one. An ingest that dies half-way leaves an unpublished collection
that readers never see and the next ingest removes.

Chroma and file-system errors are mapped by `ingest.faults` to `StoreUnavailable`
(or `IndexChanged`) with a message that says what to do; anything else is a bug
and propagates. A read-only data directory is served from a private copy of its
index (embedded Chroma cannot open a database it may not write); writes to it are
refused with the folder's name. An embedded store keeps a copy of each published
generation for cold readers, who then need not import Chroma (`ingest.snapshot`).
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import shutil
import tempfile
import time
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ingest import snapshot
from ingest.generations import (GENERATION_NAME, SCHEMA_VERSION, STANDARDS, Generation, Published,  # noqa: F401
                                collection_name, company_index, newest_published, tenant_of)  # (re-exported)
from ingest.embed import offline_environment
from ingest.errors import IndexChanged, IndexMissing, StoreUnavailable
from ingest.faults import (READ_ONLY, folder_error, is_transport_error, not_writable, storage_failed, store_error,
                           writable)

log = logging.getLogger("trustdesk")

# seconds a replaced generation stays readable, so readers in other processes can finish and switch
RETIRE_AFTER = 120.0
SERVER_ATTEMPTS = 3  # tries of one call to a Chroma server before it counts as down
# Set when a disk refused one of this process's writes to an embedded index. Chroma's core keeps state across
# clients in a process, and after such a failure the next one can hang inside it instead of raising, so this
# process writes no more; reading the published index (and answering) goes on.
_DISK_REFUSED: str | None = None


@contextmanager
def _opening(path: Path | None):
    """An exclusive lock on `path`/.opening across processes (none for a read-only copy)."""
    if path is None:
        yield
        return
    import fcntl

    with open(path / ".opening", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _with_retries(fn, *args, **kwargs):
    """`fn`, tried again on a transport error: 3 attempts, 0.2 s then 0.4 s apart (tenacity)."""
    from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

    retrying = retry(retry=retry_if_exception(lambda exc: is_transport_error(exc) or isinstance(exc, ConnectionError)),
                     stop=stop_after_attempt(SERVER_ATTEMPTS), wait=wait_exponential(multiplier=0.2, max=2),
                     reraise=True)
    return retrying(fn)(*args, **kwargs)


class Store:
    """A handle on the Chroma store: embedded in `data_dir`, or a server at `chroma_url`.

    >>> store = Store(Path(".trustdesk"))                      # doctest: +SKIP
    >>> store.published("standards").collection                # doctest: +SKIP
    'td-standards-g3'
    """

    def __init__(self, data_dir: Path, chroma_url: str | None = None, *, retire_after: float = RETIRE_AFTER):
        self.data_dir = Path(data_dir)
        self.chroma_url = chroma_url or None
        self.retire_after = retire_after
        self.read_only: str | None = None  # why writes are refused, once the client found the folder read-only

    @property
    def where(self) -> str:
        return self.chroma_url or str(self.data_dir / "chroma")

    @functools.cached_property
    def client(self) -> Any:
        offline_environment()
        return self._mapped(self._server_client if self.chroma_url else self._embedded_client)

    def _server_client(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from urllib.parse import urlparse

        url = urlparse(self.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise StoreUnavailable(f"TRUSTDESK_CHROMA_URL={self.chroma_url!r} is not an http(s)://host:port address")
        client = chromadb.HttpClient(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
                                     ssl=url.scheme == "https",
                                     settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))
        client.heartbeat()
        return client

    def _embedded_client(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path = self.data_dir / "chroma"
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise StoreUnavailable(f"data directory {self.data_dir} is a file, not a folder")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a read-only data directory with no index in it yet
            raise StoreUnavailable(folder_error(path) or f"cannot create {path}: {exc.strerror or exc}") from exc
        problem = writable(path)
        database = path / "chroma.sqlite3"
        if problem is None and database.exists() and not os.access(database, os.W_OK):
            problem = PermissionError(errno.EACCES, "the index database is read-only", str(database))
        if problem is not None and problem.errno in READ_ONLY:
            path = self._read_only_copy(path, problem)
        # Two processes opening a new folder at once would both create Chroma's tables ("table collections already
        # exists"): the first to open it does, under a file lock, while the other waits.
        with _opening(path if problem is None else None):
            client = chromadb.PersistentClient(path=str(path),
                                               settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))
            client.list_collections()  # touches the database: a damaged file fails here
        return client

    def _read_only_copy(self, path: Path, problem: OSError) -> Path:
        """A private copy of a read-only index, for reading only: embedded Chroma writes to any database it opens.

        The copy goes when this Store does (or the process ends); `read_only` makes every write refuse."""
        why = (problem.strerror or str(problem)).lower()
        if not (path / "chroma.sqlite3").exists():
            raise StoreUnavailable(not_writable(path, why))
        self.read_only = (not_writable(path, why) + ". Questions are still answered from the "
                          "index it holds; building or changing an index needs it writable.")
        copy = Path(tempfile.mkdtemp(prefix="trustdesk-readonly-"))
        weakref.finalize(self, shutil.rmtree, copy, True)
        try:
            shutil.copytree(path, copy / "chroma")
        except OSError as exc:
            raise StoreUnavailable(f"{path} is read-only ({why}), and a private copy of its index for reading "
                                   f"could not be made in {copy} ({exc.strerror or exc})") from exc
        log.warning("%s is read-only (%s): answering from a private copy of its index in %s", path, why, copy)
        return copy / "chroma"

    def check_writable(self) -> None:
        """Raise StoreUnavailable naming the folder if this store cannot be changed (before an ingest starts)."""
        if not self.chroma_url:
            _ = self.client  # finds out
        self._refuse_writes()

    def _refuse_writes(self) -> None:
        if self.read_only:
            raise StoreUnavailable(self.read_only)
        if _DISK_REFUSED and not self.chroma_url:
            raise StoreUnavailable(
                f"this process stopped writing to the embedded index after a disk refused a write ({_DISK_REFUSED}). "
                "The published index is unchanged and questions are still answered; once there is room, run the "
                "ingest in a new process (`trustdesk ingest`, or restart `trustdesk ui`)")

    def _mapped(self, fn, *args, **kwargs):
        """`fn`, with the failures `ingest.faults` knows turned into StoreUnavailable; anything else is a bug."""
        global _DISK_REFUSED
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            known = store_error(exc, self.where, server=bool(self.chroma_url))
            if known is None or known is exc:
                raise
            if not self.chroma_url and storage_failed(exc):
                _DISK_REFUSED = str(known)
            raise known from exc

    def _call(self, fn, *args, **kwargs):
        """Run one Chroma call, its errors mapped by `ingest.faults`.

        Against a server, a dropped connection is retried with backoff (a restart takes a moment) before it
        becomes StoreUnavailable.
        """
        if self.chroma_url:
            return self._mapped(_with_retries, fn, *args, **kwargs)
        return self._mapped(fn, *args, **kwargs)

    def _write(self, fn, *args, **kwargs):
        """A Chroma call that changes the store: refused on a read-only one (its copy must never pass for it)."""
        self._refuse_writes()
        return self._call(fn, *args, **kwargs)

    # --- generations -------------------------------------------------------

    def _generations(self, index: str) -> list[tuple[int, Any]]:
        found = []
        for col in self._call(self.client.list_collections):
            name = col.name if hasattr(col, "name") else str(col)
            m = GENERATION_NAME.match(name)
            if m and m["index"] == index:
                found.append((int(m["gen"]), name))
        return sorted(found)

    def published(self, index: str = STANDARDS) -> Published | None:
        """The published generation of an index, or None if it was never published.

        Until this process opens Chroma, an embedded store reads Chroma's catalog directly (`ingest.snapshot`):
        a one-shot `trustdesk ask` then never imports chromadb.
        """
        rows = self._catalog()
        if rows is not None:
            found = [(int(m["gen"]), row) for row in rows if (m := GENERATION_NAME.match(row.name)) and m["index"] == index]
            return newest_published(index, [(gen, row.name, row.uid, row.metadata) for gen, row in found])
        generations = []
        for gen, name in self._generations(index):
            col = self._call(self.client.get_collection, name)
            generations.append((gen, name, str(col.id), col.metadata or {}))
        return newest_published(index, generations)

    def _catalog(self) -> list[snapshot.Row] | None:
        """Chroma's catalog read without Chroma, or None: served by a server, already talking to Chroma (this
        process then keeps asking it), or a catalog this code cannot read."""
        if self.chroma_url or "client" in self.__dict__:
            return None
        return snapshot.published_rows(self.data_dir / "chroma")

    def require(self, index: str = STANDARDS) -> Published:
        pub = self.published(index)
        if pub is None:
            if index == STANDARDS:
                raise IndexMissing(
                    f"no index found in {self.where}. Run `trustdesk ingest` (or `make run`) to build it."
                )
            tenant = index.removeprefix("company-")
            raise IndexMissing(
                f"no documents for tenant '{tenant}'. Run `trustdesk company ingest DIR --tenant {tenant}` first."
            )
        return pub

    def collection(self, name: str) -> Any:
        return self._call(self.client.get_collection, name)

    def new_generation(self, index: str, model: str, created_at: str) -> Any:
        gens = self._generations(index)
        gen = (gens[-1][0] + 1) if gens else 1
        return self._write(
            self.client.create_collection,
            collection_name(index, gen),
            metadata={"index": index, "published": False, "model": model,
                      "schema_version": SCHEMA_VERSION, "created_at": created_at},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    def publish(self, collection: Any) -> None:
        """Make `collection` the one readers use; older generations are retired, then dropped (`collect_garbage`)."""
        meta = dict(collection.metadata or {})
        meta["published"] = True
        if not self.chroma_url:  # its copy first, so that no reader who sees it published has to ask Chroma
            got = self._call(collection.get, include=["documents", "metadatas", "embeddings"])
            self._keep_copy(collection.name, str(collection.id), got)
        self._write(collection.modify, metadata=meta)
        self.collect_garbage(meta["index"], keep=collection.name)

    def collect_garbage(self, index: str, keep: str) -> None:
        """Drop what no reader can be using.

        An unpublished generation other than `keep` is a crashed build (the ingest lock means nobody else is
        building). A published one that `keep` replaces is first marked retired: readers in other processes
        notice the new generation within seconds (`bot.engine.RELOAD_CHECK_SECONDS`) and switch, so it is
        dropped only `retire_after` seconds later, by a later ingest.
        """
        now = time.time()
        for _, name in self._generations(index):
            if name == keep:
                continue
            meta = dict(self.collection(name).metadata or {})
            retired = meta.get("retired_at")
            if not meta.get("published") or self.retire_after <= 0:
                self.drop(name)
            elif retired is None:
                meta["retired_at"] = now
                self._write(self.collection(name).modify, metadata=meta)
            elif now - float(retired) >= self.retire_after:
                self.drop(name)
        if not self.chroma_url:
            snapshot.sweep(self.snapshots, {str(col.id) for col in self._call(self.client.list_collections)})

    def drop(self, name: str) -> None:
        self._write(self.client.delete_collection, name)

    def read_all(self, published: Published) -> dict:
        """Every chunk of a generation: ids, documents, metadatas and embeddings.

        An embedded store reads its copy of the generation (`ingest.snapshot`) when it has a sound one, and
        otherwise asks Chroma and keeps a copy for the next reader.
        """
        if not self.chroma_url and published.uid:
            kept = snapshot.read_chunks(self.snapshots, published.collection, published.uid)
            if kept is not None:
                return kept
        got = self._call(self.collection(published.collection).get, include=["documents", "metadatas", "embeddings"])
        if published.uid:
            self._keep_copy(published.collection, published.uid, got)
        return got

    def has_copy(self, published: Published) -> bool:
        """Does a cold reader find this generation's copy (`ingest.snapshot`)? Never, against a server."""
        return (not self.chroma_url and bool(published.uid)
                and snapshot.path(self.snapshots, published.collection, published.uid, snapshot.CHUNKS).is_file())

    @property
    def snapshots(self) -> Path:
        """The folder of the generations' copies (`ingest.snapshot`), beside Chroma's own."""
        return self.data_dir / "snapshots"

    def derived(self, published: Published, tag: str) -> dict | None:
        """Arrays a reader derived from this generation before (`keep_derived`), or None."""
        if self.chroma_url or not published.uid:
            return None
        return snapshot.load(self.snapshots, published.collection, published.uid, tag)

    def keep_derived(self, published: Published, tag: str, arrays: dict) -> None:
        """Keep arrays derived from a generation for the next cold reader; a failure only costs that reader time."""
        if self.chroma_url or self.read_only or _DISK_REFUSED or not published.uid:
            return
        try:
            snapshot.save(self.snapshots, published.collection, published.uid, tag, arrays)
        except OSError as exc:
            log.warning("could not keep %s of %s in %s (%s)", tag, published.collection, self.snapshots,
                        exc.strerror or exc)

    def _keep_copy(self, name: str, uid: str, got: dict) -> None:
        """Save a generation's copy for cold readers, if this store may write; a failure only costs them time."""
        if self.chroma_url or self.read_only or _DISK_REFUSED:
            return
        try:
            snapshot.write_chunks(self.snapshots, name, uid, got)
        except OSError as exc:
            log.warning("could not save a copy of %s for fast loading in %s (%s); questions are answered from "
                        "Chroma instead", name, self.snapshots, exc.strerror or exc)

    def hashes(self, published: Published | None) -> dict[str, str]:
        """chunk id -> content hash of a published generation."""
        if published is None:
            return {}
        got = self._call(self.collection(published.collection).get, include=["metadatas"])
        return {cid: (meta or {}).get("hash", "") for cid, meta in zip(got["ids"], got["metadatas"])}

    def server_version(self) -> str | None:
        """The Chroma server's version, or None for the embedded store."""
        return str(self._call(self.client.get_version)) if self.chroma_url else None

    def index_names(self) -> list[str]:
        """Every index that has a collection, published or not, sorted."""
        names = set()
        for col in self._call(self.client.list_collections):
            m = GENERATION_NAME.match(col.name if hasattr(col, "name") else str(col))
            if m:
                names.add(m["index"])
        return sorted(names)

    def indexes(self) -> list[Published]:
        return [p for p in (self.published(n) for n in self.index_names()) if p]

    def generations(self, index: str) -> list[Generation]:
        """Every collection of an index, oldest first: the published one, retired ones, unpublished ones."""
        current = self.published(index)
        found = []
        for gen, name in self._generations(index):
            meta = self.collection(name).metadata or {}
            if current is not None and name == current.collection:
                state = "published"
            elif meta.get("published"):
                state = "retired"
            else:
                state = "unpublished"
            retired = meta.get("retired_at")
            found.append(Generation(index, name, gen, state, float(retired) if retired is not None else None))
        return found
