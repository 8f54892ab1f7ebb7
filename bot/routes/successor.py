"""successor: ISO/IEC 27001:2013 Annex A numbers and their 2022 successors, from corpus/crosswalk.

"A.12.6.1" gets "A.12.6.1 (2013) Management of technical vulnerabilities is now
A.8.8 Management of technical vulnerabilities", citing A.8.8; a merged control
names every successor. With no 2013 number, a 2022 control named gets its 2013
predecessors; otherwise the question is answered from retrieval and the controls
new in 2022 are listed.
"""

from __future__ import annotations

import re

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
    # a short 2013 title that no 2022 control carries ("the old teleworking control"), when the question says 2013
    asked = f" {utils.default_process(question)} "
    titles_2022 = {utils.default_process(c.title) for c in CATALOG.values() if c.kind == "control"}
    short = [c.id for c in LINEAGE.controls if len(c.title.split()) < MIN_TITLE_WORDS
             and utils.default_process(c.title) not in titles_2022 and f" {utils.default_process(c.title)} " in asked]
    return short[0] if len(short) == 1 and _EARLIER_EDITION.search(question) else None


_EARLIER_EDITION = re.compile(r"(?i)\b(2013|old|older|previous|prior|legacy|former|earlier|used to|retired|no longer)\b")
MIN_2022_TITLE_WORDS = 2


def named_by_2022_title(question: str) -> str | None:
    """The 2022 Annex A control a question names by its whole title ("is threat intelligence new?"), when only one
    is named."""
    asked = f" {utils.default_process(question)} "
    named = [c.id for c in CATALOG.values() if c.kind == "control" and len(c.title.split()) >= MIN_2022_TITLE_WORDS
             and f" {utils.default_process(c.title)} " in asked]
    return named[0] if len(named) == 1 else None


TRANSITION_GUIDE = "iso27001-2013-to-2022-transition"


def handle(u: Understanding, kit: Kit) -> Draft:
    draft = Draft()
    old = [m.id for m in u.mentions if m.is_2013][:MAX_2013]
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
