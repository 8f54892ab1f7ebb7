"""A thread's queue in the records database (bot/inbox.py), on SQLite and a real PostgreSQL: order, edits,
deletes, duplicates, and a worker that went away."""

from __future__ import annotations

import threading
import time

import pytest

from bot.inbox import Inbox

KEY, CHANNEL = "slack:T1:C1:1700000001.000100", "C1"


def test_the_second_message_waits_until_the_first_is_done(records):
    inbox = Inbox(records, poll=0.02)
    first = inbox.arrive(KEY, CHANNEL, "1700000001.000100", "What does CC6.1 require?", "U1")
    second = inbox.arrive(KEY, CHANNEL, "1700000001.000200", "Which ISO controls map to it?", "U1")
    answered: list[str] = []
    waiter = threading.Thread(target=lambda: answered.append(inbox.wait_turn(second)))
    waiter.start()
    assert inbox.wait_turn(first) == "What does CC6.1 require?"
    time.sleep(0.2)
    assert answered == [], "the second went before the first was done"
    inbox.done(first)
    waiter.join(timeout=5)
    assert answered == ["Which ISO controls map to it?"]
    assert inbox.asker(KEY, "1700000001.000100") == "U1"


def test_other_threads_do_not_wait(records):
    inbox = Inbox(records, poll=0.02)
    inbox.arrive(KEY, CHANNEL, "1700000001.000100", "first", "U1")
    other = inbox.arrive("slack:T1:C1:1700000009.000100", CHANNEL, "1700000009.000100", "other", "U2")
    assert inbox.wait_turn(other) == "other"


def test_an_edit_changes_the_text_and_a_delete_cancels(records):
    inbox = Inbox(records, poll=0.02)
    ticket = inbox.arrive(KEY, CHANNEL, "1700000001.000100", "What does CC7.2 require?")
    inbox.edit(KEY, CHANNEL, "1700000001.000100", "What does CC7.3 require?")
    assert inbox.current(ticket) == "What does CC7.3 require?" == inbox.wait_turn(ticket)
    inbox.delete(KEY, CHANNEL, "1700000001.000100")
    assert inbox.current(ticket) is None and inbox.wait_turn(ticket) is None


def test_an_answered_message_is_not_changed_by_a_late_edit(records):
    inbox = Inbox(records, poll=0.02)
    ticket = inbox.arrive(KEY, CHANNEL, "1700000001.000100", "What does CC7.2 require?")
    inbox.done(ticket)
    inbox.edit(KEY, CHANNEL, "1700000001.000100", "something else")
    inbox.delete(KEY, CHANNEL, "1700000001.000100")
    assert inbox.current(ticket) == "What does CC7.2 require?"


def test_an_edit_or_delete_that_overtakes_its_message_is_kept_for_it(records):
    inbox = Inbox(records, poll=0.02)
    inbox.edit(KEY, CHANNEL, "1700000001.000100", "the edited words")
    inbox.delete(KEY, CHANNEL, "1700000001.000300")
    ticket = inbox.arrive(KEY, CHANNEL, "1700000001.000100", "the first words")
    assert inbox.wait_turn(ticket) == "the edited words"
    assert inbox.arrive(KEY, CHANNEL, "1700000001.000300", "deleted before it arrived") is None


def test_a_second_delivery_gets_no_ticket(records):
    inbox = Inbox(records)
    assert inbox.arrive(KEY, CHANNEL, "1700000001.000100", "What does CC6.1 require?") is not None
    assert inbox.arrive(KEY, CHANNEL, "1700000001.000100", "What does CC6.1 require?") is None


def test_a_silent_worker_holds_up_the_thread_only_until_it_is_stale(records):
    inbox = Inbox(records, poll=0.02, stale_after=0.3)
    inbox.arrive(KEY, CHANNEL, "1700000001.000100", "its worker went away")
    later = inbox.arrive(KEY, CHANNEL, "1700000001.000200", "still answered")
    started = time.monotonic()
    assert inbox.wait_turn(later) == "still answered"
    assert 0.2 < time.monotonic() - started < 5


def test_finished_messages_are_forgotten_after_a_day(records):
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import func, select, update

    from ingest.records import ChatMessage

    inbox = Inbox(records)
    old = inbox.arrive(KEY, CHANNEL, "1700000001.000100", "long ago")
    inbox.done(old)
    with records.session() as s:
        s.execute(update(ChatMessage).values(created_at=datetime.now(timezone.utc) - timedelta(days=2)))
    inbox.done(inbox.arrive(KEY, CHANNEL, "1700000001.000200", "today"))
    with records.session() as s:
        assert s.scalar(select(func.count()).select_from(ChatMessage)) == 1


def test_settings_are_checked():
    with pytest.raises(ValueError, match="must be positive"):
        Inbox(None, poll=0)
