"""The subject of a question: what it is about, with its framing taken off.

"Questionnaire item: 'Customer data is encrypted at rest' which controls back
up our answer?" is about encryption at rest; the wrapper is the form it came
in. Retrieval searches for the subject, so a guidance document about
questionnaire formats or about the 2022 edition leads only when the question is
about that. The wrappers are data (`bot/data/framing.yaml`).

>>> subject("Questionnaire item: 'Customer data is encrypted at rest.' which controls back up our answer?")
'Customer data is encrypted at rest.'
>>> subject("What does CC6.1 require?")
'What does CC6.1 require?'
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from bot.text import terms
from ingest.datafile import read_yaml

FRAMING_PATH = Path(__file__).with_name("data") / "framing.yaml"
# a subject needs this many words of its own; with fewer, the framing was the question ("Yes/No?")
MIN_SUBJECT_TERMS = 2


@functools.cache
def _patterns() -> tuple[list[re.Pattern], list[re.Pattern], list[re.Pattern]]:
    data = read_yaml(FRAMING_PATH)
    leading, trailing, anywhere = ([re.compile(p, re.I) for p in data[key]] for key in ("leading", "trailing", "anywhere"))
    return _locators() + leading, trailing, anywhere


@functools.cache
def _locators() -> list[re.Pattern]:
    return [re.compile(p, re.I) for p in read_yaml(FRAMING_PATH)["locators"]]


def without_locator(question: str) -> str:
    """The question without a questionnaire's own numbering in front ("Section 5, item 3: ..."), which names no
    clause of the standard."""
    for pattern in _locators():
        question = pattern.sub("", question, count=1)
    return question


def subject(question: str) -> str:
    """The question without its framing; the question itself when too little would be left."""
    leading, trailing, anywhere = _patterns()
    text = question
    for _ in range(3):  # wrappers nest: "Hi! Questionnaire item: Yes/No: ..."
        before = text
        for pattern in leading:
            text = pattern.sub("", text, count=1)
        for pattern in trailing:
            text = pattern.sub("", text, count=1)
        if text == before:
            break
    for pattern in anywhere:
        text = pattern.sub(" ", text)
    text = re.sub(r"\s{2,}", " ", text).strip(" ,;:-")
    return text if len(terms(text)) >= MIN_SUBJECT_TERMS else question


# "what is an ISMS", "what are CUECs in a soc 2 report", "what does SoA stand for", "define bridge letter"
_DEFINITION = re.compile(r"(?i)^\W*(?:(?:so|ok|and|hey|quick q:?),?\s+)?(?:what(?:'s|s| is| are)|who(?:'s| is| are)|define|"
                         r"meaning of|what does)\s+"
                         r"(?:an?\s+|the\s+)?(?P<term>[\w&/' -]{2,40}?)(?:\s+(?:mean|stand for))?"
                         r"(?:\s+(?:in|for|under)\s+(?:a\s+|an\s+|the\s+)?(?:soc ?2|iso(?:/iec)?(?: ?27001)?(?::2022)?)"
                         r"(?:\s+(?:report|audit|certificate|certification|terms|world|speak))?)?"
                         # "what is an ISMS, in plain words?": how to answer, not what
                         r"(?:,?\s+(?:in plain (?:words|english|terms|language)|simply|briefly|exactly|please|pls|again|"
                         r"in a nutshell|in one sentence|for a slide|for dummies|for a non-expert))*\s*[?.!]*\s*$")


def defined_term(question: str) -> str | None:
    """The term a definition question asks about, or None."""
    m = _DEFINITION.match(question.strip())
    return m.group("term").strip() if m else None


_LEGAL_FORM = r"(?:cloud|inc|ltd|llc|gmbh|ag|bv|sa|sas|plc|corp|corporation|co|company|team)"
_AGREE = {"does": "do", "is": "are", "has": "have", "was": "were"}
# what a vendor's name stands before as an owner: "Northwind staff" are "your staff"
_OWNED = (r"(staff|employees?|team|people|personnel|engineers?|developers?|support|admins?|software|product|platform|"
          r"app|application|services?|systems?|infrastructure|polic(y|ies)|security|soc|iso|reports?|certificates?|"
          r"customers?|contracts?|dpa|sla|api|servers?|data ?cent(er|re)s?|laptops?|devices?|offices?|hq|"
          r"headquarters|accounts?|cloud|network|code|source code)")


_TEXTED_YOUR = re.compile(r"(?<![\w'’.-])ur(?![\w'’.-])")
_TEXTED_YOU = re.compile(r"(?<![\w'’.-])u(?![\w'’.-])")


def addressed(question: str, tenant: str | None) -> str:
    """A buyer's question to the vendor with the vendor's name put as "you": "does Northwind encrypt our data at
    rest?" -> "do you encrypt our data at rest?". The tenant's approved entries are written as asked of them
    ("Is customer data encrypted at rest?"), and its policies say its name on every line, so the name only pulls
    the search towards the policies.

    >>> addressed("Does Northwind Cloud, Inc. encrypt backups? And northwind's staff?", "northwind")
    'Do you encrypt backups? And your staff?'
    >>> addressed("Describe the vendor's patch management process. do u use SAST in ur SDLC?", "northwind")
    'Describe your patch management process. do you use SAST in your SDLC?'
    """
    if not tenant:
        return question
    name = r"[\s-]?".join(re.escape(w) for w in re.split(r"[\s_-]+", tenant.strip()) if w)
    # a pasted row says "the vendor" ("Describe the vendor's patch management process"), a chat says "ur" and "u"
    name = rf"(?:{name}|the (?:vendor|supplier|service provider|provider|contractor))"
    question = _TEXTED_YOUR.sub("your", _TEXTED_YOU.sub("you", question))
    pattern = re.compile(rf"(?i)\b(?P<verb>does|is|has|was)?(?(verb)\s+)\b{name}\b(?:,?[\s-]+{_LEGAL_FORM}\b\.?)*"
                         r"(?P<own>['’]s\b|s['’](?!\w)|(?=\s+" + _OWNED + r"\b))?")

    def you(m: re.Match) -> str:
        verb, own = m.group("verb"), m.group("own")
        # "is Northwind SOC 2 compliant?": after a verb, what follows the name is said of it, not owned by it
        word = "your" if own or (own == "" and not verb) else "you"
        if not verb:
            return word
        if m.group("own"):  # "what is Northwind's policy": the verb agrees with the policy
            return f"{verb} {word}"
        said = _AGREE[verb.lower()]
        return f"{said.capitalize() if verb[0].isupper() else said} {word}"

    return pattern.sub(you, question)
