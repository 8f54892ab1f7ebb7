"""Chat threads in the records database (bot.sales.threads), on SQLite and a real PostgreSQL."""

from __future__ import annotations

import pytest

from bot.errors import TrustdeskError
from bot.models import Answer, Citation, TurnMeta
from bot.sales.library import Library
from bot.sales.threads import Threads, first_delivery

KEY = "slack:T1:C1:1700000000.000100"


def _answer(text: str, resolved: str) -> Answer:
    answer = Answer(text=text, confidence=0.8, route="lookup",
                    citations=[Citation(id="CC6.1", framework="soc2", title="Logical access", source="x", score=0.9)])
    answer._meta = TurnMeta(resolved=resolved, route="lookup", cited=["CC6.1"])
    return answer


def test_a_thread_keeps_its_turns_and_meta_in_order(records):
    threads = Threads(records)
    assert threads.conversation(KEY).turns == [] and not threads.known(KEY)
    first = _answer("CC6.1 covers access.", "What does CC6.1 require?")
    threads.record(KEY, "What does CC6.1 require?", first, surface="slack", user="U1", tenant="acme")
    threads.record(KEY, "and in ISO?", _answer("A.5.15 ...", "Which ISO controls map to CC6.1?"), surface="slack",
                   user="U1", tenant="acme")
    convo = threads.conversation(KEY)
    assert [t.role for t in convo.turns] == ["user", "assistant"] * 2
    assert convo.user_questions == ["What does CC6.1 require?", "and in ISO?"]
    assert convo.last_meta.resolved == "Which ISO controls map to CC6.1?"
    assert threads.asker(KEY) == "U1" and threads.known(KEY)
    # only the last turns are read back, starting with a question
    assert [t.role for t in threads.conversation(KEY, max_turns=3).turns] == ["user", "assistant"]


def test_a_stored_answer_is_found_by_its_id_with_its_question(records):
    threads = Threads(records)
    answer = _answer("CC6.1 covers access.", "What does CC6.1 require?")
    threads.record(KEY, "what does it require", answer, surface="slack", user="U1", tenant="acme")
    stored = threads.stored(answer.id)
    assert (stored.question, stored.asked, stored.tenant, stored.user) == \
        ("What does CC6.1 require?", "what does it require", "acme", "U1")
    assert stored.answer.cited_ids == ["CC6.1"] and stored.answer.meta.resolved == "What does CC6.1 require?"
    assert threads.stored("a-unknown") is None
    # a copy (a shared answer) does not take the id over
    threads.record("slack:T1:C1:9.9", "what does it require", answer, surface="slack", link_answer=False)
    assert threads.stored(answer.id).thread_key == KEY


def test_an_experts_reply_becomes_a_candidate_for_the_threads_tenant(records):
    threads = Threads(records)
    threads.record(KEY, "cyber insurance?", _answer("I could not find it.", "Do we carry cyber insurance?"),
                   surface="slack", user="U1", tenant="acme")
    with pytest.raises(TrustdeskError, match="no expert"):
        threads.capture(KEY, "Yes.", source="https://x.slack.com/archives/C1/p1", owner="U9")
    threads.escalate(KEY, "U9", "Do we carry cyber insurance?", by="U1")
    assert threads.escalation(KEY).expert == "U9"
    entry, added = threads.capture(KEY, "Yes, a $5M policy.", source="https://x.slack.com/archives/C1/p2", owner="U9")
    assert added and entry.status == "candidate" and entry.question == "Do we carry cyber insurance?"
    again, added = threads.capture(KEY, "Yes, a $5M policy.", source="https://x.slack.com/archives/C1/p2", owner="U9")
    assert not added and again.id == entry.id
    assert [e.id for e in Library(records, "acme").entries("candidate")] == [entry.id]
    with pytest.raises(TrustdeskError, match="no thread"):
        threads.escalate("slack:T1:C1:0.0", "U9", "q", by="U1")


def test_a_thread_without_a_tenant_has_no_library(records):
    threads = Threads(records)
    threads.record(KEY, "q?", _answer("a", "q?"), surface="slack", user="U1", tenant=None)
    threads.escalate(KEY, "U9", "q?", by="U1")
    with pytest.raises(TrustdeskError, match="no tenant"):
        threads.capture(KEY, "answer", source="", owner="U9")


def test_an_event_is_handled_once_across_instances(records):
    assert first_delivery(records, "Ev01") is True
    assert first_delivery(records, "Ev01") is False
    assert first_delivery(records, "Ev02") is True
