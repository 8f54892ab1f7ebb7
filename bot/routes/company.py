"""company: a question about the asker's own organisation. Only the tenant's approved material answers it.

Without material that answers it, the draft says so, quotes what the standards
expect as guidance, and is capped at low confidence and flagged for review. It
never states a company fact, and never a yes or no.
"""

from __future__ import annotations

import re

from bot.compose import APPROVED_ANSWER, Draft, best_overlap, compose, quotable
from bot.glossary import expand
from bot.pairing import both_frameworks, cite, lead_with, more_references
from bot.retrieve import Evidence
from bot.routes import Kit
from bot.subject import addressed, subject
from bot.text import terms
from bot.understand import Understanding

NO_COMPANY_NOTE = (
    "I have no approved material about your organisation to answer that from, and I won't guess a "
    "company fact. Load your policies and answer library with `trustdesk company ingest DIR --tenant NAME` "
    "and ask again with that tenant."
)
UNCOVERED_CONFIDENCE = 0.4
# why a questionnaire row is routed here (Assistant.answer_for_company); a row's reviewer gets more references to cite
QUESTIONNAIRE_ROW = "a questionnaire row asks about the company"
# Company material answers a question when it is very close in meaning, or close and sharing its words.
COMPANY_SIMILARITY_ALONE = 0.55
COMPANY_SIMILARITY = 0.40
COMPANY_OVERLAP = 0.30
# ... or the chosen sentence itself means what was asked ("last pentest?" -> "the most recent penetration test
# was completed in October 2025"); on the golden set every approved fact scores >= 0.40 and no uncovered one > 0.45
SENTENCE_SIMILARITY = 0.5
# An approved entry whose own question is at least this close (cosine, MiniLM) to the question asked is a paraphrase
# of it (`Retriever.same_questions`); fixed before measuring, not tuned on an evaluation set.
SAME_QUESTION = 0.75
# ... and one at least this close ranks its entry by that closeness when its answer text scores lower: it is an
# answer to a neighbouring question, quoted only when it also clears the bars above (fixed before measuring)
NEAR_QUESTION = 0.7


def handle(u: Understanding, kit: Kit) -> Draft:
    # "Hi team, for our vendor review: ..." asks what follows the colon; "does Northwind ...?" asks "do you ...?"
    question = addressed(subject(u.resolved), u.tenant)
    vector = u.vector if question == u.resolved else kit.retriever.embed(question)
    standards, pair = _standards(u, kit)
    own = kit.company_evidence(question, vector, u.tenant)
    if own and u.question.strip() != u.resolved.strip():
        own = _focused(_with_referent(subject(u.question), u.conversation.user_questions), own, kit, u.tenant)
    if own:
        lead = _approved_lead(own)
        draft = lead or compose(question, own, max_points=2, specific=True)
        if draft.lines and answers(question, draft.lines[0][0], own, kit.retriever.embed, vector):
            quote_approved_answer_whole(draft, own)
            _name_the_question_answered(question, vector, draft, own, kit, u.tenant)
            _cite_source_policy(question, draft, own)
            own = own + _other_parts(question, draft, kit, u.tenant)
            _close_entries(question, draft, own)
            ref = compose(question, standards, max_points=0)
            if ref.lines:
                draft.add("For reference: " + ref.lines[0][0], ref.lines[0][1])
            for doc in pair:
                cite(draft, doc, standards)
            draft.evidence = own + standards + _row_references(u, draft, kit)
            return draft
    draft = Draft()
    # "Will you sign our DPA? Êtes-vous conformes au RGPD? we're a hospital group": no entry answers the whole
    # message, but one answers a part of it, closely, on its own
    used = _other_parts(question, draft, kit, u.tenant) if own else []
    if used:
        draft.evidence = used + standards + _row_references(u, draft, kit)
        return draft
    draft = compose(subject(question), standards, max_points=1)
    draft.preface.append(NO_COMPANY_NOTE if not u.tenant else
                         f"I found no approved answer for this in {u.tenant}'s documents, and I won't guess a company fact.")
    if draft.lines:
        draft.lines[0] = ("What the standards expect: " + draft.lines[0][0], draft.lines[0][1])
    for doc in pair:
        cite(draft, doc, standards)
    draft.evidence = standards + _row_references(u, draft, kit)
    draft.max_confidence = UNCOVERED_CONFIDENCE
    draft.needs_review = True
    return draft


