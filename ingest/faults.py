"""Known failures of what trustdesk stands on, mapped by type to trustdesk's own errors: one module.

The file system (a full disk, a read-only folder), the records database (SQLAlchemy over
SQLite or PostgreSQL) and Chroma (embedded or a server). Each `*_error` function returns
the `TrustdeskError` that explains a known failure, or None for anything else: that is a
bug, and the caller re-raises it unchanged, traceback and all (httpx maps its transports'
errors the same way). `ingest.store`, `ingest.records` and the surfaces (`ui.failures`) use it.

Failures are told apart by what the layer below says they are: the errno of an OSError,
SQLite's result code (`sqlite_errorcode`, or `(code: N)` in the text of Chroma's Rust
core, which has no exception types of its own), PostgreSQL's SQLSTATE, and SQLAlchemy's
and Chroma's exception classes. SQLite's generic code 1 ("no such table", a syntax error)
and PostgreSQL's class 42 are wrong SQL: bugs, never "database unavailable".

>>> os_message(OSError(28, "No space left on device"), "/data")
'no space left on the disk holding /data: free space or set TRUSTDESK_DATA_DIR to a folder on a disk with room'
"""

from __future__ import annotations

import errno
import re
import tempfile
from pathlib import Path

from ingest.errors import IndexChanged, RecordsUnavailable, StoreUnavailable, TrustdeskError

NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})
READ_ONLY = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
# SQLite primary result codes (https://sqlite.org/rescode.html) -> what they mean here
_SQLITE = {3: "read-only", 8: "read-only", 13: "full", 11: "damaged", 26: "damaged", 14: "cannot-open",
           5: "busy", 6: "busy", 7: "io", 10: "io", 15: "io"}
_SQLITE_CODE = re.compile(r"\(code: (\d+)\)")
_OS_ERROR = re.compile(r"\(os error (\d+)\)")  # a Rust io::Error, as Chroma's core prints it
# Chroma's own errors that mean "this call was wrong" (a bug here), not "the store is unwell"
_CHROMA_BUGS = ("InvalidArgumentError", "InvalidDimensionException", "DuplicateIDError", "IDAlreadyExistsError",
                "UniqueConstraintError", "BatchSizeExceededError", "InvalidUUIDError", "InvalidHTTPVersion")


def no_space(where: object, setting: str = "TRUSTDESK_DATA_DIR") -> str:
    return f"no space left on the disk holding {where}: free space or set {setting} to a folder on a disk with room"


def not_writable(where: object, why: str = "read-only") -> str:
    return (f"the folder {where} is not writable ({why}): make it writable, or set TRUSTDESK_DATA_DIR to a "
            "writable folder")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _why(exc: OSError) -> str:
    return (exc.strerror or _first_line(exc)).lower()


# --- the file system ------------------------------------------------------------------------------

def os_message(exc: OSError, where: object, setting: str = "TRUSTDESK_DATA_DIR") -> str | None:
    """What a full disk or a read-only folder means for `where`; None for any other OSError."""
    if exc.errno in NO_SPACE:
        return no_space(where, setting)
    if exc.errno in READ_ONLY:
        return not_writable(where, _why(exc))
    return None


def os_error(exc: OSError) -> TrustdeskError | None:
    """A file trustdesk wrote where the user asked (an export, a filled questionnaire): full disk or read-only."""
    where = exc.filename or "the file"
    if exc.errno in NO_SPACE:
        return TrustdeskError(f"cannot write {where}: no space left on its disk; free space or write it elsewhere")
    if exc.errno in READ_ONLY:
        return TrustdeskError(f"cannot write {where}: {_why(exc)}; choose a folder you can write to")
    return None


def writable(folder: Path) -> OSError | None:
    """None if a file can be created in `folder` (which exists), else the error that prevented it.

    A real probe, not `os.access`: root passes every permission check but not a read-only mount or an
    immutable folder."""
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".trustdesk-probe-"):
            return None
    except OSError as exc:
        return exc


def folder_error(path: Path) -> str | None:
    """Why trustdesk cannot write at `path` (a folder it is about to fill, maybe not there yet), or None."""
    folder = Path(path)
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    problem = writable(folder) if folder.is_dir() else None
    return not_writable(folder, _why(problem)) if problem is not None and problem.errno in READ_ONLY else None


def _sqlite_kind(exc: BaseException) -> str | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None and (m := _SQLITE_CODE.search(str(exc))):
        code = int(m[1])
    return _SQLITE.get(code & 0xFF) if code is not None else None


# --- Chroma ----------------------------------------------------------------------------------------

def is_transport_error(exc: BaseException) -> bool:
    """httpx's errors (a Chroma server that went away) without importing httpx for the embedded store."""
    return any(cls.__module__.startswith("httpx") for cls in type(exc).__mro__)


