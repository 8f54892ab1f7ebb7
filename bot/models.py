"""The data that crosses every boundary: questions' history, answers and their citations.

>>> Answer(text="CC6.1 requires ...", citations=[Citation(id="CC6.1", framework="soc2",
...        title="Logical access", source="corpus/soc2/CC6.1.md", score=0.8)],
...        confidence=0.8).model_dump()["citations"][0]["id"]
'CC6.1'
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

Framework = Literal["soc2", "iso27001", "guidance", "company"]
Recommendation = Literal["soc2", "iso27001", "both"]
Route = Literal["lookup", "compare", "crosswalk", "decide", "company", "out_of_scope",
                "manipulation", "unknown_id", "clarify"]

MAX_QUESTION_CHARS = 4000


class Turn(BaseModel):
    """One turn of a conversation, as `history` carries it."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class Citation(BaseModel):
    """A document the answer relies on; the first citation is the best evidence."""

    id: str
    framework: Framework
    title: str
    source: str
    score: float = Field(ge=0.0, le=1.0)


class Answer(BaseModel):
    """What every surface renders and every eval scores. See DESIGN.md for the JSON contract."""

    text: str
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)
    refused: bool = False
    recommendation: Recommendation | None = None
    latency_ms: float = 0.0
    route: Route = "lookup"
    # the evidence the answer was composed from; not serialised (surfaces and evals use citations)
    _evidence: list = PrivateAttr(default_factory=list)

    @property
    def cited_ids(self) -> list[str]:
        return [c.id for c in self.citations]
