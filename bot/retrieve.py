"""Hybrid retrieval: Chroma dense search, BM25 and labelled phrasings over the same chunks, fused with RRF.

An ID the question names pins its own document first. Results can be limited
to frameworks. The index is read once per published generation; BM25 is built
in memory from the same chunks Chroma holds, so the two can never disagree
about what exists.

>>> retriever = Retriever(Store(Path(".trustdesk")))              # doctest: +SKIP
>>> [e.doc_id for e in retriever.search("MFA for admins", k=3)]  # doctest: +SKIP
['CC6.1', 'A.8.5', 'A.5.17']
"""

from __future__ import annotations

from collections import OrderedDict

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import threading

import numpy as np
from rapidfuzz import fuzz, process

from bot import lexical
from bot.exemplars import Exemplars
from bot.lexical import Lexical
from bot.subject import addressed
from bot.text import terms
from ingest.embed import query_embedder
from ingest.generations import tenant_of
from ingest.schema import LEAD_SECTIONS
from ingest.store import STANDARDS, Published, Store

RRF_K = 60
FRAMEWORK_TERMS = frozenset(terms("soc 2 soc2 iso iec 27001 2022"))
CANDIDATES = 40
# a query term the index does not know, this long or longer, is read as the indexed term it is this close to (ratio)
TYPO_MIN_CHARS = 6
TYPO_SCORE = 85
MAX_CHUNKS_PER_DOC = 3


@dataclass(frozen=True)
class Evidence:
    """One retrieved chunk, with how it was found."""

    chunk_id: str
    doc_id: str
    framework: str
    kind: str
    title: str
    section: str
    text: str
    source: str
    position: int
    score: float  # fused RRF score (pinned chunks get a bonus on top)
    similarity: float  # cosine similarity of the question to this chunk
    pinned: bool = False

    @property
    def is_lead(self) -> bool:
        return self.section in LEAD_SECTIONS


_EMBEDDED: "OrderedDict[str, np.ndarray]" = OrderedDict()
_EMBEDDED_MAX = 4096  # texts; ~6 MB of vectors
APPROVED_SECTION = "Approved answer"  # the section of an approved library answer (bot.compose.APPROVED_ANSWER)
QUESTIONS_TAG = "approved-questions-2"  # 2: the vendor's name read as "you" (`bot.subject.addressed`)
_EMBEDDED_LOCK = threading.Lock()


def forget_embeddings() -> None:
    """Empty the remembered embeddings (benchmarks measure cold questions with it)."""
    with _EMBEDDED_LOCK:
        _EMBEDDED.clear()


def embed_texts(texts: list[str], batch_size: int = 32) -> list[np.ndarray]:
    """Unit-length embeddings of `texts`, batched and remembered (a bounded LRU): a questionnaire embeds its
    rows in a few batched calls up front, and a sentence met again costs nothing."""
    with _EMBEDDED_LOCK:
        missing = [t for t in dict.fromkeys(texts) if t not in _EMBEDDED]
    if missing:
        vectors = query_embedder().encode(missing, batch_size=batch_size)
        with _EMBEDDED_LOCK:
            for text, vector in zip(missing, vectors):
                _EMBEDDED[text] = vector
            while len(_EMBEDDED) > _EMBEDDED_MAX:
                _EMBEDDED.popitem(last=False)
    with _EMBEDDED_LOCK:
        found = []
        for text in texts:
            vector = _EMBEDDED.get(text)
            if vector is None:  # evicted by a concurrent caller between the two locks
                vector = query_embedder().encode([text])[0]
            else:
                _EMBEDDED.move_to_end(text)
            found.append(vector)
        return found


