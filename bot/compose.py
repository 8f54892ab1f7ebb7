"""The extractive composer: answers built only from sentences of retrieved evidence.

No model is needed. The first sentence answers directly (the best evidence's
answer-ready sentence); up to four supporting points follow. Every sentence
carries the ID of the document it came from, so every claim can be checked.

>>> draft = Draft()
>>> draft.add("CC6.1 requires logical access controls.", "CC6.1")
>>> draft.render()
'CC6.1 requires logical access controls. [CC6.1]'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.glossary import expand
from bot.manipulation import is_planted_instruction
from bot.retrieve import Evidence
from bot.text import same_term, sentences, terms

MAX_POINTS = 4
_CITATION_TAG = re.compile(r"\s*\[[^\[\]\n]{1,80}\](?!\()")  # "[CC6.1]", not a Markdown link "[text](url)"
APPROVED_ANSWER = "Approved answer"  # the section of an answer-library row (ingest.load)
# Words that say nothing about which sentence answers the question.
GENERIC = frozenset(terms("soc 2 soc2 iso 27001 iso/iec 2022 control controls criterion criteria clause annex "
                          "requirement requirements require requires standard framework say says mean"))

# Which section answers which kind of question (aspect -> pattern on the question).
ASPECTS: list[tuple[str, re.Pattern]] = [
    ("What auditors look for", re.compile(r"(?i)\b(auditors?|evidence|audit(ed)?|proof|artifacts?|look for|test(ed)?)\b")),
    ("How teams meet it", re.compile(r"(?i)\b(how (do|can|should) (we|i|teams?|you)|implement|meet|comply|satisf|get compliant|in practice|examples?)\b")),
    ("Questions customers ask", re.compile(r"(?i)\b(customers? ask|questionnaire|phrasing)\b")),
    ("Counterparts", re.compile(r"(?i)\b(counterparts?|maps?|mapping|equivalent|other framework)\b")),
]


@dataclass
class Draft:
    """What a route produces: sentences, each with the document ID it comes from, and the rest of an answer.

    `bot.finish` turns a Draft into an `Answer`; routes never build Answers themselves.
    """

    lines: list[tuple[str, str | None]] = field(default_factory=list)
    preface: list[str] = field(default_factory=list)  # notes, shown before the answer
    table: str | None = None  # a Markdown table shown after the points
    steps: list[str] = field(default_factory=list)  # a numbered plan shown after the table
    steps_title: str = ""
    extra_cites: list[str] = field(default_factory=list)  # documents the table and steps rely on
    evidence: list[Evidence] = field(default_factory=list)  # what the answer may cite
    ask_back: str | None = None  # a clarifying question
    recommendation: str | None = None
    refused: bool = False
    confidence: float | None = None  # fixed confidence (refusals, clarifications); None: judged
    max_confidence: float = 1.0
    needs_review: bool = False

    def add(self, sentence: str, doc_id: str | None) -> None:
        self.lines.append((sentence.strip(), doc_id))

    @property
    def cited(self) -> list[str]:
        seen: list[str] = []
        for doc_id in [d for _, d in self.lines] + self.extra_cites:
            if doc_id and doc_id not in seen:
                seen.append(doc_id)
        return seen

    def render(self) -> str:
        rendered = [end_sentence(s) + (f" [{d}]" if d else "") for s, d in self.lines]
        head, points = (rendered[0], rendered[1:]) if rendered else (None, [])
        parts = list(self.preface) + ([head] if head else [])
        if points:
            parts.append("\n".join("- " + p for p in points))
        if self.table:
            parts.append(self.table)
        if self.steps:
            numbered = "\n".join(f"{n}. {step}" for n, step in enumerate(self.steps, 1))
            parts.append(f"{self.steps_title}\n{numbered}" if self.steps_title else numbered)
        if self.ask_back:
            parts.append(self.ask_back)
        return "\n\n".join(parts)


def end_sentence(sentence: str) -> str:
    sentence = sentence.rstrip()
    return sentence if sentence[-1:] in ".?!:)" else sentence + "."


def aspect_of(question: str) -> str | None:
    for section, pattern in ASPECTS:
        if pattern.search(question):
            return section
    return None


def overlap(query: set[str], sentence: str) -> float:
    """Share of the question's specific terms that the sentence contains."""
    if not query:
        return 0.0
    words = set(terms(sentence))
    exact = query & words
    fuzzy = {q for q in query - exact if any(same_term(q, w) for w in words)}
    return (len(exact) + len(fuzzy)) / len(query)


def quotable(ev: Evidence) -> list[str]:
    """The sentences of a chunk that an answer may quote.

    A tenant's documents and library answers come from outside and are evidence only: a sentence in them that
    instructs the assistant ("ignore previous instructions", "SYSTEM: ...") states no fact and is never quoted,
    and citation tags written into them are dropped, since only the answer cites.
    """
    found = sentences(ev.text)
    if ev.framework != "company":
        return found
    return [_CITATION_TAG.sub("", s).strip() for s in found if not is_planted_instruction(s)]


def _usable(sentence: str) -> bool:
    words = sentence.split()
    return 4 <= len(words) <= 80 and not sentence.endswith(":")


