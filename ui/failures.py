"""What every surface shows when something fails, decided once for the CLI, the web UI and Slack.

A `TrustdeskError` is a failure trustdesk can explain: its message is shown as it is, one
line. So is an OSError from a file the user asked for (an export, a filled questionnaire)
on a full disk or in a read-only folder (`ingest.faults` maps it). Anything else is a
bug: the surface shows a short "internal error, reference X" and the traceback goes to
the log (Slack, the web server) or a file (the terminal) under that reference; with
TRUSTDESK_DEBUG=1 it is shown too.

>>> from bot.errors import InvalidQuestion
>>> known(InvalidQuestion("the question is empty"))
'the question is empty'
>>> known(KeyError("bug")) is None
True
"""

from __future__ import annotations

import logging
import os
import tempfile
import traceback
import uuid
from pathlib import Path

log = logging.getLogger("trustdesk")
INTERNAL = ("internal error, reference {ref}: a bug in trustdesk, not a problem with your data or settings. "
            "Please report it with the reference{details}.")


def debugging() -> bool:
    """TRUSTDESK_DEBUG=1 (read when a failure is shown, so a test or a shell can switch it on at any time)."""
    return os.environ.get("TRUSTDESK_DEBUG", "") not in ("", "0", "false", "no")


def known(exc: BaseException) -> str | None:
    """The one line for a failure trustdesk can explain, or None for a bug."""
    from bot.errors import TrustdeskError  # here, not at the top: `trustdesk --help` stays light
    from ingest.faults import os_error

    if isinstance(exc, TrustdeskError):
        return str(exc)
    if isinstance(exc, OSError):
        mapped = os_error(exc)
        return str(mapped) if mapped is not None else None
    return None


def log_bug(exc: BaseException, logger: logging.Logger = log, context: str = "") -> str:
    """A reference for a bug (the question's request id, when there is one), its traceback logged under it."""
    from bot import logs

    ref = logs.current() or uuid.uuid4().hex[:8]
    logger.error("internal error, reference %s%s", ref, f" ({context})" if context else "", exc_info=exc)
    return ref


def internal(exc: BaseException, logger: logging.Logger | None = None) -> str:
    """The short message for a bug. Its traceback goes to `logger`, or (a terminal: no logger) to a file the
    message names, so the screen stays one line."""
    if logger is not None:
        return INTERNAL.format(ref=log_bug(exc, logger), details="")
    ref = uuid.uuid4().hex[:8]
    path = _save_trace(exc, ref)
    details = (f"; the details are in {path}" if path is not None
               else "; run it again with TRUSTDESK_DEBUG=1 to see the details")
    return INTERNAL.format(ref=ref, details=details)


def _save_trace(exc: BaseException, ref: str) -> Path | None:
    path = Path(tempfile.gettempdir()) / f"trustdesk-error-{ref}.txt"
    try:
        path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    except OSError:  # a full or read-only temp folder: the message says how to see it instead
        return None
    return path
