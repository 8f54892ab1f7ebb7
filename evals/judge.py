"""Optional LLM-judged faithfulness and answer relevance, through ragas.

Needs TRUSTDESK_LLM and `pip install -e ".[judge]"` (ragas). Single judged runs
are noisy, so every sample is judged `runs` times and the scores averaged;
NaN scores (a judge that failed to parse) are left out of the average.
Never part of CI: the default extractive system is what the gate evaluates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.errors import LLMUnavailable


@dataclass(frozen=True)
class Sample:
    question: str
    answer: str
    contexts: list[str]


class Judge(Protocol):
    def score(self, samples: Sequence[Sample]) -> list[dict[str, float]]:
        """One {"faithfulness", "relevance"} dict per sample."""


class RagasJudge:
    """ragas Faithfulness and ResponseRelevancy, judged by the configured chat model."""

    def __init__(self, llm, embeddings):
        try:
            from ragas.metrics import Faithfulness, ResponseRelevancy
        except ImportError:
            raise LLMUnavailable('the LLM judge needs ragas: pip install -e ".[judge]"') from None
        self.llm = llm
        self.embeddings = embeddings
        self.metrics = [Faithfulness(), ResponseRelevancy()]

    def score(self, samples: Sequence[Sample]) -> list[dict[str, float]]:
        from ragas import EvaluationDataset, SingleTurnSample, evaluate

        dataset = EvaluationDataset(samples=[
            SingleTurnSample(user_input=s.question, response=s.answer, retrieved_contexts=s.contexts or [""])
            for s in samples
        ])
        try:
            result = evaluate(dataset, metrics=self.metrics, llm=self.llm, embeddings=self.embeddings,
                              show_progress=False)
        except Exception as exc:  # the provider's own errors
            raise LLMUnavailable(f"the LLM judge failed: {type(exc).__name__}: {exc}") from exc
        return [{"faithfulness": row.get("faithfulness", math.nan),
                 "relevance": row.get("answer_relevancy", math.nan)} for row in result.scores]


def averaged(judge: Judge, samples: Sequence[Sample], runs: int) -> list[dict[str, float | None]]:
    """Judge every sample `runs` times; average each metric over the runs that produced a number."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    totals = [{"faithfulness": [], "relevance": []} for _ in samples]
    for _ in range(runs):
        for slot, scores in zip(totals, judge.score(samples)):
            for key in slot:
                value = scores.get(key)
                if value is not None and not math.isnan(value):
                    slot[key].append(float(value))
    return [{key: (round(sum(v) / len(v), 4) if v else None) for key, v in slot.items()} for slot in totals]
