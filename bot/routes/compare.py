"""compare: SOC 2 and ISO/IEC 27001 side by side on the aspects asked about, from the advisor's table.

When the comparison's subject, without its framing, is a practice the standards themselves cover ("how do SOC 2
and ISO 27001 differ in how they handle risk?" is about risk), the best SOC 2 criterion and the best ISO/IEC
27001 item are cited beside the guidance.
"""

from __future__ import annotations

import re

from bot.advise import Advisor
from bot.compose import Draft, best_overlap, compose
from bot.pairing import FRAMEWORKS, cite, lead_with
from bot.retrieve import Evidence
from bot.routes import Kit
from bot.subject import subject
from bot.text import terms
from bot.understand import Understanding
from bot.vocab import TABLE

_FRAMING = re.compile(r"(?i)\b(soc ?2|soc two|aicpa|iso(?:/iec)?(?: ?27001(?::2022)?)?|27001|vs\.?|versus|compar\w*|"
                      r"differ\w*|between|both|each|either|the two|two frameworks?|frameworks?)\b")
MIN_SUBJECT_TERMS = 2
SUPPORTING_POINTS = 3  # points from the guidance retrieved for the question, after the table's rows
ITEM_SIMILARITY = 0.45  # the subject's best chunk in a standard must be at least this close to cite the standards


def comparison_subject(question: str) -> str:
    """What is compared ("how they handle risk"), without the frameworks' names or the comparison's wording; ""
    when nothing is left."""
    text = re.sub(r"\s{2,}", " ", _FRAMING.sub(" ", subject(question))).strip(" ,;:?-")
    return text if len(terms(text)) >= MIN_SUBJECT_TERMS else ""


def _standards_items(about: str, kit: Kit) -> list[str]:
    """The best SOC 2 criterion and ISO item for the subject, when the standards cover it better than guidance."""
    if not about:
        return []
    found = kit.retriever.search(about, k=3)
    if not found or found[0].framework not in FRAMEWORKS:
        return []
    if max(e.similarity for e in found if e.doc_id == found[0].doc_id) < ITEM_SIMILARITY:
        return []  # a word or two left over from the framing ("prescriptive", "true?"), not a practice
    items = []
    for framework in FRAMEWORKS:
        best = kit.retriever.search(about, k=1, frameworks=[framework])
        if best:
            items.append(best[0].doc_id)
    return items


def handle(u: Understanding, kit: Kit) -> Draft:
    advisor = Advisor.load()
    question = u.resolved
    aspects = advisor.aspects(question)
    evidence = kit.retriever.search(question, k=kit.settings.top_k, vector=u.vector, frameworks=("guidance",))
    if TABLE.search(question):
        draft = compose(question, evidence, max_points=2)
        draft.table, cites = advisor.comparison_table(aspects or None)
        draft.extra_cites.extend(cites)
        draft.evidence = evidence + [ev for doc in cites for ev in kit.retriever.chunks_of(doc)]
        return draft
    if not aspects:
        draft = compose(question, evidence)
        draft.evidence = evidence
        return _with_standards(draft, question, kit)
    draft = Draft()
    extra: list[Evidence] = []
    for key in aspects[:2]:
        row = advisor.comparison_row(key)
        draft.add(f"{row['aspect']}: SOC 2: {row['soc2']}; ISO/IEC 27001: {row['iso27001']}", row["cite"][0])
        # a row's cells rest on each of its documents (a renewal row: the ISO cycle and the SOC 2 annual rhythm)
        draft.extra_cites.extend(doc for doc in row["cite"][1:] if doc not in draft.extra_cites)
        extra += [ev for doc in row["cite"] for ev in kit.retriever.chunks_of(doc)]
    for sentence, doc in compose(question, evidence, max_points=SUPPORTING_POINTS).lines:
        # supporting points must speak to the question, not to another aspect of the same guidance
        if best_overlap(question, sentence) > 0 and not any(sentence == s for s, _ in draft.lines):
            draft.add(sentence, doc)
    draft.evidence = extra + evidence
    return _with_standards(draft, question, kit)


def _with_standards(draft: Draft, question: str, kit: Kit) -> Draft:
    items = _standards_items(comparison_subject(question), kit)
    if items:
        chunks = lead_with([], items, kit)
        for doc in items:
            cite(draft, doc, chunks)
        draft.evidence = draft.evidence + chunks
    return draft
