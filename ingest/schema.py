"""The corpus front matter, validated.

>>> DocMeta(id="CC6.1", framework="soc2", kind="criterion", title="Logical access",
...         theme="Logical and physical access controls", category="security").id
'CC6.1'
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Framework = Literal["soc2", "iso27001", "guidance", "company"]
Kind = Literal["criterion", "clause", "control", "guidance", "company"]
Category = Literal["security", "availability", "confidentiality", "processing_integrity", "privacy"]

# Sections every criterion, clause and control file carries, in this order.
STANDARD_SECTIONS = (
    "What it requires",
    "What auditors look for",
    "How teams meet it",
    "Questions customers ask",
    "Counterparts",
)
# The answer-ready section: the first one of each kind of document.
LEAD_SECTIONS = ("What it requires", "In short")

_KINDS_BY_FRAMEWORK = {
    "soc2": {"criterion"},
    "iso27001": {"clause", "control"},
    "guidance": {"guidance"},
    "company": {"company"},
}


class DocMeta(BaseModel):
    """Front matter of one corpus file (see corpus/README.md)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=80)
    framework: Framework
    kind: Kind
    title: str = Field(min_length=3, max_length=200)
    theme: str = Field(min_length=2, max_length=120)
    aliases: list[str] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    category: Category | None = None
    coso_principle: int | None = Field(default=None, ge=1, le=17)
    new_in_2022: bool | None = None

    @field_validator("id", "title", "theme")
    @classmethod
    def _no_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("aliases", "related")
    @classmethod
    def _strings(cls, values: list) -> list[str]:
        return [str(v).strip() for v in values if str(v).strip()]

    @model_validator(mode="after")
    def _consistent(self) -> "DocMeta":
        if self.kind not in _KINDS_BY_FRAMEWORK[self.framework]:
            allowed = " or ".join(sorted(_KINDS_BY_FRAMEWORK[self.framework]))
            raise ValueError(f"kind '{self.kind}' does not fit framework '{self.framework}' (use {allowed})")
        if self.framework == "soc2" and self.category is None:
            raise ValueError("SOC 2 criteria need a category")
        return self

    @property
    def is_standard(self) -> bool:
        return self.framework in ("soc2", "iso27001")