def _unreachable(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc.__context__  # chromadb turns httpx.ConnectError into a ValueError
    return (is_transport_error(exc) or isinstance(exc, ConnectionError)
            or (isinstance(exc, ValueError) and cause is not None and is_transport_error(cause)))


def store_error(exc: BaseException, where: str, *, server: bool) -> StoreUnavailable | None:
    """A Chroma or file-system failure of the store at `where` (a folder, or a server's URL), or None (a bug)."""
    import sqlite3

    from chromadb.errors import ChromaError, NotFoundError

    if isinstance(exc, StoreUnavailable):
        return exc
    if isinstance(exc, NotFoundError):  # another process published a new generation and dropped this one
        return IndexChanged(f"the index changed while it was being read ({_first_line(exc)}); ask again")
    if server and _unreachable(exc):
        return StoreUnavailable(f"cannot reach the Chroma server at {where}: {_first_line(exc)}. Start it "
                                "(chroma run) or unset TRUSTDESK_CHROMA_URL to use the embedded store.")
    if isinstance(exc, OSError):
        return StoreUnavailable(os_message(exc, where) or f"cannot use the index in {where}: {_first_line(exc)}")
    if not isinstance(exc, (ChromaError, sqlite3.DatabaseError)) or type(exc).__name__ in _CHROMA_BUGS:
        return None
    return StoreUnavailable(_store_message(exc, where, server))


def storage_failed(exc: BaseException) -> bool:
    """A write that the disk refused (full, or an I/O error): after one, embedded Chroma's core cannot be trusted
    to write again in the same process (seen: the next full disk hangs it inside `add` or `count`)."""
    if isinstance(exc, OSError):
        return exc.errno in NO_SPACE or exc.errno == errno.EIO
    kind = _sqlite_kind(exc)
    if kind is None and (m := _OS_ERROR.search(_first_line(exc))):
        kind = "full" if int(m[1]) in NO_SPACE else "io" if int(m[1]) == errno.EIO else None
    return kind in ("full", "io")


def _store_message(exc: BaseException, where: str, server: bool) -> str:
    message = _first_line(exc)
    kind = _sqlite_kind(exc)
    if kind is None and (m := _OS_ERROR.search(message)):
        kind = {**{n: "full" for n in NO_SPACE}, **{n: "read-only" for n in READ_ONLY}}.get(int(m[1]))
    if kind == "full":
        return f"{no_space(where, 'TRUSTDESK_CHROMA_URL' if server else 'TRUSTDESK_DATA_DIR')}; the published " \
               "index is unchanged"
    if kind == "read-only" and not server:
        return not_writable(where, message)
    if kind == "damaged" and not server:
        return (f"cannot read the index in {where}: {message}. The folder may be damaged: "
                "delete it and run `trustdesk ingest` to rebuild it from the corpus.")
    place = f"the Chroma server at {where}" if server else f"the index in {where}"
    return f"{place} failed: {message}. `trustdesk doctor` checks the store"


# --- the records database ----------------------------------------------------------------------------

def _records_kind(exc, orig, sqlite: bool) -> str | None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    if isinstance(exc, IntegrityError):
        return "refused"
    if sqlite:
        return _sqlite_kind(orig)
    state = getattr(orig, "sqlstate", None) or ""
    if state == "53100":
        return "full"
    if state == "25006":  # a read-only transaction: a standby server
        return "read-only"
    if state.startswith(("08", "57P", "53")) or (not state and isinstance(exc, OperationalError)):
        return "unreachable"  # no SQLSTATE: the driver's own "connection refused", "server closed the connection"
    return "unreachable" if exc.connection_invalidated else None


def records_error(exc: BaseException, shown: str, *, sqlite: bool,
                  sqlite_path: Path | None = None) -> RecordsUnavailable | None:
    """A SQLAlchemy failure of the records database `shown` (its URL without password), or None (a bug).

    Known: the server cannot be reached or dropped the connection, the file is damaged, read-only, locked or
    on a full disk, the pool is exhausted, a constraint refused a row (callers that expect that look at
    `__cause__`). Re-raised: wrong SQL, a value the driver cannot bind, a misused session.
    """
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, PoolTimeout):
        return RecordsUnavailable(f"the records database {shown} has no free connection ({exc}): too many "
                                  "requests at once; try again in a moment")
    if not isinstance(exc, DBAPIError):
        return None
    message = _first_line(exc.orig if exc.orig is not None else exc)
    kind = _records_kind(exc, exc.orig, sqlite)
    if kind == "cannot-open" and sqlite_path is not None and (blocked := folder_error(sqlite_path.parent)):
        return RecordsUnavailable(f"cannot open the records database {shown}: {blocked}")
    messages = {
        "damaged": f"the records database {sqlite_path or shown} is not a readable SQLite database (corrupted?): "
                   "move it aside and restore a backup. trustdesk will not replace it, so nothing is lost.",
        "full": f"{no_space(shown, 'TRUSTDESK_DATA_DIR' if sqlite else 'TRUSTDESK_DATABASE_URL')}; nothing was "
                "half-written.",
        "read-only": f"the records database {shown} is read-only: make it (and its folder) writable, or point "
                     "TRUSTDESK_DATABASE_URL elsewhere.",
        "refused": f"the records database {shown} refused the change ({message})",
        "unreachable": f"the records database {shown} cannot be reached ({message}): start it or fix "
                       "TRUSTDESK_DATABASE_URL. Questions are still answered; library and feedback writes wait "
                       "for it.",
        "busy": f"the records database {shown} is locked by another process ({message}): try again in a moment",
        "io": f"the records database {shown} cannot be read or written ({message}): check the disk it is on",
        "cannot-open": f"the records database {shown} cannot be opened ({message})",
    }
    return RecordsUnavailable(messages[kind]) if kind in messages else None
