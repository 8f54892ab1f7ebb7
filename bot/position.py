"""Positions in the catalog: "the last control in the organizational theme" is A.5.37.

A grammar, like IDs: an ordinal (first, second, ..., last, next, previous), a kind of item (control,
criterion, clause, one) and where to count (a theme, series or section named as the catalog names it, or
after / before an ID). "The next one" counts from the conversation's last cited ID. The groups and their
order come from `ingest.catalog`; nothing here lists a theme by hand.

>>> place("ok then what's the last control in the organizational theme")
"ok then what's A.5.37"
>>> place("what is the first clause of section 6?")
'what is clause 6.1?'
>>> place("and the control after A.5.15?")
'and A.5.16?'
>>> place("what about the next one?", last_id="CC6.1")
'what about CC6.2?'
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from bot.ids import find_ids
from ingest.catalog import CATALOG

ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
            "fifth": 4, "5th": 4, "last": -1, "final": -1, "next": "+", "following": "+",
            "previous": "-", "prior": "-", "preceding": "-"}
# the kind of catalog item a noun asks for; "one" takes the kind of what it counts from
NOUNS = {"control": "control", "criterion": "criterion", "criteria": "criterion", "clause": "clause",
         "subclause": "clause", "sub-clause": "clause", "one": None, "item": None, "requirement": None}

_ORDINAL = "|".join(sorted(ORDINALS, key=len, reverse=True))
_NOUN = "|".join(sorted(NOUNS, key=len, reverse=True))
# the ordinal, up to three describing words ("last organizational"), the noun
_PHRASE = re.compile(rf"\b(?:the\s+|a\s+)?(?P<ord>{_ORDINAL})\s+(?P<middle>(?:[\w.:-]+\s+){{0,3}}?)"
                     rf"(?P<noun>{_NOUN})s?\b", re.I)
# where to count: "in the people theme", "of section 6", "in CC6", "after A.5.15"
_SCOPE = re.compile(r"\s+(?:in|of|from|within|under|for)\s+(?:the\s+)?(?P<scope>[^?,;!]*?)"
                    r"(?=\s*(?:[?,;!]|\.\s|\.$|$|\s+(?:then|please|and|is|was|does|do|about)\b))", re.I)
# "the control after A.5.15", "the one right before CC6.1"
_NEIGHBOUR = re.compile(rf"\b(?:the\s+)?(?P<noun>{_NOUN})s?(?=\s+(?:(?:right|immediately|just)\s+)?"
                        r"(?:after|following|before|preceding)\s)", re.I)
_POINTER = re.compile(r"(?:that one|this one|that|this|it)\b", re.I)
_RELATIVE = re.compile(r"\s*(?:(?:right|immediately|just)\s+)?(?P<dir>after|following|before|preceding)\s+", re.I)


@dataclass(frozen=True)
class Group:
    """Catalog items counted together, in the standards' order, and the names that point at them."""

    kind: str  # control | criterion | clause
    key: str  # the theme, series, section or category; "*" for every item of the kind
    ids: tuple[str, ...]
    names: tuple[str, ...]


def _norm(text: str) -> str:
    """Lowercase, with British and American spellings made one ("organisational" / "organizational")."""
    return re.sub(r"\s+", " ", text.lower().replace("z", "s")).strip()


