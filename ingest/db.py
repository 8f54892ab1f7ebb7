"""The records database: one SQLAlchemy engine, sessions, Alembic upgrades, and errors mapped by type.

SQLite under the data dir by default (`sqlite:///<data dir>/trustdesk.db`);
PostgreSQL for a team (`TRUSTDESK_DATABASE_URL=postgresql+psycopg://...`).
Opening a database upgrades it to the newest migration; a file that is not a
database is reported, never silently replaced.

>>> records = Records("sqlite://")          # doctest: +SKIP
>>> with records.session() as s: ...        # doctest: +SKIP
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ingest.errors import RecordsUnavailable

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 7_301_001  # PostgreSQL advisory lock key held while one process migrates
MIGRATE_WAIT_SECONDS = 30.0
_MIGRATING = threading.Lock()  # Alembic's `op` and `context` are process-wide: one migration per process


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir).resolve() / 'trustdesk.db'}"


def safe_url(url: str) -> str:
    """The URL as it may be shown: no password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return "<unparseable database URL>"


class Records:
    """The records database. Thread-safe; one per process is enough."""

    def __init__(self, url: str, *, migrate: bool = True):
        self.url = url
        self.shown = safe_url(url)
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError):
            raise RecordsUnavailable(f"TRUSTDESK_DATABASE_URL is not a database URL: {self.shown!r} "
                                     "(expected e.g. sqlite:///path/trustdesk.db or postgresql+psycopg://user@host/db)")
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database not in (None, "", ":memory:") and not parsed.database.startswith("file:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)  # a file: URI is SQLite's own syntax
        try:
            self.engine: Engine = create_engine(url, pool_pre_ping=not self.is_sqlite)
        except (NoSuchModuleError, ImportError) as exc:
            raise RecordsUnavailable(f"no database driver for {self.shown}: {exc}") from None
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.migrate()

    @classmethod
    def open(cls, settings) -> "Records":
        """The database the settings name (TRUSTDESK_DATABASE_URL, else SQLite in the data dir)."""
        return cls(settings.database_url or default_url(settings.data_dir))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back (and the error explained) when it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise self.explain(exc) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def migrate(self) -> None:
        """Upgrade the schema to the newest migration (a no-op when it is current)."""
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        head = ScriptDirectory.from_config(config).get_current_head()
        deadline = time.monotonic() + MIGRATE_WAIT_SECONDS
        while True:
            try:
                with self.engine.begin() as conn:
                    if not self.is_sqlite:  # one migrating process at a time; the others wait here
                        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                    if self._revision(conn) == head:
                        return
                    config.attributes["connection"] = conn
                    with _MIGRATING:
                        command.upgrade(config, "head")
                return
            except SQLAlchemyError as exc:
                # two processes opened a new SQLite database at once: the other one is creating the tables
                if "already exists" in str(exc) and time.monotonic() < deadline:
                    time.sleep(0.2)
                    continue
                raise self.explain(exc) from exc

    def schema(self) -> tuple[str | None, str]:
        """(the database's migration revision, the newest this code knows)."""
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.connect() as conn:
                current = self._revision(conn)
        except SQLAlchemyError as exc:
            raise self.explain(exc) from exc
        return current, ScriptDirectory.from_config(config).get_current_head()

    def server_version(self) -> str:
        """`SQLite 3.46.1` or `PostgreSQL 16.4`: the database software this process talks to."""
        try:
            with self.engine.connect() as conn:
                info = conn.dialect.server_version_info or ()
        except SQLAlchemyError as exc:
            raise self.explain(exc) from exc
        name = "SQLite" if self.is_sqlite else "PostgreSQL" if self.engine.dialect.name == "postgresql" \
            else self.engine.dialect.name
        return f"{name} {'.'.join(str(part) for part in info)}".strip()

    @staticmethod
    def _revision(conn) -> str | None:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def explain(self, exc: SQLAlchemyError) -> RecordsUnavailable:
        """One place that turns a driver error into what the user should do."""
        message = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0] if str(exc) else type(exc).__name__
        low = message.lower()
        where = self.shown
        if "file is not a database" in low or "database disk image is malformed" in low:
            return RecordsUnavailable(f"{where} is not a readable SQLite database (corrupted?): move it aside and "
                                      "restore a backup. trustdesk will not replace it, so nothing is lost.")
        if "readonly" in low or "read-only" in low:
            return RecordsUnavailable(f"the records database {where} is read-only: make it (and its folder) "
                                      "writable, or point TRUSTDESK_DATABASE_URL elsewhere.")
        if "disk is full" in low or "no space left" in low:
            return RecordsUnavailable(f"the disk holding {where} is full: free space and try again; "
                                      "nothing was half-written.")
        if isinstance(exc, OperationalError) and not self.is_sqlite:
            return RecordsUnavailable(f"the records database {where} cannot be reached ({message}): start it or "
                                      "fix TRUSTDESK_DATABASE_URL. Questions are still answered; library and "
                                      "feedback writes wait for it.")
        if isinstance(exc, OperationalError):
            return RecordsUnavailable(f"the records database {where} cannot be used ({message})")
        if isinstance(exc, DatabaseError):
            return RecordsUnavailable(f"the records database {where} refused the change ({message})")
        return RecordsUnavailable(f"the records database {where} failed ({type(exc).__name__}: {message})")

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers and one writer work at once; a busy writer makes others wait instead of failing
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except Exception:  # a read-only file cannot switch modes; reading still works
        pass
    cursor.close()
