"""successor: ISO/IEC 27001:2013 Annex A numbers and their 2022 successors, from corpus/crosswalk.

"A.12.6.1" gets "A.12.6.1 (2013) Management of technical vulnerabilities is now
A.8.8 Management of technical vulnerabilities", citing A.8.8; a merged control
names every successor. With no 2013 number, a 2022 control named gets its 2013
predecessors; otherwise the question is answered from retrieval and the controls
new in 2022 are listed.
"""

from __future__ import annotations

from rapidfuzz import fuzz, utils

from bot.compose import Draft
from bot.routes import Kit, lookup
from bot.understand import Understanding
from ingest.catalog import CATALOG
from ingest.lineage import LINEAGE

MAX_2013 = 6
TITLE_MATCH = 90  # rapidfuzz partial ratio (0-100) of a 2013 title within the question
MIN_TITLE_WORDS = 3  # shorter titles ("Segregation of duties") are also 2022 titles: a number is needed


def named_by_title(question: str) -> str | None:
    """The 2013 control a question names by its title ("the old 'information transfer policies and procedures'
    control"), when one title stands clearly in the question."""
    scored = [(fuzz.partial_ratio(c.title, question, processor=utils.default_process), c.id)
              for c in LINEAGE.controls if len(c.title.split()) >= MIN_TITLE_WORDS]
    scored.sort(reverse=True)
    if scored and scored[0][0] >= TITLE_MATCH and (len(scored) < 2 or scored[1][0] < scored[0][0]):
        return scored[0][1]
    return None
TRANSITION_GUIDE = "iso27001-2013-to-2022-transition"


def handle(u: Understanding, kit: Kit) -> Draft:
    draft = Draft()
    old = [m.id for m in u.mentions if m.is_2013][:MAX_2013]
    titled = None if old or u.existing else named_by_title(u.resolved)
    if titled:
        old = [titled]
    if old:
        for control in old:
            draft.add(successor_sentence(control), LINEAGE.successors(control)[0])
        cited = [s for control in old for s in LINEAGE.successors(control)]
    elif u.existing:
        for m in u.existing[:MAX_2013]:
            draft.add(predecessor_sentence(m.id), m.id)
        cited = [m.id for m in u.existing[:MAX_2013]]
    else:
        # "how many controls did 2013 have?", "what's new in 2022?": answer the question from retrieval,
        # then state the new controls; the transition guidance lists them, so it is what the list cites
        evidence = kit.retriever.search(u.resolved, k=kit.settings.top_k, pin=[TRANSITION_GUIDE], vector=u.vector)
        draft = lookup.from_evidence(u.resolved, evidence)  # the edition change's own document leads
        new = LINEAGE.new_in_2022
        listed = "; ".join(f"{c} {CATALOG[c].title}" for c in new)
        draft.add(f"ISO/IEC 27001:2022 added {len(new)} controls that the 2013 edition did not have: {listed}",
                  TRANSITION_GUIDE)
        return draft
    draft.extra_cites.extend(c for c in dict.fromkeys(cited) if c not in draft.cited)
    draft.evidence = [ev for doc in dict.fromkeys(cited) for ev in kit.retriever.chunks_of(doc)]
    transition = kit.retriever.chunks_of(TRANSITION_GUIDE)
    if transition:
        draft.extra_cites.append(TRANSITION_GUIDE)
        draft.evidence += transition
    draft.confidence = 1.0  # the answer is the correspondence table itself
    return draft


def successor_sentence(control_2013: str) -> str:
    entry = LINEAGE.get(control_2013)
    named = [f"{s} {CATALOG[s].title}" for s in entry.successors]
    if len(named) == 1:
        return f"{entry.id} (2013) {entry.title} is now {named[0]} in ISO/IEC 27001:2022"
    return f"{entry.id} (2013) {entry.title} was split across {' and '.join(named)} in ISO/IEC 27001:2022"


def predecessor_sentence(control_2022: str) -> str:
    entry = CATALOG[control_2022]
    before = LINEAGE.predecessors(control_2022)
    if not before:
        return f"{control_2022} {entry.title} is new in ISO/IEC 27001:2022; the 2013 edition had no counterpart"
    listed = ", ".join(f"{b} {LINEAGE.get(b).title}" for b in before)
    verb = "replaces" if len(before) == 1 else "merges"
    return f"{control_2022} {entry.title} {verb} 2013 {'control' if len(before) == 1 else 'controls'} {listed}"
