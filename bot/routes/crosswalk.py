"""crosswalk: how a SOC 2 criterion and ISO/IEC 27001:2022 items map, from corpus/crosswalk only.

The named ID's counterparts come with their strength (`equivalent` or
`partial`); the best counterparts' own explanations follow. With no ID named,
the item retrieval finds best (within the framework asked about) is mapped.
"""

from __future__ import annotations

from bot.compose import Draft
from bot.routes import Kit, lookup
from bot.text import sentences
from bot.understand import Understanding
from bot.vocab import EDITION
from ingest.catalog import CATALOG

MAX_SOURCES = 3
MAX_TARGETS = 3
MAX_PARTIAL_LISTED = 6


def handle(u: Understanding, kit: Kit) -> Draft:
    sources = [doc for m in u.existing for doc in m.documents]
    if not sources:
        # "where does access review evidence land in ISO?": map the item the question is about
        top = kit.retriever.search(u.resolved, k=3, vector=u.vector, frameworks=u.scope or ("soc2", "iso27001"))
        sources = [top[0].doc_id] if top else []
    draft = Draft()
    for source in sources[:MAX_SOURCES]:
        pairs = kit.crosswalk.counterparts(source)
        if pairs:
            draft.evidence += kit.retriever.chunks_of(source)
            draft.add(mapping_sentence(source, pairs), source)
    if not draft.lines:
        return lookup.handle(u, kit)
    targets = list(dict.fromkeys(t for s in sources[:MAX_SOURCES] for t, strength in kit.crosswalk.counterparts(s)
                                 if strength == "equivalent"))
    targets += [t for s in sources[:1] for t, _ in kit.crosswalk.counterparts(s) if t not in targets]
    for target in targets[:MAX_TARGETS]:
        chunks = kit.retriever.chunks_of(target)
        lead = next((ev for ev in chunks if ev.is_lead), None)
        if lead is not None:
            draft.add(sentences(lead.text)[0], target)
            draft.evidence += chunks
    return draft


def mapping_sentence(source: str, pairs: list[tuple[str, str]]) -> str:
    entry = CATALOG[source]
    other = EDITION["iso27001"] if entry.framework == "soc2" else EDITION["soc2"]
    equivalent = [f"{i} {CATALOG[i].title}" for i, s in pairs if s == "equivalent"]
    partial = [f"{i} {CATALOG[i].title}" for i, s in pairs if s == "partial"]
    if len(partial) > MAX_PARTIAL_LISTED:
        more = len(partial) - MAX_PARTIAL_LISTED
        partial = partial[:MAX_PARTIAL_LISTED] + [f"{more} more listed in the crosswalk"]
    text = f"{source} {entry.title} maps to {other} "
    if equivalent:
        text += f"{'; '.join(equivalent)} (equivalent)"
        if partial:
            text += f", and partially to {'; '.join(partial)} (partial)"
    else:
        text += f"{'; '.join(partial)} (partial)"
    return text
