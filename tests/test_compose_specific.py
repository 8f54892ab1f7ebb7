"""The company answer's first sentence: the approved answer closest in meaning, wherever retrieval ranked it."""

from __future__ import annotations

from bot.compose import APPROVED_ANSWER, compose
from bot.retrieve import Evidence


def _ev(doc: str, section: str, text: str, similarity: float) -> Evidence:
    return Evidence(chunk_id=f"{doc}-{section}", doc_id=doc, framework="company", kind="policy", title=doc,
                    section=section, text=text, source=f"{doc}.md", position=0, score=0.01, similarity=similarity)


POLICY = [_ev(f"policy-{n}", f"Section {n}", "A notice says which customer data is affected and whom to contact "
              "about the incident.", 0.23) for n in range(9)]
ROW = _ev("lib-1", APPROVED_ANSWER, "You can export your data for 30 days after the contract ends.", 0.55)
FAR_ROW = _ev("lib-2", APPROVED_ANSWER, "No. Only company-managed laptops may access production.", 0.20)


def test_the_closest_approved_answer_leads_even_below_a_policys_many_sections():
    draft = compose("what happens to our data if we cancel?", POLICY + [ROW], max_points=0, specific=True)
    assert draft.lines[0] == ("You can export your data for 30 days after the contract ends.", "lib-1")


def test_an_approved_answer_far_down_and_far_in_meaning_does_not_lead():
    draft = compose("what happens to our data if we cancel?", POLICY + [FAR_ROW], max_points=0, specific=True)
    assert draft.lines[0][1].startswith("policy-")
