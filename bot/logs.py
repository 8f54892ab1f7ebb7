"""Logs: one configuration for every surface, and a request id that follows each question.

A surface opens a `request` where a question arrives (a CLI command, a web
question, a Slack event, a questionnaire row); every log line written while it
is open, by the engine, the store or the surface, carries its `request_id`, so
one grep shows a question's whole path. The id lives in a context variable:
threads started inside a request do not inherit it unless they copy the context
(`contextvars.copy_context`), which is what the Slack app's worker pool does.

`configure(settings)` installs one handler on the root logger:
`TRUSTDESK_LOG_FORMAT` is `json` (one object a line), `text`, or `auto` (text on
a terminal, JSON otherwise); `TRUSTDESK_LOG_LEVEL` sets trustdesk's own level
(other libraries log warnings and above). Question text is logged at DEBUG
only; INFO lines carry its length and a short hash.

>>> with request(surface="cli") as rid:                    # doctest: +SKIP
...     assistant.ask("What does CC6.1 require?")          # its lines carry rid
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import IO

_REQUEST_ID: ContextVar[str | None] = ContextVar("trustdesk_request_id", default=None)
_FIELDS: ContextVar[dict] = ContextVar("trustdesk_log_fields", default={})
# what a LogRecord carries by itself; anything else on a record came in through `extra=`
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
# a safety net: Slack tokens never leave in a log line, whoever wrote it
_SECRET = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")
FORMATS = ("auto", "json", "text")


def new_id() -> str:
    """A fresh request id: `q-` and 12 hex digits."""
    return "q-" + secrets.token_hex(6)


def current() -> str | None:
    """The request id of the question being handled in this context, if any."""
    return _REQUEST_ID.get()


@contextmanager
def request(request_id: str | None = None, **fields) -> Iterator[str]:
    """Tag every log line in this block with `request_id` (a new one if not given) and `fields`."""
    rid = request_id or new_id()
    id_token = _REQUEST_ID.set(rid)
    fields_token = _FIELDS.set({**_FIELDS.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield rid
    finally:
        _FIELDS.reset(fields_token)
        _REQUEST_ID.reset(id_token)


def question_fields(text: str) -> dict:
    """What INFO may say about a question: its length and a short hash, never the words."""
    return {"chars": len(text), "sha": hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]}


class ContextFilter(logging.Filter):
    """Adds the request id and context fields to each record, and holds libraries to `floor`."""

    def __init__(self, level: int, floor: int):
        super().__init__()
        self.level, self.floor = level, floor

    def filter(self, record: logging.LogRecord) -> bool:
        own = record.name == "trustdesk" or record.name.startswith("trustdesk.")
        if record.levelno < (self.level if own else max(self.level, self.floor)):
            return False
        record.request_id = _REQUEST_ID.get()
        for key, value in _FIELDS.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


def _extras(record: logging.LogRecord) -> dict:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and k != "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, msg, request_id, then the line's own fields, then exc."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "msg": record.getMessage(),
                "request_id": getattr(record, "request_id", None), **_extras(record)}
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.stack_info:
            line["stack"] = record.stack_info
        return _SECRET.sub(r"\1-[redacted]", json.dumps(line, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request id] message key=value ...` for a person at a terminal."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = getattr(record, "request_id", None) or "-"
        text = super().format(record)
        extras = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        if extras:
            head, sep, tail = text.partition("\n")  # a traceback stays below the fields
            text = f"{head} {extras}{sep}{tail}"
        return _SECRET.sub(r"\1-[redacted]", text)


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test runner swaps it)."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure(settings=None, *, default_level: str = "INFO", stream: IO[str] | None = None) -> logging.Handler:
    """Install trustdesk's log handler on the root logger, replacing one installed before; returns it.

    `settings` supplies `log_format` and `log_level` (`default_level` when unset); `stream`
    defaults to standard error.
    """
    fmt = getattr(settings, "log_format", None) or "auto"
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    level = logging.getLevelName((getattr(settings, "log_level", None) or default_level).upper())
    if not isinstance(level, int):
        raise ValueError(f"log level must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    if fmt == "auto":
        target = stream if stream is not None else sys.stderr
        fmt = "text" if getattr(target, "isatty", lambda: False)() else "json"
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ContextFilter(level, logging.WARNING))
    handler._trustdesk = True  # noqa: SLF001 (how the next call finds it)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_trustdesk", False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    logging.getLogger("trustdesk").setLevel(level)
    return handler
