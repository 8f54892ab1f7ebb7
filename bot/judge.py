"""Confidence: how strongly the evidence supports the answer.

Two signals, each in [0, 1], multiplied (an answer is only as good as the weaker): retrieval strength (how close the best evidence
is to the question; a document the question names by ID counts as strong),
and support (the share of answer sentences whose content words appear in the
evidence they cite). Low confidence is said plainly in the answer text.

>>> support([("Backups are encrypted.", "A.8.13")], {"A.8.13": "Backups are encrypted daily."})
1.0
"""

from __future__ import annotations

from bot.text import terms

LOW_CONFIDENCE = 0.45
# Cosine similarities of all-MiniLM-L6-v2 between a question and a passage that answers it
# typically fall between these two values.
WEAK_SIMILARITY, STRONG_SIMILARITY = 0.25, 0.65


def strength(best_similarity: float, pinned: bool) -> float:
    if pinned:
        return 1.0
    span = STRONG_SIMILARITY - WEAK_SIMILARITY
    return max(0.0, min(1.0, (best_similarity - WEAK_SIMILARITY) / span))


def supported(sentence: str, evidence_text: str, threshold: float = 0.6) -> bool:
    """A sentence is supported when most of its content words occur in its cited evidence."""
    words = set(terms(sentence))
    if not words:
        return True
    return len(words & set(terms(evidence_text))) / len(words) >= threshold


def support(lines: list[tuple[str, str | None]], evidence_by_doc: dict[str, str]) -> float:
    """Share of cited sentences supported by the evidence of the document they cite."""
    cited = [(s, d) for s, d in lines if d]
    if not cited:
        return 0.0
    ok = sum(supported(s, evidence_by_doc.get(d, "")) for s, d in cited)
    return ok / len(cited)


def confidence(best_similarity: float, pinned: bool, support_share: float) -> float:
    """Both must hold: strong evidence, and an answer that says what the evidence says."""
    return round(strength(best_similarity, pinned) * (0.3 + 0.7 * support_share), 3)
