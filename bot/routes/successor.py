"""successor: ISO/IEC 27001:2013 Annex A numbers and their 2022 successors, from corpus/crosswalk.

"A.12.6.1" gets "A.12.6.1 (2013) Management of technical vulnerabilities is now
A.8.8 Management of technical vulnerabilities", citing A.8.8; a merged control
names every successor. With no 2013 number, a 2022 control named gets its 2013
predecessors; otherwise the question is answered from retrieval and the controls
new in 2022 are listed.
"""

from __future__ import annotations

from bot.compose import Draft
from bot.editions import named_by_2022_title, named_by_title, named_domain
from bot.routes import Kit, lookup
from bot.understand import Understanding
from ingest.catalog import CATALOG
from ingest.lineage import LINEAGE

MAX_2013 = 6
MAX_DOMAIN = 14  # the largest 2013 domain (A.12, operations security) has 14 controls


TRANSITION_GUIDE = "iso27001-2013-to-2022-transition"


def handle(u: Understanding, kit: Kit) -> Draft:
    draft = Draft()
    old = [m.id for m in u.mentions if m.is_2013][:MAX_2013]
    domain = None if old or u.existing else named_domain(u.resolved)
    if domain:  # "what replaced the whole A.16 incident section?": each of its controls
        draft.add(f"The 2013 domain {domain} {LINEAGE.domains[domain]} had {len(LINEAGE.in_domain(domain))} controls; "
                  f"in ISO/IEC 27001:2022 they are:", TRANSITION_GUIDE)
        old = list(LINEAGE.in_domain(domain))[:MAX_DOMAIN]
    titled = None if old or u.existing else named_by_title(u.resolved)
    if titled:
        old = [titled]
    existing = [m.id for m in u.existing]
    if not old and not existing:
        named_2022 = named_by_2022_title(u.resolved)  # "is threat intelligence new in 2022?"
        existing = [named_2022] if named_2022 else []
    if old:
        for control in old:
            draft.add(successor_sentence(control), LINEAGE.successors(control)[0])
        cited = [s for control in old for s in LINEAGE.successors(control)]
    elif existing:
        for control in existing[:MAX_2013]:
            draft.add(predecessor_sentence(control), control)
        cited = existing[:MAX_2013]
    else:
        # "how many controls did 2013 have?", "what's new in 2022?": answer the question from retrieval,
        # then state the new controls; the transition guidance lists them, so it is what the list cites
        evidence = kit.retriever.search(u.resolved, k=kit.settings.top_k, pin=[TRANSITION_GUIDE], vector=u.vector)
        draft = lookup.from_evidence(u.resolved, evidence)  # the edition change's own document leads
        new = LINEAGE.new_in_2022
        listed = "; ".join(f"{c} {CATALOG[c].title}" for c in new)
        draft.add(f"ISO/IEC 27001:2022 added {len(new)} controls that the 2013 edition did not have: {listed}",
                  TRANSITION_GUIDE)
        draft.extra_cites.extend(c for c in new if c not in draft.cited)  # the list names each, so cites each
        draft.evidence = draft.evidence + [ev for c in new for ev in kit.retriever.chunks_of(c)[:1]]
        return draft
    draft.extra_cites.extend(c for c in dict.fromkeys(cited) if c not in draft.cited)
    draft.evidence = [ev for doc in dict.fromkeys(cited) for ev in kit.retriever.chunks_of(doc)]
    transition = kit.retriever.chunks_of(TRANSITION_GUIDE)
    if transition:
        if TRANSITION_GUIDE not in draft.cited:
            draft.extra_cites.append(TRANSITION_GUIDE)
        draft.evidence += transition
    draft.confidence = 1.0  # the answer is the correspondence table itself
    return draft


def successor_sentence(control_2013: str) -> str:
    """Where a 2013 control went, with the theme it is in now, and the 2013 controls merged with it."""
    entry = LINEAGE.get(control_2013)
    named = [f"{s} {CATALOG[s].title} ({CATALOG[s].theme.lower()} theme)" for s in entry.successors]
    if len(named) > 1:
        return f"{entry.id} (2013) {entry.title} was split across {' and '.join(named)} in ISO/IEC 27001:2022"
    others = [p for p in LINEAGE.predecessors(entry.successors[0]) if p != entry.id]
    if not others:
        return f"{entry.id} (2013) {entry.title} is now {named[0]} in ISO/IEC 27001:2022"
    merged = " and ".join(f"{p} {LINEAGE.get(p).title}" for p in others)
    return (f"{entry.id} (2013) {entry.title} is now part of {named[0]} in ISO/IEC 27001:2022, which merges it "
            f"with 2013 {'control' if len(others) == 1 else 'controls'} {merged}")


def predecessor_sentence(control_2022: str) -> str:
    entry = CATALOG[control_2022]
    before = LINEAGE.predecessors(control_2022)
    if not before:
        return (f"{control_2022} {entry.title} is a new control, one of the {len(LINEAGE.new_in_2022)} added in the 2022 "
                f"edition of ISO/IEC 27001; the 2013 edition had no counterpart")
    listed = ", ".join(f"{b} {LINEAGE.get(b).title}" for b in before)
    verb = "replaces" if len(before) == 1 else "merges"
    return f"{control_2022} {entry.title} {verb} 2013 {'control' if len(before) == 1 else 'controls'} {listed}"
