"""One questionnaire row, drafted: the engine's company answer, the yes/no an approved entry gives, and the flags.

A yes/no comes only from an approved library entry that leads the engine's
answer (the route's answer check chose it) and is itself close to the row (an
entry chosen only for its sentence "Yes." is held for a person): its yes_no
column, or an answer that begins "Yes." / "No.". Never from the standards,
never from a document.
A commitment is drafted for legal but never filled; two approved entries that
answer the row and disagree are shown together and not filled; an entry past
its review date is never rated high. Fields come from the tenant's approved
profile entries ("Company legal name", "Security contact email"), else they
are flagged.
"""

from __future__ import annotations

import re

from bot.compose import APPROVED_ANSWER
from bot.errors import InvalidQuestion
from bot.glossary import expand
from bot.models import Answer
from bot.routes.company import COMPANY_SIMILARITY, SAME_QUESTION
from bot.sales.flags import COMMITMENT_OWNER, commitment, disagree, expired
from bot.sales.library import Library, LibraryError
from bot.sales.row_kinds import TAKES_CHOICE, RowKind, field_key
from ingest.records import FillRow, LibraryEntry

UNCOVERED_LEAD = "No approved answer found"
NOT_ANSWERED = "Not answered:"
DOCUMENT_TIER_CAP = "medium"  # drafted from documents, not an approved answer: a person confirms the wording
# flags that keep the buyer's cells empty: a person decides (the review sheet shows the draft)
# another approved entry this close to the row answers it too; measured: "What is your RTO?" finds a paraphrased
# "What recovery time objective ..." entry at 0.55-0.62 (the route's 0.55 "answers alone" missed it at 0.548)
CONFLICT_SIMILARITY = 0.50
HOLD = ("commitment", "conflicting sources", "instruction to the assistant", "no approved answer", "not answered",
        "weak match")
_CITE = re.compile(r"\s*\[[^\]]{1,80}\]")
_LEADING_WORD = re.compile(r"^\s*(yes|no|partially|not applicable|n/a)\b\s*[.,;:!-]", re.I)
FRAMEWORK_NAMES = {"soc2": "SOC 2", "iso27001": "ISO 27001"}


def plain(text: str) -> str:
    """Answer text for a customer's cell: no Markdown, no inline citation markers."""
    text = _CITE.sub("", text)
    text = re.sub(r"[*_`#>]+", "", text)
    return " ".join(text.split())


def entry_choice(entry: LibraryEntry) -> str:
    """The yes/no an approved entry gives: its yes_no column, or the answer's first word ("Yes. We ...")."""
    if entry.yes_no:
        return entry.yes_no
    found = _LEADING_WORD.match(entry.answer)
    if not found:
        return ""
    word = found.group(1).lower()
    return {"partially": "partial", "not applicable": "n/a"}.get(word, word)


def profile_fields(library: Library) -> dict[str, tuple[str, str]]:
    """field -> (value, entry id) from the tenant's approved entries that name a field ("Company legal name")."""
    found: dict[str, tuple[str, str]] = {}
    for entry in library.entries("approved"):
        key = field_key(entry.question)
        if key and key not in found and len(entry.answer) <= 300:
            found[key] = (entry.answer.strip(), entry.id)
    return found


def draft_row(assistant, library: Library | None, kind: RowKind, text: str, tenant: str | None,
              profile: dict[str, tuple[str, str]]) -> FillRow:
    """One row's answer as a checkpoint record (not yet saved)."""
    if kind.kind == "field":
        return _field(kind, text, profile)
    row = _drafted(assistant, library, kind, tenant)
    row.question, row.kind = text, kind.kind
    reason = commitment(text)
    if reason:
        row.yes_no, row.needs_review = "", True
        row.tier = "low"
        row.flags = _join(f"{reason} (owner: {COMMITMENT_OWNER})", row.flags)
    return row


def _field(kind: RowKind, text: str, profile: dict[str, tuple[str, str]]) -> FillRow:
    value, entry = profile.get(kind.field or "", ("", ""))
    if value:
        return FillRow(question=text, answer=value, yes_no="", sources=f"answer library [{entry}]", confidence=1.0,
                       tier="high", needs_review=False, kind="field")
    return FillRow(question=text, answer="", yes_no="", sources="", confidence=0.0, tier="low", needs_review=True,
                   kind="field", flags=f"field not in the tenant's profile ({kind.field})")


