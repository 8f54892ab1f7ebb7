"""The frameworks' names, as people write them: one home for every pattern and display name.

Names are a small grammar ("SOC 2", "soc2", "ISO/IEC 27001", "Annex A"), so
they are regular expressions; what a question *means* is learned from examples
(`bot.intent`), never decided here.

>>> named_frameworks("is iso27001 or soc 2 better for us?")
('soc2', 'iso27001')
>>> scope("which SOC 2 criterion is this evidence for: quarterly access reviews")
('soc2',)
>>> scope("How long does SOC 2 take?") is None
True
"""

from __future__ import annotations

import re
from typing import Literal

from bot.text import terms

Standard = Literal["soc2", "iso27001"]
DISPLAY = {"soc2": "SOC 2", "iso27001": "ISO/IEC 27001", "both": "both"}
EDITION = {"soc2": "SOC 2", "iso27001": "ISO/IEC 27001:2022"}
ITEM_NOUN = {"soc2": "criteria", "iso27001": "controls"}

SOC2_NAME = re.compile(r"(?i)\bsoc ?(?:2|two)\b|\bsoc2\b")
ISO_NAME = re.compile(r"(?i)\biso(?:/iec)?(?: ?27001)?\b|\b27001\b")
# words that point at one framework's items, not only its name
SOC2_WORDS = re.compile(r"(?i)\bsoc ?2\b|\bsoc2\b|\btrust services\b|\btsc\b|\bcriteri(?:on|a)\b|\baicpa\b|\bcommon criteria\b")
ISO_WORDS = re.compile(r"(?i)\biso(?:/iec)?(?: ?27001)?\b|\b27001\b|\bannex ?a\b|\bisms\b|\bsoa\b")
# "which SOC 2 criterion ...", "what Annex A control ...": the answer is one of a framework's items
_ITEM = r"(?:criteri(?:on|a)|tsc|controls?|clauses?|requirements?|points? of focus)"
_ASKS_FOR = r"(?:which|what|whichever|is there (?:an?|any)|are there any)"
ITEM_WORDS = re.compile(
    rf"(?i)\b{_ASKS_FOR}\b.{{0,40}}\b{_ITEM}\b"
    rf"|\b{_ITEM}\b.{{0,15}}\b(?:for|on|about|cover\w*|address\w*|apply|applies|relevant|satisf\w*|is this|does this)\b"
    r"|\bwhat does\b.{0,30}\b(?:say|require|expect)\b|\b(?:require[sd]?|expects?)\b.{0,20}\b(?:for|on|about)\b"
    r"|\bannex ?a\b|\bin (?:soc ?2|iso(?: ?27001)?) terms\b")
# the item nouns of each framework: "criterion" is SOC 2's word, "control"/"clause" ISO's
_SOC2_ITEM = re.compile(r"(?i)\b(?:soc ?2|soc2|tsc|trust services)\b.{0,25}\b(?:criteri(?:on|a)|points? of focus|tsc)\b"
                        r"|\bcriteri(?:on|a)\b")
_SOC2_NAMED = re.compile(r"(?i)\b(?:soc ?2|soc2|tsc|trust services)\b")
_ISO_ITEM = re.compile(r"(?i)\b(?:annex ?a|iso(?:/iec)?(?: ?27001)?|27001)\b.{0,25}\b(?:controls?|clauses?)\b"
                       r"|\bannex ?a\b|\bclauses?\b")

# "which SOC 2 criterion ...", "what Annex A control covers ...": the answer must be one of the items themselves
_WHICH_ITEM = re.compile(rf"(?i)\b(?:which|is there (?:an?|any)|are there any)\b.{{0,40}}\b{_ITEM}\b"
                         r"|\bwhat\s+(?:soc ?2\s+|iso(?:/iec)?(?: ?27001)?\s+|annex ?a\s+|tsc\s+)?(?:criterion|control|clause)\b")

# "the 2013 edition", "27001:2022": an ISO/IEC 27001 edition named by its year
ISO_EDITION = re.compile(r"(?i)(?:\b27001\s*[:/-]\s*|\b)(2013|2022)\b")


def names_iso_edition(text: str) -> bool:
    """An ISO/IEC 27001 edition named by its year, in a question that is not about SOC 2."""
    return bool(ISO_EDITION.search(text)) and not SOC2_NAME.search(text)


def names_new_edition(text: str) -> bool:
    """The 2022 edition named by its year: what it added is the successor route's to list.

    >>> names_new_edition("what's new in iso 27001:2022 annex a?"), names_new_edition("when did 27001:2013 end?")
    (True, False)
    """
    return names_iso_edition(text) and any(m.group(1) == "2022" for m in ISO_EDITION.finditer(text))


TABLE = re.compile(r"(?i)\b(table|side[- ]by[- ]side|matrix|comparison chart)\b")
ROADMAP = re.compile(r"(?i)\b(roadmap|road map|plan|phases|steps|timeline for us|how do we get there)\b")


def named_frameworks(text: str) -> tuple[str, ...]:
    """The frameworks a text names, in a fixed order (SOC 2 first)."""
    return tuple(f for f, pattern in (("soc2", SOC2_NAME), ("iso27001", ISO_NAME)) if pattern.search(text))