# "at rest and in transit", "how often ... , and how long ...": the parts of a question that asks several things
_JOIN = re.compile(r"\s*(?:\?|;|,\s*(?:and\s+|as well as\s+)?|\s+and\s+(?:also\s+)?|\s+as well as\s+|\s+or\s+(?=an?\s|your\s|the\s|any\s|iso|soc)"
                   r"|(?:^|\s+)\(?\d{1,2}[).]\s+)\s*", re.I)  # ... and "1) do you ... 2) is ..."
MAX_PARTS = 3
_FIRST_ITEM = re.compile(r"(?:^|\s)\(?1[).]\s")
MIN_PART_TERMS = 3
_PRONOUN = re.compile(r"(?i)\b(they|them|it|its|those|these|this|that)\b")
# a part that asks on its own starts with a question or request word; one that does not shares the first's opening
_ASKING = re.compile(r"(?i)^\W*(do|does|did|is|are|was|were|can|could|will|would|should|have|has|what|how|who|where|when|"
                     r"which|why|please|describe|provide|list|explain|share|send|confirm)\b")
_OPENING = re.compile(r"(?i)^\W*((?:do|does|did|is|are|can|could|will|would|have|has)\s+(?:you|we|northwind)(?:\s+\w+)?)"
                      r"\s+(?:a|an|the|your|any|our)\b")
_FILLER = set(terms("please list describe provide explain detail details share give so if yes no how what which"))


def parts(question: str) -> list[str]:
    """The separate questions inside one ("do you encrypt data at rest and in transit?" -> "do you encrypt data at
    rest", "do you encrypt data in transit"); [] for a question that asks one thing. A short part borrows the
    first part's opening words in place of as many closing ones (the ellipsis it stands for)."""
    numbered = _FIRST_ITEM.search(question)  # "for our München office. 1) ... 2) ...": the items are the questions
    pieces = [p for p in _JOIN.split(question[numbered.start():] if numbered else question)
              if p and set(terms(p)) - _FILLER]
    if len(pieces) < 2:
        return []
    first, out = pieces[0].split(), [pieces[0]]
    for piece in pieces[1:MAX_PARTS]:
        if _PRONOUN.search(piece):  # "how long are they kept": they are what the first part asked about
            piece = f"{piece} {pieces[0]}"
        elif len(terms(piece)) < MIN_PART_TERMS:
            piece = " ".join(first[:max(1, len(first) - len(piece.split()))] + [piece])
        elif not _ASKING.match(piece) and (opening := _OPENING.match(pieces[0])):
            # "do you have a soc 2 report or iso certificate we can see?": the second asks "do you have" too
            piece = f"{opening.group(1)} {piece}"
        out.append(piece)
    return out


def _other_parts(question: str, draft: Draft, kit: Kit, tenant: str | None) -> list[Evidence]:
    """Each part of a several-part question, answered by its own approved library entry (quoted whole)
    when one answers it closely and is not cited yet; the evidence used."""
    used: list[Evidence] = []
    for part in parts(question):
        found = kit.company_evidence(part, kit.retriever.embed(part), tenant)
        entry = next((e for e in found if e.section == APPROVED_ANSWER and e.doc_id not in draft.cited), None)
        if entry is None or entry.similarity < COMPANY_SIMILARITY_ALONE:
            continue
        for sentence in quotable(entry):
            if not any(sentence == line for line, _ in draft.lines):
                draft.add(sentence, entry.doc_id)
        used.append(entry)
    return used


_REFERENT_PRONOUN = re.compile(r"(?i)\b(them|they|it|those|these)\b")
_NOT_A_REFERENT = set("what which when where does have your with from that this they them there about".split())


