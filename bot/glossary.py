"""Abbreviations and the terms they stand for: "pentest" is a "penetration test", "MFA" is "multi-factor authentication".

The terms are data (`bot/data/abbreviations.yaml`). Word matching uses them so that a question and a sentence
that name the same thing in different forms share their words; nothing here decides what a question is.

>>> expand("when was your last pentest?")
'when was your last pentest? pen test pentesting pen testing penetration test penetration testing'
>>> expand("Do you enforce MFA?").endswith("multi-factor authentication multifactor authentication")
True
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from ingest.datafile import read_yaml

GLOSSARY_PATH = Path(__file__).with_name("data") / "abbreviations.yaml"


def _form_pattern(form: str, exact_case: bool) -> str:
    """A form as a whole-word pattern where a space or a hyphen may be written either way, or left out."""
    words = re.split(r"[\s-]+", form.strip())
    body = r"[\s-]?".join(re.escape(w) for w in words)
    if exact_case:  # "IDs" and "IPs" are plurals, "Dr" a title: the form as written, or in capitals
        body = f"(?-i:{body}|{re.escape(form.upper())})" if form.upper() != form else f"(?-i:{body})"
    return rf"(?<![\w/-]){body}s?(?![\w/-])"


@functools.lru_cache(maxsize=1)
def _terms() -> list[tuple[re.Pattern, tuple[str, ...]]]:
    entries = read_yaml(GLOSSARY_PATH)
    out = []
    for entry in entries:
        exact = bool(entry.get("exact_case"))
        abbreviations = [str(a) for a in entry["abbreviations"]]
        expansions = [str(e) for e in entry["expansions"]]
        parts = [_form_pattern(a, exact) for a in abbreviations] + [_form_pattern(e, False) for e in expansions]
        out.append((re.compile("|".join(parts), re.I), tuple(abbreviations + expansions)))
    return out


def forms(text: str) -> list[str]:
    """The other forms of every glossary term `text` names, in glossary order."""
    found: list[str] = []
    lowered = text.lower()
    for pattern, names in _terms():
        if pattern.search(text):
            found += [n for n in names if n.lower() not in lowered and n not in found]
    return found


@functools.lru_cache(maxsize=16384)
def expand(text: str) -> str:
    """`text` followed by the other forms of the terms it names, for word matching (never shown to anyone)."""
    extra = forms(text)
    return f"{text} {' '.join(extra)}" if extra else text
