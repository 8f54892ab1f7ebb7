"""The records database: one SQLAlchemy engine, sessions, Alembic upgrades, and errors mapped by type.

SQLite under the data dir by default (`sqlite:///<data dir>/trustdesk.db`);
PostgreSQL for a team (`TRUSTDESK_DATABASE_URL=postgresql+psycopg://...`).
Opening a database upgrades it to the newest migration; a file that is not a
database is reported, never silently replaced. Driver errors are mapped by
`ingest.faults`; one it does not know is a bug and propagates unchanged.

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
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from ingest import RECORDS_FILE
from ingest.errors import RecordsUnavailable
from ingest.faults import folder_error, records_error

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 7_301_001  # PostgreSQL advisory lock key held while one process migrates
MIGRATE_WAIT_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 10  # a server behind a silent firewall fails in seconds, not after TCP's minutes
_MIGRATING = threading.Lock()  # Alembic's `op` and `context` are process-wide: one migration per process


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir).resolve() / RECORDS_FILE}"


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
        self.sqlite_path = _sqlite_path(parsed) if self.is_sqlite else None
        if self.sqlite_path is not None and not parsed.database.startswith("file:"):
            try:
                self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # a read-only data directory: said with its name, like every other fault
                raise RecordsUnavailable(f"cannot create the records database {self.shown}: "
                                         f"{folder_error(self.sqlite_path.parent) or exc}") from exc
        try:
            self.engine: Engine = create_engine(url, pool_pre_ping=not self.is_sqlite,
                                                connect_args=self._connect_args())
        except (NoSuchModuleError, ImportError) as exc:
            raise RecordsUnavailable(f"no database driver for {self.shown}: {exc}") from None
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            try:
                self.migrate()
            except BaseException:
                self.engine.dispose()  # no connection left open on a database that cannot be used
                raise

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
            _rollback(session)
            self._raise(exc)
        except BaseException:
            _rollback(session)
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
                self._raise(exc)

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

    def explain(self, exc: SQLAlchemyError) -> RecordsUnavailable | None:
        """What the user should do about a database failure (`ingest.faults`), or None: a bug, to re-raise."""
        return records_error(exc, self.shown, sqlite=self.is_sqlite, sqlite_path=self.sqlite_path)

    def _raise(self, exc: SQLAlchemyError):
        known = self.explain(exc)
        if known is None:
            raise exc
        raise known from exc

    def check(self) -> RecordsUnavailable | None:
        """Why the database cannot be used right now, or None. Writes nothing: a SQLite file is only read, and one
        that does not exist yet is fine (it is created on the first write)."""
        if self.is_sqlite and (self.sqlite_path is None or not self.sqlite_path.exists()):
            return None
        if self.is_sqlite:  # a plain connection that only reads (mode=ro would leave -wal/-shm files behind)
            import sqlite3

            path = str(self.sqlite_path)
            probe = create_engine("sqlite://", poolclass=NullPool, creator=lambda: sqlite3.connect(path))
        else:
            probe = create_engine(self.url, poolclass=NullPool, connect_args=self._connect_args())
        try:
            with probe.connect() as conn:
                conn.execute(text("SELECT count(*) FROM sqlite_master" if self.is_sqlite else "SELECT 1"))
            return None
        except SQLAlchemyError as exc:
            known = self.explain(exc)
            if known is None:
                raise
            return known
        finally:
            probe.dispose()

    def _connect_args(self) -> dict:
        return {} if self.is_sqlite else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}

    def dispose(self) -> None:
        self.engine.dispose()


def _rollback(session: Session) -> None:
    """Roll back after a failure; on a connection that just died the server has already rolled back."""
    try:
        session.rollback()
    except SQLAlchemyError:
        pass


def _sqlite_path(parsed) -> Path | None:
    """The file a SQLite URL names (`sqlite:///path` or SQLite's own `file:path?...` URI), or None in memory."""
    database = parsed.database or ""
    if database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        database = database[5:].split("?", 1)[0]
        return Path(database) if database and database != ":memory:" else None
    return Path(database)


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
