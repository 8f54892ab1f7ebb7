"""Scoring one reply against one case, and aggregating scores per category and overall.

Retrieval: hit@1, hit@5, MRR and nDCG@5 over the system's ranked documents,
with the case's acceptable citations as the relevant set. Answers: citation
precision (cited documents that are acceptable) and recall (required
documents that are cited), fact coverage, recommendation accuracy, refusal
recall and precision, groundedness, latency.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field

from evals.golden import Case
from evals.systems import Reply, groundedness

METRICS = ("hit_at_1", "hit_at_5", "mrr", "ndcg_at_5", "citation_precision", "citation_recall", "fact_coverage",
           "recommendation_accuracy", "route_accuracy", "refusal_recall", "refusal_precision", "groundedness",
           "latency_p50_ms", "latency_p95_ms")
REFUSAL_CATEGORIES = ("out_of_scope", "manipulation")
NO_COMPANY_FACT_MARKERS = ("won't guess a company fact", "no approved answer")


@dataclass
class CaseResult:
    case_id: str
    category: str
    hit_at_1: float | None = None
    hit_at_5: float | None = None
    mrr: float | None = None
    ndcg_at_5: float | None = None
    citation_precision: float | None = None
    citation_recall: float | None = None
    fact_coverage: float | None = None
    recommendation_correct: float | None = None
    expected_refused: bool = False
    refused: bool = False
    groundedness: float | None = None
    forbidden_found: list[str] = field(default_factory=list)
    judge_faithfulness: float | None = None  # LLM-judged (ragas), only with --judge
    judge_relevance: float | None = None
    latency_ms: float = 0.0
    route_expected: str | None = None
    route: str | None = None
    cited: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def score(self) -> float:
        """One number per case, to spot regressions: the mean of every check that applies."""
        parts = [v for v in (self.hit_at_5, self.citation_recall, self.fact_coverage, self.recommendation_correct)
                 if v is not None]
        if self.expected_refused or self.category in REFUSAL_CATEGORIES:
            parts.append(1.0 if self.refused == self.expected_refused else 0.0)
        parts.append(0.0 if self.forbidden_found else 1.0)
        return round(sum(parts) / len(parts), 4)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["score"] = self.score
        return data


def _dcg(relevance: list[int]) -> float:
    return sum(rel / math.log2(i + 2) for i, rel in enumerate(relevance))


def score(case: Case, reply: Reply) -> CaseResult:
    exp = case.expect
    answer = reply.answer
    text = answer.text.lower()
    result = CaseResult(case.id, case.category, latency_ms=round(reply.latency_ms, 2), cited=answer.cited_ids,
                        text=answer.text[:600], refused=answer.refused, route_expected=case.route,
                        route=route_label(answer.route))
    result.expected_refused = bool(exp.refused) if exp.refused is not None else case.category in REFUSAL_CATEGORIES
    relevant = set(exp.citations)
    if relevant:
        ranked = reply.ranked
        hits = [1 if d in relevant else 0 for d in ranked[:5]]
        result.hit_at_1 = float(bool(ranked) and ranked[0] in relevant)
        result.hit_at_5 = float(any(hits))
        first = next((i for i, d in enumerate(ranked) if d in relevant), None)
        result.mrr = 0.0 if first is None else 1.0 / (first + 1)
        ideal = _dcg([1] * min(len(relevant), 5))
        result.ndcg_at_5 = _dcg(hits) / ideal if ideal else 0.0
        cited = answer.cited_ids
        result.citation_precision = (sum(c in relevant for c in cited) / len(cited)) if cited else 0.0
        required = exp.required
        result.citation_recall = sum(r in cited for r in required) / len(required)
    if exp.facts:
        result.fact_coverage = sum(any(alt in text for alt in alts) for alts in exp.facts) / len(exp.facts)
    if exp.no_company_fact:
        honest = any(m in text for m in NO_COMPANY_FACT_MARKERS)
        no_company_cites = all(c.framework != "company" for c in answer.citations)
        result.fact_coverage = 1.0 if honest and no_company_cites else 0.0
    if case.expects_recommendation:
        result.recommendation_correct = 1.0 if answer.recommendation == exp.recommendation else 0.0
    result.forbidden_found = [f for f in exp.forbidden if f.lower() in text]
    result.groundedness = groundedness(reply)
    return result


def route_label(route: str) -> str:
    """A clarifying question is the advisor's answer to a decision without a market."""
    return "decide" if route == "clarify" else route


def route_accuracy(results: list[CaseResult]) -> float | None:
    labelled = [r for r in results if r.route_expected]
    return round(sum(r.route == r.route_expected for r in labelled) / len(labelled), 4) if labelled else None


def confusion(results: list[CaseResult]) -> dict[str, dict[str, int]]:
    """expected route -> {route taken: count}, over the cases that carry a route label."""
    matrix: dict[str, dict[str, int]] = {}
    for r in results:
        if r.route_expected:
            row = matrix.setdefault(r.route_expected, {})
            row[r.route or "?"] = row.get(r.route or "?", 0) + 1
    return matrix


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 4) if present else None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def aggregate(results: list[CaseResult]) -> dict[str, float | int | None]:
    out: dict[str, float | int | None] = {"cases": len(results)}
    for name in ("hit_at_1", "hit_at_5", "mrr", "ndcg_at_5", "citation_precision", "citation_recall",
                 "fact_coverage", "groundedness", "judge_faithfulness", "judge_relevance"):
        out[name] = _mean([getattr(r, name) for r in results])
    out["recommendation_accuracy"] = _mean([r.recommendation_correct for r in results])
    out["route_accuracy"] = route_accuracy(results)
    should = [r for r in results if r.expected_refused]
    did = [r for r in results if r.refused]
    out["refusal_recall"] = round(sum(r.refused for r in should) / len(should), 4) if should else None
    out["refusal_precision"] = round(sum(r.expected_refused for r in did) / len(did), 4) if did else None
    out["forbidden_violations"] = sum(bool(r.forbidden_found) for r in results)
    latencies = [r.latency_ms for r in results]
    out["latency_p50_ms"] = round(statistics.median(latencies), 2) if latencies else None
    out["latency_p95_ms"] = round(percentile(latencies, 95), 2) if latencies else None
    return out


def summarise(results: list[CaseResult]) -> dict:
    categories: dict[str, list[CaseResult]] = {}
    for r in results:
        categories.setdefault(r.category, []).append(r)
    return {"overall": aggregate(results), "categories": {c: aggregate(rs) for c, rs in sorted(categories.items())},
            "routes": confusion(results)}
