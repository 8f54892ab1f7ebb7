"""The corpus lint: every ID exactly once, valid front matter, full sections, a consistent crosswalk,
no broken links, no sentences taken from the seed article, and a home for every seed fact."""

from __future__ import annotations

import csv
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from bot.ids import find_ids
from ingest.catalog import CATALOG, ISO_CLAUSE_IDS, ISO_CONTROL_IDS, SOC2_IDS
from ingest.crosswalk import Crosswalk, parse_counterparts
from ingest.load import load_company, load_corpus
from ingest.schema import STANDARD_SECTIONS

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def _seed_dir() -> Path:
    """The seed article lives outside the repo: where TRUSTDESK_SEED_DIR says, else ../shared/seed next to this
    checkout, else next to the checkout it was cloned from (a clone in a temporary folder has no ../shared)."""
    if os.environ.get("TRUSTDESK_SEED_DIR"):
        return Path(os.environ["TRUSTDESK_SEED_DIR"])
    candidates = [ROOT.parent / "shared" / "seed"]
    origin = subprocess.run(["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
                            capture_output=True, text=True).stdout.strip()
    if origin and "://" not in origin and ":" not in origin.split("/")[0]:  # a local path, not a URL
        candidates.append(Path(origin).resolve().parent / "shared" / "seed")
    return next((c for c in candidates if any(c.glob("*.txt"))), candidates[0])


SEED_DIR = _seed_dir()
SEED = sorted(SEED_DIR.glob("*.txt"))
NORTHWIND = CORPUS / "examples" / "northwind"


@pytest.fixture(scope="module")
def docs():
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def by_id(docs):
    return {d.meta.id: d for d in docs}


def sections(body: str) -> list[tuple[str, str]]:
    parts = re.split(r"(?m)^## (.+)$", body)
    return [(parts[i].strip(), parts[i + 1].strip()) for i in range(1, len(parts), 2)]


def test_counts_per_framework(docs):
    counts = Counter((d.meta.framework, d.meta.kind) for d in docs)
    assert counts[("soc2", "criterion")] == 61
    assert counts[("iso27001", "clause")] == len(ISO_CLAUSE_IDS) == 25
    assert counts[("iso27001", "control")] == 93
    assert counts[("guidance", "guidance")] >= 20
    assert counts[("company", "company")] == 0, "the company pack must never enter the standards collection"


def test_every_catalog_id_exactly_once(docs):
    ids = Counter(d.meta.id for d in docs)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [i for i in CATALOG if i not in ids] == []
    standards = {d.meta.id for d in docs if d.meta.is_standard}
    assert standards == set(CATALOG), f"not in the catalog: {sorted(standards - set(CATALOG))}"


def test_front_matter_agrees_with_catalog(docs):
    for doc in docs:
        if not doc.meta.is_standard:
            continue
        entry = CATALOG[doc.meta.id]
        m = doc.meta
        assert (m.framework, m.kind, m.title, m.theme) == (entry.framework, entry.kind, entry.title, entry.theme), doc.source
        if m.framework == "soc2":
            assert m.category == entry.category, doc.source
            assert m.coso_principle == entry.coso_principle, doc.source
        if m.kind == "control":
            assert m.new_in_2022 is entry.new_in_2022, doc.source


def test_eleven_controls_new_in_2022(docs):
    new = sorted(d.meta.id for d in docs if d.meta.new_in_2022)
    assert len(new) == 11
    assert {"A.5.7", "A.5.23", "A.5.30", "A.7.4", "A.8.9", "A.8.28"} <= set(new)


def test_standard_files_have_every_section_in_order(docs):
    for doc in docs:
        if not doc.meta.is_standard:
            continue
        found = sections(doc.body)
        assert [name for name, _ in found] == list(STANDARD_SECTIONS), doc.source
        for name, text in found:
            assert len(text.split()) >= 5, f"{doc.source}: section '{name}' is empty or nearly so"
        lead = found[0][1]
        first = re.split(r"(?<=\.)\s", lead, maxsplit=1)[0]
        named = {m.id for m in find_ids(first)} | ({doc.meta.id} if doc.meta.id in first else set())
        assert doc.meta.id in named, f"{doc.source}: the first sentence should name {doc.meta.id}"
        bullets = [l for l in found[3][1].splitlines() if l.lstrip().startswith("- ")]
        assert 2 <= len(bullets) <= 4, f"{doc.source}: 2-4 customer questions expected"


def test_guidance_opens_with_in_short(docs):
    for doc in docs:
        if doc.meta.framework == "guidance":
            found = sections(doc.body)
            assert found and found[0][0] == "In short", doc.source
            assert len(found[0][1].split()) >= 15, doc.source
            assert len(found) >= 3, f"{doc.source}: guidance needs sections beyond 'In short'"


def test_related_links_resolve(docs, by_id):
    for doc in docs:
        for rel in doc.meta.related:
            assert rel in by_id, f"{doc.source}: related '{rel}' does not exist"
            assert rel != doc.meta.id, f"{doc.source}: relates to itself"
            if doc.meta.is_standard:
                assert by_id[rel].meta.framework == doc.meta.framework, f"{doc.source}: related '{rel}' is another framework"


def test_crosswalk_covers_every_criterion_and_names_real_ids():
    cw = Crosswalk.load(CORPUS / "crosswalk" / "soc2-iso27001.yaml")
    assert {l.soc2 for l in cw.links} == set(SOC2_IDS)
    for link in cw.links:
        assert CATALOG[link.iso].framework == "iso27001", link
        assert link.strength in ("equivalent", "partial")
        assert 3 <= len(link.basis.split()) <= 16, f"{link.soc2} -> {link.iso}: `basis` must say in a few words why it holds"
    assert len(set(cw.links)) == len(cw.links), "duplicate crosswalk links"
    mapped = {l.iso for l in cw.links}
    assert set(ISO_CONTROL_IDS) <= mapped, f"Annex A controls with no SOC 2 counterpart: {set(ISO_CONTROL_IDS) - mapped}"


def test_counterparts_sections_match_crosswalk_both_ways(docs):
    cw = Crosswalk.load(CORPUS / "crosswalk" / "soc2-iso27001.yaml")
    for doc in docs:
        if not doc.meta.is_standard:
            continue
        stated = set(parse_counterparts(doc.body))
        expected = set(cw.counterparts(doc.meta.id))
        assert stated == expected, (
            f"{doc.source}: Counterparts disagree with the crosswalk "
            f"(only in file: {sorted(stated - expected)}, only in crosswalk: {sorted(expected - stated)}); "
            "edit corpus/crosswalk/soc2-iso27001.yaml and run `python -m ingest.crosswalk`"
        )


def test_ids_named_in_text_exist(docs):
    for doc in docs:
        for mention in find_ids(doc.body):
            legacy = "2013" in mention.note
            assert mention.exists or legacy, f"{doc.source}: names {mention.raw!r}, which does not exist"


# --- originality and the seed article --------------------------------------------

def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_no_twelve_word_run_from_the_seed(docs):
    assert SEED, f"the seed article is missing from {SEED_DIR}: clone next to shared/ or set TRUSTDESK_SEED_DIR"
    seed_words = _words(" ".join(p.read_text(encoding="utf-8", errors="replace") for p in SEED))
    shingles = {tuple(seed_words[i:i + 12]) for i in range(len(seed_words) - 11)}
    company = load_company(NORTHWIND)
    for doc in list(docs) + company:
        words = _words(doc.body)
        for i in range(len(words) - 11):
            assert tuple(words[i:i + 12]) not in shingles, f"{doc.source}: copies the seed: {' '.join(words[i:i + 12])}"


# Phrases of AICPA's Trust Services Criteria as they are commonly quoted: the corpus explains the criteria in its
# own words, so no run of eight words from these may appear in it.
AICPA_PHRASES = [
    "obtains commitments from vendors and other third parties with access to personal information to notify the entity",
    "implements a process for receiving, addressing, resolving, and communicating the resolution of inquiries, "
    "complaints, and disputes from data subjects and others",
    "the entity demonstrates a commitment to integrity and ethical values",
    "implements logical access security software, infrastructure, and architectures over protected information assets",
    "identifies, selects, and develops risk mitigation activities for risks arising from potential business disruptions",
    "authorizes, designs, develops or acquires, configures, documents, tests, approves, and implements changes to "
    "infrastructure, data, software, and procedures",
    "the board of directors demonstrates independence from management and exercises oversight of the development "
    "and performance of internal control",
]
AICPA_RUN = 8


def test_no_eight_word_run_from_aicpa_criterion_text(docs):
    shingles = {tuple(w[i:i + AICPA_RUN]) for w in map(_words, AICPA_PHRASES) for i in range(len(w) - AICPA_RUN + 1)}
    for doc in docs:
        words = _words(doc.body)
        for i in range(len(words) - AICPA_RUN + 1):
            run = tuple(words[i:i + AICPA_RUN])
            assert run not in shingles, f"{doc.source}: repeats AICPA's wording: {' '.join(run)}"


# The standard's own titles are short facts: the catalog carries them exactly.
EXACT_TITLES = {
    "4.2": "Understanding the needs and expectations of interested parties",
    "4.3": "Determining the scope of the information security management system",
    "5.2": "Policy",
    "6.1.3": "Information security risk treatment",
    "8.2": "Information security risk assessment",
    "8.3": "Information security risk treatment",
    "A.8.1": "User end point devices",
    "A.5.15": "Access control",
    "A.8.24": "Use of cryptography",
    "A.8.8": "Management of technical vulnerabilities",
}


@pytest.mark.parametrize("doc_id,title", sorted(EXACT_TITLES.items()))
def test_iso_titles_are_the_standards_own(by_id, doc_id, title):
    assert CATALOG[doc_id].title == title
    assert by_id[doc_id].meta.title == title


# Each fact of the seed article, the document that holds it, and words that show it is there.
SEED_FACTS = [
    ("both involve an external audit of information security", "choosing-a-framework", r"audit"),
    ("ISO 27001 certifies an ISMS", "deliverables-report-vs-certificate", r"(?i)ISMS"),
    ("SOC 2 is an attestation report against AICPA's Trust Services Criteria", "auditors-and-governing-bodies", r"(?i)attest"),
    ("ISO 27001 is published by ISO and IEC", "iso27001-structure", r"IEC"),
    ("the five trust services categories", "trust-services-categories", r"(?is)security.*availability.*processing integrity.*confidentiality.*privacy"),
    ("privacy: personal information handled per the privacy notice", "trust-services-categories", r"(?i)notice"),
    ("an ISMS preserves confidentiality, integrity and availability through risk management", "iso27001-structure", r"(?is)confidentiality, integrity and availability.*risk"),
    ("clauses 4 to 10 and their names", "iso27001-structure", r"(?is)context of the organization.*leadership.*planning.*support.*operation.*performance evaluation.*improvement"),
    ("a licensed CPA firm issues SOC 2 reports", "auditors-and-governing-bodies", r"(?i)licensed CPA"),
    ("accredited certification bodies issue ISO certificates", "auditors-and-governing-bodies", r"(?i)accredit"),
    ("AICPA governs SSAE 18", "auditors-and-governing-bodies", r"SSAE 18"),
    ("SOC 2 suits US buyers, ISO 27001 international ones", "market-united-states", r"(?i)SOC 2"),
    ("ISO 27001 is more widely accepted internationally", "market-global", r"(?i)ISO"),
    ("Type 1 is design at a point in time", "soc2-type1-vs-type2", r"(?i)point in time|single date|as of"),
    ("Type 2 covers operating effectiveness over a period, typically twelve months", "soc2-type1-vs-type2", r"(?i)12 months|twelve months|12-month"),
    ("SOC 2 reports are renewed annually", "soc2-type1-vs-type2", r"(?i)annual|every year|each year"),
    ("ISO certification runs a three-year cycle with annual audits", "iso27001-certification-cycle", r"(?is)three.year.*surveillance"),
    ("the SOC 2 report holds opinion, assertion, description, user entity controls, tests and results", "deliverables-report-vs-certificate", r"(?is)opinion.*assertion.*description.*user entity.*tests"),
    ("ISO gives a certificate, often a single page", "deliverables-report-vs-certificate", r"(?i)certificate"),
    ("SOC 2 applies to a system, ISO 27001 to an ISMS", "scope-system-description-vs-isms", r"(?is)system.*ISMS"),
    ("both help win business and meet regulatory obligations", "pursuing-both-frameworks", r"(?i)regulat|competit|deal"),
    ("decide by markets, customers and regulation", "choosing-a-framework", r"(?is)market.*customer"),
]


@pytest.mark.parametrize("fact,doc_id,pattern", SEED_FACTS, ids=[f[0][:40] for f in SEED_FACTS])
def test_every_seed_fact_has_a_home(by_id, fact, doc_id, pattern):
    assert doc_id in by_id, f"no document {doc_id} for: {fact}"
    assert re.search(pattern, by_id[doc_id].body), f"{doc_id} does not state: {fact}"


# --- the Northwind trust pack -----------------------------------------------------

def test_northwind_pack_is_complete():
    policies = {p.stem for p in (NORTHWIND / "policies").glob("*.md")}
    assert {"access-control", "encryption", "incident-response", "backup-and-continuity",
            "vendor-management", "secure-development", "hr-security"} <= policies
    with (NORTHWIND / "answer-library.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 60
    known = policies | {"profile"}
    for row in rows:
        assert row["question"].strip() and row["answer"].strip()
        assert row["source_policy"] in known, f"unknown source policy {row['source_policy']!r}"
    docs = load_company(NORTHWIND)
    assert all(d.meta.framework == "company" for d in docs)
    assert "fictional" in (NORTHWIND / "profile.md").read_text(encoding="utf-8").lower()


# Topics buyers ask about weekly (issue 9): each has its own guidance document and golden questions.
BUYER_TOPICS = ("gdpr-dpas-and-transfers", "questionnaire-formats", "iso-42001-ai-governance", "pci-dss-for-saas",
                "csa-star", "verifying-a-certificate", "carve-out-vs-inclusive", "iso-27017-27018-27701",
                "penetration-testing", "iso-22301-business-continuity")


def test_buyer_topics_have_documents_and_golden_questions(docs):
    from evals.golden import load_golden

    ids = {d.meta.id for d in docs}
    asked = {c.expect.citations[0] for c in load_golden() if c.category == "topics" and c.expect.citations}
    for topic in BUYER_TOPICS:
        assert topic in ids, f"corpus/guidance/{topic}.md is missing"
        assert topic in asked, f"no golden question cites {topic} first"
