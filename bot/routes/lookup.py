"""lookup: what a criterion, clause, control or guidance topic says, from the best evidence.

A named ID pins its own document first; a question that asks for one framework's
items (`scope`) is answered from that framework. A question about one aspect of
one framework ("how long does SOC 2 take?") leads with that side of the comparison.
"""

from __future__ import annotations

import re

from bot.advise import Advisor
from bot.compose import GENERIC, Draft, compose
from bot.ids import SERIES, names_series
from bot.lists import enumeration
from bot.pairing import both_frameworks, cite, lead_with, more_references
from bot.retrieve import Evidence
from bot.routes import Kit, company
from bot.subject import defined_term, subject
from bot.text import terms
from bot.understand import ABOUT_THE_RECOMMENDATION, Understanding
from bot.vocab import DISPLAY, item_filter, named_frameworks, names_iso_edition
from ingest.catalog import CATALOG, SOC2_SERIES

EDITIONS_GUIDE = "iso27001-2013-to-2022-transition"
# how the SOC 2 criteria are named and grouped (CC1-CC9, A, C, PI, P): what a question about a series answers from
SERIES_GUIDE = "trust-services-categories"
SINGLE_ASPECTS = {"auditor", "deliverable", "renewal", "timeline", "cost", "sharing", "readiness", "stages"}
# guidance documents whose subject is a framework's cost, timeline, auditors, deliverables or cycle
ASPECT_GUIDANCE = ["cost-and-timeline-estimates", "auditors-and-governing-bodies", "deliverables-report-vs-certificate",
                   "iso27001-certification-cycle", "soc2-type1-vs-type2", "choosing-a-framework", "sharing-reports-under-nda",
                   "readiness-assessments", "soc1-soc2-soc3"]


def handle(u: Understanding, kit: Kit) -> Draft:
    if u.about_company:  # a company question without a tenant: the standards, flagged for review
        return company.handle(u, kit)
    listed = enumeration(u.resolved, kit)
    if listed is not None:
        return listed
    series = [m for m in u.existing if m.id in SERIES and m.id not in CATALOG]
    if series and len(u.existing) == len(series):
        return series_list(series[0].id, kit)
    about = subject(u.resolved)  # the practice asked about, without its questionnaire or edition wrapper
    vector = u.vector if about == u.resolved else kit.retriever.embed(about)
    pin = u.pinned_documents
    if not pin and names_iso_edition(about):
        pin = [EDITIONS_GUIDE]  # a question about the editions: the document about the change leads
    if not pin:
        term = defined_term(u.resolved)
        pin = kit.retriever.defining(term)[:2] if term else []  # "what is an ISMS?": the documents it names
    if names_series(u.resolved):
        pin = [SERIES_GUIDE] + pin  # "the CC in CC6.1": the naming scheme leads, the criterion named follows
    frameworks = None if pin else item_filter(u.resolved)
    evidence = kit.retriever.search(about, k=kit.settings.top_k, pin=pin, vector=vector, frameworks=frameworks)
    if not u.mentions:
        # "what will we actually get at the end?" right after a recommendation asks about the framework recommended
        aspect = framework_aspect(u.resolved, kit, evidence, asked_of_it=u.reason.startswith(ABOUT_THE_RECOMMENDATION))
        if aspect is not None:
            return aspect
    named = named_frameworks(u.resolved)
    if len(named) == 1 and not pin and not frameworks and not u.mentions:
        # "iso 27001 - how do we triage alerts?": the framework named comes first, the other's items after it
        other = "iso27001" if named[0] == "soc2" else "soc2"
        evidence = [e for e in evidence if e.framework != other] + [e for e in evidence if e.framework == other]
    pair = both_frameworks(u, about, vector, kit, evidence) if not pin and not frameworks else None
    if pair:
        evidence = lead_with(evidence, pair, kit)
    draft = from_evidence(about, evidence, unknown=[m for m in u.mentions if not m.exists])
    for doc in pair or ():
        cite(draft, doc, evidence)
    if pair:
        # a practice with no framework named: the next-best item of each framework too, for whoever cites it
        draft.evidence = draft.evidence + more_references(draft, about, vector, kit, ranked=evidence)
    return draft


