"""The heavy things the pages share, built once per server by Streamlit's resource cache."""

from __future__ import annotations

import threading
from collections.abc import Callable

import streamlit as st

from bot import Assistant, Settings
from ingest.records import Records, default_url


@st.cache_resource(show_spinner=False)
def configure_logs() -> None:
    """trustdesk's log handler (`bot.logs`), installed once per server process: INFO unless TRUSTDESK_LOG_LEVEL."""
    from bot import logs

    logs.configure(Settings(), default_level="INFO")


_engines: dict[tuple[str, str], Assistant] = {}
_engines_lock = threading.Lock()


def assistant() -> Assistant:
    """One Assistant per server process (per data dir and store): the same engine every surface uses."""
    return _assistant(*_store_key())


def assistant_loader() -> Callable[[], Assistant]:
    """The same engine, loaded by whoever calls first, from any thread: the Ask page's worker loads it, so a
    page run never waits on the model and a question sent meanwhile shows as waiting at once."""
    key = _store_key()
    return lambda: loaded(*key)


def _store_key() -> tuple[str, str]:
    current = Settings()
    return str(current.data_dir.resolve()), current.chroma_url or ""


@st.cache_resource(show_spinner="Loading the model and the index...")
def _assistant(data_dir: str, chroma_url: str) -> Assistant:
    return loaded(data_dir, chroma_url)


def loaded(data_dir: str, chroma_url: str) -> Assistant:
    """The engine for this data dir and store, built and warmed once per process."""
    with _engines_lock:
        if (data_dir, chroma_url) not in _engines:
            engine = Assistant(Settings())
            engine.warm()
            _engines[data_dir, chroma_url] = engine
        return _engines[data_dir, chroma_url]


def records() -> Records:
    """The records database (library, feedback, fill checkpoints), opened and migrated once per process."""
    current = Settings()
    return _records(current.database_url or default_url(current.data_dir))


@st.cache_resource(show_spinner=False)
def _records(url: str) -> Records:
    return Records(url)


def settings() -> Settings:
    """Read per run, cheap: the pages that only browse data never load the model."""
    return Settings()


def embed():
    """Question embeddings for the library's near-duplicate check (the engine's model, already loaded)."""
    from ingest.embed import query_embedder

    return query_embedder().encode


def tenants() -> list[str]:
    from bot.sales.tenant import tenants as listed

    return listed(records())


def answerable_tenants() -> tuple[list[str], str | None]:
    """The tenants a question may be answered for, and why the records database is not used (None if it is).

    They come from the records database; while it cannot be used, from the tenants' published indexes, which
    is all an answer needs."""
    from bot.errors import RecordsUnavailable
    from ingest.store import tenant_of

    try:
        return tenants(), None
    except RecordsUnavailable as exc:
        indexed = [name for p in assistant().store.indexes() if (name := tenant_of(p.index))]
        return indexed, str(exc)
