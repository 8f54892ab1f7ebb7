"""Chat threads in the records database: their conversation, the answers given, and experts asked to answer.

A surface that answers in threads (Slack) keeps each thread here rather than in its
own memory, so a follow-up continues the conversation whichever instance receives
it, feedback and "share" find the answer by its id, and an expert's reply in the
thread becomes a `candidate` entry in the tenant's answer library.

>>> threads = Threads(Records("sqlite://"))                                  # doctest: +SKIP
>>> threads.record("slack:T1:C1:1.0", "What does CC6.1 require?", answer, surface="slack", user="U1")  # doctest: +SKIP
>>> threads.conversation("slack:T1:C1:1.0").user_questions                    # doctest: +SKIP
['What does CC6.1 require?']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.conversation import MAX_TURNS, Conversation
from bot.errors import TrustdeskError
from bot.models import Answer, Turn, TurnMeta
from bot.sales.library import Library
from ingest.errors import RecordsUnavailable
from ingest.records import ChatThread, ChatTurn, LibraryEntry, Records, SlackEvent


@dataclass(frozen=True)
class StoredAnswer:
    """An answer given in a thread, found again by its id (feedback, share, escalation)."""

    answer: Answer
    thread_key: str
    question: str  # the self-contained question it answered
    asked: str  # the words the user typed
    meta: TurnMeta
    tenant: str | None
    user: str


@dataclass(frozen=True)
class Escalation:
    expert: str
    question: str
    tenant: str | None
    by: str


class Threads:
    def __init__(self, records: Records):
        self.records = records

    # --- conversations ---------------------------------------------------------

    def known(self, key: str) -> bool:
        with self.records.session() as s:
            return s.get(ChatThread, key) is not None

    def conversation(self, key: str, max_turns: int = MAX_TURNS) -> Conversation:
        """The thread's last turns, oldest first (empty for a thread never answered)."""
        with self.records.session() as s:
            rows = list(s.scalars(select(ChatTurn).where(ChatTurn.thread_key == key)
                                  .order_by(ChatTurn.id.desc()).limit(max_turns)))
        turns = [Turn(role=r.role, content=r.content, meta=TurnMeta.model_validate_json(r.meta) if r.meta else None)
                 for r in reversed(rows)]
        return Conversation(turns=turns).trimmed(max_turns)

    def asker(self, key: str) -> str | None:
        with self.records.session() as s:
            thread = s.get(ChatThread, key)
            return thread.asker if thread else None

    def record(self, key: str, question: str, answer: Answer, *, surface: str, user: str = "",
               tenant: str | None = None, link_answer: bool = True) -> None:
        """Append a question and its answer to the thread (created on first use).

        `link_answer=False` records a copy of an answer already stored elsewhere (a shared answer), so the
        answer's id keeps pointing at the original.
        """
        with self.records.session() as s:
            if s.get(ChatThread, key) is None:
                s.add(ChatThread(key=key, surface=surface, tenant=tenant, asker=user))
                try:
                    s.flush()
                except IntegrityError:  # another instance created it a moment ago
                    s.rollback()
            s.add(ChatTurn(thread_key=key, role="user", content=question[:20_000], user=user))
            s.add(ChatTurn(thread_key=key, role="assistant", content=answer.text[:20_000],
                           meta=answer.meta.model_dump_json(), answer_id=answer.id if link_answer else None,
                           answer=answer.model_dump_json(), user=""))
            thread = s.get(ChatThread, key)
            thread.updated_at = datetime.now(timezone.utc)

    def stored(self, answer_id: str) -> StoredAnswer | None:
        with self.records.session() as s:
            turn = s.scalar(select(ChatTurn).where(ChatTurn.answer_id == answer_id))
            if turn is None:
                return None
            asked = s.scalar(select(ChatTurn.content).where(ChatTurn.thread_key == turn.thread_key,
                                                           ChatTurn.id < turn.id, ChatTurn.role == "user")
                             .order_by(ChatTurn.id.desc()).limit(1)) or ""
            asker = s.scalar(select(ChatTurn.user).where(ChatTurn.thread_key == turn.thread_key,
                                                        ChatTurn.id < turn.id, ChatTurn.role == "user")
                             .order_by(ChatTurn.id.desc()).limit(1)) or ""
            thread = s.get(ChatThread, turn.thread_key)
            answer = Answer.model_validate_json(turn.answer)
            meta = TurnMeta.model_validate_json(turn.meta) if turn.meta else TurnMeta()
            answer._meta = meta
            return StoredAnswer(answer=answer, thread_key=turn.thread_key, question=meta.resolved or asked,
                                asked=asked, meta=meta, tenant=thread.tenant if thread else None, user=asker)

    # --- experts -----------------------------------------------------------------

    def escalate(self, key: str, expert: str, question: str, by: str) -> None:
        """Ask `expert` (a user or group) to answer the thread's question; their reply is captured later."""
        with self.records.session() as s:
            thread = s.get(ChatThread, key)
            if thread is None:
                raise TrustdeskError(f"no thread {key!r} to escalate")
            thread.expert, thread.expert_question, thread.escalated_by = expert, question.strip(), by
            thread.escalated_at = datetime.now(timezone.utc)

    def escalation(self, key: str) -> Escalation | None:
        with self.records.session() as s:
            thread = s.get(ChatThread, key)
            if thread is None or not thread.expert:
                return None
            return Escalation(expert=thread.expert, question=thread.expert_question, tenant=thread.tenant,
                              by=thread.escalated_by)

    def capture(self, key: str, reply: str, *, source: str, owner: str) -> tuple[LibraryEntry, bool]:
        """The expert's reply becomes a `candidate` library entry for the thread's tenant, awaiting approval."""
        escalation = self.escalation(key)
        if escalation is None:
            raise TrustdeskError("no expert was asked in this thread")
        if not escalation.tenant:
            raise TrustdeskError("this thread has no tenant, so there is no library to add the answer to")
        return Library(self.records, escalation.tenant).add_candidate(escalation.question, reply.strip(),
                                                                      source=source, owner=owner)


def first_delivery(records: Records, event_id: str) -> bool:
    """True the first time an event id is seen, False for a retried delivery (agreed across instances)."""
    try:
        with records.session() as s:
            s.add(SlackEvent(event_id=event_id[:64]))
        return True
    except RecordsUnavailable as exc:
        if isinstance(exc.__cause__, IntegrityError):
            return False
        raise
