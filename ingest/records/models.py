"""The records database's tables: answer library, company documents, feedback, fill checkpoints, chat threads,
Slack events.

SQLAlchemy 2 declarative models. The schema itself changes only through Alembic
migrations (ingest/records/migrations); `ingest.records.Records` opens a database and
upgrades it to the newest revision.

>>> entry = LibraryEntry(id=entry_id("northwind", "Do you encrypt data at rest?"), tenant="northwind",
...                      question="Do you encrypt data at rest?", question_key=question_key("Do you encrypt data at rest?"),
...                      answer="Yes, with AES-256.")
>>> entry.id
'lib-770ca8a8ea4c'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date, datetime, timezone
from typing import Literal

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Status = Literal["candidate", "approved", "retired"]
STATUSES: tuple[str, ...] = ("candidate", "approved", "retired")
YesNo = Literal["yes", "no", "partial", "n/a"]
YES_NO: tuple[str, ...] = ("yes", "no", "partial", "n/a")
_NOT_WORD = re.compile(r"[^\w]+")


def now() -> datetime:
    return datetime.now(timezone.utc)


def question_key(question: str) -> str:
    """What makes two library questions the same: case, accents, spacing and punctuation aside."""
    folded = unicodedata.normalize("NFKC", question).casefold()
    words = _NOT_WORD.sub(" ", folded).split()
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()


def entry_id(tenant: str, question: str) -> str:
    """A library entry's stable ID: the same tenant and question always get the same one."""
    return "lib-" + hashlib.sha256(f"{tenant}\n{question_key(question)}".encode()).hexdigest()[:12]


class Base(DeclarativeBase):
    pass


class LibraryEntry(Base):
    """One approved (or proposed, or retired) answer of a tenant's answer library."""

    __tablename__ = "library_entries"
    __table_args__ = (UniqueConstraint("tenant", "question_key", name="uq_library_tenant_question"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    question: Mapped[str] = mapped_column(Text)
    question_key: Mapped[str] = mapped_column(String(80))  # sha1 hex, plus '~suffix' for a proposal or a retired entry
    answer: Mapped[str] = mapped_column(Text)
    yes_no: Mapped[str | None] = mapped_column(String(8), default=None)
    source: Mapped[str] = mapped_column(Text, default="")  # the policy or document it rests on, or a Slack permalink
    owner: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="candidate", index=True)
    last_reviewed: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    review_due: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)


class CompanyDocument(Base):
    """A tenant's policy or document, as text: the tenant's index is rebuilt from these and the approved entries."""

    __tablename__ = "company_documents"
    __table_args__ = (UniqueConstraint("tenant", "name", name="uq_document_tenant_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(500))  # path inside the folder it was ingested from
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))  # md, txt, pdf, docx, html
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Feedback(Base):
    """Helpful or not, against an answer's `id`, from any surface."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[str] = mapped_column(String(64), index=True)
    tenant: Mapped[str | None] = mapped_column(String(64), default=None)
    surface: Mapped[str] = mapped_column(String(16))  # cli, web, slack
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class FillJob(Base):
    """One questionnaire being filled: found again by its input's digest and output path for `--resume`."""

    __tablename__ = "fill_jobs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    input_name: Mapped[str] = mapped_column(String(500))
    input_sha256: Mapped[str] = mapped_column(String(64), index=True)
    output_path: Mapped[str] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running, done
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)


class FillRow(Base):
    """The checkpoint of one answered row; written in its own transaction, so a kill loses at most the row in hand."""

    __tablename__ = "fill_rows"

    job_id: Mapped[str] = mapped_column(String(40), ForeignKey("fill_jobs.id", ondelete="CASCADE"), primary_key=True)
    sheet: Mapped[str] = mapped_column(String(200), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    yes_no: Mapped[str] = mapped_column(String(8), default="")
    sources: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float] = mapped_column(Float)
    tier: Mapped[str] = mapped_column(String(8))
    needs_review: Mapped[bool] = mapped_column(Boolean)
    answer_id: Mapped[str] = mapped_column(String(64), default="")
    # what the row is (question, statement, prompt, choice, followup, field) and why a person must see it
    kind: Mapped[str] = mapped_column(String(12), default="question", server_default="question")
    flags: Mapped[str] = mapped_column(Text, default="", server_default="")
    done_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class SlackEvent(Base):
    """A Slack event already handled: Slack retries deliveries, and a retry must not answer twice."""

    __tablename__ = "slack_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ChatThread(Base):
    """A chat thread a surface answers in (a Slack thread, a slash command): who asked, for which tenant,
    and the expert asked to answer it, if any."""

    __tablename__ = "chat_threads"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # e.g. slack:T1:C1:1700000000.000100
    surface: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str | None] = mapped_column(String(64), default=None)
    asker: Mapped[str] = mapped_column(String(64), default="")
    expert: Mapped[str] = mapped_column(String(64), default="")  # the user or group asked to answer
    expert_question: Mapped[str] = mapped_column(Text, default="")  # the resolved question put to the expert
    escalated_by: Mapped[str] = mapped_column(String(64), default="")
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)


class ChatTurn(Base):
    """One turn of a chat thread, appended and never rewritten, so two instances never lose each other's turns.

    An assistant turn keeps the answer's id, its structured meta and the whole `Answer` (for feedback and sharing).
    """

    __tablename__ = "chat_turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    thread_key: Mapped[str] = mapped_column(String(200), ForeignKey("chat_threads.key", ondelete="CASCADE"),
                                            index=True)
    role: Mapped[str] = mapped_column(String(16))  # user, assistant
    content: Mapped[str] = mapped_column(Text)
    meta: Mapped[str] = mapped_column(Text, default="")  # TurnMeta as JSON
    answer_id: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    answer: Mapped[str] = mapped_column(Text, default="")  # Answer as JSON
    user: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Lock(Base):
    """A named lock shared by every process using this database (ingest of one index at a time).

    The holder refreshes `heartbeat_at` while it works; a lock whose heartbeat stopped is stale and taken over.
    """

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)  # e.g. ingest:standards
    holder: Mapped[str] = mapped_column(String(200))  # host, pid and a random part
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ChatMessage(Base):
    """A message a chat surface was asked to answer, kept until it is answered: the queue of a thread.

    Messages of one thread are answered one at a time in the order they were sent (`ts`), whichever worker
    thread or instance received them; an edit before the answer changes `text`, a delete sets `status`.
    """

    __tablename__ = "chat_messages"
    __table_args__ = (UniqueConstraint("channel", "ts", name="uq_chat_messages_channel_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    thread_key: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[str] = mapped_column(String(64))
    ts: Mapped[str] = mapped_column(String(32))  # the surface's own order (Slack's message ts)
    text: Mapped[str] = mapped_column(Text)
    user: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting, answered, deleted, edited
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    touched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