def _drafted(assistant, library: Library | None, kind: RowKind, tenant: str | None) -> FillRow:
    try:
        answer: Answer = assistant.answer_for_company(kind.asked, tenant)
    except InvalidQuestion as exc:  # an empty, too long or control-character cell; a store that is down is not
        return FillRow(answer=f"{NOT_ANSWERED} {exc}", yes_no="", sources="", confidence=0.0, tier="low",
                       needs_review=True, flags="not answered")
    own = [c for c in answer.citations if c.framework == "company"]
    standards = [c for c in answer.citations if c.framework in FRAMEWORK_NAMES]
    sources = "; ".join([f"{c.source} [{c.id}]" if c.id.startswith("lib-") else c.source for c in own]
                        + [f"{FRAMEWORK_NAMES[c.framework]} {c.id}" for c in standards])
    if answer.refused:
        return FillRow(answer=f"{NOT_ANSWERED} " + plain(answer.parts.lead or answer.text), yes_no="", sources="",
                       confidence=answer.confidence, tier="low", needs_review=True, answer_id=answer.id,
                       flags="instruction to the assistant")
    if not own:
        return _uncovered(answer, standards, sources, tenant)
    entry = _approved(library, own[0].id)
    if entry is None:
        body = plain(" ".join(p.text for p in answer.parts.points if not p.text.startswith("For reference:")))
        tier = "low" if answer.tier == "low" else DOCUMENT_TIER_CAP
        return FillRow(answer=body or plain(answer.text), yes_no="", sources=sources, confidence=answer.confidence,
                       tier=tier, needs_review=True, answer_id=answer.id, flags="drafted from documents")
    row = FillRow(answer=entry.answer.strip(), yes_no=entry_choice(entry) if kind.kind in TAKES_CHOICE else "",
                  sources=sources, confidence=answer.confidence, tier=answer.tier or "medium",
                  needs_review=answer.needs_review, answer_id=answer.id, flags="")
    if own[0].score < COMPANY_SIMILARITY:  # chosen for a sentence ("Yes."), not because the entry asks this
        row.yes_no, row.tier, row.needs_review = "", "low", True
        row.flags = f"weak match: {entry.id} ({own[0].score:.2f}) may answer another question"
        return row
    if row.yes_no and own[0].score < SAME_QUESTION:
        # a Yes or No is a claim: written only from an entry whose own question is a paraphrase of the row's
        row.yes_no = ""
        row.flags = _join(row.flags, f"no approved yes/no for this wording: {entry.id} ({own[0].score:.2f}) answers "
                                     "a nearby question")
    _check_entry(assistant, library, kind, tenant, entry, row)
    return row


def _uncovered(answer: Answer, standards, sources: str, tenant: str | None) -> FillRow:
    refs = "; ".join(f"{FRAMEWORK_NAMES[c.framework]} {c.id} {c.title}" for c in standards[:3])
    text = (f"{UNCOVERED_LEAD} in {tenant}'s material; to be completed by the owner."
            if tenant else f"{UNCOVERED_LEAD}: no company material was given.")
    if refs:
        text += f" What the standards expect: {refs}."
    return FillRow(answer=text, yes_no="", sources=sources, confidence=min(answer.confidence, 0.4), tier="low",
                   needs_review=True, answer_id=answer.id, flags="no approved answer")


def _check_entry(assistant, library: Library, kind: RowKind, tenant: str | None, entry: LibraryEntry,
                 row: FillRow) -> None:
    """Expired entries lose the high tier; another approved entry that disagrees holds the row for a person."""
    if expired(entry.review_due):
        row.tier = "medium" if row.tier == "high" else row.tier
        row.needs_review = True
        row.flags = _join(row.flags, f"expired entry {entry.id} (review due {entry.review_due.isoformat()})")
    rivals = [e for e in _answering_entries(assistant, library, kind.asked, tenant, entry.id)
              if disagree(entry.answer, entry_choice(entry), e.answer, entry_choice(e))]
    if rivals:
        row.flags = _join(row.flags, "conflicting sources: " + " | ".join(
            f"{e.id} says {plain(e.answer)[:120]!r}" for e in [entry, *rivals]))
        row.sources = "; ".join([row.sources, *(f"answer library [{e.id}]" for e in rivals)])
        row.yes_no, row.tier, row.needs_review = "", "low", True


def _answering_entries(assistant, library: Library, question: str, tenant: str | None,
                       lead: str) -> list[LibraryEntry]:
    """Other approved entries close enough to answer `question` too; abbreviations are spelled out first, so
    "RTO?" finds "recovery time objective"."""
    question = expand(question)
    vector = assistant.retriever().embed(question)
    ids = dict.fromkeys(e.doc_id for e in assistant.company_evidence(question, vector, tenant)
                        if e.section == APPROVED_ANSWER and e.doc_id.startswith("lib-") and e.doc_id != lead
                        and e.similarity >= CONFLICT_SIMILARITY)
    return [entry for entry in (_approved(library, i) for i in ids) if entry is not None]


def _approved(library: Library | None, doc_id: str) -> LibraryEntry | None:
    if library is None or not doc_id.startswith("lib-"):
        return None
    try:
        entry = library.get(doc_id)
    except LibraryError:  # gone since the index was built; a database that is down is not this
        return None
    return entry if entry.status == "approved" else None


def _join(*flags: str) -> str:
    return "; ".join(f for f in flags if f)


REASONS = (*HOLD, "expired entry", "drafted from documents", "field not in the tenant's profile", "no approved yes/no",
           "no dropdown value")


def split_flags(flags: str) -> list[str]:
    """A row's flags one by one: a flag's details may quote a source whose text holds "; " (conflicting sources)."""
    out: list[str] = []
    for piece in flags.split("; "):
        if out and not piece.strip().startswith(REASONS):
            out[-1] += "; " + piece
        elif piece.strip():
            out.append(piece)
    return out


def reason(flag: str) -> str:
    """A flag's reason without its details ("expired entry lib-1 (review due ...)" -> "expired entry")."""
    flag = flag.strip()
    return next((r for r in REASONS if flag.startswith(r)), flag.split(":")[0].split(" (")[0])


def held(flags: str) -> bool:
    """Does a row's flag keep the buyer's cells empty?"""
    return any(flag.strip().startswith(HOLD) for flag in flags.split(";"))
