"""A thread's messages answered one at a time, in the order they were sent, by whichever worker received them.

A chat surface (Slack) hands each message to a worker thread, and with several
instances sharing the records database, to any instance. Two messages sent a second
apart in one thread must still be answered in order, the second against the thread
as it stood after the first answer. Each message waits in the records database
until every earlier message of its thread is answered (or deleted, or its worker
went silent); an edit before the answer changes the text to answer, a delete means
no answer.

>>> inbox = Inbox(records)                                              # doctest: +SKIP
>>> ticket = inbox.arrive("slack:T1:C1:1.0", "C1", "1.0", "What does CC6.1 require?")  # doctest: +SKIP
>>> question = inbox.wait_turn(ticket)    # None: deleted before it was answered   # doctest: +SKIP
>>> ...answer it, record the turn, post it...                          # doctest: +SKIP
>>> inbox.done(ticket)                                                  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ingest.errors import RecordsUnavailable
from ingest.records import ChatMessage, Records

log = logging.getLogger("trustdesk")
WAITING, ANSWERED, DELETED, EDITED = "waiting", "answered", "deleted", "edited"
KEEP_FINISHED = timedelta(days=1)


class Inbox:
    """`stale_after`: a waiting message not touched for this long belongs to a worker that went away, and no
    longer holds up later ones. `give_up`: the longest a message waits for earlier ones before it is answered
    anyway (better late and out of order than never)."""

    def __init__(self, records: Records, *, poll: float = 0.1, stale_after: float = 120.0, give_up: float = 300.0,
                 sleep: Callable[[float], None] = time.sleep):
        if poll <= 0 or stale_after <= 0 or give_up <= 0:
            raise ValueError(f"poll, stale_after and give_up must be positive, not {poll}, {stale_after}, {give_up}")
        self.records, self.poll, self.sleep = records, poll, sleep
        self.stale_after, self.give_up = timedelta(seconds=stale_after), give_up

    def arrive(self, key: str, channel: str, ts: str, text: str, user: str = "") -> int | None:
        """Queue a message; its ticket, or None when it must not be answered: deleted before it arrived, or
        a second delivery of a message already queued."""
        try:
            with self.records.session() as s:
                row = ChatMessage(thread_key=key, channel=channel, ts=ts, text=text, user=user, status=WAITING)
                s.add(row)
                s.flush()
                return row.id
        except RecordsUnavailable as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
        return self._arrived_before(key, channel, ts, user)

    def asker(self, key: str, root_ts: str) -> str | None:
        """Who sent the thread's first message, if it was queued: replies are theirs before any answer is."""
        with self.records.session() as s:
            return s.scalar(select(ChatMessage.user).where(ChatMessage.thread_key == key, ChatMessage.ts == root_ts,
                                                           ChatMessage.status != EDITED))

    def _arrived_before(self, key: str, channel: str, ts: str, user: str) -> int | None:
        """The message is known: an edit that overtook it (answer the edited text), a delete, or a duplicate."""
        with self.records.session() as s:
            row = s.scalar(select(ChatMessage).where(ChatMessage.channel == channel, ChatMessage.ts == ts))
            if row is None or row.status != EDITED:
                return None
            row.status, row.thread_key, row.user, row.touched_at = WAITING, key, user, _now()
            return row.id

    def edit(self, key: str, channel: str, ts: str, text: str) -> None:
        """The message was edited: a waiting one is answered with the new text (kept too if it has not
        arrived yet); an answered or deleted one is left as it is."""
        status = self._apply(channel, ts, ChatMessage.status.in_((WAITING, EDITED)), {"text": text})
        if status is None:
            self._keep_early(key, channel, ts, text, EDITED)

    def delete(self, key: str, channel: str, ts: str) -> None:
        """The message was deleted: if it is not answered yet, it never will be."""
        status = self._apply(channel, ts, ChatMessage.status != ANSWERED, {"status": DELETED})
        if status is None:
            self._keep_early(key, channel, ts, "", DELETED)

    def _apply(self, channel: str, ts: str, allowed, values: dict) -> str | None:
        """Change a known message where `allowed`; its status, or None when it has not arrived yet.

        The message may be committed by its own request between this UPDATE and the SELECT after it (each statement
        sees what was committed when it began): found then, and still changeable, the UPDATE runs again, so an edit
        that lands in that gap is not lost."""
        for _ in range(2):
            with self.records.session() as s:
                where = (ChatMessage.channel == channel, ChatMessage.ts == ts)
                if s.execute(update(ChatMessage).where(*where, allowed).values(**values)).rowcount:
                    return "changed"
                found = s.scalar(select(ChatMessage.id).where(*where))
                if found is None:
                    return None
                if not s.scalar(select(ChatMessage.id).where(*where, allowed)):
                    return "left"  # answered (an edit: or deleted) already: left as it is
        return "left"

    def _keep_early(self, key: str, channel: str, ts: str, text: str, status: str) -> None:
        """An edit or delete that overtook its message: kept, so the message finds it when it arrives."""
        try:
            with self.records.session() as s:
                s.execute(delete(ChatMessage).where(ChatMessage.status != WAITING,
                                                    ChatMessage.created_at < _now() - KEEP_FINISHED)
                          .execution_options(synchronize_session=False))
                s.add(ChatMessage(thread_key=key, channel=channel, ts=ts, text=text, status=status))
        except RecordsUnavailable as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            if status == EDITED:  # the message arrived meanwhile
                self.edit(key, channel, ts, text)
            else:
                self.delete(key, channel, ts)

    def wait_turn(self, ticket: int) -> str | None:
        """Block until every earlier message of the thread is answered; the text to answer now, or None when
        the message was deleted meanwhile."""
        started = touched = time.monotonic()
        while True:
            with self.records.session() as s:
                row = s.get(ChatMessage, ticket)
                if row is None or row.status == DELETED:
                    return None
                if time.monotonic() - touched > self.stale_after.total_seconds() / 4:
                    row.touched_at, touched = _now(), time.monotonic()
                if not self._earlier(s, row):
                    row.touched_at = _now()  # answering starts: not stale for another stale_after
                    return row.text
            if time.monotonic() - started > self.give_up:
                log.warning("message %s waited %.0f s for earlier ones in %s; answering it now", ticket,
                            self.give_up, row.thread_key)
                return self.current(ticket)
            self.sleep(self.poll)

    def _earlier(self, s, row: ChatMessage) -> int:
        return s.scalar(select(func.count()).select_from(ChatMessage).where(
            ChatMessage.thread_key == row.thread_key, ChatMessage.status == WAITING, ChatMessage.id != row.id,
            ChatMessage.ts < row.ts, ChatMessage.touched_at >= _now() - self.stale_after))

    def current(self, ticket: int) -> str | None:
        """The text to answer as it is now (None: deleted), to check an answer still fits before posting it."""
        with self.records.session() as s:
            row = s.get(ChatMessage, ticket)
            return None if row is None or row.status == DELETED else row.text

    def done(self, ticket: int) -> None:
        """The message is answered (or given up on): the next one in its thread may go. Its thread's messages
        finished more than a day ago are forgotten."""
        with self.records.session() as s:
            row = s.get(ChatMessage, ticket)
            if row is None:
                return
            if row.status == WAITING:
                row.status = ANSWERED
            s.execute(delete(ChatMessage).where(ChatMessage.thread_key == row.thread_key,
                                                ChatMessage.status != WAITING,
                                                ChatMessage.created_at < _now() - KEEP_FINISHED)
                      .execution_options(synchronize_session=False))


def _now() -> datetime:
    return datetime.now(timezone.utc)
