"""crosswalk: how a SOC 2 criterion and ISO/IEC 27001:2022 items map, from corpus/crosswalk only.

The named ID's counterparts come with their strength (`equivalent` or
`partial`); the best counterparts' own explanations follow. With no ID named,
the item retrieval finds best (within the framework asked about) is mapped.
"""

from __future__ import annotations

from bot.compose import GENERIC, Draft
from bot.routes import Kit, lookup
from bot.text import sentences, terms
from bot.understand import Understanding
from bot.vocab import EDITION, MAPPING_WORDS
from ingest.catalog import CATALOG

MAX_SOURCES = 3
MAX_TARGETS = 3
MAX_PARTIAL_LISTED = 6
RANKED = 40  # documents retrieval ranks to order a source's counterparts
FUSION_K = 10
OWN_TERMS = 2  # a question with this many words of its own names a practice to map
READING_CHARS = 2000  # MiniLM reads the first 256 word pieces; BM25 reads them all


def handle(u: Understanding, kit: Kit) -> Draft:
    sources = [doc for m in u.existing for doc in m.documents]
    if not sources:
        # "where does access review evidence land in ISO?": map the item the question is about
        top = kit.retriever.search(u.resolved, k=3, vector=u.vector, frameworks=u.scope or ("soc2", "iso27001"))
        sources = [top[0].doc_id] if top else []
    draft = Draft()
    mapped = {source: closest(kit, source, kit.crosswalk.counterparts(source), u.resolved)
              for source in sources[:MAX_SOURCES]}
    for source, pairs in mapped.items():
        if pairs:
            draft.evidence += kit.retriever.chunks_of(source)
            draft.add(mapping_sentence(source, pairs), source)
    if not draft.lines:
        return lookup.handle(u, kit)
    targets = list(dict.fromkeys(t for pairs in mapped.values() for t, strength in pairs if strength == "equivalent"))
    targets += [t for pairs in list(mapped.values())[:1] for t, _ in pairs if t not in targets]
    for target in targets[:MAX_TARGETS]:
        chunks = kit.retriever.chunks_of(target)
        lead = next((ev for ev in chunks if ev.is_lead), None)
        if lead is not None:
            draft.add(sentences(lead.text)[0], target)
            draft.evidence += chunks
    return draft


def closest(kit: Kit, source: str, pairs: list[tuple[str, str]], question: str) -> list[tuple[str, str]]:
    """The counterparts that retrieval ranks closest to the source item first, within each strength: CC6.6's six
    partial counterparts lead with A.8.20 Networks security, not with A.6.7 Remote working (the crosswalk's own
    order), and A1.2 with A.8.13 Information backup. The item is read three ways (its title, its requirement,
    everything it says) and the question a fourth ("CC6.7 (encryption in transit)" reaches A.8.24 Use of
    cryptography); the four rankings are fused. The crosswalk's order breaks ties and places what retrieval did
    not rank. (Reading the item's stored chunk vectors instead of embedding its texts lost 3 practice cases.)"""
    chunks = kit.retriever.chunks_of(source)
    lead = next((ev for ev in chunks if ev.is_lead), None)
    if lead is None or len(pairs) < 2:
        return pairs
    everything = " ".join([lead.title, *(ev.text for ev in chunks)])[:READING_CHARS]
    other = tuple({CATALOG[t].framework for t, _ in pairs if t in CATALOG})
    score: dict[str, float] = {}
    # a question that names a practice of its own ("which iso control covers encryption of data in transit?") weighs
    # as much as the item's three readings together
    own = set(terms(question)) - GENERIC - MAPPING_WORDS - set(terms(f"{lead.title} {source}"))
    asks = 3.0 if len(own) >= OWN_TERMS else 1.0
    for reading, weight in ((lead.title, 1.0), (f"{lead.title}. {lead.text}", 1.0), (everything, 1.0), (question, asks)):
        ranked = dict.fromkeys(ev.doc_id for ev in kit.retriever.search(reading, k=RANKED, frameworks=other))
        for n, doc in enumerate(ranked):
            score[doc] = score.get(doc, 0.0) + weight / (FUSION_K + n)
    return sorted(pairs, key=lambda pair: (pair[1] != "equivalent", -score.get(pair[0], 0.0)))


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
