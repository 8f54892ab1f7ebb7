"""A throwaway PostgreSQL on a loopback port, from Debian's package (`make test` installs it).

Used by the tests' `postgres_server` fixture and by benchmarks/slack_load.py. PostgreSQL refuses to run as
root, so as root the server runs as the `postgres` system user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


class PostgresServer:
    """A throwaway PostgreSQL on a loopback port, from Debian's package (`make test` installs it), which a test
    may stop and start again on the same port and data (tests/test_faults.py).

    PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user."""

    def __init__(self):
        self.bin = pg_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql package")
        # not under pytest's own temp dir: that is private to root, and the server runs as `postgres`
        self.root = Path(tempfile.mkdtemp(prefix="trustdesk-pg-"))
        self.data = self.root / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, tool: str, *args: str, check: bool = True):
        import subprocess

        return subprocess.run([*self.as_user, str(self.bin / tool), *args], check=check, capture_output=True,
                              text=True)

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def start(self) -> "PostgresServer":
        if self.running():
            return self
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        """`fast` disconnects every client and shuts down cleanly; `immediate` is a crash."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def create_database(self) -> str:
        """A new, empty database; its SQLAlchemy URL."""
        return new_database(self.url)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a new cluster, yield its SQLAlchemy URL (no database name), stop and delete it afterwards."""
    server = PostgresServer()
    try:
        yield server.start().url
    finally:
        server.remove()


def new_database(server: str) -> str:
    """A new, empty database on the server at `server` (a URL without a database name); returns its URL."""
    import uuid

    import psycopg

    name = "t" + uuid.uuid4().hex[:12]
    with psycopg.connect(server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"
