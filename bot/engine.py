"""The engine: one question in, one cited `Answer` out. Every surface calls this.

>>> assistant = Assistant(Settings())                          # doctest: +SKIP
>>> answer = assistant.ask("What does CC6.1 require?")         # doctest: +SKIP
>>> answer.citations[0].id                                     # doctest: +SKIP
'CC6.1'
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from bot import judge
from bot.compose import APPROVED_ANSWER, GENERIC, Draft, best_overlap, compose
from bot.config import Settings
from bot.errors import IndexMissing, InvalidQuestion, LLMUnavailable
from bot.llm import Phraser, chat_model, check_citations
from bot.ids import Mention, find_ids
from bot.models import MAX_QUESTION_CHARS, Answer, Citation, Turn
from bot.retrieve import Evidence, Retriever
from bot.advise import Advisor
from bot.followup import resolve
from bot.route import frameworks_asked, legitimate_part, route
from bot.text import sentences, terms
from ingest.catalog import CATALOG
from ingest.crosswalk import Crosswalk
from ingest.store import STANDARDS, Store, company_index

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger("trustdesk")
PHRASED_ROUTES = {"lookup", "compare", "crosswalk", "decide", "company"}
DROPPED_PENALTY = 0.15
LLM_FALLBACK_NOTE = "The language model was unavailable, so this answer is quoted directly from the sources."
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

SCOPE_NOTE = (
    "I answer questions about SOC 2, ISO/IEC 27001:2022 and security assurance: what a criterion, "
    "clause or control requires, how the two frameworks compare and map onto each other, which to "
    "pursue, and how to answer a customer's security questions."
)
MANIPULATION_NOTE = (
    "I can't change how I work or state something the evidence does not support. "
    "Ask me about SOC 2 or ISO 27001 and I will answer from the corpus, with sources."
)
NO_COMPANY_NOTE = (
    "I have no approved material about your organisation to answer that from, and I won't guess a "
    "company fact. Load your policies and answer library with `trustdesk company ingest DIR --tenant NAME` "
    "and ask again with that tenant."
)
MANIPULATION_PARTIAL = "I won't change how I work or state something the evidence does not support; here is the rest of your question."
MAX_REASONS = 5
SINGLE_ASPECTS = {"auditor", "deliverable", "renewal", "timeline", "cost"}
# guidance documents whose subject is a framework's cost, timeline, auditors, deliverables or cycle
ASPECT_GUIDANCE = ["cost-and-timeline-estimates", "auditors-and-governing-bodies", "deliverables-report-vs-certificate",
                   "iso27001-certification-cycle", "soc2-type1-vs-type2", "choosing-a-framework"]
SOC2_NAME = re.compile(r"(?i)\bsoc ?2\b")
ISO_NAME = re.compile(r"(?i)\biso(?: ?27001)?\b|\b27001\b")
MAX_PARTIAL_LISTED = 6
TABLE = re.compile(r"(?i)\b(table|side[- ]by[- ]side|matrix|comparison chart)\b")
ROADMAP = re.compile(r"(?i)\b(roadmap|road map|plan|phases|steps|timeline for us|how do we get there)\b")
LOW_CONFIDENCE_NOTE = "I could not find strong support for this in the corpus; check the cited sources before relying on it."


def validate(question: str) -> str:
    """The question, stripped; raises InvalidQuestion with the reason it cannot be asked."""
    if not isinstance(question, str):
        raise InvalidQuestion("the question must be text")
    text = question.strip()
    if not text:
        raise InvalidQuestion("the question is empty: type a question about SOC 2 or ISO 27001")
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(f"the question is {len(text):,} characters long; the limit is {MAX_QUESTION_CHARS:,}")
    if _CONTROL.search(text):
        raise InvalidQuestion("the question contains control characters; remove them and ask again")
    return text


class Assistant:
    """Answers questions from the published index. Heavy parts load on first use, once."""

    def __init__(self, settings: Settings | None = None, *, store: Store | None = None,
                 llm: "BaseChatModel | None" = None):
        self.settings = settings or Settings()
        self.store = store or Store(self.settings.data_dir, self.settings.chroma_url)
        self._llm = llm
        self._retrievers: dict[str, Retriever] = {}
        self._checked: dict[str, float] = {}
        self._lock = threading.Lock()
        self._crosswalk_data: Crosswalk | None = None

    # --- loading -------------------------------------------------------------

    def retriever(self, index: str = STANDARDS) -> Retriever:
        """The retriever of an index, reloaded when a newer generation is published."""
        with self._lock:
            current = self._retrievers.get(index)
            now = time.monotonic()
            if current is not None and now - self._checked.get(index, 0.0) < 2.0:
                return current
            published = self.store.require(index)
            if current is None or current.collection_name != published.collection:
                current = Retriever(self.store, index)
                self._retrievers[index] = current
            self._checked[index] = now
            return current

    def warm(self) -> None:
        """Load the model and index now rather than on the first question."""
        self.retriever().embed("warm up")

    # --- answering -----------------------------------------------------------

    def ask(self, question: str, history: Sequence[Turn | dict] = (), tenant: str | None = None) -> Answer:
        """Answer one question; `history` is the conversation so far (oldest first)."""
        final = None
        for item in self.stream(question, history, tenant):
            if isinstance(item, Answer):
                final = item
        return final

    def stream(self, question: str, history: Sequence[Turn | dict] = (),
               tenant: str | None = None) -> Iterator[str | Answer]:
        """Yield the answer's text as it is written, then the final `Answer`.

        With an LLM the text arrives token by token and the final Answer carries the checked
        text (invented citations removed); surfaces should show the final Answer's text.
        """
        started = time.perf_counter()
        text = validate(question)
        turns = [t if isinstance(t, Turn) else Turn.model_validate(t) for t in history]
        answer = self._answer(text, turns, tenant)
        phraser = self.phraser() if answer.citations and answer.route in PHRASED_ROUTES else None
        if phraser is None:
            yield answer.text
        else:
            parts: list[str] = []
            try:
                for delta in phraser.stream(text, answer._evidence, answer.text):
                    parts.append(delta)
                    yield delta
                answer = self._phrased(answer, "".join(parts))
            except LLMUnavailable as exc:
                log.warning("falling back to the extractive answer: %s", exc)
                answer = answer.model_copy(update={"text": f"{answer.text}\n\n_{LLM_FALLBACK_NOTE}_"})
                yield "\n\n" + LLM_FALLBACK_NOTE
        yield answer.model_copy(update={"latency_ms": round((time.perf_counter() - started) * 1000, 1)})

    def phraser(self) -> Phraser | None:
        """The LLM phraser, if one is configured (TRUSTDESK_LLM or an injected chat model)."""
        if self._llm is None and self.settings.llm:
            self._llm = chat_model(self.settings.llm, self.settings.llm_timeout)
        return Phraser(self._llm, self.settings.llm_timeout) if self._llm is not None else None

    def _phrased(self, extractive: Answer, text: str) -> Answer:
        """The model's text with its citations checked against the evidence, re-judged."""
        evidence = extractive._evidence
        allowed = {ev.doc_id for ev in evidence}
        checked = check_citations(text, allowed)
        for ref in checked.dropped:
            log.warning("dropped citation %r: not among the retrieved evidence", ref)
        if not checked.cited:
            raise LLMUnavailable("the language model cited none of the evidence")
        by_doc: dict[str, list[Evidence]] = {}
        for ev in evidence:
            by_doc.setdefault(ev.doc_id, []).append(ev)
        texts = {doc: " ".join(e.text for e in evs) for doc, evs in by_doc.items()}
        lines = _tagged_sentences(checked.text)
        support = judge.support(lines, texts)
        best = max((e.similarity for e in evidence), default=0.0)
        confidence = judge.confidence(best, any(e.pinned for e in evidence), support)
        confidence = max(0.0, confidence - DROPPED_PENALTY * len(checked.dropped))
        body = checked.text
        if confidence < judge.LOW_CONFIDENCE:
            body = f"{LOW_CONFIDENCE_NOTE}\n\n{body}"
        citations = [_citation(by_doc[doc]) for doc in checked.cited]
        answer = extractive.model_copy(update={"text": body, "citations": citations, "confidence": round(confidence, 3)})
        answer._evidence = evidence
        return answer

    def _answer(self, question: str, history: list[Turn], tenant: str | None) -> Answer:
        retriever = self.retriever()
        users = [t.content for t in history if t.role == "user"]
        replies = [t.content for t in history if t.role == "assistant"]
        resolved = resolve(question, users, replies) if users else question
        mentions = find_ids(resolved)
        vector = retriever.embed(resolved)
        best_similarity = float(retriever.similarities(vector).max()) if len(retriever) else 0.0
        intent = route(resolved, mentions, best_similarity, company=bool(tenant))
        if intent == "lookup" and tenant and not mentions and self.company_match(resolved, vector, tenant):
            intent = "company"  # "rpo?" with a tenant: its own approved answer comes first
        if intent == "manipulation":
            return self._manipulation(question, history, tenant)
        if intent not in ("unknown_id",) and self._continues_decision(question, users, replies):
            intent = "decide"
        if intent == "unknown_id":
            return self._unknown(mentions)
        if intent == "out_of_scope":
            return Answer(text=f"That is outside what I can help with. {SCOPE_NOTE}", confidence=1.0,
                          refused=True, route="out_of_scope")
        if intent == "company":
            return self._company(resolved, retriever, vector, tenant)
        if intent == "decide":
            return self._decide(resolved, users, retriever)
        if intent == "crosswalk":
            answer = self._crosswalk(resolved, mentions, retriever, vector)
            if answer is not None:
                return answer
        if intent == "compare":
            return self._compare(resolved, retriever, vector)
        pin = [doc for m in mentions for doc in m.documents]
        frameworks = None if pin else frameworks_asked(resolved)
        evidence = retriever.search(resolved, k=self.settings.top_k, pin=pin, vector=vector, frameworks=frameworks)
        if not mentions:
            aspect = self._framework_aspect(resolved, retriever, evidence)
            if aspect is not None:
                return aspect
        return self._from_evidence(resolved, evidence, intent, unknown=[m for m in mentions if not m.exists])

    def _framework_aspect(self, question: str, retriever: Retriever, evidence: list[Evidence]) -> Answer | None:
        """"How long does SOC 2 take?": one framework, one aspect: its side of the comparison first."""
        named = [f for f, pattern in (("soc2", SOC2_NAME), ("iso27001", ISO_NAME)) if pattern.search(question)]
        advisor = Advisor.load()
        aspects = [a for a in advisor.aspects(question) if a in SINGLE_ASPECTS]
        if len(named) != 1 or not aspects or not evidence:
            return None
        row = advisor.comparison_row(aspects[0])
        # "how often is training needed for SOC 2?" is about training, not about SOC 2's renewal
        about_framework = evidence[0].doc_id in row["cite"] + ASPECT_GUIDANCE
        if not about_framework and len(_topic_words(question, row["match"])) > 1:
            return None
        label = {"soc2": "SOC 2", "iso27001": "ISO/IEC 27001"}[named[0]]
        draft = Draft()
        draft.add(f"{label}, {row['aspect'][0].lower()}{row['aspect'][1:]}: {row[named[0]]}", row["cite"][0])
        for sentence, doc in compose(question, evidence, max_points=3).lines:
            draft.add(sentence, doc)
        extra = [ev for doc in row["cite"] for ev in retriever.chunks_of(doc)]
        return self._finish(draft, extra + evidence, "lookup")

    # --- routes ----------------------------------------------------------------------

    def _manipulation(self, question: str, history: list[Turn], tenant: str | None) -> Answer:
        """Never obey; answer the legitimate part of the message if there is one."""
        rest = legitimate_part(question)
        if rest and route(rest, find_ids(rest), 1.0) not in ("manipulation", "out_of_scope"):
            try:
                inner = self._answer(validate(rest), history, tenant)
            except InvalidQuestion:
                inner = None
            if inner is not None and not inner.refused:
                text = f"{MANIPULATION_PARTIAL}\n\n{inner.text}"
                return inner.model_copy(update={"text": text, "refused": True, "route": "manipulation"})
        return Answer(text=MANIPULATION_NOTE, confidence=1.0, refused=True, route="manipulation")

    def _continues_decision(self, question: str, users: list[str], replies: list[str]) -> bool:
        """New facts, or a request for a table or roadmap, in a conversation that is choosing a framework."""
        if not replies or find_ids(question):
            return False
        advisor = Advisor.load()
        if advisor.is_clarifying_question(replies[-1]):
            return True
        deciding = any(r.startswith("Recommendation:") or advisor.is_clarifying_question(r) for r in replies[-3:])
        deciding = deciding or "decide" in [route(u, find_ids(u), 1.0) for u in users[-2:]]
        if not deciding:
            return False
        wants_more = bool(TABLE.search(question) or ROADMAP.search(question))
        return wants_more or bool(advisor.profile([question]).model_dump(exclude_defaults=True))

    def _decide(self, question: str, users: list[str], retriever: Retriever) -> Answer:
        advisor = Advisor.load()
        profile = advisor.profile(users + [question])
        advice = advisor.advise(profile)
        if advice.clarify:
            return Answer(text=advice.clarify, confidence=1.0, route="clarify")
        draft = Draft()
        draft.add(advice.headline(), None)
        for reason, cite in advice.reasons[:MAX_REASONS]:
            draft.add(reason, cite)
        if TABLE.search(question):
            table, cites = advisor.comparison_table()
            draft.blocks.append(table)
            draft.extra_cites.extend(cites)
        if ROADMAP.search(question):
            plan, cites = advisor.roadmap(advice.order or ["soc2"])
            draft.blocks.append(plan)
            draft.extra_cites.extend(cites)
        evidence = [ev for doc in dict.fromkeys(draft.cited) for ev in retriever.chunks_of(doc)]
        return self._finish(draft, evidence, "decide", recommendation=advice.recommendation)

    def _compare(self, question: str, retriever: Retriever, vector) -> Answer:
        """SOC 2 vs ISO 27001 on an aspect: the comparison row first, then the best guidance."""
        advisor = Advisor.load()
        aspects = advisor.aspects(question)
        evidence = retriever.search(question, k=self.settings.top_k, vector=vector, frameworks=("guidance",))
        if TABLE.search(question) or not aspects:
            if TABLE.search(question):
                draft = compose(question, evidence, max_points=2)
                table, cites = advisor.comparison_table(aspects or None)
                draft.blocks.append(table)
                draft.extra_cites.extend(cites)
                extra = [ev for doc in cites for ev in retriever.chunks_of(doc)]
                return self._finish(draft, evidence + extra, "compare")
            return self._from_evidence(question, evidence, "compare")
        draft = Draft()
        extra: list[Evidence] = []
        for key in aspects[:2]:
            row = advisor.comparison_row(key)
            cite = row["cite"][0]
            draft.add(f"{row['aspect']}: SOC 2: {row['soc2']}; ISO/IEC 27001: {row['iso27001']}", cite)
            extra += [ev for doc in row["cite"] for ev in retriever.chunks_of(doc)]
        more = compose(question, evidence, max_points=2)
        for sentence, doc in more.lines:
            # supporting points must speak to the question, not to another aspect of the same guidance
            if best_overlap(question, sentence) > 0 and not any(sentence == s for s, _ in draft.lines):
                draft.add(sentence, doc)
        return self._finish(draft, extra + evidence, "compare")

    def _crosswalk(self, question: str, mentions: list[Mention], retriever: Retriever, vector) -> Answer | None:
        """Mappings from corpus/crosswalk only, with strength, citing both sides."""
        sources = [doc for m in mentions if m.exists for doc in m.documents]
        if not sources:
            top = retriever.search(question, k=3, vector=vector, frameworks=frameworks_asked(question) or ("soc2", "iso27001"))
            sources = [top[0].doc_id] if top else []
        crosswalk = self.crosswalk()
        draft = Draft()
        evidence: list[Evidence] = []
        for source in sources[:3]:
            pairs = crosswalk.counterparts(source)
            if not pairs:
                continue
            own = retriever.chunks_of(source)
            evidence += own
            draft.add(_mapping_sentence(source, pairs), source)
        if not draft.lines:
            return None
        targets = list(dict.fromkeys(t for s in sources[:3] for t, strength in crosswalk.counterparts(s) if strength == "equivalent"))
        targets += [t for s in sources[:1] for t, _ in crosswalk.counterparts(s) if t not in targets]
        for target in targets[:3]:
            chunks = retriever.chunks_of(target)
            lead = next((ev for ev in chunks if ev.is_lead), None)
            if lead is None:
                continue
            first = sentences(lead.text)[0]
            draft.add(first, target)
            evidence += chunks
        return self._finish(draft, evidence, "crosswalk")

    def crosswalk(self) -> Crosswalk:
        if self._crosswalk_data is None:
            self._crosswalk_data = Crosswalk.load(self.settings.corpus_dir / "crosswalk" / "soc2-iso27001.yaml")
        return self._crosswalk_data

    def _from_evidence(self, question: str, evidence: list[Evidence], intent: str, *,
                       preface: Sequence[str] = (), unknown: Sequence[Mention] = ()) -> Answer:
        draft = compose(question, evidence)
        draft.preface.extend(_unknown_sentence(m) for m in unknown)
        draft.preface.extend(preface)
        return self._finish(draft, evidence, intent)

    def _finish(self, draft: Draft, evidence: list[Evidence], intent: str, **extra) -> Answer:
        by_doc: dict[str, list[Evidence]] = {}
        for ev in evidence:
            by_doc.setdefault(ev.doc_id, []).append(ev)
        texts = {doc: " ".join(e.text for e in evs) for doc, evs in by_doc.items()}
        support = judge.support(draft.lines, texts)
        pinned = any(e.pinned for e in evidence)
        best = max((e.similarity for e in evidence), default=0.0)
        confidence = judge.confidence(best, pinned, support) if draft.lines else 0.0
        if draft.lines and confidence < judge.LOW_CONFIDENCE:
            draft.preface.insert(0, LOW_CONFIDENCE_NOTE)
        if not draft.lines:
            draft.preface.append("I could not find anything in the corpus that answers this.")
        citations = [_citation(by_doc[doc]) for doc in draft.cited if doc in by_doc]
        answer = Answer(text=draft.render(), citations=citations, confidence=confidence, route=intent, **extra)
        answer._evidence = evidence
        return answer

    def _unknown(self, mentions: list[Mention]) -> Answer:
        text = " ".join(_unknown_sentence(m) for m in mentions)
        return Answer(text=text, confidence=1.0, route="unknown_id")

    def _company(self, question: str, retriever: Retriever, vector, tenant: str | None) -> Answer:
        """A question about the user's own organisation: only its approved material may answer."""
        standards = retriever.search(question, k=self.settings.top_k, vector=vector,
                                     frameworks=("soc2", "iso27001", "guidance"))
        own = self._company_evidence(question, vector, tenant)
        if own:
            draft = compose(question, own, max_points=2, specific=True)
            if draft.lines and _answers(question, draft.lines[0][0], own):
                _quote_approved_answer_whole(draft, own)
                ref = compose(question, standards, max_points=0)
                if ref.lines:
                    draft.add("For reference: " + ref.lines[0][0], ref.lines[0][1])
                return self._finish(draft, own + standards, "company")
        draft = compose(question, standards, max_points=1)
        draft.preface.append(NO_COMPANY_NOTE if not tenant else
                             f"I found no approved answer for this in {tenant}'s documents, and I won't guess a company fact.")
        if draft.lines:
            draft.lines[0] = ("What the standards expect: " + draft.lines[0][0], draft.lines[0][1])
        answer = self._finish(draft, standards, "company")
        return answer.model_copy(update={"confidence": min(answer.confidence, 0.4)})

    def _company_evidence(self, question: str, vector, tenant: str | None) -> list[Evidence]:
        if not tenant:
            return []
        try:
            company = self.retriever(company_index(tenant))
        except IndexMissing:
            return []
        return company.search(question, k=self.settings.top_k, vector=vector)

    def company_match(self, question: str, vector, tenant: str | None) -> bool:
        """Does the tenant's material answer this question? (used to route "what is your RPO?")"""
        own = self._company_evidence(question, vector, tenant)
        if not own:
            return False
        draft = compose(question, own, max_points=0, specific=True)
        return bool(draft.lines) and _answers(question, draft.lines[0][0], own)

