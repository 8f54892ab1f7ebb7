"""What a salesperson must not answer alone: commitments, conflicting sources, expired entries.

A commitment (a contract term, a notice period, an audit on site, a promise
about the future) goes to legal, filled or not by the library. Two approved
entries that answer the same row and disagree (a yes and a no; RTO 4 h and
12 h) are shown together. An entry past its review date is never rated high.

>>> commitment("Will you notify us within 24 hours of a breach?"), commitment("Do you accept unlimited liability?")
('commitment', 'commitment')
>>> commitment("Do you encrypt data at rest?") is None
True
>>> disagree("The RTO is 4 hours.", "yes", "Our RTO is 12 hours.", "yes")
True
"""

from __future__ import annotations

import re
from datetime import date

COMMITMENT_OWNER = "legal"
_PROMISE = re.compile(r"\b(will|would|shall)\s+(you|the (vendor|supplier|provider|company))\b|"
                      r"\b(are you|is the (vendor|supplier)) (willing|prepared|able) to (commit|agree|accept|sign|allow|"
                      r"permit|provide|notify|indemnify)|\bdo you (agree|accept|commit|consent|undertake)\b|"
                      r"\bcan you (commit|guarantee)\b|\b(agree|commit) to\b", re.I)
_TERMS = re.compile(r"\b(unlimited liability|liabilit(y|ies)|indemnif\w*|on-?site (audit|assessment|visit|inspection)s?|"
                    r"right to audit|audit rights|penalt(y|ies)|service credits?|liquidated damages|governing law|"
                    r"contract(ual)? (term|clause|obligation|commitment)s?|(sign|execute) (our|the|a|your) "
                    r"(dpa|baa|nda|agreement|contract|addendum))\b", re.I)
_NOTICE = re.compile(r"\b(notif\w*|inform\w*|alert\w*)\b.{0,60}\bwithin\s+\d+\s*(hours?|hrs?|h|days?|business days)\b|"
                     r"\bwithin\s+\d+\s*(hours?|hrs?|days?)\b.{0,60}\bnotif", re.I)
_QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*(hours?|hrs?|h|days?|minutes?|mins?|weeks?|months?|years?|%|percent)\b",
                       re.I)
_UNITS = {"h": "hour", "hr": "hour", "hrs": "hour", "min": "minute", "mins": "minute", "percent": "%"}


def commitment(text: str) -> str | None:
    """'commitment' when the row asks the company to promise or to accept a contract term, else None."""
    if _TERMS.search(text) or _NOTICE.search(text):
        return "commitment"
    promise = _PROMISE.search(text)
    if promise and not re.search(r"\bwould you (describe|explain|say|rate)\b", text, re.I):
        return "commitment"
    return None


def quantities(text: str) -> dict[str, set[float]]:
    found: dict[str, set[float]] = {}
    for number, unit in _QUANTITY.findall(text):
        unit = unit.lower()
        unit = _UNITS.get(unit, unit.rstrip("s") if unit not in ("%",) else unit)
        found.setdefault(unit, set()).add(float(number))
    return found


def disagree(answer_a: str, yes_no_a: str, answer_b: str, yes_no_b: str) -> bool:
    """Two approved answers to one row that cannot both be true: opposite yes/no, or no figure in common in one unit."""
    if yes_no_a in ("yes", "no") and yes_no_b in ("yes", "no") and yes_no_a != yes_no_b:
        return True
    a, b = quantities(answer_a), quantities(answer_b)
    return any(not a[unit] & b[unit] for unit in a.keys() & b.keys())  # no figure in common


def expired(review_due: date | None, today: date | None = None) -> bool:
    return review_due is not None and review_due < (today or date.today())
