"""Both frameworks for a practice: the best SOC 2 criterion and the best ISO/IEC 27001:2022 item, together.

A sales engineer answering "do you encrypt data at rest?" needs a criterion and a control to point to, whichever
framework the buyer uses; retrieval alone often returns one side only. Used by the lookup and company routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.compose import Draft, quotable
from bot.retrieve import Evidence
from bot.vocab import sides

if TYPE_CHECKING:
    from bot.routes import Kit
    from bot.understand import Understanding

FRAMEWORKS = ("soc2", "iso27001")
PAIR_CANDIDATES = 3  # each side's close candidates, among which the crosswalk picks the partner


def both_frameworks(u: "Understanding", about: str, vector, kit: "Kit", evidence: list[Evidence]) -> list[str] | None:
    """A practice with no framework named ("do you encrypt data at rest?"): the best SOC 2 criterion and the
    best ISO/IEC 27001:2022 item, so a sales engineer has both. The crosswalk breaks ties: the SOC 2
    counterpart of the best ISO item (or the reverse) wins among each side's close candidates.

    None when the question names an ID or a framework, or when its best evidence is guidance (a scheme fact).
    """
    if u.mentions or sides(u.resolved) or not evidence or evidence[0].framework not in FRAMEWORKS:
        return None
    best: dict[str, list[str]] = {}
    for framework in FRAMEWORKS:
        found = kit.retriever.search(about, k=PAIR_CANDIDATES, vector=vector, frameworks=[framework])
        best[framework] = list(dict.fromkeys(e.doc_id for e in found))[:PAIR_CANDIDATES]
    if not best["soc2"] or not best["iso27001"]:
        return None
    lead = evidence[0].doc_id
    other = "iso27001" if evidence[0].framework == "soc2" else "soc2"
    linked = {doc for doc, _ in kit.crosswalk.counterparts(lead)}
    partner = next((d for d in best[other] if d in linked), best[other][0])
    return [lead, partner]


def lead_with(evidence: list[Evidence], docs: list[str], kit: "Kit") -> list[Evidence]:
    """The evidence with `docs` first, in that order (fetched when retrieval had not returned them)."""
    chosen = [ev for doc in docs for ev in ([e for e in evidence if e.doc_id == doc] or kit.retriever.chunks_of(doc)[:2])]
    return chosen + [e for e in evidence if e.doc_id not in docs]


def cite(draft: Draft, doc: str, evidence: list[Evidence]) -> None:
    """Make sure the answer cites `doc`: its answer-ready sentence, added as a point when it is not cited yet."""
    if doc in draft.cited:
        return
    lead = next((e for e in evidence if e.doc_id == doc and e.is_lead), None) or next(
        (e for e in evidence if e.doc_id == doc), None)
    sentence = next((s for s in quotable(lead) if len(s.split()) >= 4), None) if lead else None
    if sentence:
        draft.add(sentence, doc)


REFERENCES_PER_FRAMEWORK = 2  # a practice's reviewer gets the two best items of each framework to cite


def more_references(draft: Draft, about: str, vector, kit: "Kit", scope=None,
                    ranked: list[Evidence] | None = None) -> list[Evidence]:
    """The next-best SOC 2 criteria and ISO/IEC 27001:2022 items for a practice, cited beside the answer (no
    sentence of their own) up to two per framework, or per the one framework the question names; the evidence
    they rest on, for the draft's evidence. Given the question's own retrieval (`ranked`), only items it found
    are added, so the references move what it ranked up and never push it out; otherwise each framework is
    searched."""
    used: list[Evidence] = []
    for framework in FRAMEWORKS:
        if scope and framework not in scope:
            continue
        found = ([e for e in ranked if e.framework == framework] if ranked is not None else
                 kit.retriever.search(about, k=REFERENCES_PER_FRAMEWORK, vector=vector, frameworks=[framework]))
        have = [d for d in draft.cited if _framework_of(d, kit) == framework]
        for doc in dict.fromkeys(e.doc_id for e in found):
            if len(have) >= REFERENCES_PER_FRAMEWORK:
                break
            if doc not in have:
                draft.extra_cites.append(doc)
                have.append(doc)
                used += [e for e in found if e.doc_id == doc]
    return used


def _framework_of(doc: str, kit: "Kit") -> str:
    rows = kit.retriever.by_doc.get(doc)
    return kit.retriever.metas[rows[0]].get("framework", "") if rows else ""
