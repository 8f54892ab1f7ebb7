"""trustdesk's own errors: every failure a surface may show a user.

Surfaces catch `TrustdeskError` and show its message; anything else is a bug
and keeps its traceback. Chroma, file and provider exceptions are mapped to
these where they are raised (`ingest.store`, `bot.llm`).
"""

from __future__ import annotations

from ingest.errors import (CorpusInvalid, IndexMissing, InvalidTenant, RecordsUnavailable, StoreUnavailable,
                           TrustdeskError)

__all__ = [
    "TrustdeskError",
    "CorpusInvalid",
    "IndexMissing",
    "StoreUnavailable",
    "RecordsUnavailable",
    "InvalidQuestion",
    "InvalidTenant",
    "LLMUnavailable",
    "ConfigError",
]


class InvalidQuestion(TrustdeskError):
    """The question cannot be answered as given (empty, too long, control characters)."""


class LLMUnavailable(TrustdeskError):
    """The configured chat model could not be built or reached."""


class ConfigError(TrustdeskError):
    """A setting has a value trustdesk cannot use."""
