"""Row kinds, dropdown mapping and flags: the decisions of a questionnaire fill, table by table."""

from __future__ import annotations

from datetime import date

import pytest

from bot.sales.choices import meaning, pick
from bot.sales.flags import commitment, disagree, expired
from bot.sales.row_kinds import classify, classify_texts, field_key, option_question, statement_asked
from ingest.workbook import Item

KINDS = [
    ("Do you encrypt customer data at rest?", "question"),
    ("Is MFA enforced for all administrators", "question"),
    ("Please confirm that all customer data is encrypted at rest.", "statement"),
    ("The vendor maintains a documented incident response plan.", "statement"),
    ("Confirm whether backups are tested quarterly.", "statement"),
    ("Explain how your application stores passwords:", "prompt"),
    ("Describe how the traffic is protected:", "prompt"),
    ("List all countries where data centers are located:", "prompt"),
    ("Provide your most recent penetration test summary", "prompt"),
    ("Encryption key management:", "prompt"),
    ("Select the security controls in place at your data centers:", "prompt"),  # a caption needs options under it
    ("Company name", "field"),
    ("Vendor legal name:", "field"),
    ("Primary contact email:", "field"),
    ("Website URL", "field"),
    ("Name of person completing this questionnaire", "field"),
    ("Please answer every question in column C.", "instruction"),
    ("Instructions: use the drop-down in the Response column.", "instruction"),
    ("Access Control", "heading"),
    ("ENC-1", "heading"),
    ("Section 3: Encryption", "heading"),
]


@pytest.mark.parametrize("text,kind", KINDS, ids=[k[0][:40] for k in KINDS])
def test_each_row_alone_gets_its_kind(text, kind):
    assert classify_texts([text])[0].kind == kind


def test_a_banner_is_a_heading_and_bold_short_text_is_not_a_statement():
    rows = [Item("s", 1, "Data protection and privacy controls", banner=True),
            Item("s", 2, "Business continuity and disaster recovery", bold=True),
            Item("s", 3, "Do you have a business continuity plan?")]
    assert [k.kind for k in classify(rows)] == ["heading", "heading", "question"]


def test_choice_options_are_asked_in_their_captions_context_until_the_group_ends():
    rows = [Item("s", 1, "Select the security controls in place at your data centers:"),
            Item("s", 2, "CCTV"), Item("s", 3, "Mantrap"), Item("s", 4, "UPS batteries"),
            Item("s", 5, "Fire detection system"),
            Item("s", 7, "Hardware security modules")]  # after a blank row: not an option any more
    kinds = classify(rows)
    assert [k.kind for k in kinds] == ["caption", "choice", "choice", "choice", "choice", "heading"]
    assert kinds[1].asked == "Do you have CCTV at your data centers?" and kinds[1].parent == 1
    assert kinds[4].asked == "Do you have Fire detection system at your data centers?"


@pytest.mark.parametrize("caption,option,asked", [
    ("Select the security controls in place at your data centers:", "CCTV", "Do you have CCTV at your data centers?"),
    ("Which of the following do you use for MFA (select all that apply):", "Hardware keys",
     "Do you use Hardware keys for MFA?"),
    ("Check all that apply:", "SIEM", "Do you have SIEM?"),
    ("Indicate the certifications held:", "ISO 27001", "Do you have ISO 27001 (certifications held)?"),
])
def test_option_questions(caption, option, asked):
    assert option_question(caption, option) == asked


def test_a_followup_is_tied_to_its_parent_and_asked_with_it():
    kinds = classify_texts(["Do you perform penetration tests?", "If yes, how often and by whom?",
                            "If no, explain why not.", "Access Control", "If yes, describe it."])
    assert [k.kind for k in kinds] == ["question", "followup", "followup", "heading", "statement"]
    assert kinds[1].parent == 1 and kinds[1].asked == "Do you perform penetration tests? If yes, how often and by whom?"
    assert kinds[2].parent == 1  # a second follow-up hangs on the same question


def test_statements_are_asked_as_the_claim_they_make():
    assert statement_asked("Please confirm that all data is encrypted at rest.") == "All data is encrypted at rest."
    assert statement_asked("The vendor maintains an ISMS.") == "The vendor maintains an ISMS."


