"""The 2013 -> 2022 correspondence (corpus/crosswalk) against what each 2022 control file states."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.catalog import CATALOG
from ingest.lineage import LINEAGE
from ingest.load import load_corpus

CONTROLS = Path(__file__).resolve().parents[1] / "corpus" / "iso27001" / "controls"
_2013_ID = re.compile(r"\bA\.(?:[5-9]|1[0-8])\.\d{1,2}\.\d{1,2}\b")
# the 2013 Annex A had 114 controls in 14 domains (A.5 - A.18); controls per domain
DOMAIN_SIZES = {5: 2, 6: 7, 7: 6, 8: 10, 9: 14, 10: 2, 11: 15, 12: 14, 13: 7, 14: 13, 15: 5, 16: 7, 17: 4, 18: 8}


def test_every_2013_control_is_listed_once_with_existing_successors():
    assert len(LINEAGE.controls) == 114
    per_domain: dict[int, int] = {}
    for c in LINEAGE.controls:
        per_domain[int(c.id.split(".")[1])] = per_domain.get(int(c.id.split(".")[1]), 0) + 1
        assert all(s in CATALOG and CATALOG[s].kind == "control" for s in c.successors), c.id
    assert per_domain == DOMAIN_SIZES


def test_new_controls_have_no_predecessor_and_every_other_control_has_one():
    docs = {d.meta.id: d.meta for d in load_corpus(CONTROLS.parents[1]) if d.meta.kind == "control"}
    flagged = sorted(i for i, meta in docs.items() if meta.new_in_2022)
    assert sorted(LINEAGE.new_in_2022) == flagged and len(flagged) == 11
    for control in docs:
        has_past = bool(LINEAGE.predecessors(control))
        assert has_past != (control in flagged), control


@pytest.mark.parametrize("path", sorted(CONTROLS.glob("*.md")), ids=lambda p: p.stem)
def test_table_agrees_with_the_lineage_a_control_file_states(path):
    """Where a 2022 control file names its 2013 predecessors, the table names exactly those."""
    named = set(_2013_ID.findall(path.read_text(encoding="utf-8")))
    if named:
        assert named == set(LINEAGE.predecessors(path.stem)), path.stem


@pytest.mark.slow
@pytest.mark.parametrize("question,cited,says", [
    ("A.12.6.1", "A.8.8", "A.12.6.1 (2013) Management of technical vulnerabilities is now part of A.8.8 Management of technical vulnerabilities"),
    ("what replaced 9.4.1", "A.8.3", "is now A.8.3 Information access restriction"),
    ("old SoA lists A.18.2.3, what is it now?", "A.5.36", "split across A.5.36"),
])
def test_successor_answers(assistant, question, cited, says):
    answer = assistant.ask(question)
    assert answer.route == "successor" and answer.cited_ids[0] == cited
    assert says in answer.text and "does not exist" not in answer.text


@pytest.mark.slow
def test_whats_new_lists_the_eleven(assistant):
    answer = assistant.ask("what's new in iso 27001:2022 annex a?")
    assert answer.route == "successor"
    assert all(c in answer.text for c in LINEAGE.new_in_2022)
    assert "iso27001-2013-to-2022-transition" in answer.cited_ids  # the guidance that lists them


@pytest.mark.slow
@pytest.mark.parametrize("question,route", [
    ("how many controls did annex a have in 2013", "lookup"),
    ("what changed in soc 2 in 2022?", "lookup"),
])
def test_edition_questions_lead_with_the_transition_guidance_and_soc2_is_not_iso(assistant, question, route):
    answer = assistant.ask(question)
    assert answer.route == route
    if "soc 2" not in question:
        assert answer.cited_ids[0] == "iso27001-2013-to-2022-transition"
    else:
        assert "added 11 controls" not in answer.text


@pytest.mark.parametrize("question,expected", [
    ("the old 'information transfer policies and procedures' control, where did it go in 2022?", "A.13.2.1"),
    ("what replaced the 2013 control on management of technical vulnerabilities", "A.12.6.1"),
    ("what's new in iso 27001 2022?", None),
    ("where did the mobile device stuff go", None),  # a title must stand in the question nearly whole
    ("the old teleworking control, what is it called now?", "A.6.2.2"),  # short, and no 2022 title
    ("is teleworking covered by iso 27001?", None),  # ... named with no earlier edition said
])
def test_a_2013_control_named_by_its_title(question, expected):
    from bot.editions import named_by_title
    assert named_by_title(question) == expected


def test_a_2022_control_named_by_its_title_gets_its_history_and_the_new_ones_are_each_cited(assistant):
    answer = assistant.ask("is threat intelligence new in 27001:2022 or was it already in 2013?")
    assert answer.cited_ids[0] == "A.5.7" and "new control, one of the 11 added in the 2022 edition" in answer.text
    listed = assistant.ask("which annex a controls were added in the 2022 revision?")
    assert {"A.5.7", "A.5.23", "A.8.28"} <= set(listed.cited_ids)


@pytest.mark.parametrize("question,expected", [
    ("what replaced the whole A.16 incident management section?", "A.16"),
    ("old human resource security domain (A.7): what are the 2022 controls now?", "A.7"),
    ("what does annex A.7 cover?", None),  # a 2022 theme unless the earlier edition is named
    ("we're a 12 person saas in austin, all our customers are us fintechs. soc 2 or iso 27001?", None),
])
def test_a_2013_domain_named_by_number_or_title(question, expected):
    from bot.editions import named_domain
    assert named_domain(question) == expected


def test_a_2013_domain_gets_each_of_its_controls(assistant):
    answer = assistant.ask("what replaced the whole A.16 incident management section?")
    assert answer.route == "successor"
    assert {"A.5.24", "A.5.25", "A.5.26", "A.5.27", "A.5.28", "A.6.8"} <= set(answer.cited_ids)


def test_a_merged_control_names_the_controls_it_was_merged_with():
    from bot.routes.successor import predecessor_sentence, successor_sentence
    said = successor_sentence("A.12.4.2")
    assert "merges it with 2013 controls A.12.4.1 Event logging and A.12.4.3" in said and "technological theme" in said
    assert "new control, one of the 11 added in the 2022 edition" in predecessor_sentence("A.8.9")


@pytest.mark.parametrize("question", ["what was A.8.15 logging in 2013 numbering",
                                      "the old 'protection of log information' control, what's its 2022 home"])
def test_an_old_name_or_number_asked_in_words_goes_to_the_successor_route(assistant, question):
    assert assistant.ask(question).route == "successor"