def compose(question: str, evidence: list[Evidence], *, max_points: int = MAX_POINTS,
            specific: bool = False) -> Draft:
    """Answer `question` from `evidence` (best first) in quoted, cited sentences.

    `specific` picks the sentence that best matches the question over a document's summary:
    a company's "what is your RPO?" is answered by the sentence with the number in it.
    """
    draft = Draft()
    if not evidence:
        return draft
    query = set(terms(question)) - GENERIC
    aspect = aspect_of(question)
    lead_doc = evidence[0].doc_id
    pinned = [e for e in evidence if e.pinned]

    # 1. The direct first sentence: the best document's answer-ready sentence, unless the
    #    question asks for a specific aspect of a named document.
    first = _specific_sentence(evidence, query) if specific else _first_sentence(evidence, query, aspect)
    if first is None:
        return draft
    draft.add(*first)
    used = {first[0]}

    # 2. Supporting points, scored by how much of the question they cover, by the rank of
    #    their chunk, and by whether they belong to the section the question asks about.
    candidates: list[tuple[float, int, str, str]] = []
    pinned_docs = {e.doc_id for e in pinned}
    for rank, ev in enumerate(evidence):
        if pinned_docs and ev.doc_id not in pinned_docs:
            continue  # the question named its documents: other documents' sentences are noise here
        for n, sentence in enumerate(quotable(ev)):
            if sentence in used or not _usable(sentence):
                continue
            score = overlap(query, sentence) + 0.6 / (1 + rank)
            if aspect and ev.section == aspect:
                score += 0.8
            if ev.is_lead and n < 3:
                score += 0.25
            if pinned and ev.doc_id == lead_doc:
                score += 0.3
            if ev.section == "Questions customers ask" and aspect != ev.section:
                score -= 1.0  # questions are not answers
            if ev.section == "Counterparts" and aspect != ev.section:
                score -= 0.5
            candidates.append((score, -rank * 100 - n, sentence, ev.doc_id))
    candidates.sort(reverse=True)
    per_doc: dict[str, int] = {}
    for score, _, sentence, doc_id in candidates:
        if len(draft.lines) > max_points:
            break
        if score < 0.35 or per_doc.get(doc_id, 0) >= 3:
            continue
        if any(_similar(sentence, s) for s, _ in draft.lines):
            continue
        draft.add(sentence, doc_id)
        per_doc[doc_id] = per_doc.get(doc_id, 0) + 1
    return draft


def _first_sentence(evidence: list[Evidence], query: set[str], aspect: str | None) -> tuple[str, str] | None:
    top = evidence[0]
    if top.pinned:
        # A named document: its answer-ready sentence first; the aspect asked about follows as points.
        for ev in evidence:
            if ev.doc_id == top.doc_id and ev.is_lead:
                best = _best(ev, query, prefer_first=True)
                if best:
                    return best, ev.doc_id
        best = _best(top, query, prefer_first=True)
        return (best, top.doc_id) if best else None
    # Unpinned: the answer-ready sentence of the best lead chunk among the top results,
    # or the best-matching sentence of the top chunk.
    scored = []
    leads = [ev for ev in evidence[:4] if ev.is_lead]
    for rank, ev in enumerate(evidence[:4]):
        if ev.section in ("Questions customers ask", "Counterparts") or (leads and not ev.is_lead):
            continue
        sentence = _best(ev, query, prefer_first=ev.is_lead)
        if sentence:
            score = overlap(query, sentence) + 0.5 / (1 + rank) + (0.3 if ev.is_lead else 0.0)
            scored.append((score, -rank, sentence, ev.doc_id))
    if not scored:
        best = _best(top, query, prefer_first=True)
        return (best, top.doc_id) if best else None
    _, _, sentence, doc_id = max(scored)
    return sentence, doc_id


def _specific_sentence(evidence: list[Evidence], query: set[str]) -> tuple[str, str] | None:
    """The sentence of the top chunks that covers most of the question, weighted by chunk similarity.

    The approved answer closest in meaning to the question is a candidate wherever it ranks: a policy's three
    sections can push a one-chunk library row past the top chunks, and that row is what the company approved.
    """
    scored = []
    closest = max(evidence, key=lambda e: e.similarity, default=None)
    for rank, ev in enumerate(evidence):
        if rank >= 8 and not (ev is closest and ev.section == APPROVED_ANSWER):
            continue
        for n, sentence in enumerate(s for s in quotable(ev) if _usable(s)):
            # "pentest" in the question, "penetration test" in the answer: the same term (bot.glossary)
            score = overlap(query, expand(sentence)) + 0.6 * ev.similarity + 0.2 / (1 + rank) - 0.01 * n
            if ev.section == APPROVED_ANSWER:
                score += 0.3  # an answer the company already approved beats a sentence from a policy
            scored.append((score, sentence, ev.doc_id))
    if not scored:
        return None
    _, sentence, doc_id = max(scored)
    return sentence, doc_id


def best_overlap(question: str, sentence: str) -> float:
    """Share of the question's specific terms that `sentence` covers."""
    return overlap(set(terms(question)) - GENERIC, sentence)


def _best(ev: Evidence, query: set[str], *, prefer_first: bool) -> str | None:
    options = [s for s in quotable(ev) if _usable(s)]
    if not options:
        return None
    if prefer_first:
        return options[0]
    return max(options, key=lambda s: (overlap(query, s), -options.index(s)))


def _similar(a: str, b: str) -> bool:
    ta, tb = set(terms(a)), set(terms(b))
    return bool(ta and tb) and len(ta & tb) / min(len(ta), len(tb)) > 0.8