def series_list(series: str, kit: Kit) -> Draft:
    """"What does P4 cover?": every criterion of a SOC 2 series, with its ID and title, then what the first requires."""
    criteria = SERIES[series]
    draft = Draft()
    title = SOC2_SERIES.get(series, ("", ""))[0]
    named = f"{series} ({title})" if title else series
    draft.add(f"The SOC 2 series {named} has {len(criteria)} criteri{'on' if len(criteria) == 1 else 'a'}:", criteria[0])
    for criterion in criteria:
        draft.add(f"{criterion}: {CATALOG[criterion].title}", criterion)
    draft.confidence = 1.0
    draft.evidence = [ev for criterion in criteria for ev in kit.retriever.chunks_of(criterion)]
    return draft


def from_evidence(question: str, evidence: list[Evidence], *, unknown=()) -> Draft:
    draft = compose(question, evidence)
    draft.preface.extend(unknown_sentence(m) for m in unknown)
    draft.evidence = evidence
    return draft


def unknown_sentence(m) -> str:
    name = {"soc2": "SOC 2", "iso27001": "ISO/IEC 27001:2022"}[m.framework]
    return f"{m.id} does not exist in {name}: {m.note}."


MAX_ASPECTS = 2  # a question about one framework answered on this many aspects at most


def framework_aspect(question: str, kit: Kit, evidence: list[Evidence], asked_of_it: bool = False) -> Draft | None:
    """"How long does SOC 2 take?": one framework, one aspect: its side of the comparison first (`asked_of_it`: the
    question is surely about the framework, whatever else it names)."""
    named = named_frameworks(question)
    advisor = Advisor.load()
    aspects = [a for a in advisor.aspects(question) if a in SINGLE_ASPECTS]
    if len(named) != 1 or not aspects or not evidence:
        return None
    row = advisor.comparison_row(aspects[0])
    # "how often is training needed for SOC 2?" is about training, not about SOC 2's renewal
    about_framework = evidence[0].doc_id in row["cite"] + ASPECT_GUIDANCE
    if not about_framework and not asked_of_it and len(_topic_words(question, row["match"])) > 1:
        return None
    label = DISPLAY[named[0]]
    draft = Draft()
    # the row's document about this framework's side when it has one ("soc2-type1-vs-type2" for SOC 2's renewal)
    side = {"soc2": "soc", "iso27001": "iso"}[named[0]]
    cite = next((doc for doc in row["cite"] if doc.startswith(side) or f"-{side}" in doc), row["cite"][0])
    draft.add(f"{label}, {row['aspect'][0].lower()}{row['aspect'][1:]}: {row[named[0]]}", cite)
    rows = [row]
    for aspect in aspects[1:MAX_ASPECTS]:
        # "what do we get at the end? a certificate we can put on the website?": what is delivered, and who may see it
        rows.append(advisor.comparison_row(aspect))
        other = next((doc for doc in rows[-1]["cite"] if doc.startswith(side) or f"-{side}" in doc), rows[-1]["cite"][0])
        draft.add(f"{rows[-1]['aspect']}: {rows[-1][named[0]]}", other)
    for sentence, doc in compose(question, evidence, max_points=3).lines:
        draft.add(sentence, doc)
    draft.evidence = [ev for r in rows for doc in r["cite"] for ev in kit.retriever.chunks_of(doc)] + evidence
    return draft


def _topic_words(question: str, aspect_pattern: str) -> set[str]:
    """What a question is about once the framework's name and the aspect's own words are set aside."""
    rest = re.sub(aspect_pattern, " ", question, flags=re.I)
    rest = re.sub(r"(?i)\bsoc ?2\b|\biso(/iec)?\b|\b27001\b|\b(report|reports|audit|audits|type [12]|certif\w*)\b", " ", rest)
    return set(terms(rest)) - GENERIC
