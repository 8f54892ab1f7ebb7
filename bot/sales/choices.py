"""A yes / partial / no / n/a answer, as a value the buyer's dropdown allows.

Each sheet brings its own list ("Yes/No/N/A", "Implemented/Partially
implemented/Not implemented", "Compliant/Non-compliant", custom ones); the
canonical answer is mapped onto it by meaning, or not written at all.

>>> pick("yes", ("Implemented", "Partially implemented", "Not implemented"))
'Implemented'
>>> pick("no", ("Compliant", "Non-compliant", "N/A")), pick("n/a", ("Yes", "No", "Not applicable"))
('Non-compliant', 'Not applicable')
>>> pick("partial", ("Yes", "No")) is None
True
"""

from __future__ import annotations

import re

CANONICAL = ("yes", "partial", "no", "n/a")
SHOWN = {"yes": "Yes", "partial": "Partial", "no": "No", "n/a": "N/A"}  # a choice cell without a dropdown
_NA = re.compile(r"^(n\s*/?\s*a|n\.a\.?|not applicable|not relevant|does not apply)\b", re.I)
_NO = re.compile(r"^(no|n|false|non\b|non-|not\b|none\b|disagree|absent|missing|unavailable)", re.I)
_PARTIAL = re.compile(r"\b(partial(ly)?|in progress|planned|some|limited|in part|ongoing)\b", re.I)
_YES = re.compile(r"^(yes|y|true|agree|implemented|fully|compliant|complete|in place|met|supported|available|"
                  r"present|enabled|adopted|established|always|confirmed?)\b", re.I)


def meaning(value: str) -> str | None:
    """What a dropdown value means: one of CANONICAL, or None when it says something else."""
    text = " ".join(str(value).split()).strip(" .")
    if not text:
        return None
    if _NA.match(text):
        return "n/a"
    if _PARTIAL.search(text):
        return "partial"
    if _NO.match(text):
        return "no"
    if _YES.match(text):
        return "yes"
    return None


def pick(answer: str, allowed: tuple[str, ...]) -> str | None:
    """The allowed value that means `answer` (canonical), or None; without a list, the plain word."""
    if answer not in CANONICAL:
        return None
    if not allowed:
        return SHOWN[answer]
    return next((value for value in allowed if meaning(value) == answer), None)
