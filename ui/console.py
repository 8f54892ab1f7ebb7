"""What every `trustdesk` command shares: consoles, settings, one-line errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console

if TYPE_CHECKING:
    from bot.config import Settings

out = Console()
err = Console(stderr=True)
DEBUG = os.environ.get("TRUSTDESK_DEBUG", "") not in ("", "0", "false")


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
    """Show trustdesk's own errors as one line and a non-zero exit; tracebacks only with TRUSTDESK_DEBUG=1."""
    from bot.errors import CorpusInvalid, TrustdeskError

    try:
        yield
    except CorpusInvalid as exc:
        if DEBUG:
            raise
        err.print(f"[bold red]error:[/] {len(exc.problems)} corpus file(s) are invalid; nothing was published "
                  "and any previous index is still in use:", highlight=False, soft_wrap=True)
        for problem in exc.problems:
            err.print(f"  {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    except TrustdeskError as exc:
        if DEBUG:
            raise
        fail(str(exc))
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(130)


