"""Positions in the catalog resolve to the IDs they name, before a question is routed."""

from __future__ import annotations

import pytest

from bot.followup import resolve
from bot.position import groups, place


@pytest.mark.parametrize("question,expected", [
    ("what's the last control in the organizational theme?", "what's A.5.37?"),
    ("what is the last organisational control then?", "what is A.5.37 then?"),
    ("the first control in the people theme", "A.6.1"),
    ("second control in the physical theme", "A.7.2"),
    ("the last technological control", "A.8.34"),
    ("last annex a control", "A.8.34"),
    ("what is the first clause of section 6?", "what is clause 6.1?"),
    ("the last clause in planning", "clause 6.3"),
    ("last criterion in the CC6 series", "CC6.8"),
    ("first criterion in CC7", "CC7.1"),
    ("what is the final privacy criterion", "what is P8.1"),
])
def test_first_and_last_in_a_named_group(question, expected):
    assert place(question) == expected


@pytest.mark.parametrize("question,expected", [
    ("and the control after A.5.15?", "and A.5.16?"),
    ("what is the control after 5.15", "what is A.5.16"),
    ("the control before A.6.1", "A.5.37"),  # Annex A runs on from one theme into the next
    ("the one after CC6.8?", "CC7.1?"),
    ("the clause right after 9.2", "clause 9.3"),
])
def test_after_and_before_an_id(question, expected):
    assert place(question) == expected


@pytest.mark.parametrize("question,last,expected", [
    ("what about the next one?", "CC6.1", "what about CC6.2?"),
    ("the previous one?", "A.6.1", "A.5.37?"),
    ("the next clause", "9.2", "clause 9.3"),
    ("and the one after that", "A.5.1", "and A.5.2"),
])
def test_next_and_previous_count_from_the_last_cited_id(question, last, expected):
    assert place(question, last_id=last) == expected


@pytest.mark.parametrize("question,last", [
    ("when was your last pentest", None),
    ("the first control to implement", None),     # no group named
    ("what is the next control?", None),          # nothing to count from
    ("the next control", "CC6.1"),                # a control does not follow a criterion
    ("what is the next control after A.8.34", None),  # nothing after the last one
    ("the control after A.5.38", None),           # an ID that does not exist has no neighbours
    ("what's the next step?", "CC6.1"),
    ("our controls before the audit", None),
])
def test_no_position_leaves_the_question_alone(question, last):
    assert place(question, last_id=last) is None


def test_theme_names_come_from_the_catalog():
    themes = {g.key for g in groups() if g.kind == "control" and g.key != "*"}
    assert themes == {"organizational", "people", "physical", "technological"}


def test_a_position_after_an_id_that_does_not_exist_resolves_in_the_conversation():
    assert resolve("ok then what's the last control in the organizational theme",
                   ["what's A.5.38"]) == "ok then what's A.5.37"


def test_next_one_uses_the_cited_id_of_the_previous_turn():
    assert resolve("and the next one?", ["which control covers threat intelligence?"], [["A.5.7"]]) == "and A.5.8?"
