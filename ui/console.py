"""What every `trustdesk` command shares: consoles, settings, one-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import click
import typer
from rich.console import Console

from ui.failures import debugging, internal, known

if TYPE_CHECKING:
    from bot.config import Settings

out = Console()
err = Console(stderr=True)
INTERNAL_ERROR = 70  # sysexits.h EX_SOFTWARE: a bug, told apart from a failure trustdesk explains (1)


def tenant_name(value: Optional[str]) -> Optional[str]:
    """`--tenant`, checked before a command opens anything (the same rules as everywhere else)."""
    if value is None:
        return None
    from ingest.errors import InvalidTenant
    from ingest.store import company_index

    try:
        company_index(value)
    except InvalidTenant as exc:
        fail(f"--tenant: {exc}")  # one line and exit 1, like every other trustdesk error
    return value


TenantOpt = Annotated[Optional[str], typer.Option("--tenant", callback=tenant_name,
                                                  help="Also answer from this tenant's own documents.")]


def settings(log_level: str = "WARNING") -> "Settings":
    """The settings, read at the edge; logging is set up from them (`bot.logs`: WARNING and up unless
    TRUSTDESK_LOG_LEVEL says otherwise, on standard error, so `--json` output stays clean)."""
    from pydantic import ValidationError

    from bot import logs
    from bot.config import Settings

    try:
        current = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"setting TRUSTDESK_{str(first['loc'][0]).upper()} is invalid: {first['msg']}")
    logs.configure(current, default_level=log_level)
    return current


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Known failures as one line and exit 1; a bug as "internal error, reference X" (its traceback saved to a
    file) and exit 70 (EX_SOFTWARE). TRUSTDESK_DEBUG=1 lets every traceback through. `ui.failures` decides."""
    from bot.errors import CorpusInvalid

    try:
        yield
    except CorpusInvalid as exc:
        if debugging():
            raise
        err.print(f"[bold red]error:[/] {len(exc.problems)} corpus file(s) are invalid; nothing was published "
                  "and any previous index is still in use:", highlight=False, soft_wrap=True)
        for problem in exc.problems:
            err.print(f"  {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(130)
    except Exception as exc:
        if isinstance(exc, (typer.Exit, typer.Abort, click.ClickException)) or debugging():
            raise  # click's own exits and usage errors are RuntimeErrors; they are not failures
        message = known(exc)
        if message is not None:
            fail(message)
        fail(internal(exc), code=INTERNAL_ERROR)


def _default_records_readable(path: Path) -> bool:
    """Can the default SQLite records file be read (or does it not exist yet)? As `Records.check` probes it."""
    import sqlite3

    if not path.exists():
        return True
    try:
        conn = sqlite3.connect(str(path))
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return True


def warn_if_records_down(cfg: "Settings") -> None:
    """Say, on stderr, that the records database cannot be used; answering goes on without it."""
    from ingest import RECORDS_FILE

    if cfg.database_url is None and _default_records_readable(cfg.data_dir / RECORDS_FILE):
        return  # the usual case, seen without importing SQLAlchemy (a third of a cold `ask`)
    from bot.errors import RecordsUnavailable
    from ingest.records import Records, default_url

    try:
        problem = Records(cfg.database_url or default_url(cfg.data_dir), migrate=False).check()
    except RecordsUnavailable as exc:  # not even a URL it can use
        problem = exc
    if problem is not None:
        err.print(f"[yellow]warning:[/] {problem}", highlight=False, soft_wrap=True)
