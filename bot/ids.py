"""Control-ID grammar: find SOC 2 and ISO/IEC 27001 references in free text.

The one place that knows how people spell IDs. Every mention is normalised to
its canonical form and checked against `bot.catalog`: an ID the standards
never defined comes back with `exists=False`, so the engine can say so instead
of describing something that is not there.

>>> [m.id for m in find_ids("what does cc 6.1 need, and Annex A 8.24?")]
['CC6.1', 'A.8.24']
>>> find_ids("is CC10.1 about encryption?")[0].exists
False
>>> [m.id for m in find_ids("clause 9.2.2 and control 5.7")]
['9.2', 'A.5.7']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.catalog import CATALOG
from ingest.lineage import LINEAGE

# Sub-clauses of ISO 27001:2022 that are answered by their parent clause's document.
SUBCLAUSE_PARENT = {"6.1.1": "6.1", "7.5.1": "7.5", "7.5.2": "7.5", "7.5.3": "7.5",
                    "9.2.1": "9.2", "9.2.2": "9.2", "9.3.1": "9.3", "9.3.2": "9.3", "9.3.3": "9.3"}


# Top-level clauses 4-10 ("clause 6") stand for all of their sub-clauses.
SECTIONS: dict[str, list[str]] = {}
for _entry in CATALOG.values():
    if _entry.kind == "clause":
        SECTIONS.setdefault(_entry.id.split(".")[0], []).append(_entry.id)


# A SOC 2 series ("CC6", "P4") stands for its criteria: CC6.1-CC6.8, P4.1-P4.3.
SERIES: dict[str, list[str]] = {}
for _entry in CATALOG.values():
    if _entry.framework == "soc2":
        SERIES.setdefault(_entry.id.split(".")[0], []).append(_entry.id)


@dataclass(frozen=True)
class Mention:
    """One ID found in text."""

    id: str  # canonical spelling, e.g. "CC6.1", "A.8.24", "9.2"
    framework: str  # "soc2" | "iso27001"
    exists: bool
    raw: str  # as the user wrote it
    start: int
    note: str = ""  # e.g. why it does not exist
    edition: int = 2022  # 2013 for an ISO/IEC 27001:2013 Annex A number (A.12.6.1)

    @property
    def documents(self) -> list[str]:
        """The corpus documents this mention stands for (a whole section stands for its clauses)."""
        if not self.exists:
            return []
        return SECTIONS.get(self.id) or SERIES.get(self.id) or [self.id]

    @property
    def is_2013(self) -> bool:
        """A control of the 2013 Annex A that has 2022 successors."""
        return self.edition == 2013

    @property
    def kind(self) -> str:
        entry = CATALOG.get(self.id)
        return entry.kind if entry else ("criterion" if self.framework == "soc2" else "control")


_SEP = r"\s?[.\-]\s?"
_SOC2 = re.compile(rf"(?i)(?<![\w.])(?P<series>cc|pi)\s?(?P<a>\d{{1,2}}){_SEP}(?P<b>\d{{1,2}})(?![\w]|\.\d)"
                   rf"|(?<![\w.])(?P<series1>[acp]|(?i:p)\s(?=[1-8]\.\d(?![\w]|\.\d)))(?P<a1>[1-9]\d?)\.(?P<b1>\d{{1,2}})"
                   rf"(?![\w]|\.\d)")  # "P6.4", and the privacy series with a space too ("p 6.4")
_ANNEX = re.compile(
    r"(?i)(?:\bannex\s*a\s*(?:control\s*)?[:\-]?\s*(?:a\.)?|(?<![\w.])a\.\s?|(?<![\w.])a(?=[5-8]\.)"
    r"|\bcontrols?\s+(?:a\.?\s?)?)"
    r"(?P<a>\d{1,2})\.(?P<b>\d{1,2})(?P<c>\.\d{1,2})?(?![\w]|\.\d)"
)
_CLAUSE = re.compile(r"(?i)\b(?:clause|clauses(?=\s*(?:[4-9]|10)\b)|section|cl\.)\s*(?P<n>\d{1,2}(?:\.\d{1,2}){0,2})(?![\w]|\.\d)")
_BARE = re.compile(r"(?<![\w.:])(?P<n>(?:[4-9]|10)\.\d{1,2}(?:\.\d)?)(?![\w%]|\.\d)")
# a bare three-part number of the 2013 Annex A ("what replaced 9.4.1?"), when it is not a 2022 sub-clause
_BARE_2013 = re.compile(r"(?<![\w.:])(?P<a>[5-9]|1[0-8])\.(?P<b>\d{1,2})(?P<c>\.\d{1,2})(?![\w%]|\.\d)")
_ISO_CONTEXT = re.compile(r"(?i)\biso\b|27001|annex|\bisms\b")
# a whole SOC 2 series: "CC6" always; "P4", "PI1", "A1", "C1" only beside SOC 2 words ("P1 tickets" are priorities)
_SERIES = re.compile(r"(?i)(?<![\w.])(?:(?P<cc>cc)\s?|(?P<s>pi|p|a|c))(?P<n>\d{1,2})(?![\w]|\.\d)")  # not "a 1 person team"
_SOC2_CONTEXT = re.compile(r"(?i)\bsoc ?2\b|\bcriteri|\bseries\b|\btsc\b|\btrust services\b|\bprivacy\b|"
                           r"\bavailability\b|\bconfidentiality\b|\bprocessing integrity\b")


def _soc2(series: str, a: str, b: str, raw: str, start: int) -> Mention:
    cid = f"{series.upper()}{int(a)}.{int(b)}"
    exists = cid in CATALOG
    note = "" if exists else _soc2_note(series.upper())
    return Mention(cid, "soc2", exists, raw, start, note)


def _soc2_note(series: str) -> str:
    ranges = {
        "CC": "the common criteria run CC1.1-CC1.5, CC2.1-CC2.3, CC3.1-CC3.4, CC4.1-CC4.2, "
              "CC5.1-CC5.3, CC6.1-CC6.8, CC7.1-CC7.5, CC8.1 and CC9.1-CC9.2",
        "A": "the availability criteria are A1.1-A1.3",
        "C": "the confidentiality criteria are C1.1-C1.2",
        "PI": "the processing integrity criteria are PI1.1-PI1.5",
        "P": "the privacy criteria are P1.1, P2.1, P3.1-P3.2, P4.1-P4.3, P5.1-P5.2, P6.1-P6.7, P7.1 and P8.1",
    }
    return ranges[series]


def _annex(a: str, b: str, c: str | None, raw: str, start: int) -> Mention:
    if c:  # three-part Annex A numbers are the 2013 edition's (A.9.2.3)
        cid = f"A.{int(a)}.{int(b)}.{int(c[1:])}"
        if LINEAGE.get(cid):
            return Mention(cid, "iso27001", False, raw, start, "that is 2013-edition numbering", edition=2013)
        return Mention(cid, "iso27001", False, raw, start,
                       "it is not a control of the 2013 edition either; the 2022 edition numbers Annex A controls "
                       "A.5.1-A.5.37, A.6.1-A.6.8, A.7.1-A.7.14 and A.8.1-A.8.34")
    cid = f"A.{int(a)}.{int(b)}"
    exists = cid in CATALOG
    note = "" if exists else ("ISO/IEC 27001:2022 Annex A has 93 controls: A.5.1-A.5.37 (organizational), "
                              "A.6.1-A.6.8 (people), A.7.1-A.7.14 (physical) and A.8.1-A.8.34 (technological)")
    return Mention(cid, "iso27001", exists, raw, start, note)


def _clause(number: str, raw: str, start: int) -> Mention:
    if number in SECTIONS:  # "clause 6" means the whole section: 6.1, 6.1.2, 6.1.3, 6.2, 6.3
        return Mention(number, "iso27001", True, raw, start)
    if number in ("1", "2", "3"):
        return Mention(number, "iso27001", False, raw, start,
                       "clauses 1 to 3 hold the scope, normative references and terms; the requirements are clauses 4 to 10")
    cid = SUBCLAUSE_PARENT.get(number, number)
    exists = CATALOG.get(cid) is not None and CATALOG[cid].kind == "clause"
    note = "" if exists else "ISO/IEC 27001:2022's requirements are clauses 4.1 to 10.2"
    return Mention(cid, "iso27001", exists, raw, start, note)


def find_ids(text: str) -> list[Mention]:
    """Every ID mentioned in `text`, in order of appearance, without repeats."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match) -> bool:
        return all(m.end() <= s or m.start() >= e for s, e in taken)

    for m in _ANNEX.finditer(text):
        found.append(_annex(m["a"], m["b"], m["c"], m.group(), m.start()))
        taken.append(m.span())
    for m in _CLAUSE.finditer(text):
        if free(m):
            found.append(_clause(m["n"], m.group(), m.start()))
            taken.append(m.span())
    for m in _SOC2.finditer(text):
        if not free(m):
            continue
        if m["series"]:
            found.append(_soc2(m["series"], m["a"], m["b"], m.group(), m.start()))
        else:
            found.append(_soc2(m["series1"].strip(), m["a1"], m["b1"], m.group(), m.start()))
        taken.append(m.span())
    soc2_context = bool(_SOC2_CONTEXT.search(text))
    for m in _SERIES.finditer(text):
        series = (m["cc"] or m["s"]).upper()
        if free(m) and (series == "CC" or soc2_context) and not (series == "A" and _ISO_CONTEXT.search(text)):
            name = f"{series}{int(m['n'])}"
            exists = name in SERIES
            if not exists and series != "CC":
                continue  # "C5" is Germany's cloud scheme, not a confidentiality series
            found.append(Mention(name, "soc2", exists, m.group(), m.start(), "" if exists else _soc2_note(series)))
            taken.append(m.span())
    for m in _BARE_2013.finditer(text):
        number = m.group()
        if free(m) and number not in SUBCLAUSE_PARENT and number not in CATALOG and LINEAGE.get(f"A.{number}"):
            found.append(_annex(m["a"], m["b"], m["c"], number, m.start()))
            taken.append(m.span())
    # "clause 6.1.2 and 6.1.3", "clauses 9.2 and 9.3": a number listed after a clause is one too
    iso_context = bool(_ISO_CONTEXT.search(text)) or any(mention.kind == "clause" for mention in found)
    for m in _BARE.finditer(text):
        if iso_context or _titled(m["n"], text, m.end()):
            if free(m):
                mention = _bare_iso(m["n"], m.group(), m.start(), text)
                if mention:
                    found.append(mention)
                    taken.append(m.span())
    found.sort(key=lambda mention: mention.start)
    unique: dict[str, Mention] = {}
    for mention in found:
        unique.setdefault(mention.id, mention)
    return list(unique.values())


