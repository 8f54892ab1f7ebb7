"""The engine: one question in, one cited `Answer` out. Every surface calls this.

A short pipeline: validate -> understand (`bot.understand`) -> route (one module
per intent under `bot.routes`) -> finish (`bot.finish`) -> optional LLM phrasing.

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
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from bot import logs
from bot.compose import APPROVED_ANSWER, Draft, compose
from bot.config import Settings
from bot.conversation import Conversation
from bot.errors import IndexMissing, InvalidQuestion, LLMUnavailable, StoreUnavailable
from bot.finish import finish, rephrased
from bot.glossary import expand
from bot.intent import IntentModel, load_model
from bot.manipulation import is_manipulation
from bot.models import MAX_QUESTION_CHARS, Answer, Turn, TurnMeta
from bot.retrieve import Evidence, Retriever
from bot.routes import ROUTES, Kit
from bot.routes.company import (COMPANY_SIMILARITY, COMPANY_SIMILARITY_ALONE, NEAR_QUESTION, QUESTIONNAIRE_ROW, SAME_QUESTION, answers,
                                other_party, other_standard, source_policy)
from bot.subject import addressed
from bot.text import terms
from bot.understand import Signals, Understanding, understand
from ingest.crosswalk import Crosswalk
from ingest.embed import query_embedder
from ingest.store import STANDARDS, Store, company_index

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from bot.llm import Phraser

log = logging.getLogger("trustdesk.engine")
PHRASED_ROUTES = {"lookup", "compare", "crosswalk", "decide", "company"}
LLM_FALLBACK_NOTE = "The language model was unavailable, so this answer is quoted directly from the sources."
# C0 and C1 control characters (tab and newlines are fine), and the bidirectional embeddings, overrides and
# isolates that can make a question display differently from what it says ("Trojan Source")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
RELOAD_CHECK_SECONDS = 2.0
SHORT_QUESTION_TERMS = 6  # a company question this short is embedded with its abbreviations spelled out
IGNORED_NOTE = ("I ignored an instruction inside the pasted text that told me what to write: answers come from the "
                "evidence only.")


def validate(question: str) -> str:
    """The question, stripped; raises InvalidQuestion with the reason it cannot be asked."""
    if not isinstance(question, str):
        raise InvalidQuestion("the question must be text")
    text = question.strip()
    if not text:
        raise InvalidQuestion("the question is empty: type a question about SOC 2 or ISO 27001")
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(f"the question is {len(text):,} characters long; the limit is {MAX_QUESTION_CHARS:,}: "
                              "ask the question itself and leave out pasted material")
    if _SURROGATE.search(text):
        raise InvalidQuestion("the question contains broken characters (unpaired UTF-16 surrogates, from a bad copy "
                              "or encoding): paste it again as plain text")
    if _CONTROL.search(text):
        raise InvalidQuestion("the question contains control characters; remove them and ask again")
    if not any(ch.isalnum() for ch in text):
        raise InvalidQuestion("the question has no words, only punctuation, symbols or emoji: "
                              "type a question about SOC 2 or ISO 27001")
    return text


def check_tenant(tenant: str | None) -> None:
    """A tenant name is checked where it enters, whatever the question (InvalidTenant says what is allowed)."""
    if tenant is not None:
        company_index(tenant)


def _ms(start: float, end: float) -> float:
    return round((end - start) * 1000, 1)


def answered_fields(answer: Answer, tenant: str | None) -> dict:
    """What the log says about an answer: enough to find it and judge it, none of its text."""
    return {"answer_id": answer.id, "route": answer.route, "tier": answer.tier, "confidence": answer.confidence,
            "citations": answer.cited_ids[:10], "refused": answer.refused, "needs_review": answer.needs_review,
            "tenant": tenant, "latency_ms": answer.latency_ms}


SCHEME_ENTRIES = 5  # the entries ranked first whose own question may name the scheme asked about
_SCHEME = re.compile(r"(?i)\b(pci(?:\s*dss)?|hitrust|fedramp|stateramp|tisax|cyber essentials|csa\s*star|c5|irap|ismap|cmmc|"
                     r"soc\s*1|soc\s*3|hipaa|iso(?:/iec)?\s*(?:42001|27701|27017|27018|22301|9001|20000))\b")


def _schemes(text: str) -> set[str]:
    """The other schemes a text names, spelled one way ("PCI DSS" and "pci" are one scheme)."""
    return {re.sub(r"[^a-z0-9]", "", m.lower()).replace("dss", "").replace("iec", "") for m in _SCHEME.findall(text)}


AGREED_SIMILARITY = 0.45  # an entry both rankings put first leads from this closeness (COMPANY_SIMILARITY_ALONE alone)


class Assistant:
    """Answers questions from the published index. Heavy parts load on first use, once."""

    def __init__(self, settings: Settings | None = None, *, store: Store | None = None,
                 llm: "BaseChatModel | None" = None):
        self.settings = settings or Settings()
        self.store = store or Store(self.settings.data_dir, self.settings.chroma_url)
        self._llm = llm
        # the standards retriever stays; tenants' retrievers are kept most-recently-used first, up to a bound
        self._retrievers: OrderedDict[str, Retriever] = OrderedDict()
        self._checked: dict[str, float] = {}
        self._checking: set[str] = set()  # indexes one thread is checking against the store right now
        self._loading: dict[str, threading.Lock] = {}  # one per index ever asked: its first load happens once
        self._lock = threading.Lock()
        self._crosswalk: Crosswalk | None = None
        self._intents: IntentModel | None = None

    # --- loading -------------------------------------------------------------

    def retriever(self, index: str = STANDARDS) -> Retriever:
        """The retriever of an index, reloaded when a newer generation is published.

        The store is asked at most every RELOAD_CHECK_SECONDS per index, by one thread and outside the engine's
        lock: the others keep answering from the generation in memory meanwhile (against a server a check is a
        few round trips, and under load a convoy behind it cost seconds per question). An index not in memory
        yet is loaded once, its other askers waiting for that load only.
        """
        with self._lock:
            current = self._retrievers.get(index)
            if current is not None:
                due = time.monotonic() - self._checked.get(index, 0.0) >= RELOAD_CHECK_SECONDS
                if not due or index in self._checking:
                    self._retrievers.move_to_end(index)
                    return current
                self._checking.add(index)
            loading = self._loading.setdefault(index, threading.Lock())
        if current is not None:
            try:
                return self._refresh(index, current)
            finally:
                with self._lock:
                    self._checking.discard(index)
        with loading:
            with self._lock:
                current = self._retrievers.get(index)
            return current if current is not None else self._refresh(index, None)

    def _refresh(self, index: str, current: Retriever | None) -> Retriever:
        """Ask the store for the index's published generation; load it if it is not the one in memory."""
        try:
            published = self.store.require(index)
        except StoreUnavailable as exc:
            if current is None:
                raise
            # the server is down or restarting: keep answering from the generation already in memory
            log.warning("cannot check %s for a newer generation (%s); serving %s", index, exc,
                        current.collection_name)
            published = None
        if published is not None and (current is None or current.collection_name != published.collection):
            current = Retriever(self.store, index, published)
        with self._lock:
            self._retrievers[index] = current
            self._checked[index] = time.monotonic()
            self._retrievers.move_to_end(index)
            tenants = [name for name in self._retrievers if name != STANDARDS]
            for name in tenants[: max(0, len(tenants) - self.settings.max_cached_tenants)]:
                del self._retrievers[name]  # least recently used: reloaded from the store when asked again
                self._checked.pop(name, None)
        return current

    @property
    def loaded(self) -> list[str]:
        """The indexes whose retrievers this process holds in memory, least recently used first."""
        with self._lock:
            return list(self._retrievers)

    @property
    def intents(self) -> IntentModel:
        if self._intents is None:
            self._intents = load_model(query_embedder().encode, self.settings.data_dir)
        return self._intents

    @property
    def crosswalk(self) -> Crosswalk:
        if self._crosswalk is None:
            self._crosswalk = Crosswalk.load(self.settings.corpus_dir / "crosswalk" / "soc2-iso27001.yaml")
        return self._crosswalk

    def warm(self) -> None:
        """Load the model, the index and the classifier now rather than on the first question."""
        self.retriever().embed("warm up")
        _ = self.intents

    # --- answering -----------------------------------------------------------

    def ask(self, question: str, history: "Conversation | Sequence[Turn | dict]" = (),
            tenant: str | None = None) -> Answer:
        """Answer one question; `history` is the conversation so far (oldest first).

        Its log lines carry the surface's request id (`bot.logs.request`), or a new one.
        """
        final = None
        with logs.request(logs.current()):
            for item in self.stream(question, history, tenant):
                if isinstance(item, Answer):
                    final = item
        return final

    def stream(self, question: str, history: "Conversation | Sequence[Turn | dict]" = (),
               tenant: str | None = None) -> Iterator[str | Answer]:
        """Yield the answer's text as it is written, then the final `Answer`.

        With an LLM the text arrives token by token and the final Answer carries the checked
        text (invented citations removed); surfaces should show the final Answer's text.
        """
        started = time.perf_counter()
        try:
            text = validate(question)
        except InvalidQuestion as exc:
            log.info("question not asked: %s", exc, extra={"tenant": tenant})
            raise
        check_tenant(tenant)
        conversation = Conversation.of(history).trimmed()
        log.info("question", extra={**logs.question_fields(text), "tenant": tenant, "turns": len(conversation.turns)})
        answer = self.answer(text, conversation, tenant)
        phraser = self.phraser() if answer.citations and answer.route in PHRASED_ROUTES else None
        if phraser is None:
            yield answer.text
        else:
            answer = yield from self._phrase(phraser, text, answer)
        answer = answer.model_copy(update={"latency_ms": round((time.perf_counter() - started) * 1000, 1)})
        log.info("answered", extra=answered_fields(answer, tenant))
        yield answer

    def understand(self, question: str, conversation: Conversation, tenant: str | None) -> Understanding:
        retriever = self.retriever()
        signals = Signals(embed=retriever.embed, similarity=retriever.best_similarity, intents=self.intents,
                          company_answers=self.company_match, names_topic=retriever.names_topic,
                          item_vector=retriever.lead_vector)
        return understand(question, conversation, tenant, signals)

    def answer(self, question: str, conversation: Conversation, tenant: str | None) -> Answer:
        """understand -> route -> finish, without LLM phrasing."""
        started = time.perf_counter()
        u = self.understand(question, conversation, tenant)
        understood = time.perf_counter()
        draft = ROUTES[u.intent](u, self._kit(u))
        if u.ignored:
            draft.preface.insert(0, IGNORED_NOTE)
        route = "clarify" if draft.ask_back and draft.recommendation is None and u.intent == "decide" else u.intent
        answer = finish(draft, route=route, scope=u.scope)
        log.debug("routed %r to %s (%s)", question, u.intent, u.reason)
        log.info("routed to %s", route, extra={"route": route, "intent": u.intent, "reason": u.reason,
                                               "understand_ms": _ms(started, understood),
                                               "route_ms": _ms(understood, time.perf_counter())})
        answer._meta = TurnMeta(resolved=u.resolved, route=route, cited=answer.cited_ids,
                                recommendation=answer.recommendation)
        return answer

    def _kit(self, u: Understanding) -> Kit:
        def answer_rest(rest: str) -> Draft | None:
            try:
                inner = self.understand(validate(rest), u.conversation, u.tenant)
            except InvalidQuestion:
                return None
            if inner.intent in ("manipulation", "out_of_scope"):
                return None
            return ROUTES[inner.intent](inner, self._kit(inner))

        return Kit(self.retriever(), self.settings, self.crosswalk, self.company_evidence, answer_rest)

    def answer_for_company(self, question: str, tenant: str | None) -> Answer:
        """Answer a question put to the company (a questionnaire row): the company route, whatever the wording.

        A questionnaire row always asks about the vendor, even when it reads like a standards question
        ("Describe your access review process", "Please confirm that ..."), so intent classification is skipped;
        instructions aimed at the assistant (hard manipulation markers) and control characters are still refused.
        """
        started = time.perf_counter()
        text = validate(question)
        check_tenant(tenant)
        log.info("questionnaire row", extra={**logs.question_fields(text), "tenant": tenant})
        u = self.understand(text, Conversation(), tenant)
        # "Please confirm that all data is encrypted" is a question about the company, whatever the classifier
        # thinks of its imperative mood: only a hard marker, or a row that is nothing but an instruction planted
        # for the assistant, is refused
        planted_only = u.intent == "manipulation" and u.reason.startswith("an instruction planted")
        if is_manipulation(text) or planted_only:
            u.intent, u.reason = "manipulation", u.reason if planted_only else "manipulation marker"
        else:
            u.intent, u.reason = "company", QUESTIONNAIRE_ROW
        draft = ROUTES[u.intent](u, self._kit(u))
        if u.ignored:
            draft.preface.insert(0, IGNORED_NOTE)
        answer = finish(draft, route=u.intent, scope=u.scope)
        answer._meta = TurnMeta(resolved=u.resolved, route=u.intent, cited=answer.cited_ids,
                                recommendation=answer.recommendation)
        log.info("answered", extra={**answered_fields(answer, tenant), "latency_ms": _ms(started, time.perf_counter())})
        return answer

    # --- the tenant's own material ----------------------------------------------

    def company_evidence(self, question: str, vector: np.ndarray, tenant: str | None) -> list[Evidence]:
        if not tenant:
            return []
        try:
            company = self.retriever(company_index(tenant))
        except IndexMissing:
            return []
        # the keyword query names each abbreviation's spelled-out term too, and each term's abbreviation (glossary);
        # so does the meaning of a short question, which an abbreviation dominates: MiniLM reads "and a DPO?" poorly
        # and "data protection officer" well (a longer row keeps its own vector: its other words carry it)
        asked = addressed(question, tenant)  # "does Northwind encrypt ...?" asks "do you encrypt ...?"
        if asked != question:
            question, vector = asked, company.embed(asked)
        expanded = expand(question)
        if expanded != question and len(terms(question)) <= SHORT_QUESTION_TERMS:
            vector = company.embed(expanded)
        found = company.search(expanded, k=self.settings.top_k, vector=vector)
        # an approved answer whose own question is a paraphrase of this one counts as close as that paraphrase;
        # one whose question is near (a looser bar) is as close as its question when that beats its answer text,
        # and so are near entries retrieval left out ("how long do you keep backups?" / "backup retention period?")
        near = {e.chunk_id: e for e in company.same_questions(vector, NEAR_QUESTION)}
        same = [e for e in near.values() if e.similarity >= SAME_QUESTION]
        paraphrases = {e.chunk_id for e in same}
        found = same + [e for e in found if e.chunk_id not in paraphrases]
        found = [replace(e, similarity=near[e.chunk_id].similarity)
                 if e.chunk_id in near and near[e.chunk_id].similarity > e.similarity else e for e in found]
        taken = {e.chunk_id for e in found}
        found += [e for e in near.values() if e.chunk_id not in taken]
        # the approved entry that ranks first among the entries alone, close enough to answer, is the lead candidate
        # ("how do engineers access production?" -> "How do administrators reach production servers?", which the
        # network policy's chunks had crowded out of the first eight documents)
        alone = company.approved_ranking(expanded, vector, k=SCHEME_ENTRIES)  # the entries ranked alone, once
        best = next(iter(alone), None)
        if (best is not None and best.similarity >= COMPANY_SIMILARITY and best.chunk_id not in taken
                and not any(e.section == APPROVED_ANSWER for e in found)):
            found = [best] + found
            taken.add(best.chunk_id)
        first = next((e for e in found if e.section == APPROVED_ANSWER), None)
        if (best is not None and first is not None and first.chunk_id == best.chunk_id
                and best.similarity >= AGREED_SIMILARITY):
            # both rankings put the same entry first among the entries: it outranks the policies' paragraphs
            # ("please confirm data in transit is encrypted with TLS 1.2" -> "Is data encrypted in transit?")
            found = [first] + [e for e in found if e.chunk_id != first.chunk_id]
            paraphrases.add(first.chunk_id)
        # an entry that names the scheme asked about ("are we PCI DSS compliant?" -> "Do you hold
        # HITRUST, PCI DSS or FedRAMP?") answers it, however far its other words are
        schemes = _schemes(question)
        if schemes:
            named = [e for e in alone if schemes & _schemes(f"{e.title} {e.text}")]
            for entry in reversed(named):
                entry = replace(entry, similarity=max(entry.similarity, SAME_QUESTION))  # as close as a paraphrase
                found = [entry] + [e for e in found if e.chunk_id != entry.chunk_id]
                paraphrases.add(entry.chunk_id)
        # "are you ISO 27001 certified?": an entry about ISO 42001 is close in words and wrong in substance (its own
        # question counts: "are we ISO 27701 certified?" is not answered by the scope of the ISO 27001 audit)
        found = [e for e in found if not other_standard(question, f"{e.title} {e.text}")]
        # an approved library answer that matches the question outranks the raw documents, a paraphrase first; among
        # the rest retrieval's order stands (ranked by closeness alone, 4 more blind rows found their entry and 5
        # rows with no entry got a wrong one)
        # ... and an entry about someone else's people or business than the question's goes last ("can our people log
        # in with our Okta?" is not answered by "do you support SSO for your employees?")
        found = sorted(found, key=lambda e: (e.section == APPROVED_ANSWER and other_party(question, e.title),
                                             not (e.section == APPROVED_ANSWER and e.similarity >= COMPANY_SIMILARITY_ALONE),
                                             e.chunk_id not in paraphrases))
        # the policy the leading approved answer was written from, so an answer can cite where its words come from
        policy = source_policy(found[0]) if found else None
        if policy and policy not in {e.doc_id for e in found}:
            found += [replace(e, pinned=False) for e in company.chunks_of(policy)]
        return found

    def company_match(self, question: str, vector: np.ndarray, tenant: str | None) -> bool:
        """Does the tenant's material answer this question? (routes "what is your RPO?")"""
        own = self.company_evidence(question, vector, tenant)
        if not own:
            return False
        draft = compose(question, own, max_points=0, specific=True)
        return bool(draft.lines) and answers(question, draft.lines[0][0], own, self.retriever().embed, vector)

    # --- optional LLM phrasing -----------------------------------------------------

    def phraser(self) -> "Phraser | None":
        """The LLM phraser, if one is configured (TRUSTDESK_LLM or an injected chat model)."""
        if self._llm is None and not self.settings.llm:
            return None  # the extractive default never imports LangChain's prompt machinery
        from bot.llm import Phraser, chat_model

        if self._llm is None:
            self._llm = chat_model(self.settings.llm, self.settings.llm_timeout)
        return Phraser(self._llm, self.settings.llm_timeout) if self._llm is not None else None

    def _phrase(self, phraser: "Phraser", question: str, answer: Answer):
        from bot.llm import check_citations, without_instructions

        parts: list[str] = []
        try:
            for delta in phraser.stream(question, answer._evidence, answer.text):
                parts.append(delta)
                yield delta
            text, instructions = without_instructions("".join(parts))
            if instructions:
                log.warning("dropped %d sentence(s) of the model's text that instruct rather than answer", instructions)
            checked = check_citations(text, {ev.doc_id for ev in answer._evidence})
            for ref in checked.dropped:
                log.warning("dropped citation %r: not among the retrieved evidence", ref)
            if not checked.cited:
                raise LLMUnavailable("the language model cited none of the evidence")
            return rephrased(answer, checked.text, checked.cited, [*checked.dropped, *instructions * ["instruction"]])
        except LLMUnavailable as exc:
            log.warning("falling back to the extractive answer: %s", exc)
            yield "\n\n" + LLM_FALLBACK_NOTE
            fallback = answer.model_copy(update={"text": f"{answer.text}\n\n_{LLM_FALLBACK_NOTE}_"})
            fallback._evidence, fallback._meta = answer._evidence, answer._meta
            return fallback