@pytest.mark.parametrize("label,key", [("Company name", "company_name"), ("Supplier legal name", "company_name"),
                                       ("What is your company's legal name?", "company_name"),
                                       ("Security contact e-mail", "contact_email"), ("Telephone", "contact_phone"),
                                       ("Website URL", "website"), ("Primary contact:", "contact_name"),
                                       ("Do you encrypt data at rest?", None)])
def test_field_keys(label, key):
    assert field_key(label) == key


DROPDOWNS = [
    (("Yes", "No", "N/A"), {"yes": "Yes", "no": "No", "n/a": "N/A", "partial": None}),
    (("Implemented", "Partially implemented", "Not implemented"),
     {"yes": "Implemented", "partial": "Partially implemented", "no": "Not implemented", "n/a": None}),
    (("Compliant", "Non-compliant", "Not applicable"), {"yes": "Compliant", "no": "Non-compliant", "n/a": "Not applicable"}),
    (("Y", "N"), {"yes": "Y", "no": "N"}),
    (("Fully in place", "In progress", "Not in place", "Does not apply"),
     {"yes": "Fully in place", "partial": "In progress", "no": "Not in place", "n/a": "Does not apply"}),
    (("Low", "Medium", "High"), {"yes": None, "no": None}),  # a rating, not an answer: nothing is written
    ((), {"yes": "Yes", "partial": "Partial", "no": "No", "n/a": "N/A"}),  # no dropdown: the plain word
]


@pytest.mark.parametrize("allowed,expected", DROPDOWNS, ids=["/".join(d[0]) or "free" for d in DROPDOWNS])
def test_dropdown_mapping_only_ever_picks_an_allowed_value(allowed, expected):
    for answer, value in expected.items():
        assert pick(answer, allowed) == value, (answer, allowed)
        assert value is None or not allowed or value in allowed
    assert meaning("Partially") == "partial" and meaning("") is None


@pytest.mark.parametrize("text", ["Will you notify us within 24 hours of a breach?", "Do you accept unlimited liability?",
                                  "Will you allow on-site audits?", "Do you agree to our right to audit clause?",
                                  "Are you willing to sign our DPA?", "Will the vendor provide service credits?",
                                  "Customers are notified of incidents within 72 hours."])
def test_commitments_are_flagged(text):
    assert commitment(text) == "commitment"


@pytest.mark.parametrize("text", ["Do you encrypt data at rest?", "Describe your incident response process:",
                                  "Do you perform annual penetration tests?", "Is there an audit log of admin actions?"])
def test_ordinary_rows_are_not_commitments(text):
    assert commitment(text) is None


def test_disagreement_and_expiry():
    assert disagree("Our RTO is 4 hours.", "", "The RTO is 12 h for the platform.", "")
    assert disagree("Yes. We do.", "yes", "No. We do not.", "no")
    assert not disagree("RTO is 4 hours, RPO 1 hour.", "yes", "The RTO is 4 hours.", "yes")
    assert not disagree("Backups are kept for 30 days.", "", "We use AES-256.", "")
    assert expired(date(2020, 1, 1)) and not expired(None) and not expired(date(2999, 1, 1))


def test_flags_are_split_by_reason_not_by_every_semicolon():
    from bot.sales.rows import reason, split_flags
    flags = ("conflicting sources: lib-1 says 'RTO 4 h; tested yearly' | lib-2 says 'RTO 12 h'; "
             "expired entry lib-3 (review due 2026-01-01)")
    assert [reason(f) for f in split_flags(flags)] == ["conflicting sources", "expired entry"]
    assert split_flags("") == []


@pytest.mark.parametrize("text,kind,asked", [
    ("Backups encrypted Y/N", "statement", "Backups encrypted"),
    ("ISO 27001 certified (Y/N).", "statement", "ISO 27001 certified"),
    ("MFA for remote access - Yes/No", "statement", "MFA for remote access"),
])
def test_a_terse_row_with_its_answer_format_is_a_statement_not_a_heading(text, kind, asked):
    from bot.sales.row_kinds import classify_texts
    got = classify_texts([text])[0]
    assert (got.kind, got.asked) == (kind, asked)


def test_a_caption_with_no_options_under_it_is_a_prompt():
    from bot.sales.row_kinds import classify_texts
    kinds = classify_texts(["Indicate whether the hosted solution is a shared (multi-tenant) or dedicated architecture:",
                            "Do you encrypt data at rest?"])
    assert [k.kind for k in kinds] == ["prompt", "question"]
