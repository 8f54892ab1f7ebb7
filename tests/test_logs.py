"""Structured logs: JSON lines that carry one request id through a question's whole path, on every surface."""

from __future__ import annotations

import io
import json
import logging
import threading

import pytest

from bot import logs
from bot.config import Settings

QUESTION = "What does CC6.1 require?"


class Captured:
    """The JSON lines trustdesk's handler wrote, parsed (a line that is not JSON fails the test)."""

    def __init__(self, stream: io.StringIO):
        self.stream = stream

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line.strip()]

    def of(self, request_id: str) -> list[dict]:
        return [line for line in self.lines() if line["request_id"] == request_id]


@pytest.fixture
def json_logs():
    stream = io.StringIO()
    handler = logs.configure(Settings(log_format="json", log_level="INFO"), stream=stream)
    yield Captured(stream)
    logging.getLogger().removeHandler(handler)
    logging.getLogger("trustdesk").setLevel(logging.NOTSET)


# --- the module itself ------------------------------------------------------------------------

def test_lines_carry_the_request_id_fields_and_no_secret(json_logs):
    log, library = logging.getLogger("trustdesk.test"), logging.getLogger("some.library")
    library.setLevel(logging.INFO)  # the library would say more: the handler holds it to warnings
    log.info("outside")
    with logs.request("q-fixed", surface="test") as rid:
        log.info("inside %s", "x", extra={"route": "lookup"})
        library.info("library chatter is held to warnings")
        library.warning("token xoxb-1234-abcd leaked by a library")
        with logs.request("q-inner"):
            log.info("nested")
        log.info("back")
    library.setLevel(logging.NOTSET)
    first, inside, warning, nested, back = json_logs.lines()
    assert rid == "q-fixed" and first["request_id"] is None and "surface" not in first
    assert inside == {**inside, "msg": "inside x", "request_id": "q-fixed", "surface": "test", "route": "lookup",
                      "level": "INFO", "logger": "trustdesk.test"}
    assert warning["logger"] == "some.library" and "xoxb-[redacted]" in warning["msg"] and "abcd" not in warning["msg"]
    assert nested["request_id"] == "q-inner" and nested["surface"] == "test"
    assert back["request_id"] == "q-fixed"


def test_text_format_and_levels():
    stream = io.StringIO()
    handler = logs.configure(Settings(log_format="text", log_level="WARNING"), stream=stream)
    try:
        with logs.request("q-text"):
            logging.getLogger("trustdesk.test").info("hidden at WARNING")
            logging.getLogger("trustdesk.test").warning("shown", extra={"tier": "low"})
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger("trustdesk").setLevel(logging.NOTSET)
    [line] = stream.getvalue().splitlines()
    assert "WARNING trustdesk.test [q-text] shown tier=low" in line


def test_a_second_configure_replaces_the_first(json_logs):
    root = logging.getLogger()
    before = [h for h in root.handlers if getattr(h, "_trustdesk", False)]
    again = logs.configure(Settings(log_format="json"), stream=json_logs.stream)
    try:
        assert [h for h in root.handlers if getattr(h, "_trustdesk", False)] == [again] and len(before) == 1
    finally:
        root.removeHandler(again)


def test_a_bad_log_setting_is_named(monkeypatch):
    from pydantic import ValidationError

    monkeypatch.setenv("TRUSTDESK_LOG_LEVEL", "loud")
    with pytest.raises(ValidationError, match="log_level"):
        Settings()


# --- a real question ---------------------------------------------------------------------------

@pytest.mark.slow
def test_one_question_logs_its_path_under_one_request_id(assistant, json_logs):
    with logs.request(surface="test") as rid:
        answer = assistant.ask(QUESTION)
    lines = json_logs.of(rid)
    assert [line["msg"] for line in lines] == ["question", "routed to lookup", "answered"]
    question, routed, answered = lines
    assert question["chars"] == len(QUESTION) and len(question["sha"]) == 12
    assert routed["route"] == "lookup" and routed["understand_ms"] >= 0 and "classifier" in routed["reason"]
    assert answered["answer_id"] == answer.id and answered["tier"] == answer.tier
    assert "CC6.1" in answered["citations"] and answered["latency_ms"] > 0
    assert QUESTION not in json_logs.stream.getvalue()  # the words only at DEBUG


