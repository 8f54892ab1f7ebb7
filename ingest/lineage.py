"""ISO/IEC 27001:2013 Annex A -> 2022: the correspondence, as data in corpus/crosswalk.

`corpus/crosswalk/iso27001-2013-to-2022.yaml` lists every one of the 114 2013
controls with its 2022 successor(s); each 2022 control file states the same
lineage in its `replaces_2013` front matter, and `tests/test_lineage.py`
checks that the two agree.

>>> LINEAGE.successors("A.12.6.1")
('A.8.8',)
>>> LINEAGE.predecessors("A.8.8")
('A.12.6.1', 'A.18.2.3')
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ingest.datafile import read_yaml

PATH = Path(__file__).resolve().parents[1] / "corpus" / "crosswalk" / "iso27001-2013-to-2022.yaml"
_ID_2013 = r"^A\.(5|6|7|8|9|10|11|12|13|14|15|16|17|18)\.\d{1,2}\.\d{1,2}$"


class Control2013(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_ID_2013)
    title: str = Field(min_length=3)
    successors: list[str] = Field(min_length=1)


class Lineage(BaseModel):
    """The 2013 -> 2022 correspondence."""

    model_config = ConfigDict(extra="forbid")

    version: int
    controls: list[Control2013]
    new_in_2022: list[str]
    domains: dict[str, str] = Field(default_factory=dict)  # "A.16" -> its 2013 title

    @field_validator("controls")
    @classmethod
    def _unique(cls, controls: list[Control2013]) -> list[Control2013]:
        ids = [c.id for c in controls]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"2013 controls listed twice: {', '.join(repeated)}")
        return controls

    @classmethod
    def load(cls, path: Path = PATH) -> "Lineage":
        return cls.model_validate(read_yaml(path))

    @functools.cached_property
    def _by_id(self) -> dict[str, Control2013]:
        return {c.id: c for c in self.controls}

    def get(self, control_2013: str) -> Control2013 | None:
        return self._by_id.get(control_2013)

    def successors(self, control_2013: str) -> tuple[str, ...]:
        entry = self.get(control_2013)
        return tuple(entry.successors) if entry else ()

    def predecessors(self, control_2022: str) -> tuple[str, ...]:
        return tuple(c.id for c in self.controls if control_2022 in c.successors)

    def in_domain(self, domain: str) -> tuple[str, ...]:
        """The 2013 controls of a domain ("A.16" -> A.16.1.1 ... A.16.1.7)."""
        return tuple(c.id for c in self.controls if c.id.startswith(domain + "."))


LINEAGE = Lineage.load()
