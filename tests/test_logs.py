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
