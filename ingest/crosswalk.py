"""The SOC 2 <-> ISO/IEC 27001:2022 crosswalk: data in corpus/crosswalk, read here.

`corpus/crosswalk/soc2-iso27001.yaml` is the source of truth. Each corpus
file's *Counterparts* section must agree with it in both directions;
`python -m ingest.crosswalk` rewrites those sections from the YAML, and
`tests/test_corpus.py` checks them.

>>> cw = Crosswalk.load(Path("corpus/crosswalk/soc2-iso27001.yaml"))   # doctest: +SKIP
>>> [(l.iso, l.strength) for l in cw.for_soc2("CC6.1")][:1]             # doctest: +SKIP
[('A.5.15', 'partial')]
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingest.datafile import read_yaml

Strength = Literal["equivalent", "partial"]
DEFAULT_PATH = Path("corpus/crosswalk/soc2-iso27001.yaml")
_BULLET = re.compile(r"^\s*-\s+(?P<id>\S+)\s+(?P<title>.*?)\s*\((?P<strength>equivalent|partial)\)\s*$")
_SECTION = re.compile(r"(?ms)^## Counterparts\s*\n(?P<body>.*?)(?=^## |\Z)")


@dataclass(frozen=True)
class Link:
    soc2: str
    iso: str
    strength: Strength
    basis: str = ""  # why the link holds, in a few words


@dataclass(frozen=True)
class Crosswalk:
    links: tuple[Link, ...]

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> "Crosswalk":
        data = read_yaml(path) or {}
        links = []
        for soc2, targets in data.items():
            for target in targets or []:
                links.append(Link(str(soc2), str(target["id"]), target["strength"], str(target.get("basis", ""))))
        return cls(tuple(links))

    def for_soc2(self, criterion: str) -> list[Link]:
        return [link for link in self.links if link.soc2 == criterion]

    def for_iso(self, iso_id: str) -> list[Link]:
        return [link for link in self.links if link.iso == iso_id]

    def counterparts(self, any_id: str) -> list[tuple[str, Strength]]:
        """The other framework's IDs for `any_id`, equivalents first, in file order."""
        if any_id in {l.soc2 for l in self.links}:
            pairs = [(l.iso, l.strength) for l in self.for_soc2(any_id)]
        else:
            pairs = [(l.soc2, l.strength) for l in self.for_iso(any_id)]
        return sorted(pairs, key=lambda p: p[1] != "equivalent")


def parse_counterparts(body: str) -> list[tuple[str, Strength]]:
    """(id, strength) for each bullet of a document's Counterparts section."""
    m = _SECTION.search(body)
    if not m:
        return []
    found = []
    for line in m["body"].splitlines():
        b = _BULLET.match(line)
        if b:
            found.append((b["id"], b["strength"]))
    return found


def render_counterparts(pairs: list[tuple[str, Strength]]) -> str:
    from ingest.catalog import CATALOG

    return "\n".join(f"- {pid} {CATALOG[pid].title} ({strength})" for pid, strength in pairs) + "\n"


def sync(corpus: Path, crosswalk: Crosswalk) -> list[Path]:
    """Rewrite every standards file's Counterparts section from the crosswalk; return the files changed."""
    changed = []
    for path in sorted((corpus / "soc2").glob("*.md")) + sorted((corpus / "iso27001").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        doc_id = re.search(r"(?m)^id:\s*\"?([^\"\n]+)\"?\s*$", text)[1].strip()
        block = "## Counterparts\n\n" + render_counterparts(crosswalk.counterparts(doc_id))
        new = _SECTION.sub(lambda m: block + ("\n" if m.end() < len(text) else ""), text, count=1)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


if __name__ == "__main__":
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("corpus")
    files = sync(corpus, Crosswalk.load(corpus / "crosswalk" / "soc2-iso27001.yaml"))
    print(f"rewrote the Counterparts section of {len(files)} file(s)")
