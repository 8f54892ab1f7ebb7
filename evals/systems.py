"""The systems an evaluation compares: trustdesk itself and two plain-RAG baselines.

Every system answers with the same `Answer` model and reports its ranked
documents, so one set of metrics scores them all. The baselines share the
corpus, the index, the model and the extractive composer; what they lack is
exactly trustdesk's design: hybrid fusion, ID pinning, routing, follow-ups,
the advisor and the crosswalk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot import judge
from bot.compose import compose
from bot.conversation import Conversation
from bot.engine import Assistant
from bot.errors import IndexMissing
from bot.finish import finish, tagged_sentences
from bot.models import Answer
from bot.retrieve import Evidence, Retriever
from ingest.store import company_index


@dataclass
class Reply:
    answer: Answer
    ranked: list[str]  # documents in the order the system ranked them
    evidence: dict[str, str] = field(default_factory=dict)  # doc id -> text the answer could draw on
    latency_ms: float = 0.0


def _ranked(answer: Answer, evidence: list[Evidence]) -> list[str]:
    order = list(answer.cited_ids)
    order += [ev.doc_id for ev in evidence if ev.doc_id not in order]
    return list(dict.fromkeys(order))


def _texts(evidence: list[Evidence]) -> dict[str, str]:
    texts: dict[str, list[str]] = {}
    for ev in evidence:
        texts.setdefault(ev.doc_id, []).append(ev.text)
    return {doc: " ".join(parts) for doc, parts in texts.items()}


class TrustdeskSystem:
    name = "trustdesk"

    def __init__(self, assistant: Assistant):
        self.assistant = assistant

    def reply(self, messages: list[str], tenant: str | None) -> Reply:
        conversation = Conversation()
        for message in messages[:-1]:
            conversation.add(message, self.assistant.ask(message, conversation, tenant=tenant))
        started = time.perf_counter()
        answer = self.assistant.ask(messages[-1], conversation, tenant=tenant)
        latency = (time.perf_counter() - started) * 1000
        return Reply(answer, _ranked(answer, answer._evidence), _texts(answer._evidence), latency)


class BaselineSystem:
    """Plain RAG: one retriever (dense or BM25), top-k chunks, the extractive composer. No routing."""

    def __init__(self, assistant: Assistant, mode: str, k: int = 6):
        if mode not in ("dense", "bm25"):
            raise ValueError(f"baseline mode must be 'dense' or 'bm25', got {mode!r}")
        self.assistant = assistant
        self.mode = mode
        self.name = mode
        self.k = k

    def _retriever(self, tenant: str | None) -> Retriever:
        if tenant:
            try:
                return self.assistant.retriever(company_index(tenant))
            except IndexMissing:
                pass
        return self.assistant.retriever()

    def reply(self, messages: list[str], tenant: str | None) -> Reply:
        question = messages[-1]  # a plain pipeline has no memory of earlier turns
        started = time.perf_counter()
        retriever = self._retriever(tenant)
        evidence = retriever.top_chunks(question, k=self.k, mode=self.mode)
        draft = compose(question, evidence)
        draft.evidence = evidence
        answer = finish(draft, route="lookup")  # the product's own finishing step: no drift
        texts = _texts(evidence)
        latency = (time.perf_counter() - started) * 1000
        answer.latency_ms = round(latency, 1)
        return Reply(answer, _ranked(answer, evidence), texts, latency)


def groundedness(reply: Reply) -> float | None:
    """Share of the answer's cited sentences supported by the evidence of the document they cite."""
    lines = [(s, d) for s, d in tagged_sentences(reply.answer.text) if d]
    if not lines:
        return None
    return judge.support(lines, reply.evidence)
