"""The records database: answer library, company documents, feedback, fill checkpoints, chat threads, Slack
events and locks, in SQLite or PostgreSQL.

`db` opens it (`Records`: one engine, sessions, Alembic upgrades, errors mapped by
type), `models` declares its tables, `migrations` changes its schema.

Public surface: `Records`, `default_url`, `safe_url`, the tables (`LibraryEntry`,
`CompanyDocument`, `Feedback`, `FillJob`, `FillRow`, `SlackEvent`, `ChatThread`,
`ChatTurn`, `ChatMessage`, `Lock`, and their `Base`), and the library's keys
(`entry_id`, `question_key`, `STATUSES`, `YES_NO`).

>>> records = Records("sqlite://")                      # doctest: +SKIP
>>> with records.session() as s: s.add(Feedback(...))   # doctest: +SKIP

Importing it imports SQLAlchemy: a cold question never does (`ingest.RECORDS_FILE`
names the default file without it).
"""

from ingest.records.db import Records, default_url, safe_url
from ingest.records.models import (STATUSES, YES_NO, Base, ChatMessage, ChatThread, ChatTurn, CompanyDocument,
                                   Feedback, FillJob, FillRow, LibraryEntry, Lock, SlackEvent, entry_id, question_key)

__all__ = [
    "STATUSES", "YES_NO", "Base", "ChatMessage", "ChatThread", "ChatTurn", "CompanyDocument", "Feedback", "FillJob",
    "FillRow", "LibraryEntry", "Lock", "Records", "SlackEvent", "default_url", "entry_id", "question_key",
    "safe_url",
]