@functools.lru_cache(maxsize=1)
def groups() -> tuple[Group, ...]:
    """Every theme, series, section and category of the catalog, and each whole kind, as countable groups."""
    out: dict[tuple[str, str], tuple[list[str], set[str]]] = {}

    def add(kind: str, key: str, item: str, *names: str) -> None:
        ids, known = out.setdefault((kind, key), ([], set()))
        ids.append(item)
        known.update(_norm(n) for n in names if n)

    for e in CATALOG.values():
        if e.kind == "control":
            theme_number = e.id.split(".")[1]
            add("control", e.theme, e.id, e.theme, f"{e.theme} theme", f"{e.theme} controls", f"a.{theme_number}")
            add("control", "*", e.id, "annex a")
        elif e.kind == "clause":
            section = e.id.split(".")[0]
            add("clause", section, e.id, e.theme, f"section {section}", f"clause {section}")
            add("clause", "*", e.id, "iso 27001 clauses", "the clauses")
        else:
            series = e.id.split(".")[0]
            add("criterion", series, e.id, e.theme, series, f"{series} series")
            add("criterion", f"category:{e.category}", e.id, e.category.replace("_", " ") if e.category else "")
            add("criterion", "*", e.id, "soc 2", "trust services criteria")
    return tuple(Group(kind, key, tuple(ids), tuple(sorted(names, key=len, reverse=True)))
                 for (kind, key), (ids, names) in out.items())


def _named_group(text: str, kind: str | None) -> Group | None:
    """The smallest group of `kind` whose name `text` contains as whole words."""
    said = _norm(text)
    found = [g for g in groups() if kind in (None, g.kind)
             and any(re.search(rf"(?<![\w.]){re.escape(n)}(?![\w.]|\.\d)", said) for n in g.names)]
    return min(found, key=lambda g: len(g.ids), default=None)


def _sequence(item: str) -> tuple[str, ...]:
    """All items of `item`'s kind in order (Annex A controls run on from one theme into the next)."""
    kind = CATALOG[item].kind
    return next(g.ids for g in groups() if g.kind == kind and g.key == "*")


def _spelled(item: str) -> str:
    return f"clause {item}" if CATALOG[item].kind == "clause" else item


def place(question: str, last_id: str | None = None) -> str | None:
    """`question` with a catalog position replaced by the ID it names, or None when it names no position."""
    phrases = sorted(list(_PHRASE.finditer(question)) + list(_NEIGHBOUR.finditer(question)), key=lambda m: m.start())
    for m in phrases:
        named = m.groupdict().get("ord")
        ordinal, kind = ORDINALS[named.lower()] if named else "+", NOUNS[m.group("noun").lower()]
        end = m.end()
        anchor: str | None = None
        relative = _RELATIVE.match(question, end)
        if relative:  # "the control after A.5.15"
            rest = question[relative.end():]
            pointer = _POINTER.match(rest)
            # a bare number after "the clause" or "the control" is one of those ("the clause after 9.2")
            prefix = f"{kind} " if kind in ("clause", "control") else ""
            after = [i for i in find_ids(prefix + rest) if i.start == 0]
            if pointer and last_id:  # "the one after that"
                anchor, end = last_id, relative.end() + pointer.end()
            elif after and after[0].exists and after[0].id in CATALOG:
                anchor, end = after[0].id, relative.end() + len(after[0].raw) - len(prefix)
            else:
                continue
            ordinal = "-" if relative.group("dir").lower() in ("before", "preceding") else "+"
        elif not named:
            continue  # "the control" followed by no ID
        item = _relative(ordinal, kind, anchor or last_id) if ordinal in ("+", "-") else None
        if ordinal not in ("+", "-"):
            scope = _SCOPE.match(question, end)
            where = (m.groupdict().get("middle") or "") + " " + (scope.group("scope") if scope else "")
            group = _named_group(where, kind)
            if group is None:
                continue
            if scope and _named_group(scope.group("scope"), kind) is not None:
                end = scope.end()
            if ordinal >= len(group.ids):
                continue
            item = group.ids[ordinal]
        if item is None:
            continue
        return question[: m.start()] + _spelled(item) + question[end:]
    return None


def _relative(step: str, kind: str | None, anchor: str | None) -> str | None:
    """The item after (+) or before (-) `anchor` in its kind's order; None at either end or without an anchor."""
    if anchor is None or anchor not in CATALOG or kind not in (None, CATALOG[anchor].kind):
        return None
    order = _sequence(anchor)
    at = order.index(anchor) + (1 if step == "+" else -1)
    return order[at] if 0 <= at < len(order) else None