def _with_referent(asked: str, earlier: list[str]) -> str:
    """"how long do you keep them?" after "do you encrypt backups?" -> "how long do you keep backups?": the pronoun
    stands for the last noun-like word of the question before (a guess that only ranks approved entries)."""
    if not earlier or not _REFERENT_PRONOUN.search(asked):
        return asked
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]{3,}", earlier[-1]) if w.lower() not in _NOT_A_REFERENT]
    return _REFERENT_PRONOUN.sub(words[-1], asked, count=1) if words else asked


def _focused(asked: str, merged: list[Evidence], kit: Kit, tenant: str | None) -> list[Evidence]:
    """A follow-up ("how long do you keep them?" after "do you encrypt backups?") was merged with the question before
    it, whose subject then dominates. The follow-up as asked names what it wants; the conversation only says which
    of its close answers is meant. So the approved entries nearly as close to the follow-up alone as its best one
    are the candidates, and the one closest to the merged question leads ("and what happens when someone leaves?"
    after questions on MFA: access removal, not the equipment's return). A follow-up too vague to find anything
    alone ("what about your german staff?") keeps the merged question's ranking, led by the entry close to both."""
    alone = kit.company_evidence(asked, kit.retriever.embed(asked), tenant)
    near = {e.chunk_id: e.similarity for e in alone if e.section == APPROVED_ANSWER}
    close = {e.chunk_id: e.similarity for e in merged if e.section == APPROVED_ANSWER}
    approved = {e.chunk_id: e for e in merged + alone if e.section == APPROVED_ANSWER}
    if not approved:
        return merged
    top = max(near.values(), default=0.0)
    if top >= FOCUS_FLOOR:
        pool = [c for c, s in near.items() if s >= top - FOCUS_MARGIN]
        best = approved[max(pool, key=lambda c: (close.get(c, 0.0), near[c]))]
    else:
        both = {c: near.get(c, 0.0) + close.get(c, 0.0) for c in approved}
        best = approved[max(both, key=both.get)]
        if best.similarity < COMPANY_SIMILARITY:
            return merged
    readings = [e for e in merged + alone if e.chunk_id == best.chunk_id]
    best = max(readings, key=lambda e: e.similarity)  # as close as either question finds it
    return [best] + [e for e in merged if e.chunk_id != best.chunk_id]


# a follow-up whose own best approved entry is at least this close names its subject itself; entries this much less
# close are its other candidates (fixed on the bulk training conversations, bot/data/followups.yaml)
FOCUS_FLOOR = 0.3
FOCUS_MARGIN = 0.05


CLOSE_ENTRY_GAP = 0.08  # another approved entry this close to the best one answers the question as well
MAX_CLOSE_ENTRIES = 2


def _close_entries(question: str, draft: Draft, own: list[Evidence]) -> None:
    """Other approved entries that retrieval found as close as the one that leads ("how often are backups taken"
    and "how long are backups kept" both answer "backup frequency and retention?"): their first sentence each, so
    the composition keeps what retrieval found."""
    entries = [e for e in own if e.section == APPROVED_ANSWER and not other_party(question, e.title)]
    if not entries:
        return
    best = max(e.similarity for e in entries)
    added = 0
    for entry in sorted(entries, key=lambda e: -e.similarity):
        paraphrase = entry.similarity >= SAME_QUESTION  # "who are your subprocessors?" beside "what kinds ...?"
        close = entry.similarity >= max(COMPANY_SIMILARITY_ALONE, best - CLOSE_ENTRY_GAP)
        if added >= MAX_CLOSE_ENTRIES:
            break
        if not (close or paraphrase):
            continue
        if entry.doc_id in draft.cited:
            continue
        sentence = next(iter(quotable(entry)), None)
        if sentence and not any(sentence == line for line, _ in draft.lines):
            draft.add(sentence, entry.doc_id)
            added += 1


# an approved entry whose own question is less close than this to the one asked answers another question: its "Yes."
# is said of that question, so the answer names it (fixed on the spent sets' and practice company questions, where
# "is every change peer reviewed?" led with "Do your engineers use AI coding assistants? Yes, an approved one" at
# 0.26 and "is your software open source?" with "Do you check open-source licenses? Yes." at 0.69): the near-question
# bar, below which an entry is not taken for a paraphrase anyway
ANOTHER_QUESTION = NEAR_QUESTION
_YES_NO = re.compile(r"(?i)^\s*(yes|no)\b")