# a framework's own bodies and parts stand for it: "AICPA vs ISO" has two sides
_SOC2_SIDE = re.compile(r"(?i)\baicpa\b|\btrust services\b|\btsc\b|\bqualified opinion\b|\bsystem description\b|"
                        r"\bcuecs?\b|\bssae ?18\b")
_ISO_SIDE = re.compile(r"(?i)\bannex ?a\b|\bisms\b|\bstatement of applicability\b|\bsoa\b|\bnonconformit(y|ies)\b|"
                       r"\bnon-conformit(y|ies)\b|\bsurveillance audits?\b|\bcertification bod(y|ies)\b")


def sides(text: str) -> tuple[str, ...]:
    """The frameworks a text names or points at by their bodies and parts, in a fixed order (SOC 2 first).

    >>> sides("who writes the rules, the AICPA or ISO?")
    ('soc2', 'iso27001')
    """
    named = set(named_frameworks(text))
    named |= {f for f, pattern in (("soc2", _SOC2_SIDE), ("iso27001", _ISO_SIDE)) if pattern.search(text)}
    return tuple(f for f in ("soc2", "iso27001") if f in named)


# what a framework requires on a topic: answered from its items, not from guidance about it
_REQUIRES = re.compile(
    rf"(?i)\b{_ITEM}\b.{{0,15}}\b(?:for|on|about|cover\w*|address\w*)\b"
    r"|\bwhat does\b.{0,30}\b(?:say|require|expect)\b|\b(?:require[sd]?|expects?)\b.{0,20}\b(?:for|on|about)\b|\bannex ?a\b")


# "soc 2 - what covers making employees answerable ...?": which part of a named framework covers a practice
_COVERS = re.compile(r"(?i)\bwhat (covers|addresses|handles|deals with|talks about)\b"
                     r"|\bwhere (is|are|does)\b.{0,40}\b(covered|addressed|handled)\b")


def item_filter(question: str) -> tuple[str, ...] | None:
    """The frameworks to search *only*: the question asks which item applies, or what a framework requires."""
    asks = _WHICH_ITEM.search(question) or _REQUIRES.search(question) or _COVERS.search(question)
    return scope(question) if asks else None


def scope(question: str) -> tuple[str, ...] | None:
    """The framework(s) whose items a question asks for, first-asked first; None when it asks for none.

    A question about one framework's criteria or controls is answered from them first, not from
    guidance that mentions the framework's name in every paragraph.
    """
    if not ITEM_WORDS.search(question) and not _COVERS.search(question):
        return None
    soc2 = _SOC2_ITEM.search(question)
    iso = _ISO_ITEM.search(question)
    if soc2 and not _SOC2_NAMED.search(soc2.group()) and tuple(named_frameworks(question)) == ("iso27001",):
        soc2 = None  # "what does iso 27001 expect ... acceptance criteria": criteria of ISO's own, not SOC 2's
    if soc2 and iso:
        return ("soc2", "iso27001") if soc2.start() <= iso.start() else ("iso27001", "soc2")
    if soc2:
        return ("soc2",)
    if iso:
        return ("iso27001",)
    named = named_frameworks(question)
    return named or None


# Other assurance schemes, named: a choice among their routes ("which CSA STAR route fits us?") is a question about
# that scheme, not a choice between SOC 2 and ISO/IEC 27001
OTHER_SCHEME = re.compile(r"(?i)\b(csa\s*star|star (level|attestation|certification)|pci(\s*dss)?|hitrust|fedramp|"
                          r"stateramp|tisax|cyber essentials|iso(/iec)?\s*(42001|27701|27017|27018|22301|9001|20000)|"
                          r"c5|irap|ismap|cmmc|nist\s*(800|csf)|hipaa|gdpr|soc\s*1|soc\s*3|data privacy framework|dpf|privacy shield|"
                          r"sccs?|standard contractual clauses|bcrs?|binding corporate rules|dora|nis ?2)\b")


def names_other_scheme(text: str) -> bool:
    """>>> names_other_scheme("we have SOC 2, which csa star route fits us?"), names_other_scheme("soc 2 or iso?")
    (True, False)
    """
    return bool(OTHER_SCHEME.search(text))


# doing both, in general: their order, reusing the work, running them together
BOTH_PLAN = re.compile(r"(?i)\b(both|the two|each of them)\b.{0,60}\b(order|sequence|first|reuse|re-use|same time|parallel|"
                       r"separate projects?|overlap|together|one after (the )?other|combine\w*|integrated|at once)\b|"
                       r"\b(order|sequence|reuse|re-use|same time|parallel|separate projects?|overlap|together|combine\w*)"
                       r"\b.{0,60}\b(both|the two)\b")


# "should we follow his advice?", "do we listen to them?": whether to do what an adviser pushed (a choice for the
# router, a yes or no for the advisor)
OTHERS_ADVICE = re.compile(r"(?i)\b((follow|take|listen to|go along with|ignore) (his|her|their|that|the \w+'?s?) (advice|"
                           r"recommendation|suggestion|push|pitch|view|take)|(should|do) we listen to (him|her|them))\b")
# the words that ask for a mapping or point at an item, not a practice of their own ("which iso control covers ...")
MAPPING_WORDS = frozenset(terms("which what where control controls criterion criteria clause covers cover covered map maps "
                                "mapped mapping equivalent counterpart corresponds match matches iso 27001 soc 2 annex "
                                "about and the specifically exactly then also one"))