class Retriever:
    """Dense + BM25 retrieval over one published index."""

    def __init__(self, store: Store, index: str = STANDARDS, published: Published | None = None):
        self.store = store
        self.index = index
        published = published or store.require(index)
        self.collection_name = published.collection
        got = store.read_all(published)
        self.ids: list[str] = list(got["ids"])
        self.texts: list[str] = list(got["documents"])
        self.metas: list[dict] = [dict(m or {}) for m in got["metadatas"]]
        self.vectors = np.asarray(got["embeddings"], dtype=np.float32)
        self.by_doc: dict[str, list[int]] = {}
        for i, meta in enumerate(self.metas):
            self.by_doc.setdefault(meta.get("doc_id", ""), []).append(i)
        for rows in self.by_doc.values():
            rows.sort(key=lambda i: self.metas[i].get("position", 0))
        self.frameworks = np.array([m.get("framework", "") for m in self.metas])
        self._bm25 = self._lexical(published)
        self._topics = _topic_pattern(self.metas)
        self._published = published
        self._questions: tuple[np.ndarray, np.ndarray] | None = None
        self._spelled: dict[str, str] = {}  # a typo's closest indexed term, found once
        self._names: dict[str, list[str]] | None = None

    def _lexical(self, published: Published) -> Lexical:
        """The generation's BM25 index: the one a reader kept for it, or built (and kept for the next reader)."""
        kept = self.store.derived(published, lexical.tag())
        if kept is not None:
            try:
                index = Lexical.from_arrays(kept)
                if index.documents == len(self.ids):
                    return index
            except (ValueError, KeyError, TypeError):
                pass
        corpus = []
        for text, meta in zip(self.texts, self.metas):
            header = f"{meta.get('doc_id', '')} {meta.get('title', '')} {meta.get('aliases', '')} {meta.get('section', '')}"
            corpus.append(terms(header) + terms(header) + terms(text))  # the title and aliases count double
        index = Lexical.build(corpus)
        self.store.keep_derived(published, lexical.tag(), index.arrays())
        return index

    def defining(self, term: str) -> list[str]:
        """The documents a term is the name of: its title or one of its aliases ("ISMS", "CUECs", "bridge letter"),
        guidance first (it explains), then the standards' items."""
        if self._names is None:
            names: dict[str, list[str]] = {}
            for meta in self.metas:
                doc = meta.get("doc_id", "")
                for name in names_of(meta):
                    key = _term_key(name)
                    if key and doc not in names.setdefault(key, []):
                        names[key].append(doc)
            self._names = names
        docs = self._names.get(_term_key(term), [])
        return sorted(docs, key=lambda d: self.metas[self.by_doc[d][0]].get("framework") != "guidance")

    def names_topic(self, question: str) -> bool:
        """Does the question name a topic of this index by its title or an alias ("clear desk", "SoA")?"""
        return bool(self._topics and self._topics.search(question))

    def __len__(self) -> int:
        return len(self.ids)

    def docs(self) -> set[str]:
        return set(self.by_doc)

    def embed(self, text: str) -> np.ndarray:
        """The question's unit-length embedding (numpy MiniLM: no torch import at query time)."""
        return embed_texts([text])[0]

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of a (normalised) query vector to every chunk."""
        return self.vectors @ vector

    def best_similarity(self, vector: np.ndarray) -> float:
        return float(self.similarities(vector).max()) if len(self) else 0.0

    def dense_ranking(self, vector: np.ndarray, mask: np.ndarray, n: int) -> list[int]:
        """Exact nearest neighbours by cosine over the generation's vectors, within the allowed frameworks.

        The vectors are the ones Chroma stores (read once per generation); an exact scan of a few
        thousand 384-wide rows takes well under a millisecond, so no approximate index is needed here.
        """
        sims = np.where(mask, self.similarities(vector), -np.inf)
        order = np.argsort(-sims)[: min(n, int(mask.sum()))]
        return [int(i) for i in order]

    def bm25_ranking(self, question: str, mask: np.ndarray, n: int) -> list[int]:
        # Framework names appear everywhere; they say which collection, not which document.
        query = [self.spelled(t) for t in terms(question) if t not in FRAMEWORK_TERMS]
        if not query:
            return []
        scores = self._bm25.scores(query)
        scores = np.where(mask, scores, -1.0)
        order = np.argsort(-scores)[:n]
        return [int(i) for i in order if scores[i] > 0]

    def spelled(self, term: str) -> str:
        """A query term the index does not know, as the index's closest term when one is a likely typo of it
        ("awarness" -> "awareness", "encrpytion" -> "encryption"); otherwise the term itself."""
        vocabulary = self._bm25.vocabulary
        if term in vocabulary or len(term) < TYPO_MIN_CHARS or not term.isalpha():
            return term
        if term not in self._spelled:
            match = process.extractOne(term, vocabulary.keys(), scorer=fuzz.ratio, score_cutoff=TYPO_SCORE)
            # a stem that only ends differently ("categor" beside "categori") is another form, not a typo
            typo = match and not (match[0].startswith(term) or term.startswith(match[0]))
            self._spelled[term] = match[0] if typo else term
        return self._spelled[term]

    def exemplar_ranking(self, vector: np.ndarray, mask: np.ndarray, n: int) -> list[int]:
        """The lead chunks of the documents that the nearest labelled phrasings name (`bot.exemplars`)."""
        # the standards' items only: the phrasings name guidance rarely (a meta topic), and the framing rules own that
        allowed = {self.metas[i].get("doc_id", "") for i in np.flatnonzero(mask & (self.frameworks != "guidance"))}
        ranked = []
        for doc in Exemplars.load().votes(vector, allowed)[:n]:
            rows = self.by_doc.get(doc)
            if rows:
                ranked.append(next((i for i in rows if self._lead(i)), rows[0]))
        return ranked

    def mask(self, frameworks: Iterable[str] | None) -> np.ndarray:
        if not frameworks:
            return np.ones(len(self.ids), dtype=bool)
        return np.isin(self.frameworks, list(frameworks))

    def search(self, question: str, *, k: int = 8, frameworks: Sequence[str] | None = None,
               pin: Sequence[str] = (), vector: np.ndarray | None = None,
               mode: str = "hybrid") -> list[Evidence]:
        """Evidence from the `k` best documents for `question`; `pin`ned documents come first.

        `mode` is "hybrid" (the product), "dense" or "bm25" (baselines for evals).
        """
        if k <= 0:
            raise ValueError(f"k must be positive, got {k}")
        mask = self.mask(frameworks)
        if not mask.any():
            return []
        vector = self.embed(question) if vector is None else vector
        sims = self.similarities(vector)
        fused: dict[int, float] = {}
        rankings = []
        if mode in ("hybrid", "dense"):
            rankings.append(self.dense_ranking(vector, mask, CANDIDATES))
        if mode in ("hybrid", "bm25"):
            rankings.append(self.bm25_ranking(question, mask, CANDIDATES))
        if mode == "hybrid" and self.index == STANDARDS:
            rankings.append(self.exemplar_ranking(vector, mask, CANDIDATES))
        for ranking in rankings:
            for rank, i in enumerate(ranking):
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
        return self._by_document(fused, sims, pin, k)

    def _by_document(self, fused: dict[int, float], sims: np.ndarray, pin: Sequence[str], k: int) -> list[Evidence]:
        """Rank documents by their best chunks, then return each document's evidence together:
        its answer-ready section first, then its other matching chunks. Pinned documents lead."""
        per_doc: dict[str, list[int]] = {}
        for i in sorted(fused, key=lambda i: -fused[i]):
            per_doc.setdefault(self.metas[i].get("doc_id", ""), []).append(i)
        # a document's score: its best chunk, plus half of the next two (several matching sections = more relevant)
        doc_score = {d: fused[rows[0]] + 0.5 * sum(fused[i] for i in rows[1:3]) for d, rows in per_doc.items()}
        ranked = [d for d in pin if d in self.by_doc]
        ranked += [d for d in sorted(doc_score, key=lambda d: -doc_score[d]) if d not in ranked]
        top = max(doc_score.values(), default=1.0 / RRF_K)
        out: list[Evidence] = []
        for doc_id in ranked[: max(k, len(pin))]:
            is_pinned = doc_id in pin
            base = doc_score.get(doc_id, 0.0) + (top if is_pinned else 0.0)
            rows = per_doc.get(doc_id, [])[:MAX_CHUNKS_PER_DOC]
            lead = next((i for i in self.by_doc[doc_id] if self._lead(i)), None)
            if lead is not None and lead not in rows:
                rows = [lead] + rows[: MAX_CHUNKS_PER_DOC - 1]
            if is_pinned:  # a named document: everything it says is relevant, in reading order after the lead
                rows = sorted(self.by_doc[doc_id], key=lambda i: (not self._lead(i), -fused.get(i, 0.0) - sims[i]))
            rows = sorted(rows, key=lambda i: (not self._lead(i), -fused.get(i, 0.0)))
            for n, i in enumerate(rows):
                out.append(self._evidence(i, base if n == 0 else fused.get(i, 0.0), float(sims[i]), is_pinned))
        return out

    def _approved_questions(self) -> tuple[np.ndarray, np.ndarray]:
        """(chunk rows, unit vectors) of the questions of the approved library answers in this index.

        An approved answer's chunk is embedded with its answer text, which outweighs its question: "Is data
        encrypted in transit?" scores 0.41 against its own entry. Matched question to question, a paraphrase
        finds its entry. Embedded once per generation and kept beside it for the next reader.
        """
        if self._questions is None:
            rows = np.array([i for i, m in enumerate(self.metas) if m.get("section") == APPROVED_SECTION], dtype=np.int64)
            kept = self.store.derived(self._published, QUESTIONS_TAG) if len(rows) else None
            if not len(rows):
                vectors = np.zeros((0, 0), dtype=np.float32)
            elif kept is not None and np.array_equal(kept.get("rows"), rows):
                vectors = np.asarray(kept["vectors"], dtype=np.float32)
            else:
                # "Can Northwind employees access our data?" is asked of the vendor: "can your employees ...?"
                tenant = tenant_of(self.index)
                vectors = np.stack(embed_texts([addressed(self.metas[i].get("title", ""), tenant) for i in rows]))
                self.store.keep_derived(self._published, QUESTIONS_TAG, {"rows": rows, "vectors": vectors})
            self._questions = (rows, vectors)
        return self._questions

    def same_questions(self, vector: np.ndarray, threshold: float) -> list[Evidence]:
        """Approved answers whose own question means what `vector` asks (cosine >= threshold), closest first;
        each carries that question similarity."""
        rows, vectors = self._approved_questions()
        if not len(rows):
            return []
        sims = vectors @ vector
        order = [int(j) for j in np.argsort(-sims) if sims[j] >= threshold]
        return [self._evidence(int(rows[j]), float(sims[j]), float(sims[j]), False) for j in order]

    def approved_ranking(self, question: str, vector: np.ndarray, k: int) -> list[Evidence]:
        """The approved library answers alone, best first: closeness of the answer text and of the entry's own
        question (whichever is closer) fused with BM25 over the answers, so the tenant's many policy chunks cannot
        crowd an entry out of the first places. Each carries its closer similarity."""
        rows, questions = self._approved_questions()
        if not len(rows):
            return []
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[rows] = True
        close = np.maximum(self.vectors[rows] @ vector, questions @ vector)
        dense = [int(rows[j]) for j in np.argsort(-close)[:CANDIDATES]]
        fused: dict[int, float] = {}
        for ranking in (dense, self.bm25_ranking(question, mask, CANDIDATES)):
            for rank, i in enumerate(ranking):
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
        similarity = dict(zip((int(i) for i in rows), (float(c) for c in close)))
        return [self._evidence(i, fused[i], similarity[i], False) for i in sorted(fused, key=lambda i: -fused[i])[:k]]

    def top_chunks(self, question: str, *, k: int, mode: str) -> list[Evidence]:
        """Plain top-k chunks by one retriever alone ("dense" or "bm25"): the evaluation baselines."""
        vector = self.embed(question)
        sims = self.similarities(vector)
        mask = self.mask(None)
        ranking = self.dense_ranking(vector, mask, k) if mode == "dense" else self.bm25_ranking(question, mask, k)
        return [self._evidence(i, 1.0 / (RRF_K + r + 1), float(sims[i]), False) for r, i in enumerate(ranking[:k])]

    def _lead(self, i: int) -> bool:
        return self.metas[i].get("section") in LEAD_SECTIONS

    def _evidence(self, i: int, score: float, similarity: float, pinned: bool) -> Evidence:
        m = self.metas[i]
        return Evidence(
            chunk_id=self.ids[i], doc_id=m.get("doc_id", ""), framework=m.get("framework", ""),
            kind=m.get("kind", ""), title=m.get("title", ""), section=m.get("section", ""),
            text=self.texts[i], source=m.get("source", ""), position=int(m.get("position", 0)),
            score=score, similarity=similarity, pinned=pinned,
        )

    def lead_vector(self, doc_id: str) -> np.ndarray | None:
        """The stored unit vector of a document's answer-ready section (its first chunk if it has none)."""
        rows = self.by_doc.get(doc_id)
        if not rows:
            return None
        return self.vectors[next((i for i in rows if self._lead(i)), rows[0])]

    def chunks_of(self, doc_id: str) -> list[Evidence]:
        """Every chunk of one document, in reading order."""
        return [self._evidence(i, 0.0, 0.0, True) for i in self.by_doc.get(doc_id, [])]

    def section(self, doc_id: str, section: str) -> Evidence | None:
        for ev in self.chunks_of(doc_id):
            if ev.section == section:
                return ev
        return None