def _name_the_question_answered(question: str, vector, draft: Draft, own: list[Evidence], kit: Kit,
                                tenant: str | None) -> None:
    """Put the approved entry's own question before its words when it is not a paraphrase of the question asked."""
    first, doc = draft.lines[0]
    entry = next((e for e in own if e.doc_id == doc and e.section == APPROVED_ANSWER), None)
    if entry is None or not entry.title or not _YES_NO.match(first):
        return
    if float(kit.retriever.embed(addressed(entry.title, tenant)) @ vector) >= ANOTHER_QUESTION:
        return
    asked = entry.title.strip().rstrip("?")
    draft.lines[0] = (f'Our approved answer to "{asked}?" is: {first}', doc)


def _row_references(u: Understanding, draft: Draft, kit: Kit) -> list[Evidence]:
    """A questionnaire row's answer names the next-best items of each framework too, and so does an answer with no
    tenant material (nothing of the company's is there to crowd out); a chat answer from company material stays
    short."""
    if u.reason != QUESTIONNAIRE_ROW and u.tenant:
        return []
    return more_references(draft, subject(u.resolved), None, kit, u.scope)


def _standards(u: Understanding, kit: Kit) -> tuple[list[Evidence], list[str]]:
    """What the standards say about the practice asked about (its framing taken off), with the best SOC 2
    criterion and ISO/IEC 27001:2022 item both first when no framework is named."""
    about = subject(u.resolved)
    vector = u.vector if about == u.resolved else kit.retriever.embed(about)
    standards = kit.retriever.search(about, k=kit.settings.top_k, vector=vector,
                                     frameworks=u.scope or ("soc2", "iso27001", "guidance"))
    pair = None if u.scope else both_frameworks(u, about, vector, kit, standards)
    return (lead_with(standards, pair, kit), pair) if pair else (standards, [])


def _approved_lead(own: list[Evidence]) -> Draft | None:
    """An approved answer to a paraphrase of the question leads from its first sentence (the rest follows, as
    every approved answer that leads does: `quote_approved_answer_whole`)."""
    first = own[0]
    sentence = next(iter(quotable(first)), None) if first.section == APPROVED_ANSWER else None
    if sentence is None or first.similarity < SAME_QUESTION:
        return None
    draft = Draft()
    draft.add(sentence, first.doc_id)
    return draft


_LIBRARY_SOURCE = re.compile(r"^answer library \((?P<source>[^()]+)\)$")


def source_policy(entry: Evidence) -> str | None:
    """The policy an approved library answer was written from ("answer library (incident-response)"), if named."""
    m = _LIBRARY_SOURCE.match(entry.source or "") if entry.section == APPROVED_ANSWER else None
    return m.group("source").strip() if m else None


def _cite_source_policy(question: str, draft: Draft, own: list[Evidence]) -> None:
    """The policy the leading approved answer was written from, when the tenant's evidence holds it: its sentence
    closest to the question, so a reviewer sees the approved words and where they come from."""
    leading = next((e for e in own if e.doc_id == draft.lines[0][1] and e.section == APPROVED_ANSWER), None)
    policy = source_policy(leading) if leading else None
    chunks = [e for e in own if policy and e.doc_id == policy]
    if not chunks or chunks[0].doc_id in draft.cited:
        return
    for sentence, doc in compose(question, chunks, max_points=0, specific=True).lines[:1]:
        if not any(sentence == line for line, _ in draft.lines):
            draft.add(sentence, doc)
        elif doc not in draft.extra_cites:
            draft.extra_cites.append(doc)  # the approved words are the policy's own: cite it beside them


