"""The golden set: cases in evals/golden/*.yaml, validated.

>>> cases = load_golden()                                 # doctest: +SKIP
>>> sorted({c.category for c in cases})[:3]               # doctest: +SKIP
['company', 'compare', 'crosswalk']
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

GOLDEN_DIR = Path(__file__).with_name("golden")

Category = Literal["soc2_lookup", "iso_lookup", "crosswalk", "compare", "decide", "seed_facts", "questionnaire",
                   "multi_turn", "company", "out_of_scope", "manipulation", "nonexistent_id", "successor", "topics",
                   "external_control"]
# The route a case should take (the blind set labels every case; "clarify" counts as "decide").
RouteLabel = Literal["lookup", "compare", "crosswalk", "decide", "company", "successor", "out_of_scope",
                     "manipulation", "unknown_id"]
BLIND_DIR = Path(__file__).with_name("golden") / "blind"
HOLDOUT2_DIR = Path(__file__).with_name("golden") / "holdout2"
HOLDOUT3_DIR = Path(__file__).with_name("golden") / "holdout3"
NIST_PATH = Path(__file__).with_name("external") / "nist_csf2_iso27001.yaml"
# practice sets: the same format, written the same way, but training data whose failures are read to find kinds
PRACTICE_DIR = Path(__file__).resolve().parent.parent / "bot" / "data" / "practice"
# frozen sets, each written by someone who read no code and no other set: the folders evals/golden/<name>
FROZEN = ("blind", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6", "holdout7", "holdout8", "holdout9", "holdout10", "holdout11")
SETS = ("golden", *FROZEN, "nist", "practice")
# the golden set's own categories; `external_control` belongs to the external checks (evals/external)
CATEGORIES: tuple[str, ...] = tuple(c for c in Category.__args__ if c != "external_control")


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    citations: list[str] = Field(default_factory=list)  # acceptable documents, best first
    required_citations: list[str] = Field(default_factory=list)  # each must be cited (default: the first citation)
    facts: list[list[str]] = Field(default_factory=list)  # each fact: alternatives, any one must appear
    recommendation: Literal["soc2", "iso27001", "both"] | None = None
    refused: bool | None = None
    forbidden: list[str] = Field(default_factory=list)
    no_company_fact: bool = False

    @property
    def required(self) -> list[str]:
        return self.required_citations or self.citations[:1]


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    category: Category
    question: str | None = None
    turns: list[str] | None = None
    tenant: str | None = None
    route: RouteLabel | None = None
    expect: Expect
    source: str = ""

    @model_validator(mode="after")
    def _one_question(self) -> "Case":
        if bool(self.question) == bool(self.turns):
            raise ValueError("a case has either `question` or `turns`")
        self.expect.facts = [[str(a).lower() for a in alts] for alts in self.expect.facts]
        self.expect.citations = [str(c) for c in self.expect.citations]
        self.expect.required_citations = [str(c) for c in self.expect.required_citations]
        return self

    @property
    def messages(self) -> list[str]:
        return self.turns or [self.question]

    @property
    def expects_recommendation(self) -> bool:
        return "recommendation" in self.expect.model_fields_set


def load_set(name: str) -> list[Case]:
    """A named case set: `golden` (tuned to, gated), `blind` and `holdout2` to `holdout11` (frozen, each written without
    seeing the code), `nist` (NIST CSF 2.0 subcategories keyed by their ISO/IEC 27001:2022 references; see
    evals/external) or `practice` (training data in the same format: bot/data/practice)."""
    if name not in SETS:
        raise ValueError(f"unknown case set {name!r}: choose one of {', '.join(SETS)}")
    if name == "nist":
        return load_nist()
    if name == "practice":
        return [case for folder in sorted(PRACTICE_DIR.iterdir()) if folder.is_dir() for case in load_golden(folder)]
    return load_golden(GOLDEN_DIR / name if name in FROZEN else GOLDEN_DIR)


def load_nist(path: Path = NIST_PATH) -> list[Case]:
    """Each subcategory statement as a question; any of its ISO references in the top 5 is a hit."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [Case(id=c["id"], category="external_control", route="lookup", question=c["question"],
                 expect=Expect(citations=[str(k) for k in c["key"]], required_citations=[str(c["key"][0])]),
                 source=Path(path).name)
            for c in data["cases"]]


def load_golden(directory: Path = GOLDEN_DIR) -> list[Case]:
    cases: list[Case] = []
    problems: list[str] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        for n, item in enumerate(raw):
            try:
                cases.append(Case.model_validate({**item, "source": path.name}))
            except ValidationError as exc:
                problems.append(f"{path.name} case {n} ({item.get('id', '?')}): {exc.errors()[0]['msg']}")
    ids = [c.id for c in cases]
    problems += [f"duplicate case id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise ValueError("invalid golden set:\n  " + "\n  ".join(problems))
    return cases
