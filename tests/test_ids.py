from __future__ import annotations

import pytest

from bot.ids import canonical, find_ids, names_series


@pytest.mark.parametrize("text,expected", [
    ("CC6.1", ["CC6.1"]), ("cc 6.1", ["CC6.1"]), ("cc6.1", ["CC6.1"]), ("CC 7.2 please", ["CC7.2"]),
    ("A1.2", ["A1.2"]), ("c1.1", ["C1.1"]), ("PI1.3", ["PI1.3"]), ("pi 1.3", ["PI1.3"]), ("P4.2", ["P4.2"]),
    ("A.8.24", ["A.8.24"]), ("a.8.24", ["A.8.24"]), ("A8.24", ["A.8.24"]), ("Annex A 8.24", ["A.8.24"]),
    ("annex a 5.7", ["A.5.7"]), ("Annex A.5.15", ["A.5.15"]), ("control 5.7", ["A.5.7"]),
    ("clause 9.2", ["9.2"]), ("Clause 6.1.2", ["6.1.2"]), ("clause 9.2.2", ["9.2"]), ("section 4.3", ["4.3"]),
    ("ISO 27001 8.24", ["A.8.24"]), ("ISO 27001 clause 5.2", ["5.2"]), ("ISO control 5.2", ["A.5.2"]),
    ("How do CC6.1 and A.8.5 relate?", ["CC6.1", "A.8.5"]),
])
def test_spellings_resolve_to_canonical_ids(text, expected):
    assert [m.id for m in find_ids(text)] == expected
    assert all(m.exists for m in find_ids(text))


@pytest.mark.parametrize("text,expected", [
    ("CC10.1", "CC10.1"), ("CC6.9", "CC6.9"), ("A1.4", "A1.4"), ("P9.1", "P9.1"),
    ("A.5.38", "A.5.38"), ("A.8.35", "A.8.35"), ("annex a 9.2", "A.9.2"), ("clause 11.1", "11.1"),
])
def test_ids_that_do_not_exist_are_flagged(text, expected):
    [mention] = find_ids(text)
    assert mention.id == expected and not mention.exists and mention.note


def test_2013_numbering_is_recognised_as_such():
    [mention] = find_ids("what about A.9.2.3?")
    assert not mention.exists and "2013" in mention.note


@pytest.mark.parametrize("text", ["TLS 1.2 and ISO", "version 6.1 of our app", "we grew 5.5% last year",
                                  "python 3.11", "SOC 2 Type 2", "ISO 27001:2022"])
def test_numbers_that_are_not_ids_are_ignored(text):
    assert find_ids(text) == []


def test_whole_section_stands_for_its_clauses():
    [mention] = find_ids("what does clause 6 cover?")
    assert mention.documents == ["6.1", "6.1.2", "6.1.3", "6.2", "6.3"]


def test_canonical():
    assert canonical("cc 6.1") == "CC6.1"
    assert canonical("no id here") is None


@pytest.mark.parametrize("text,expected", [
    ("what does the CC in CC6.1 stand for", True), ("what does PI stand for in soc 2", True),
    ("what does CC6.1 require", False), ("what does cc 6.1 need", False), ("email me at cc@example.com", False),
    ("what is PI1.3", False), ("explain the access criteria", False),
])
def test_a_series_named_by_its_letters_alone(text, expected):
    assert names_series(text) is expected


@pytest.mark.parametrize("text,expected", [
    ("9.3 management review - what are the required inputs", ["9.3"]),
    ("8.8 technical vulnerabilities?", ["A.8.8"]),
    ("we raised 9.3 million last year", []),
    ("does the app support python 3.10?", []),
])
def test_a_bare_number_followed_by_its_own_title_names_it(text, expected):
    assert [m.id for m in find_ids(text)] == expected