def answers(question: str, sentence: str, evidence: list[Evidence], embed=None, vector=None) -> bool:
    """Does the tenant's best sentence answer the question? By the evidence's closeness, its words, or its meaning."""
    if other_standard(question, sentence):
        return False  # "are you ISO 27001 certified?" is not answered by the ISO 42001 entry, however close
    similarity = max((e.similarity for e in evidence), default=0.0)
    if similarity >= COMPANY_SIMILARITY_ALONE:
        return True
    # an abbreviation and its spelled-out term are the same words ("last pentest?" / "a penetration test")
    if similarity >= COMPANY_SIMILARITY and best_overlap(question, expand(sentence)) >= COMPANY_OVERLAP:
        return True
    return embed is not None and vector is not None and float(embed(sentence) @ vector) >= SENTENCE_SIMILARITY


# whose people or dealings a question is about: the buyer's ("our users", "we cancel our contract") or the vendor's
# ("your employees"), or the vendor's own suppliers ("your vendors", "subprocessors")
_BUYERS_PEOPLE = re.compile(r"(?i)\b(our|my)\s+(\w+\s+)?(people|ppl|users|staff|employees|team|admins|workforce|"
                            r"colleagues|end users)\b")
_VENDORS_PEOPLE = re.compile(r"(?i)\b(your|the vendor'?s?)\s+(own\s+)?(\w+\s+)?(employees|staff|people|team|workforce|"
                             r"engineers|developers|contractors|personnel)\b|\bfor (your )?employees\b")
_SUPPLIERS = re.compile(r"(?i)\b(vendors?|suppliers?|sub-?processors?|third[- ]part(y|ies)|service providers?)\b")
_BUYER = re.compile(r"(?i)\b(we|our|us)\b")


def other_party(question: str, entry_question: str) -> bool:
    """Is an approved entry about another party than the question? The buyer's people against the vendor's
    employees, or the vendor's suppliers against a buyer's own dealings ("what happens to our data once we cancel?"
    is not "what happens when you stop using a vendor?")."""
    if _BUYERS_PEOPLE.search(question) and _VENDORS_PEOPLE.search(entry_question):
        return True
    return bool(_SUPPLIERS.search(entry_question) and _BUYER.search(question) and not _SUPPLIERS.search(question))


_STANDARD_NUMBER = re.compile(r"\b(?:iso(?:/iec)?\s*)?(\d{4,5})(?:[-:]\d+)?\b")
_YEARS = re.compile(r"^(19|20)\d\d$")


def other_standard(question: str, text: str) -> bool:
    """The question names a standard (by number: 27001, 42001, 22301; or SOC 2) and the text names others but not
    it: "are we ISO 27701 certified?" is not answered by "SOC 2 is an attestation report rather than a
    certification"."""
    asked, named = _standards_named(question), _standards_named(text)
    if not asked or not named or asked & named:
        return False
    # asked about SOC 2 or ISO 27001, the other of the two is the buyer's natural alternative ("we are not ISO
    # certified yet; we have a SOC 2 Type 2"), not another standard
    return not (asked <= _MAIN and named & _MAIN)


def _standards_named(text: str) -> set[str]:
    numbers = {n for n in _STANDARD_NUMBER.findall(text) if not _YEARS.match(n)}
    if not numbers and _BARE_ISO.search(text):
        numbers = {"27001"}  # "an ISO certificate" here is ISO/IEC 27001's, not ISO 42001's
    return numbers | ({"soc2"} if _SOC2.search(text) else set())


_SOC2 = re.compile(r"(?i)\bsoc ?(2|ii)\b")
_MAIN = {"27001", "soc2"}
_BARE_ISO = re.compile(r"(?i)\biso\b(?!\s*(/\s*iec\s*)?\d)")


def quote_approved_answer_whole(draft: Draft, evidence: list[Evidence]) -> None:
    """An approved answer was approved as a whole: when one leads, it is quoted whole and in order, before other
    points."""
    first, doc = draft.lines[0]
    row = next((e for e in evidence if e.doc_id == doc and e.section == APPROVED_ANSWER), None)
    if row is None:
        return
    whole = quotable(row)
    if first not in whole:
        return
    # in its own order: "Yes. MFA is enforced for every workforce account ..." reads as it was approved
    later = {line for line, _ in draft.lines[1:]}
    draft.lines[0:1] = [(s, doc) for s in whole if s == first or s not in later]
