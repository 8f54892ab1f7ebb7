"""The data that crosses every boundary: conversations, answers, their parts and citations.

>>> Answer(text="CC6.1 requires ...", citations=[Citation(id="CC6.1", framework="soc2",
...        title="Logical access", source="corpus/soc2/CC6.1.md", score=0.8)],
...        confidence=0.8).model_dump()["citations"][0]["id"]
'CC6.1'
>>> Answer(text="", confidence=0.8).tier
'high'
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

Framework = Literal["soc2", "iso27001", "guidance", "company"]
Recommendation = Literal["soc2", "iso27001", "both"]
Route = Literal["lookup", "compare", "crosswalk", "decide", "company", "successor", "out_of_scope",
                "manipulation", "unknown_id", "clarify"]
Tier = Literal["high", "medium", "low"]

MAX_QUESTION_CHARS = 4000
# confidence at or above these is high / medium; below medium is low
HIGH_CONFIDENCE, MEDIUM_CONFIDENCE = 0.7, 0.45


def tier_of(confidence: float) -> Tier:
    if confidence >= HIGH_CONFIDENCE:
        return "high"
    return "medium" if confidence >= MEDIUM_CONFIDENCE else "low"


class TurnMeta(BaseModel):
    """What the engine needs from an earlier turn, so a follow-up never re-reads answer text."""

    model_config = ConfigDict(extra="ignore")

    resolved: str = ""  # the self-contained question this turn answered
    route: str = ""
    cited: list[str] = Field(default_factory=list)
    recommendation: Recommendation | None = None
    profile: dict = Field(default_factory=dict)  # the advisor's CompanyProfile, as data


class Turn(BaseModel):
    """One turn of a conversation: `{"role", "content"[, "meta"]}`."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)
    meta: TurnMeta | None = None


class Citation(BaseModel):
    """A document the answer relies on; the first citation is the best evidence."""

    id: str
    framework: Framework
    title: str
    source: str
    score: float = Field(ge=0.0, le=1.0)


class Point(BaseModel):
    text: str
    cite: list[str] = Field(default_factory=list)


class Parts(BaseModel):
    """An answer's pieces, for surfaces that render more than Markdown (Slack blocks, web cards)."""

    lead: str = ""
    points: list[Point] = Field(default_factory=list)
    table: str | None = None  # a Markdown table
    steps: list[str] = Field(default_factory=list)  # a numbered plan, e.g. the roadmap
    notes: list[str] = Field(default_factory=list)  # caveats shown before the answer
    ask_back: str | None = None  # a clarifying question for the user


def _answer_id() -> str:
    return "a-" + uuid.uuid4().hex[:16]


class Answer(BaseModel):
    """What every surface renders and every eval scores. See DESIGN.md for the JSON contract."""

    id: str = Field(default_factory=_answer_id)
    text: str
    route: Route = "lookup"
    parts: Parts = Field(default_factory=Parts)
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)
    tier: Tier | None = None
    needs_review: bool = False
    refused: bool = False
    recommendation: Recommendation | None = None
    latency_ms: float = 0.0
    # the evidence the answer was composed from; not serialised (surfaces and evals use citations)
    _evidence: list = PrivateAttr(default_factory=list)
    # what the next turn needs (resolved question, profile); surfaces store it with the turn
    _meta: TurnMeta | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _tiered(self) -> "Answer":
        if self.tier is None:
            self.tier = tier_of(self.confidence)
        return self

    @property
    def cited_ids(self) -> list[str]:
        return [c.id for c in self.citations]

    def passages(self, limit: int = 600) -> dict[str, str]:
        """The evidence passage each citation rests on (its best chunk, clipped), for surfaces that show it.

        Not serialised: take it from the Answer the engine returned, before dumping it.
        """
        found: dict[str, str] = {}
        for ev in self._evidence:
            if ev.doc_id not in found and ev.doc_id in self.cited_ids:
                text = " ".join(ev.text.split())
                found[ev.doc_id] = text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "…"
        return found

    @property
    def meta(self) -> TurnMeta:
        return self._meta or TurnMeta(route=self.route, cited=self.cited_ids, recommendation=self.recommendation)
