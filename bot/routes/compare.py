"""compare: SOC 2 and ISO/IEC 27001 side by side on the aspects asked about, from the advisor's table."""

from __future__ import annotations

from bot.advise import Advisor
from bot.compose import Draft, best_overlap, compose
from bot.retrieve import Evidence
from bot.routes import Kit
from bot.understand import Understanding
from bot.vocab import TABLE


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
        return draft
    draft = Draft()
    extra: list[Evidence] = []
    for key in aspects[:2]:
        row = advisor.comparison_row(key)
        draft.add(f"{row['aspect']}: SOC 2: {row['soc2']}; ISO/IEC 27001: {row['iso27001']}", row["cite"][0])
        extra += [ev for doc in row["cite"] for ev in kit.retriever.chunks_of(doc)]
    for sentence, doc in compose(question, evidence, max_points=2).lines:
        # supporting points must speak to the question, not to another aspect of the same guidance
        if best_overlap(question, sentence) > 0 and not any(sentence == s for s, _ in draft.lines):
            draft.add(sentence, doc)
    draft.evidence = extra + evidence
    return draft
