"""The one place a `Draft` (or an LLM's text) becomes an `Answer`.

Citations are built from the evidence the draft may cite and nothing else;
confidence, tier, `needs_review` and the low-confidence note are decided here.
The product and the evaluation baselines both call `finish`, so their answers
cannot drift apart.

>>> answer = finish(Draft(), route="lookup")
>>> answer.confidence, answer.tier
(0.0, 'low')
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from bot import judge
from bot.compose import Draft, end_sentence
from bot.models import Answer, Citation, Parts, Point, tier_of
from bot.retrieve import Evidence
from bot.text import sentences

log = logging.getLogger("trustdesk")
LOW_CONFIDENCE_NOTE = "I could not find strong support for this in the corpus; check the cited sources before relying on it."
NOTHING_FOUND = "I could not find anything in the corpus that answers this."
DROPPED_PENALTY = 0.15


def _by_doc(evidence: Sequence[Evidence]) -> dict[str, list[Evidence]]:
    by_doc: dict[str, list[Evidence]] = {}
    for ev in evidence:
        by_doc.setdefault(ev.doc_id, []).append(ev)
    return by_doc


def texts_of(evidence: Sequence[Evidence]) -> dict[str, str]:
    """Document id -> the text of its evidence, for support checks."""
    return {doc: " ".join(e.text for e in evs) for doc, evs in _by_doc(evidence).items()}


def citation(evidence: list[Evidence]) -> Citation:
    first = evidence[0]
    score = 1.0 if first.pinned else max(0.0, min(1.0, max(e.similarity for e in evidence)))
    return Citation(id=first.doc_id, framework=first.framework, title=first.title,
                    source=first.source, score=round(score, 3))


def ordered(citations: list[Citation], scope: Sequence[str] | None) -> list[Citation]:
    """The framework a question asked for before the other one; otherwise the draft's order. Guidance and company
    material keep their place: they belong to no framework ("how many controls did annex a have in 2013?" is
    answered by the edition guide, which stays first)."""
    if not scope:
        return citations
    rank = {framework: n for n, framework in enumerate(scope)}
    unranked = {"guidance": 0, "company": 0}
    return sorted(citations, key=lambda c: rank.get(c.framework, unranked.get(c.framework, len(rank))))


def parts_of(draft: Draft) -> Parts:
    points = [Point(text=end_sentence(s), cite=[d] if d else []) for s, d in draft.lines[1:]]
    lead = ""
    if draft.lines:
        sentence, doc = draft.lines[0]
        lead = end_sentence(sentence) + (f" [{doc}]" if doc else "")
    return Parts(lead=lead, points=points, table=draft.table, steps=list(draft.steps),
                 notes=list(draft.preface), ask_back=draft.ask_back)


def finish(draft: Draft, *, route: str, scope: Sequence[str] | None = None) -> Answer:
    """The Answer for a draft: citations checked against its evidence, confidence, tier, review flag."""
    by_doc = _by_doc(draft.evidence)
    if draft.confidence is not None:
        confidence = draft.confidence
    elif draft.lines:
        support = judge.support(draft.lines, texts_of(draft.evidence))
        best = max((e.similarity for e in draft.evidence), default=0.0)
        confidence = judge.confidence(best, any(e.pinned for e in draft.evidence), support)
    else:
        confidence = 0.0
    confidence = min(confidence, draft.max_confidence)
    if draft.confidence is None and draft.lines and confidence < judge.LOW_CONFIDENCE:
        draft.preface.insert(0, LOW_CONFIDENCE_NOTE)
    if draft.confidence is None and not draft.lines and not draft.ask_back and not draft.preface:
        draft.preface.append(NOTHING_FOUND)
    unknown = [doc for doc in draft.cited if doc not in by_doc]
    for doc in unknown:
        log.debug("draft cites %s without evidence for it; the citation is left out", doc)
    citations = ordered([citation(by_doc[doc]) for doc in draft.cited if doc in by_doc], scope)
    company_backed = any(c.framework == "company" for c in citations)
    needs_review = draft.needs_review or (route == "company" and not company_backed)
    answer = Answer(text=draft.render(), route=route, parts=parts_of(draft), citations=citations,
                    confidence=round(confidence, 3), tier=tier_of(confidence), needs_review=needs_review,
                    refused=draft.refused, recommendation=draft.recommendation)
    answer._evidence = list(draft.evidence)
    return answer


def tagged_sentences(text: str) -> list[tuple[str, str | None]]:
    """(sentence, cited id) pairs of a phrased answer; untagged sentences carry None."""
    pairs = []
    for sentence in sentences(text):
        tags = re.findall(r"\[([^\[\]]+)\]", sentence)
        pairs.append((re.sub(r"\s*\[[^\[\]]+\]", "", sentence), tags[-1] if tags else None))
    return pairs


def rephrased(extractive: Answer, text: str, cited: Sequence[str], dropped: Sequence[str]) -> Answer:
    """An LLM's text in place of the extractive one: only its checked citations, confidence re-judged."""
    evidence = extractive._evidence
    by_doc = _by_doc(evidence)
    support = judge.support(tagged_sentences(text), texts_of(evidence))
    best = max((e.similarity for e in evidence), default=0.0)
    confidence = judge.confidence(best, any(e.pinned for e in evidence), support)
    confidence = max(0.0, confidence - DROPPED_PENALTY * len(dropped))
    body = f"{LOW_CONFIDENCE_NOTE}\n\n{text}" if confidence < judge.LOW_CONFIDENCE else text
    citations = [citation(by_doc[doc]) for doc in cited if doc in by_doc]
    lines = tagged_sentences(text)
    parts = Parts(lead=lines[0][0] if lines else "", points=[Point(text=s, cite=[d] if d else []) for s, d in lines[1:]],
                  table=extractive.parts.table, steps=extractive.parts.steps,
                  notes=[LOW_CONFIDENCE_NOTE] if confidence < judge.LOW_CONFIDENCE else [])
    answer = extractive.model_copy(update={"text": body, "citations": citations, "parts": parts,
                                           "confidence": round(confidence, 3), "tier": tier_of(confidence)})
    answer._evidence = evidence
    answer._meta = extractive._meta
    return answer
