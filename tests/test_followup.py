"""Deterministic follow-up rewriting, turn by turn."""

from __future__ import annotations

import pytest

from bot.followup import is_follow_up, pair_reference, resolve


@pytest.mark.parametrize("earlier,question,expected", [
    (["How long does a SOC 2 Type 1 take?"], "What about Type 2?", "How long does a SOC 2 Type 2 take?"),
    (["How much does SOC 2 cost?"], "and for ISO?", "How much does ISO 27001 cost?"),
    (["SOC 2 vs ISO 27001 cost"], "which one takes longer?", "which of SOC 2 or ISO 27001 takes longer?"),
    (["How much does SOC 2 cost?", "and for ISO?"], "which one takes longer?", "which of SOC 2 or ISO 27001 takes longer?"),
    (["What does CC6.1 require?"], "and for ISO?", "Which ISO 27001 controls map to CC6.1?"),
    (["What evidence do auditors want for CC6.1?"], "what about CC6.2?", "What evidence do auditors want for CC6.2?"),
    (["What does CC6.1 require?", "what about CC7.2?"], "show me the evidence auditors want for that one",
     "show me the evidence auditors want for CC7.2"),
    (["Should we do SOC 2 if we sell in the US?"], "what about Europe?", "Should we do SOC 2 if we sell in Europe?"),
    (["How long does ISO 27001 certification take?"], "and the cost?", "How much does ISO 27001 cost?"),
    (["What does CC6.1 require?"], "How does it map to ISO?", "Which ISO 27001 controls map to CC6.1?"),
    (["What is clause 9.2?"], "what about 9.3?", "What is clause 9.3?"),
    (["What is clause 9.2?", "what about 9.3?"], "which SOC 2 criteria map to it?", "Which SOC 2 criteria map to clause 9.3?"),
    (["SOC 2 vs ISO 27001: who audits each?"], "and what do we receive at the end?",
     "What is delivered at the end of SOC 2 and ISO 27001?"),
    (["What is a bridge letter?"], "does ISO need one?", "What is a bridge letter: does ISO need one?"),
    (["SOC 2 vs ISO 27001 cost"], "what about the auditor?", "Who audits SOC 2 and ISO 27001?"),
    (["what's the difference between A.5.7 and A.5.5"], "ok and the first one, what would evidence look like?",
     "ok and A.5.7, what would evidence look like?"),
    (["CC6.1 vs CC6.6"], "what evidence for the latter?", "what evidence for CC6.6?"),
])
def test_rewrites(earlier, question, expected):
    assert resolve(question, earlier) == expected


@pytest.mark.parametrize("question", ["What does A.8.24 require?", "ok thanks", "Thank you!",
                                      "How do SOC 2 and ISO 27001 differ in what the auditor delivers at the end?"])
def test_self_contained_questions_are_left_alone(question):
    assert resolve(question, ["What does CC6.1 require?"]) == question


def test_no_history_no_rewrite():
    assert resolve("what about Type 2?", []) == "what about Type 2?"


def test_the_id_an_answer_cited_is_what_that_one_means():
    assert resolve("what do auditors look for in that one?", ["how is vendor risk handled in SOC 2?"],
                   [["CC9.2"]]) \
        == "what do auditors look for in CC9.2?"


@pytest.mark.parametrize("question,expected", [("what about Type 2?", True), ("and for ISO?", True),
                                               ("which one is cheaper?", True), ("What does CC6.1 require?", False),
                                               ("Explain the difference between SOC 1 and SOC 2 reports", False)])
def test_is_follow_up(question, expected):
    assert is_follow_up(question) is expected


@pytest.mark.parametrize("question,expected", [
    ("which one is more work for a small eng team?", "which of SOC 2 or ISO 27001 is more work for a small eng team?"),
    ("how long is each one good for once you have it", "how long is each of SOC 2 and ISO 27001 good for once you have it"),
    ("what do you get at the end of each, a report or a certificate?",
     "what do you get at the end of each of SOC 2 and ISO 27001, a report or a certificate?"),
    ("how much overlap is there between the two really?", "how much overlap is there between SOC 2 and ISO 27001 really?"),
    ("which of the two should we pursue", "which of SOC 2 or ISO 27001 should we pursue"),
    ("which one(s)?", "which of SOC 2 or ISO 27001?"),
    ("do we need both of them?", "do we need both SOC 2 and ISO 27001?"),
])
def test_a_pronoun_for_a_pair_spells_out_the_two_frameworks(question, expected):
    assert pair_reference(question) == expected


@pytest.mark.parametrize("question", ["who owns each asset?", "each year we renew, right?", "the two of us run security",
                                      "What does CC6.1 require?"])
def test_a_determiner_or_no_pair_is_left_alone(question):
    assert pair_reference(question) is None


@pytest.mark.parametrize("question,earlier,cited,expected", [
    ("what's the iso equivalent", ["tell me about CC7.2"], [["CC7.2"]], "Which ISO 27001 controls map to CC7.2?"),
    ("is there something similar in soc 2?", ["explain A.5.23"], [["A.5.23"]], "Which SOC 2 criteria map to A.5.23?"),
    ("and the soc 2 counterpart?", ["what does clause 9.2 ask for"], [["9.2"]], "Which SOC 2 criteria map to clause 9.2?"),
])
def test_a_counterpart_in_the_other_framework_is_the_crosswalk_of_the_id_discussed(question, earlier, cited, expected):
    assert resolve(question, earlier, cited) == expected


def test_a_counterpart_in_the_same_framework_is_not_rewritten_as_a_mapping():
    assert "map to" not in resolve("is there something similar in soc 2?", ["what does CC6.1 require"], [["CC6.1"]])


def test_there_points_back_unless_it_opens_a_clause():
    assert resolve("what kind of evidence do auditors ask for there", ["cc9.2?"], [["CC9.2"]]) == \
        "what kind of evidence do auditors ask for CC9.2"
    assert "there" in resolve("is there a template for that", ["what does clause 6.1.3 require"], [["6.1.3"]])


@pytest.mark.parametrize("previous, question, expected", [
    # a question about the item under discussion that does not name it is about that item
    ("A.8.8 vuln management - what is it", "what evidence do we need to keep", "what evidence do we need to keep (A.8.8)?"),
    ("tell me about A.8.15 logging", "do we keep logs a set time?", "do we keep logs a set time (A.8.15)?"),
    # "how often ... them" after a criterion asks about the criterion's practice, not the framework's renewal
    ("what does CC6.3 expect for access reviews?", "how often do we need to do them?", "how often do we need to do CC6.3?"),
    ("clause 6.1.2 risk assessment - what do they need to see", "what's the matching soc 2 criterion",
     "Which SOC 2 criteria map to clause 6.1.2?"),
    # a question with a subject of its own is left alone
    ("what does CC6.1 require?", "how do auditors test firewall rules on the production network boundary in practice",
     "how do auditors test firewall rules on the production network boundary in practice"),
])
def test_a_question_about_the_item_under_discussion(previous, question, expected):
    assert resolve(question, [previous]) == expected
