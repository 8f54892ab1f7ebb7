"""Three-turn conversations through the real engine: follow-ups resolve against what came before."""

from __future__ import annotations

import pytest

from bot.conversation import Conversation

pytestmark = pytest.mark.slow

# Each turn: (question, expected route, IDs that must be cited, text that must appear, recommendation)
CONVERSATIONS = {
    "lookup, switch framework, evidence for that one": [
        ("What does CC6.1 require?", "lookup", ["CC6.1"], "CC6.1 requires", None),
        ("and for ISO?", "crosswalk", ["CC6.1", "A.5.15"], "A.5.15 Access control", None),
        ("show me the evidence auditors want for that one", "lookup", ["CC6.1"], "access control policy", None),
    ],
    "type 1, type 2, cost": [
        ("How long does a SOC 2 Type 1 take?", "lookup", ["cost-and-timeline-estimates"], "Type 1", None),
        ("What about Type 2?", "lookup", ["cost-and-timeline-estimates"], "observation period", None),
        ("and the cost?", "lookup", ["cost-and-timeline-estimates"], "cost", None),
    ],
    "cost, other framework, which one takes longer": [
        ("How much does SOC 2 cost?", "lookup", ["cost-and-timeline-estimates"], "SOC 2, typical audit cost", None),
        ("and for ISO?", "lookup", ["cost-and-timeline-estimates"], "ISO/IEC 27001, typical audit cost", None),
        ("which one takes longer?", "compare", ["cost-and-timeline-estimates"], "six to twelve months", None),
    ],
    "decision with a clarifying question": [
        ("Should we get SOC 2 or ISO 27001?", "clarify", [], "Where are most of your customers", None),
        ("Mostly US enterprises, and one prospect asked for SOC 2", "decide", ["market-united-states"],
         "Recommendation: start with SOC 2", "soc2"),
        ("which one takes longer?", "compare", ["cost-and-timeline-estimates"], "Typical first timeline", None),
    ],
    "decision in Germany, then a roadmap": [
        ("Which framework should we pursue?", "clarify", [], "?", None),
        ("We sell to manufacturers in Germany", "decide", ["market-europe-uk-dach"], "start with ISO/IEC 27001", "iso27001"),
        ("Can you give me a roadmap?", "decide", ["iso27001-certification-cycle"], "Rough roadmap", "iso27001"),
    ],
    "crosswalk, next criterion, auditors for that one": [
        ("Which ISO controls cover CC7.2?", "crosswalk", ["CC7.2", "A.8.16"], "A.8.16 Monitoring activities (equivalent)", None),
        ("what about CC7.3?", "crosswalk", ["CC7.3", "A.5.25"], "A.5.25", None),
        ("what do auditors look for in that one?", "lookup", ["CC7.3"], "incident response", None),
    ],
    "control, its mapping, another control": [
        ("What does A.8.24 require?", "lookup", ["A.8.24"], "Use of cryptography", None),
        ("how does it map to SOC 2?", "crosswalk", ["A.8.24", "CC6.1"], "CC6.7", None),
        ("what about A.8.13?", "crosswalk", ["A.8.13", "A1.2"], "Information backup maps to SOC 2", None),
    ],
    "auditor evidence, next criterion, how teams meet it": [
        ("What evidence do auditors want for CC8.1?", "lookup", ["CC8.1"], "CC8.1 requires", None),
        ("what about CC6.2?", "lookup", ["CC6.2"], "CC6.2 requires", None),
        ("and how do teams meet it?", "lookup", ["CC6.2"], "identity provider", None),
    ],
    "clauses by bare number": [
        ("What is clause 9.2?", "lookup", ["9.2"], "internal audits", None),
        ("what about 9.3?", "lookup", ["9.3"], "Clause 9.3 requires", None),
        ("which SOC 2 criteria map to it?", "crosswalk", ["9.3", "CC1.2"], "Management review maps to SOC 2", None),
    ],
    "compare aspects one after another": [
        ("SOC 2 vs ISO 27001: who audits each?", "compare", ["auditors-and-governing-bodies"], "licensed CPA firm", None),
        ("and what do we receive at the end?", "compare", ["deliverables-report-vs-certificate"], "certificate", None),
        ("how often do they renew?", "compare", ["choosing-a-framework"], "three years", None),
    ],
    "fintech deciding, deadline, table": [
        ("We are a fintech selling to banks in the US and the UK. SOC 2 or ISO?", "decide", ["segment-financial-services"],
         "pursue both", "both"),
        ("we need something within 4 months", "decide", ["soc2-type1-vs-type2"], "Type 1", "both"),
        ("show me a side by side table", "decide", ["auditors-and-governing-bodies"], "| Who audits |", "both"),
    ],
    "bridge letter, ISO, an ID that does not exist": [
        ("What is a bridge letter?", "lookup", ["bridge-letters"], "gap letter", None),
        ("does ISO need one?", "lookup", ["bridge-letters"], "do not need bridge letters", None),
        ("Is CC10.1 related?", "unknown_id", [], "CC10.1 does not exist", None),
    ],
}


@pytest.mark.parametrize("name", list(CONVERSATIONS))
def test_three_turn_conversation(assistant, name):
    conversation = Conversation()
    for question, expected_route, must_cite, must_say, recommendation in CONVERSATIONS[name]:
        answer = assistant.ask(question, conversation)
        where = f"{name!r}, turn {question!r}: {answer.text[:300]}"
        assert answer.route == expected_route, where
        assert set(must_cite) <= set(answer.cited_ids), f"{where} cited {answer.cited_ids}"
        assert must_say.lower() in answer.text.lower(), where
        assert answer.recommendation == recommendation, where
        conversation.add(question, answer)


def test_follow_ups_read_meta_not_answer_text(assistant):
    """Rewording an answer (an LLM, a surface trimming it) must not change how the next question is understood."""
    conversation = Conversation()
    first = assistant.ask("how is vendor risk handled in SOC 2?", conversation)
    conversation.add("how is vendor risk handled in SOC 2?", first)
    conversation.turns[-1].content = "(answer reworded by a surface, no tags left)"
    follow = assistant.ask("what do auditors look for in that one?", conversation)
    assert follow.cited_ids[0] == first.cited_ids[0]
    assert conversation.turns[-1].meta.cited == first.cited_ids


def test_conversation_is_trimmed_by_the_engine():
    long = Conversation(turns=[{"role": r, "content": str(n)} for n in range(30) for r in ("user", "assistant")])
    trimmed = long.trimmed()
    assert len(trimmed.turns) <= 12 and trimmed.turns[0].role == "user" and trimmed.turns[-1].content == "29"


def test_batch_history_is_the_same_conversation(assistant):
    history = [{"role": "user", "content": "What does CC6.1 require?"}, {"role": "assistant", "content": "CC6.1 requires ... [CC6.1]"}]
    assert "A.5.15" in assistant.ask("and for ISO?", history).cited_ids


def test_advisor_reasons_are_cited_and_supported(assistant):
    answer = assistant.ask("We sell to hospitals in the US and Japan. Which framework should we pick?")
    assert answer.recommendation == "both" and answer.route == "decide"
    assert all(c.framework == "guidance" for c in answer.citations)
    assert answer.confidence >= 0.8, "every reason should be supported by the document it cites"
