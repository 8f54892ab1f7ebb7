"""The standards as a catalogue to browse: every SOC 2 criterion, ISO clause and Annex A control, one item at a time.

What the web UI's Explore page shows, and nothing it computes itself: the
catalogue filtered by framework, kind, theme, new-in-2022 and a search term;
one item with our explanation (its corpus file), its counterparts with strength
and basis from `corpus/crosswalk/soc2-iso27001.yaml`, and its 2013
predecessors; and the crosswalk as (SOC 2, ISO) cells for a heatmap.

>>> [i.id for i in catalogue(framework="iso27001", new_only=True)][:3]
['A.5.7', 'A.5.23', 'A.5.30']
>>> [c.id for c in item("CC7.2", Crosswalk.load(CROSSWALK)).counterparts][:1]
['A.8.16']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import TrustdeskError
from bot.ids import canonical
from ingest.catalog import CATALOG, Entry
from ingest.crosswalk import Crosswalk
from ingest.lineage import LINEAGE

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CROSSWALK = CORPUS / "crosswalk" / "soc2-iso27001.yaml"
FRAMEWORK_NAMES = {"soc2": "SOC 2", "iso27001": "ISO 27001"}
KIND_NAMES = {"criterion": "SOC 2 criterion", "clause": "ISO clause", "control": "Annex A control"}
_HIDDEN_SECTIONS = ("Counterparts",)  # shown from the crosswalk, with strength and basis


class UnknownItem(TrustdeskError):
    """An ID that names no SOC 2 criterion, ISO clause or Annex A control."""


@dataclass(frozen=True)
class Counterpart:
    id: str
    title: str
    strength: str  # equivalent | partial
    basis: str


@dataclass
class ItemView:
    entry: Entry
    explanation: str  # our own words, Markdown (the corpus file's body)
    counterparts: list[Counterpart] = field(default_factory=list)
    predecessors: list[tuple[str, str]] = field(default_factory=list)  # (2013 id, 2013 title)
    source: str = ""


def catalogue(*, framework: str | None = None, kind: str | None = None, theme: str | None = None,
              new_only: bool = False, search: str = "") -> list[Entry]:
    """Catalogue entries in the standards' own order, filtered; `search` matches ID, title and theme words."""
    words = search.lower().split()
    found = []
    for entry in CATALOG.values():
        if framework and entry.framework != framework or kind and entry.kind != kind:
            continue
        if theme and theme not in (entry.theme, entry.category):
            continue
        if new_only and not entry.new_in_2022:
            continue
        haystack = f"{entry.id} {entry.title} {entry.theme} {entry.category or ''}".lower()
        if all(w in haystack for w in words):
            found.append(entry)
    return found


def themes(framework: str | None = None) -> list[str]:
    """The themes (SOC 2 series, ISO clause groups and Annex A themes) to filter by, in catalogue order."""
    return list(dict.fromkeys(e.theme for e in catalogue(framework=framework)))


def resolve(raw: str) -> str:
    """A typed or linked ID as the catalogue spells it ("cc 6.1" -> "CC6.1"); raises UnknownItem."""
    text = (raw or "").strip()
    candidate = text if text in CATALOG else canonical(text)
    if candidate not in CATALOG:
        raise UnknownItem(f"{text[:40]!r} is not a SOC 2 criterion, ISO 27001 clause or Annex A control")
    return candidate


def source_path(entry: Entry, corpus: Path = CORPUS) -> Path:
    folder = {"criterion": "soc2", "clause": "iso27001/clauses", "control": "iso27001/controls"}[entry.kind]
    return corpus / folder / f"{entry.id}.md"


def explanation(entry: Entry, corpus: Path = CORPUS) -> str:
    """The body of the item's corpus file, without front matter and the Counterparts section."""
    path = source_path(entry, corpus)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    if text.startswith("---\n") and text.find("\n---", 4) > 0:
        text = text[text.find("\n---", 4) + 4:]
    sections = re.split(r"(?m)^(?=## )", text)
    return "".join(s for s in sections if not s.startswith(tuple(f"## {h}" for h in _HIDDEN_SECTIONS))).strip()


def counterparts(item_id: str, crosswalk: Crosswalk) -> list[Counterpart]:
    """The other framework's items linked to `item_id`, equivalents first, with the basis of each link."""
    if CATALOG[item_id].framework == "soc2":
        links = [(l.iso, l) for l in crosswalk.for_soc2(item_id)]
    else:
        links = [(l.soc2, l) for l in crosswalk.for_iso(item_id)]
    found = [Counterpart(other, CATALOG[other].title if other in CATALOG else "", link.strength, link.basis)
             for other, link in links]
    return sorted(found, key=lambda c: c.strength != "equivalent")


def item(raw_id: str, crosswalk: Crosswalk, corpus: Path = CORPUS) -> ItemView:
    """Everything the item page shows for one ID."""
    entry = CATALOG[resolve(raw_id)]
    predecessors = []
    if entry.kind == "control":
        predecessors = [(old, LINEAGE.get(old).title) for old in LINEAGE.predecessors(entry.id)]
    path = source_path(entry, corpus)
    return ItemView(entry, explanation(entry, corpus), counterparts(entry.id, crosswalk), predecessors,
                    path.relative_to(corpus.parent).as_posix() if path.is_relative_to(corpus.parent) else str(path))


def matrix(crosswalk: Crosswalk) -> list[dict]:
    """One cell per crosswalk link: SOC 2 ID, ISO ID, strength (2 equivalent, 1 partial) and basis, in catalogue order."""
    order = {cid: n for n, cid in enumerate(CATALOG)}
    cells = [{"soc2": l.soc2, "iso": l.iso, "strength": l.strength, "score": 2 if l.strength == "equivalent" else 1,
              "basis": l.basis, "soc2_order": order.get(l.soc2, 0), "iso_order": order.get(l.iso, 0)}
             for l in crosswalk.links]
    return sorted(cells, key=lambda c: (c["soc2_order"], c["iso_order"]))
