"""The corpus front matter, validated.

>>> DocMeta(id="CC6.1", framework="soc2", kind="criterion", title="Logical access",
...         theme="Logical and physical access controls", category="security").id
'CC6.1'
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ingest.catalog import CATALOG

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

# An ID is a citation tag ("[CC6.1]"), part of every chunk ID ("CC6.1::what-it-requires") and a file stem:
# letters, digits, '.', '_' and '-' only, so it can never close a bracket, start a line or name a path.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
MAX_ALIASES = 60
_KINDS_BY_FRAMEWORK = {
    "soc2": {"criterion"},
    "iso27001": {"clause", "control"},
    "guidance": {"guidance"},
    "company": {"company"},
}


class DocMeta(BaseModel):
    """Front matter of one corpus file (see corpus/README.md)."""

    # strict: a YAML `true` is not a COSO principle number and `"yes"` is not a boolean
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(min_length=1, max_length=80, pattern=ID_PATTERN)
    framework: Framework
    kind: Kind
    title: str = Field(min_length=3, max_length=200)
    theme: str = Field(min_length=2, max_length=120)
    aliases: list[Annotated[str, Field(max_length=120)]] = Field(default_factory=list, max_length=MAX_ALIASES)
    related: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=MAX_ALIASES)
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
        if self.is_standard:
            entry = CATALOG.get(self.id)
            if entry is None or entry.framework != self.framework or entry.kind != self.kind:
                raise ValueError(f"id {self.id} is not a {self.framework} {self.kind} that ingest/catalog.py knows: "
                                 "use the standard's own numbering (CC6.1, A1.2, 9.2, A.8.24)")
        return self

    @property
    def is_standard(self) -> bool:
        return self.framework in ("soc2", "iso27001")
