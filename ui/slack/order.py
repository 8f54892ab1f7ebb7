"""One thread's messages answered in order, and edits and deletes honoured until the answer is posted.

Bolt answers each event on a worker thread, and several instances may share the
records database, so two messages sent a second apart in one thread could be answered
at once, the second without the first. Each message takes a ticket in the records
database's queue (`bot.inbox`) and waits for its turn; an edited message is answered
with its new text, a deleted one not at all. While the records database is down,
messages are answered at once, as before.

`InOrder` is mixed into `ui.slack.app.SlackDesk`, which supplies `inbox`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.inbox import Inbox
from ingest.errors import RecordsUnavailable
from ui.slack.messages import question_text, thread_key

log = logging.getLogger("trustdesk.slack")


@dataclass
class Ticket:
    """A message's place in its thread's queue; without an inbox (records down) it is answered at once."""

    inbox: Inbox | None
    id: int | None
    text: str

    def wait(self) -> str | None:
        """The text to answer once every earlier message of the thread is answered; None: deleted."""
        return self._ask(lambda: self.inbox.wait_turn(self.id))

    def current(self) -> str | None:
        """The text as it is now (an edit may have changed it); None: deleted."""
        return self._ask(lambda: self.inbox.current(self.id))

    def done(self) -> None:
        if self.inbox is not None:
            try:
                self.inbox.done(self.id)
            except RecordsUnavailable as exc:
                log.warning("message %s answered, but not marked so (%s); the next waits until it is stale",
                            self.id, exc)

    def _ask(self, read) -> str | None:
        if self.inbox is None:
            return self.text
        try:
            return read()
        except RecordsUnavailable as exc:
            log.warning("the message queue is unavailable (%s); answering without waiting", exc)
            return self.text


class InOrder:
    """Ticket handling and the edit and delete events; `SlackDesk` supplies `inbox`."""

    def _ticket(self, key: str, channel: str, ts: str, question: str, user: str) -> Ticket | None:
        """The message's ticket, or None when it must not be answered (deleted already, or delivered twice)."""
        try:
            ticket = self.inbox.arrive(key, channel, ts, question, user)
        except RecordsUnavailable as exc:
            log.warning("cannot queue the message (%s); answering it at once", exc)
            return Ticket(None, None, question)
        return None if ticket is None else Ticket(self.inbox, ticket, question)

    def on_changed(self, event: dict, body: dict, context) -> None:
        """`message_changed` and `message_deleted`: a message waiting for its answer follows its edits."""
        channel = event.get("channel", "")
        before = event.get("previous_message") or {}
        if before.get("bot_id") or (event.get("message") or {}).get("bot_id"):
            return  # an answer's own message (unfurls, updates): never a question
        try:
            if event.get("subtype") == "message_deleted":
                ts = event.get("deleted_ts") or before.get("ts", "")
                self.inbox.delete(self._key(body, channel, before, ts), channel, ts)
                return
            message = event.get("message") or {}
            if message.get("text") == before.get("text"):
                return  # replies counted, a link unfurled: not an edit of the words
            ts = message.get("ts", "")
            self.inbox.edit(self._key(body, channel, message, ts), channel, ts,
                            question_text(message.get("text", ""), context.bot_user_id))
        except RecordsUnavailable as exc:
            log.warning("an edit or delete in %s was not applied to a waiting message (%s)", channel, exc)

    @staticmethod
    def _key(body: dict, channel: str, message: dict, ts: str) -> str:
        return thread_key(body.get("team_id", ""), channel, message.get("thread_ts") or ts)