@pytest.mark.slow
def test_question_text_is_logged_at_debug_only(assistant):
    stream = io.StringIO()
    handler = logs.configure(Settings(log_format="json", log_level="DEBUG"), stream=stream)
    try:
        assistant.ask(QUESTION)
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger("trustdesk").setLevel(logging.NOTSET)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["level"] for line in lines if QUESTION in line["msg"]] == ["DEBUG"]
    assert len({line["request_id"] for line in lines}) == 1 and lines[0]["request_id"].startswith("q-")


@pytest.mark.slow
def test_two_threads_asking_at_once_never_mix_ids(assistant, json_logs):
    questions = {"one": "What does A.8.24 require?", "two": "Which ISO controls cover CC7.2?"}
    answers, start = {}, threading.Barrier(2)

    def ask(name: str) -> None:
        start.wait()
        with logs.request(f"q-{name}"):
            for _ in range(3):
                answers.setdefault(name, []).append(assistant.ask(questions[name]).id)

    threads = [threading.Thread(target=ask, args=(name,)) for name in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name in questions:
        lines = json_logs.of(f"q-{name}")
        assert len(lines) == 9, [line["msg"] for line in lines]
        assert [line["answer_id"] for line in lines if line["msg"] == "answered"] == answers[name]
        assert {line["sha"] for line in lines if line["msg"] == "question"} == \
            {logs.question_fields(questions[name])["sha"]}
    assert all(line["request_id"] in ("q-one", "q-two") for line in json_logs.lines())


@pytest.mark.slow
def test_questionnaire_rows_each_have_a_request_id_under_the_job(northwind_assistant, json_logs, tmp_path):
    from bot.sales.questionnaire import fill
    from ingest.records import Records

    source = tmp_path / "vendor.csv"
    source.write_text("question\nDo you encrypt customer data at rest?\nWhat is your RPO?\n", encoding="utf-8")
    records = Records(f"sqlite:///{tmp_path / 'records.db'}")
    try:
        report = fill(northwind_assistant, records, source, tmp_path / "filled.csv", "northwind")
    finally:
        records.dispose()
    lines = json_logs.lines()
    for n in (1, 2):
        row = json_logs.of(f"{report.job_id}-r{n}")
        assert [line["msg"] for line in row] == ["questionnaire row", "answered"], row
        assert row[1]["answer_id"].startswith("a-") and row[1]["route"] == "company" and row[1]["job"] == report.job_id
    assert [line["msg"] for line in lines if line.get("job") == report.job_id and line["request_id"] is None] == \
        [f"fill of {report.job_id} started", f"fill of {report.job_id} done"]


@pytest.mark.slow
def test_the_cli_writes_json_lines_on_stderr_under_one_request_id(standards_data):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import ROOT

    script = Path(sys.executable).with_name("trustdesk")
    env = {**os.environ, "TRUSTDESK_DATA_DIR": str(standards_data), "TRUSTDESK_LOG_FORMAT": "json",
           "TRUSTDESK_LOG_LEVEL": "INFO", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([str(script), "ask", QUESTION, "--json"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)  # stdout holds the answer alone
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert len({line["request_id"] for line in lines}) == 1 and lines[0]["request_id"].startswith("q-")
    assert all(line["surface"] == "cli" and line["command"] == "ask" for line in lines)
    [answered] = [line for line in lines if line["msg"] == "answered"]
    assert answered["answer_id"] == answer["id"] and answered["route"] == answer["route"] == "lookup"
    quiet = subprocess.run([str(script), "ask", QUESTION], cwd=ROOT, capture_output=True, text=True, timeout=180,
                           env={**env, "TRUSTDESK_LOG_LEVEL": "", "TRUSTDESK_LOG_FORMAT": ""})
    assert quiet.returncode == 0 and quiet.stderr == ""  # the command line logs warnings only, by default


# --- Slack: the real Bolt app over HTTP, Slack's Web API answered by the local stub ------------------

@pytest.fixture
def slack_app(northwind_assistant, tmp_path):
    from ingest.records import Records
    from tests.slack_stub import SlackStub
    from tests.test_slack import SECRET, TOKEN, Running, _settings, _start

    stub = SlackStub(TOKEN).start()
    records = Records(f"sqlite:///{tmp_path / 'slack.db'}")
    _, server = _start(northwind_assistant, records, stub, _settings())
    yield Running(stub, f"http://127.0.0.1:{server.effective_port}/slack/events", records, server), SECRET
    server.close()
    stub.stop()
    records.dispose()


@pytest.mark.slow
def test_slack_events_log_under_their_event_id_even_at_once(slack_app, json_logs):
    from concurrent.futures import ThreadPoolExecutor

    from tests.slack_stub import BOT_USER, event
    from tests.test_slack import ALL, SALES, _action_value

    slack, _ = slack_app
    events = {SALES: event("app_mention", text=f"<@{BOT_USER}> What does A.8.24 require?", channel=SALES,
                           event_id="Ev0LOGSALES"),
              ALL: event("app_mention", text=f"<@{BOT_USER}> Which ISO controls cover CC7.2?", channel=ALL,
                         event_id="Ev0LOGALL01")}
    with ThreadPoolExecutor(2) as pool:
        assert [status for status, _, _ in pool.map(slack.send, events.values())] == [200, 200]
    for channel, ev in events.items():
        [msg] = slack.stub.wait_for(channel=channel)
        lines = json_logs.of(ev["event_id"])
        assert [line["msg"] for line in lines][:2] == ["slack event app_mention", "question"], lines
        [answered] = [line for line in lines if line["msg"] == "answered"]
        assert answered["answer_id"] == _action_value(msg, "td_helpful")
        assert answered["tenant"] == ("northwind" if channel == SALES else None)  # ALL is configured without one
        assert all(line["surface"] == "slack" and line["event_id"] == ev["event_id"] for line in lines)
    slack.send(events[SALES], headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert "dropped retried delivery of event Ev0LOGSALES" in [line["msg"] for line in json_logs.of("Ev0LOGSALES")]


@pytest.mark.slow
def test_a_slack_apology_names_the_event_id_the_log_holds(slack_app, northwind_assistant, json_logs, monkeypatch):
    from tests.slack_stub import BOT_USER, event
    from tests.test_slack import SALES

    def broken(*args, **kwargs):
        raise RuntimeError("internal detail")

    monkeypatch.setattr(northwind_assistant, "ask", broken)
    slack, _ = slack_app
    slack.send(event("app_mention", text=f"<@{BOT_USER}> What does CC6.1 require?", channel=SALES,
                     event_id="Ev0BROKEN01"))
    [msg] = slack.stub.wait_for(channel=SALES)
    assert "reference `Ev0BROKEN01`" in msg["text"]
    [failed] = [line for line in json_logs.of("Ev0BROKEN01") if line["level"] == "ERROR"]
    assert "RuntimeError: internal detail" in failed["exc"] and "Ev0BROKEN01" in failed["msg"]


# --- the web UI: the real Streamlit app, driven by AppTest ----------------------------------------

@pytest.fixture
def web(standards_data, northwind_assistant, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.setenv("TRUSTDESK_DATA_DIR", str(standards_data))
    at = AppTest.from_file(str(ROOT / "ui" / "web" / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception
    return at


@pytest.mark.slow
def test_a_web_question_logs_under_one_id_and_a_bug_shows_it_as_a_reference(web, json_logs, monkeypatch):
    from bot.engine import Assistant

    web.chat_input[0].set_value(QUESTION).run()
    answer_id = web.session_state["messages"][-1]["answer"]["id"]
    [answered] = [line for line in json_logs.lines() if line.get("answer_id") == answer_id]
    lines = json_logs.of(answered["request_id"])
    assert [line["msg"] for line in lines] == ["question", "routed to lookup", "answered"]
    assert all(line["surface"] == "web" and line["page"] == "ask" for line in lines)

    def broken(self, *args, **kwargs):
        raise RuntimeError("internal detail")
        yield

    monkeypatch.setattr(Assistant, "stream", broken)
    web.chat_input[0].set_value("What does CC7.2 require?").run()
    assert not web.exception and "internal detail" not in web.error[0].value
    [failed] = [line for line in json_logs.lines() if line["level"] == "ERROR"]
    assert f"reference {failed['request_id']}" in web.error[0].value and "RuntimeError" in failed["exc"]
    assert len(web.session_state["messages"]) == 2, "the failed question is not kept in the conversation"