# Company material answers a question when it is very close in meaning, or close and sharing its words.
COMPANY_SIMILARITY_ALONE = 0.55
COMPANY_SIMILARITY = 0.40
COMPANY_OVERLAP = 0.30


def _quote_approved_answer_whole(draft: Draft, evidence: list[Evidence]) -> None:
    """An approved answer was approved as a whole: when one leads, the rest of it follows, before other points."""
    first, doc = draft.lines[0]
    row = next((e for e in evidence if e.doc_id == doc and e.section == APPROVED_ANSWER), None)
    if row is None:
        return
    rest = [s for s in sentences(row.text) if s != first and not any(s == line for line, _ in draft.lines)]
    draft.lines[1:1] = [(s, doc) for s in rest]


def _answers(question: str, sentence: str, evidence: list[Evidence]) -> bool:
    similarity = max((e.similarity for e in evidence), default=0.0)
    if similarity >= COMPANY_SIMILARITY_ALONE:
        return True
    return similarity >= COMPANY_SIMILARITY and best_overlap(question, sentence) >= COMPANY_OVERLAP


def _topic_words(question: str, aspect_pattern: str) -> set[str]:
    """What a question is about once the framework's name and the aspect's own words are set aside."""
    rest = re.sub(aspect_pattern, " ", question, flags=re.I)
    rest = re.sub(r"(?i)\bsoc ?2\b|\biso(/iec)?\b|\b27001\b|\b(report|reports|audit|audits|type [12])\b", " ", rest)
    return set(terms(rest)) - GENERIC


def _tagged_sentences(text: str) -> list[tuple[str, str | None]]:
    """(sentence, cited id) pairs of a phrased answer; untagged sentences carry None."""
    pairs = []
    for sentence in sentences(text):
        tags = re.findall(r"\[([^\[\]]+)\]", sentence)
        pairs.append((re.sub(r"\s*\[[^\[\]]+\]", "", sentence), tags[-1] if tags else None))
    return pairs


def _mapping_sentence(source: str, pairs: list[tuple[str, str]]) -> str:
    entry = CATALOG[source]
    other = "ISO/IEC 27001:2022" if entry.framework == "soc2" else "SOC 2"
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


def _unknown_sentence(m: Mention) -> str:
    name = {"soc2": "SOC 2", "iso27001": "ISO/IEC 27001:2022"}[m.framework]
    return f"{m.id} does not exist in {name}: {m.note}."


def _citation(evidence: list[Evidence]) -> Citation:
    first = evidence[0]
    score = 1.0 if first.pinned else max(0.0, min(1.0, max(e.similarity for e in evidence)))
    return Citation(id=first.doc_id, framework=first.framework, title=first.title,
                    source=first.source, score=round(score, 3))