def names_of(meta: dict) -> list[str]:
    """A chunk's document title and its aliases (stored as one ";"-joined string)."""
    return [meta.get("title", "")] + str(meta.get("aliases", "")).split(";")


def _term_key(name: str) -> str:
    """A name folded for matching: lowercase, no article, no plural s ("the CUECs" -> "cuec")."""
    key = " ".join(name.lower().replace("-", " ").split())
    key = key[4:] if key.startswith("the ") else key[3:] if key.startswith("an ") else key[2:] if key.startswith("a ") else key
    return key[:-1] if key.endswith("s") and len(key) > 3 else key


def _topic_pattern(metas: list[dict]):
    """Titles and aliases specific enough to name a topic: several words, or an acronym of 3+ letters."""
    import re

    names: set[str] = set()
    for meta in metas:
        for name in names_of(meta):
            name = name.strip()
            acronym = " " not in name and 3 <= len(name) <= 6 and sum(ch.isupper() for ch in name) >= 2
            if len(name.split()) >= 2 or acronym:
                names.add(name.lower())
                if acronym and name.endswith("s"):
                    names.add(name[:-1].lower())  # "CUECs" -> "CUEC"
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?i)(?<![\w-])(?:{alternatives})(?![\w-])")


def with_score(evidence: Evidence, score: float) -> Evidence:
    return replace(evidence, score=score)
