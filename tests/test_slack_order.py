"""Slack under quick typing: two messages in one thread within a second, on one instance and on two sharing the
records database (SQLite and PostgreSQL), edits and deletes before the answer, refusals and questions back, and
follow-ups in one thread. The real Bolt app over HTTP on loopback; Slack's Web API is the local stub.

Every answer here takes at least ANSWER_SECONDS (the engine wrapped to wait first), so a second message always
arrives while the first is being answered, as it does when a person types on.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from bot.sales.threads import Threads
from tests.slack_stub import BOT_USER, TEAM, SlackStub, event, post
from tests.test_slack import ALL, DM, SECRET, TOKEN, _action_value, _settings, _start, dumps

pytestmark = pytest.mark.slow
ANSWER_SECONDS = 1.5  # wide enough that an edit sent right after its message lands first, even on a loaded CI machine
REFUSED = "That is outside what I can help with"


@pytest.fixture
def slow_engine(northwind_assistant, monkeypatch):
    real = northwind_assistant.ask

    def ask(*args, **kwargs):
        time.sleep(ANSWER_SECONDS)
        return real(*args, **kwargs)

    monkeypatch.setattr(northwind_assistant, "ask", ask)
    return northwind_assistant


class Instances:
    """`count` Slack apps over one records database, and a way to send an event to the n-th."""

    def __init__(self, engine, records, count: int):
        self.stub = SlackStub(TOKEN).start()
        self.records = records
        self.servers = [_start(engine, records, self.stub, _settings())[1] for _ in range(count)]

    def send(self, payload: dict, to: int = 0) -> None:
        url = f"http://127.0.0.1:{self.servers[to % len(self.servers)].effective_port}/slack/events"
        assert post(url, json.dumps(payload), "application/json", SECRET)[0] == 200

    def close(self) -> None:
        for server in self.servers:
            server.close()
        self.stub.stop()

    def stored(self, message: dict):
        return Threads(self.records).stored(_action_value(message, "td_helpful"))


@pytest.fixture
def one(slow_engine, records):
    running = Instances(slow_engine, records, 1)
    yield running
    running.close()


@pytest.fixture
def two(slow_engine, records):
    running = Instances(slow_engine, records, 2)
    yield running
    running.close()


def changed(channel: str, message: dict, text: str) -> dict:
    return event("message", text="", user=None, channel=channel, subtype="message_changed", hidden=True,
                 message={**message, "text": text, "edited": {"user": message["user"], "ts": str(time.time())}},
                 previous_message=message)


def deleted(channel: str, message: dict) -> dict:
    return event("message", text="", user=None, channel=channel, subtype="message_deleted", hidden=True,
                 deleted_ts=message["ts"], previous_message=message)


def quick_pair(slack: Instances, channel: str = ALL, second: str = "Which ISO 27001 controls map to it?"):
    """A question, and 0.3 s later a follow-up in its thread (to the other instance, when there are two)."""
    first = event("message", text="What does CC6.1 require?", channel=channel)
    thread = first["event"]["ts"]
    follow = event("message", text=second, channel=channel, thread_ts=thread)
    slack.send(first, to=0)
    time.sleep(0.3)
    slack.send(follow, to=1)
    return thread, follow


def assert_answered_in_order(slack: Instances, thread: str) -> None:
    replies = slack.stub.wait_for(channel=ALL, count=2, timeout=60)
    assert [r["thread_ts"] for r in replies] == [thread, thread]
    first, second = slack.stored(replies[0]), slack.stored(replies[1])
    assert first.asked == "What does CC6.1 require?" and second.asked == "Which ISO 27001 controls map to it?"
    assert "CC6.1" in second.question, "the follow-up was answered against the thread after the first answer"
    assert any(re.fullmatch(r"A\.5\.15|A\.8\.5", c.id) for c in second.answer.citations)
    conversation = Threads(slack.records).conversation(f"slack:{TEAM}:{ALL}:{thread}")
    assert conversation.user_questions == ["What does CC6.1 require?", "Which ISO 27001 controls map to it?"]


def test_two_quick_messages_in_one_thread_are_answered_in_order(one):
    thread, _ = quick_pair(one)
    assert_answered_in_order(one, thread)


def test_two_instances_answer_one_thread_in_order(two):
    thread, _ = quick_pair(two)
    assert_answered_in_order(two, thread)


def test_a_message_edited_before_its_answer_is_answered_as_edited(one):
    thread, follow = quick_pair(one, second="What does CC7.2 require?")
    one.send(changed(ALL, follow["event"], "Which ISO 27001 controls map to it?"))
    assert_answered_in_order(one, thread)
    assert "CC7.2" not in dumps(one.stub.posted(channel=ALL)[1]["blocks"])


def test_a_message_deleted_before_its_answer_gets_none(one):
    thread, follow = quick_pair(one)
    one.send(deleted(ALL, follow["event"]))
    [reply] = one.stub.wait_for(channel=ALL, timeout=60)
    time.sleep(2 * ANSWER_SECONDS + 1)
    assert len(one.stub.posted(channel=ALL)) == 1 and one.stored(reply).asked == "What does CC6.1 require?"
    assert Threads(one.records).conversation(f"slack:{TEAM}:{ALL}:{thread}").user_questions == \
        ["What does CC6.1 require?"]


# --- what the replies look like ----------------------------------------------------------------------

def _badge(message: dict) -> str:
    return [e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"]][-1]


def test_a_refusal_is_said_once_with_no_confidence(one):
    one.send(event("message", text="What's the weather in Paris today?", channel=ALL))
    [reply] = one.stub.wait_for(channel=ALL, timeout=60)
    assert dumps(reply["blocks"]).count(REFUSED) == 1
    assert "out of scope" in _badge(reply) and "confidence" not in dumps(reply["blocks"])


def test_a_question_back_is_badged_as_one(one):
    one.send(event("message", text="which framework should we get?", channel=ALL))
    [reply] = one.stub.wait_for(channel=ALL, timeout=60)
    assert "question back" in _badge(reply) and "confidence" not in dumps(reply["blocks"])
    assert "Where are most of your customers" in dumps(reply["blocks"])


# --- follow-ups in one thread --------------------------------------------------------------------------

MARKET = ["We sell to US hospitals, which framework should we get?",
          "How long would that take and what does it cost roughly?", "What if we add Germany?"]


@pytest.fixture
def market_thread(northwind_assistant, tmp_path):
    """The market question and its two follow-ups in one DM thread, each sent once the previous is answered."""
    from ingest.records import Records

    records = Records(f"sqlite:///{tmp_path / 'slack.db'}")
    slack = Instances(northwind_assistant, records, 1)
    try:
        root = event("message", text=MARKET[0], channel=DM, channel_type="im")
        slack.send(root)
        thread = root["event"]["ts"]
        for n, text in enumerate(MARKET[1:], 2):
            slack.stub.wait_for(channel=DM, count=n - 1, timeout=60)
            slack.send(event("message", text=text, channel=DM, channel_type="im", thread_ts=thread))
        replies = slack.stub.wait_for(channel=DM, count=3, timeout=60)
        yield thread, [slack.stored(r) for r in replies], replies
    finally:
        slack.close()
        records.dispose()


def test_follow_ups_in_one_thread_keep_the_recommendation_in_context(market_thread):
    thread, stored, replies = market_thread
    assert [r["thread_ts"] for r in replies] == [thread] * 3
    assert [s.asked for s in stored] == MARKET
    assert stored[0].answer.recommendation == "soc2"
    assert stored[2].answer.recommendation == "both" and "ISO" in stored[2].answer.text


def test_the_timeline_follow_up_in_slack_is_answered_not_refused(market_thread):
    _, stored, replies = market_thread
    assert not stored[1].answer.refused, stored[1].answer.text
    assert re.search(r"month|cost|\$|€", stored[1].answer.text, re.IGNORECASE)
