"""Enumerations: "what are the clauses of ISO 27001?" gets every clause, with its number and title.

A list question is answered from the catalog (`ingest.catalog`) or from the
lists in `bot/data/lists.yaml`, never from whichever one paragraph retrieval
ranks first. Each list cites the guidance document that states it.

>>> draft = enumeration("list the four annex a themes and how many controls each has", kit)   # doctest: +SKIP
>>> [line for line, _ in draft.lines][1]                                                      # doctest: +SKIP
'Organizational (A.5.1 to A.5.37): 37 controls'
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from bot.compose import Draft
from ingest.catalog import CATALOG
from ingest.datafile import read_yaml

if TYPE_CHECKING:
    from bot.routes import Kit

LISTS_PATH = Path(__file__).with_name("data") / "lists.yaml"


@functools.cache
def _data() -> tuple[re.Pattern, list[dict]]:
    data = read_yaml(LISTS_PATH)
    lists = [{**item, "pattern": re.compile(item["match"], re.I)} for item in data["lists"]]
    return re.compile(data["ask"], re.I), lists


# asking words that are only the list's own name: "we pick trust services categories" names the list, asks nothing
_NAME_ONLY = {"theme", "themes", "categories", "title", "titles"}


def which_list(question: str, asked: bool = False) -> dict | None:
    """The list a question asks for, or None (it must both ask for a list and name one); `asked`: the question must
    ask for it in words other than the list's name ("list", "what are", "how many")."""
    ask, lists = _data()
    if not any(m.group(0).lower() not in _NAME_ONLY or not asked for m in ask.finditer(question)):
        return None
    return next((item for item in lists if item["pattern"].search(question)), None)


def items(item: dict) -> list[str]:
    if "items" in item:
        return list(item["items"])
    return _BUILT[item["from"]]()


def _iso_clause_groups() -> list[str]:
    groups: dict[str, list[str]] = {}
    for entry in CATALOG.values():
        if entry.kind == "clause":
            groups.setdefault(entry.id.split(".")[0], []).append(entry.theme)
    return [f"Clause {number}: {themes[0]}" for number, themes in groups.items()]


def _iso_themes() -> list[str]:
    themes: dict[str, list[str]] = {}
    for entry in CATALOG.values():
        if entry.kind == "control":
            themes.setdefault(entry.theme, []).append(entry.id)
    return [f"{theme.capitalize()} ({ids[0]} to {ids[-1]}): {len(ids)} controls" for theme, ids in themes.items()]


def _soc2_series() -> list[str]:
    from ingest.catalog import SOC2_SERIES

    return [f"{series}: {title}" for series, (title, category) in SOC2_SERIES.items() if series.startswith("CC")]


_BUILT = {"iso_clause_groups": _iso_clause_groups, "iso_themes": _iso_themes, "soc2_series": _soc2_series}


def enumeration(question: str, kit: "Kit") -> Draft | None:
    """A Draft listing every item, or None when the question does not ask for one of the lists."""
    item = which_list(question)
    if item is None:
        return None
    draft = Draft()
    draft.add(item["lead"], item["cite"])
    for line in items(item):
        draft.add(line, item["cite"])
    draft.confidence = 1.0
    draft.evidence = kit.retriever.chunks_of(item["cite"])
    return draft
