"""The faults tests/test_faults.py causes, for real: a read-only folder, a disk that fills up, a PostgreSQL that
a test stops and starts, a corrupt records file; and how the tests read what the surfaces said about them.

A read-only folder is a read-only bind mount of itself (chmod does not bind root) or, for a normal user, chmod. A
full disk is a small tmpfs written to ENOSPC; mounting one needs root and mount(8), so without them those tests
skip and say so.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from ingest.records import Records
from tests.conftest import ROOT
from tests.pg import PostgresServer

APP = str(ROOT / "ui" / "web" / "app.py")
PASSWORD = "s3cret-pw"


# --- the file system ------------------------------------------------------------------------------------

def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, text=True)


@contextmanager
def read_only(folder: Path):
    """`folder` read-only for real: chmod for a normal user; for root, whom permissions do not bind, a read-only
    bind mount of the folder onto itself (EROFS, as on a read-only volume)."""
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(folder)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chmod", "-R", "u+w", str(folder)], check=True)
        return
    _mount("--bind", str(folder), str(folder))
    try:
        _mount("-o", "remount,bind,ro", str(folder))
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


@contextmanager
def small_disk(folder: Path, size: str):
    """A tmpfs of `size` mounted at `folder`: a disk that can really fill up."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk is a small tmpfs, and mounting one needs root and mount(8)")
    folder.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill_up(disk: Path) -> Path:
    """Write to `disk` until it says ENOSPC; returns the file whose removal frees it."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def seed_intents(standards_data, assistant):
    """Copies the intent classifier's cache (the session's warmed assistant wrote it) into a new data dir:
    fitting it again costs each fresh data dir minutes of CPU."""
    caches = list(Path(standards_data).glob("intents-*.npz"))
    assert caches, "the session assistant caches its intent classifier in its data dir"

    def seed(data: Path) -> None:
        data.mkdir(parents=True, exist_ok=True)
        for npz in caches:
            shutil.copy(npz, data / npz.name)

    return seed


def no_trace(*outputs: str) -> None:
    for output in outputs:
        assert "Traceback" not in output


# --- PostgreSQL that goes away --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pg():
    """This module's own PostgreSQL, so stopping it never disturbs another module's tests."""
    server = PostgresServer().start()
    yield server
    server.remove()


@pytest.fixture
def pg_url(pg):
    """A new database, its URL carrying a password no message may show; the server runs again afterwards."""
    pg.start()
    yield pg.create_database().replace("postgres@", f"postgres:{PASSWORD}@")
    pg.start()


def says_down(message: str, pg: PostgresServer) -> None:
    assert "cannot be reached" in message and f"127.0.0.1:{pg.port}" in message, message
    assert PASSWORD not in message and "***" in message and "start it" in message


def counts(records: Records) -> dict[str, int]:
    from ingest.records import ChatThread, ChatTurn, Feedback, FillJob, FillRow, LibraryEntry

    with records.session() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Feedback, LibraryEntry, ChatThread, ChatTurn, FillJob, FillRow)}


def workbook(tmp_path: Path) -> Path:
    from tests.test_questionnaire import build_vendor_workbook

    return build_vendor_workbook(tmp_path / "vendor.xlsx")


def thread_answer():
    from bot.models import Answer

    return Answer(text="CC6.1 requires logical access controls.", confidence=0.8)


# --- the surfaces -----------------------------------------------------------------------------------------

def cli(*args: str, env: dict, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The real `trustdesk` command in its own process (this worktree's code: cwd is the project root)."""
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=ROOT, env={**os.environ, **env},
                          input=stdin, capture_output=True, text=True, timeout=600)


def web(monkeypatch, data: Path, url: str) -> AppTest:
    """The Streamlit app (AppTest) over `data`, its records database at `url`; first page drawn."""
    monkeypatch.setenv("TRUSTDESK_DATA_DIR", str(data))
    monkeypatch.setenv("TRUSTDESK_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception
    return at


# --- a corrupt records file --------------------------------------------------------------------------------

def corrupt(path: Path, how: str) -> bytes:
    """A records file that is not SQLite at all, or a real one whose pages after the first are overwritten."""
    from bot.sales.library import Library

    path.parent.mkdir(parents=True, exist_ok=True)
    if how == "not-sqlite":
        path.write_bytes(b"this is not a SQLite database\n" * 2000)
    else:
        records = Records(f"sqlite:///{path}")
        Library(records, "acme").import_rows([{"question": f"Question {n}?", "answer": "Yes. " * 50}
                                              for n in range(100)])
        records.dispose()
        page = 4096
        path.write_bytes(path.read_bytes()[:page] + b"\xff" * (path.stat().st_size - page))
    return path.read_bytes()


def says_corrupt(message: str, path: Path) -> None:
    assert "is not a readable SQLite database" in message and str(path) in message, message
    assert "will not replace it" in message


# --- bugs ----------------------------------------------------------------------------------------------

def says_bug(message: str) -> None:
    assert "internal error, reference" in message, message
    for wrong in ("damaged", "unavailable", "cannot be reached", "not writable", "no space"):
        assert wrong not in message