def _titled(number: str, text: str, end: int) -> bool:
    """"9.3 management review": a bare clause or control number followed by words of its own title names it, with
    no ISO word in the question ("version 9.3", "9.3 million" are not followed by a title)."""
    from bot.text import terms

    entry = CATALOG.get(SUBCLAUSE_PARENT.get(number, number)) or CATALOG.get(f"A.{number}")
    if entry is None:
        return False
    title = set(terms(entry.title))
    return bool(title & set(terms(text[end:end + 40])[:4]))


def _bare_iso(number: str, raw: str, start: int, text: str) -> Mention | None:
    """A bare number in an ISO question: a clause where only a clause fits, a control where only a control fits."""
    clause_id = SUBCLAUSE_PARENT.get(number, number)
    is_clause = clause_id in CATALOG and CATALOG[clause_id].kind == "clause"
    is_control = f"A.{number}" in CATALOG
    if is_clause and is_control:
        from bot.text import terms

        # "7.5 documented information": the words after the number name one of the two by its title
        after = set(terms(text[start + len(raw):start + len(raw) + 40])[:4])
        clause_named = bool(set(terms(CATALOG[clause_id].title)) & after)
        control_named = bool(set(terms(CATALOG[f"A.{number}"].title)) & after)
        if clause_named != control_named:
            return _clause(number, raw, start) if clause_named else _annex(*number.split("."), None, raw, start)
    if is_clause and (not is_control or not re.search(r"(?i)\bcontrols?\b|annex", text)):
        return _clause(number, raw, start)
    if is_control:
        return _annex(*number.split("."), None, raw, start)
    return None


def canonical(text: str) -> str | None:
    """The canonical spelling of a single ID, or None: `canonical("cc 6.1") == "CC6.1"`."""
    mentions = find_ids(text)
    return mentions[0].id if len(mentions) == 1 else None


# A SOC 2 series letter pair on its own, not followed by a number ("the CC in CC6.1", "what does PI stand for"):
# the question is about how the criteria are named and grouped, not about one criterion.
_SERIES_ALONE = re.compile(r"(?i)(?<![\w.@])(?<!which )(?<!what )(?<!any )(?:cc|pi)(?![\w.@]|\s?\d)")


def names_series(text: str) -> bool:
    """Does the text name a SOC 2 criteria series by its letters alone?

    >>> names_series("what does the CC in CC6.1 stand for"), names_series("what does cc 6.1 require")
    (True, False)
    """
    return bool(_SERIES_ALONE.search(text))
