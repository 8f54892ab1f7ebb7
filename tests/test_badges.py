"""Refusals and questions back look like what they are, on every surface: said once, a neutral badge instead of
a confidence, and never offered as copy for a customer (ui/badges.py; Slack blocks; the terminal)."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from bot.models import Answer, Citation, Parts
from ui import badges
from ui.render import print_answer
from ui.slack.blocks import answer_blocks

REFUSAL = ("That is outside what I can help with. I answer questions about SOC 2, ISO/IEC 27001:2022 and security "
           "assurance.")
ASK_BACK = "Where are most of your customers: the United States, Europe or the UK, Asia-Pacific, or worldwide?"


def refusal() -> Answer:  # as the engine returns one: the text is also its note, and "high" confidence
    return Answer(text=REFUSAL, route="out_of_scope", refused=True, confidence=1.0, parts=Parts(notes=[REFUSAL]))


def question_back() -> Answer:
    cite = Citation(id="choosing-a-framework", framework="guidance", title="Choosing", source="x", score=0.8)
    return Answer(text=f"The right framework is the one your buyers ask for.\n\n{ASK_BACK}", route="clarify",
                  confidence=0.9, citations=[cite],
                  parts=Parts(lead="The right framework is the one your buyers ask for.", ask_back=ASK_BACK))


def answer() -> Answer:
    lead = "CC6.1 requires access controls."
    return Answer(text=lead, confidence=0.8, parts=Parts(lead=lead, notes=["Estimates only."]))


@pytest.mark.parametrize("made, kind, label, copy", [(refusal, "refusal", "out of scope", False),
                                                      (question_back, "question", "question back", False),
                                                      (answer, "answer", "high confidence", True)])
def test_each_reply_has_its_kind_and_badge(made, kind, label, copy):
    reply = made()
    assert badges.badge(reply) == (kind, label)
    assert badges.for_customers(reply) is copy


def test_a_refusal_note_is_not_said_twice_but_an_answer_note_is_kept():
    assert badges.shown_notes(refusal()) == []
    assert badges.shown_notes(answer()) == ["Estimates only."]


def test_slack_says_a_refusal_once_without_confidence():
    text = json.dumps(answer_blocks(refusal()))
    assert text.count("That is outside what I can help with") == 1
    assert "confidence" not in text and ":no_entry_sign: out of scope" in text


def test_slack_badges_a_question_back():
    text = json.dumps(answer_blocks(question_back()))
    assert ":speech_balloon: question back" in text and "confidence" not in text and ASK_BACK in text


def _terminal(reply: Answer) -> str:
    console = Console(width=200, record=True, color_system=None)
    print_answer(console, reply)
    return console.export_text()


def test_the_terminal_says_what_a_refusal_and_a_question_back_are():
    said = _terminal(refusal())
    assert said.count("That is outside what I can help with") == 1
    assert "out of scope" in said and "confidence" not in said
    assert "question back" in _terminal(question_back()) and "confidence" not in _terminal(question_back())
    assert "confidence 0.80" in _terminal(answer())
