"""Abbreviations and their spelled-out terms: a question in one form is answered from text in the other."""

from __future__ import annotations

import pytest

from bot.glossary import expand, forms
from bot.text import terms


@pytest.mark.parametrize("text,other", [
    ("when was your last pentest?", "penetration test"),
    ("we run a pen-test yearly", "penetration test"),
    ("our annual penetration testing", "pentest"),
    ("Do you enforce MFA?", "multi-factor authentication"),
    ("is multi-factor authentication required?", "MFA"),
    ("do you support 2FA", "two-factor authentication"),
    ("SSO with Okta?", "single sign-on"),
    ("do you have a BCP", "business continuity plan"),
    ("is there a DR site", "disaster recovery"),
    ("who runs your SIEM", "security information and event management"),
    ("describe your IR process", "incident response"),
    ("do you have a DPA template", "data processing agreement"),
    ("where do you store PII", "personally identifiable information"),
    ("RBAC for admins?", "role-based access control"),
    ("which EDR do you run", "endpoint detection and response"),
    ("keys live in KMS", "key management service"),
])
def test_a_term_brings_its_other_forms(text, other):
    assert other in forms(text)


@pytest.mark.parametrize("text", [
    "which IDs map to CC6.1?",      # identifiers, not an intrusion detection system
    "list the IPs we allow",        # addresses, not intrusion prevention
    "Dr Smith signed the policy",   # a title, not disaster recovery
    "what does CC6.1 require?",
])
def test_ordinary_words_are_not_read_as_abbreviations(text):
    assert expand(text) == text


def test_expansion_shares_words_with_the_spelled_out_sentence():
    sentence = expand("We commission an external penetration test every year.")
    assert "pentest" in terms(sentence)


@pytest.mark.slow
def test_a_pentest_question_is_answered_from_the_penetration_test_row(standards_data):
    """The approved answer says "penetration test", the user says "pentest": no word in common, and
    MiniLM puts them at about 0.43. The glossary makes them the same term, so the row answers."""
    from bot import Assistant, Settings
    from bot.sales.library import Library, rebuild_index
    from ingest import Store
    from ingest.records import Records
    from tests.conftest import CORPUS

    settings = Settings(data_dir=standards_data, corpus_dir=CORPUS)
    records = Records.open(settings)
    library = Library(records, "glossary-co")
    library.import_rows([
        {"question": "Do you perform penetration testing?",
         "answer": "We commission an external penetration test every year from an independent firm; "
                   "the most recent one was completed in March 2025 and found no critical issues."},
        {"question": "Where is the platform hosted?",
         "answer": "The platform is hosted on AWS in two regions."},
    ])
    rebuild_index(library, Store(standards_data))
    records.dispose()
    answer = Assistant(settings).ask("when was your last pentest?", tenant="glossary-co")
    assert answer.route == "company"
    assert answer.citations[0].framework == "company"
    assert "March 2025" in answer.text
