"""Shared fixtures. Real model, real Chroma in temporary folders; the network stops at loopback.

The guard below is installed before any test module is imported: every
outbound connection to a non-loopback address fails, so the suite proves that
nothing is downloaded at run time.
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


class OutboundBlocked(OSError):
    pass


def _is_local(host) -> bool:
    if host is None:
        return True
    host = host.decode() if isinstance(host, bytes) else str(host)
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(address) -> None:
    if isinstance(address, tuple) and not _is_local(address[0]):
        raise OutboundBlocked(f"test network guard: outbound connection to {address[0]} refused")


def _connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    return _real_connect(self, address)


def _connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    return _real_connect_ex(self, address)


def _getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        raise socket.gaierror(socket.EAI_NONAME, f"test network guard: lookup of {host} refused")
    return _real_getaddrinfo(host, *args, **kwargs)


def pytest_configure(config):
    socket.socket.connect = _connect
    socket.socket.connect_ex = _connect_ex
    socket.getaddrinfo = _getaddrinfo


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Every test gets its own TRUSTDESK_DATA_DIR and no stray settings from the developer's shell."""
    monkeypatch.setenv("TRUSTDESK_DATA_DIR", str(tmp_path / "data"))
    for name in ("TRUSTDESK_CHROMA_URL", "TRUSTDESK_LLM", "TRUSTDESK_CORPUS_DIR", "TRUSTDESK_TOP_K"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRUSTDESK_CORPUS_DIR", str(CORPUS))


@pytest.fixture(scope="session")
def standards_data(tmp_path_factory) -> Path:
    """A data directory holding the full corpus, ingested once for the session."""
    from ingest import Store, ingest, load_corpus

    data = tmp_path_factory.mktemp("standards")
    ingest(load_corpus(CORPUS), Store(data))
    return data


@pytest.fixture(scope="session")
def assistant(standards_data):
    from bot import Assistant, Settings

    a = Assistant(Settings(data_dir=standards_data, corpus_dir=CORPUS))
    a.warm()
    return a


@pytest.fixture(scope="session")
def northwind_assistant(standards_data, assistant):
    """The session assistant, with the Northwind trust pack ingested as tenant 'northwind'."""
    from bot.sales.tenant import load_pack
    from ingest.records import Records

    records = Records.open(assistant.settings)
    load_pack(CORPUS / "examples" / "northwind", "northwind", records, assistant.store)
    records.dispose()
    return assistant


TINY = ["soc2/CC6.1.md", "soc2/CC7.2.md", "iso27001/controls/A.8.24.md", "guidance/soc2-type1-vs-type2.md"]


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    """A four-document copy of the corpus that tests may change."""
    root = tmp_path / "corpus"
    for rel in TINY:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / rel, target)
    return root


# --- the records database: SQLite and a real PostgreSQL ------------------------------------

@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL on a loopback port for the session (tests/pg.py)."""
    from tests.pg import throwaway_postgres

    try:
        with throwaway_postgres() as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def records_url(request, tmp_path) -> str:
    """The URL of a new, empty records database: SQLite in a temp dir, or a new database on the real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'trustdesk.db'}"
    from tests.pg import new_database

    return new_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def records(records_url):
    """A fresh, migrated records database (SQLite and PostgreSQL, by `records_url`)."""
    from ingest.records import Records

    db = Records(records_url)
    yield db
    db.dispose()
