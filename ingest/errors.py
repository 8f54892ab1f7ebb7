"""Errors raised while reading the corpus or talking to the store.

They live here, at the bottom of the arrows (`ui -> bot -> ingest`), so that
both layers can raise them; `bot.errors` re-exports them beside the engine's
own. Every message says what went wrong and what to do next.
"""

from __future__ import annotations


class TrustdeskError(Exception):
    """Base of every error trustdesk means to show a user."""


class CorpusInvalid(TrustdeskError):
    """One or more corpus files cannot be used; nothing was published.

    `problems` holds one `path: reason` line per bad file.
    """

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(
            f"{len(problems)} corpus file(s) are invalid; the previous index is still in use:\n{lines}"
        )


class InvalidTenant(TrustdeskError):
    """A tenant name that cannot name an index, a collection or a folder; the message gives the rules."""


class IndexMissing(TrustdeskError):
    """No published index exists yet."""


class StoreUnavailable(TrustdeskError):
    """The Chroma store cannot be opened, reached or read."""


class IndexChanged(StoreUnavailable):
    """Another process published a new generation while this one was reading; asking again works."""


class RecordsUnavailable(TrustdeskError):
    """The records database (library, feedback, checkpoints) cannot be opened, reached or written."""


class IngestBusy(TrustdeskError):
    """Another process is ingesting the same index; this one did not start."""
