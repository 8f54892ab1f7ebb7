"""The 2013 edition of ISO/IEC 27001 Annex A named in words: a control by its old title, a whole old domain.

"the old 'protection of log information' control" names A.12.4.2 and "the A.16 incident section" names the
2013 domain A.16; the successor route answers both from the correspondence (`ingest.lineage`), and
`understand` routes them there.

>>> named_by_title("the old 'information transfer policies and procedures' control, where did it go?")
'A.13.2.1'
>>> named_domain("what replaced the whole A.16 incident management section?")
'A.16'
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, utils

from ingest.catalog import CATALOG
from ingest.lineage import LINEAGE

TITLE_MATCH = 90  # rapidfuzz partial ratio (0-100) of a 2013 title within the question
MIN_TITLE_WORDS = 3  # shorter titles ("Segregation of duties") are also 2022 titles: a number is needed
MIN_2022_TITLE_WORDS = 2
# words that place a question in the 2013 edition
EARLIER_EDITION = re.compile(r"(?i)\b(2013|old|older|previous|prior|legacy|former|earlier|used to|retired|no longer)\b")


def named_by_title(question: str) -> str | None:
    """The 2013 control a question names by its title, when one title stands clearly in the question; a short
    title that no 2022 control carries ("the old teleworking control") counts when the question says 2013."""
    scored = [(fuzz.partial_ratio(c.title, question, processor=utils.default_process), c.id)
              for c in LINEAGE.controls if len(c.title.split()) >= MIN_TITLE_WORDS]
    scored.sort(reverse=True)
    if scored and scored[0][0] >= TITLE_MATCH and (len(scored) < 2 or scored[1][0] < scored[0][0]):
        return scored[0][1]
    asked = f" {utils.default_process(question)} "
    titles_2022 = {utils.default_process(c.title) for c in CATALOG.values() if c.kind == "control"}
    short = [c.id for c in LINEAGE.controls if len(c.title.split()) < MIN_TITLE_WORDS
             and utils.default_process(c.title) not in titles_2022 and f" {utils.default_process(c.title)} " in asked]
    return short[0] if len(short) == 1 and EARLIER_EDITION.search(question) else None


def named_by_2022_title(question: str) -> str | None:
    """The 2022 Annex A control a question names by its whole title ("is threat intelligence new?"), when only one
    is named."""
    asked = f" {utils.default_process(question)} "
    named = [c.id for c in CATALOG.values() if c.kind == "control" and len(c.title.split()) >= MIN_2022_TITLE_WORDS
             and f" {utils.default_process(c.title)} " in asked]
    return named[0] if len(named) == 1 else None


# "A.16", "A16", "annex a 16"; never "a 12 person team"
_DOMAIN_NUMBER = re.compile(r"(?i)(?:\bannex\s+a\s*\.?\s*|\ba\.\s?|\ba(?=\d))(\d{1,2})\b(?![.\d])")
_DOMAIN_WORDS = re.compile(r"(?i)\b(domains?|sections?|chapters?|categor(y|ies)|groups?|areas?|family|families)\b")


def named_domain(question: str) -> str | None:
    """A whole 2013 Annex A domain the question asks about: by number ("A.16", "the A.7 domain of 2013"; A.5 to
    A.8 are also 2022 themes, so those need the earlier edition named) or by its title with a domain word ("the old
    human resource security domain")."""
    for m in _DOMAIN_NUMBER.finditer(question):
        domain = f"A.{int(m.group(1))}"
        if domain in LINEAGE.domains and (int(m.group(1)) > 8 or EARLIER_EDITION.search(question)):
            return domain
    if EARLIER_EDITION.search(question) and _DOMAIN_WORDS.search(question):
        asked = f" {utils.default_process(question)} "
        titled = [d for d, title in LINEAGE.domains.items() if f" {utils.default_process(title)} " in asked]
        if len(titled) == 1:
            return titled[0]
    return None
