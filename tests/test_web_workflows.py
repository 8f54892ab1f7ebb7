"""The bot/ workflows the web pages sit on: the catalogue to explore, the advisor form, tenants, index status,
the reviewed questionnaire. Real corpus, real records database, real Chroma where an index is needed."""

from __future__ import annotations

import pytest

from bot.advise import MARKET_WORDS, SEGMENT_WORDS, Advisor, describe
from bot.explore import CROSSWALK, UnknownItem, catalogue, item, matrix, resolve, themes
from ingest.catalog import CATALOG
from ingest.crosswalk import Crosswalk

CW = Crosswalk.load(CROSSWALK)


def test_the_catalogue_filters_by_framework_kind_theme_new_and_words():
    assert len(catalogue()) == len(CATALOG)
    assert {e.kind for e in catalogue(framework="soc2")} == {"criterion"}
    assert [e.id for e in catalogue(kind="control", new_only=True)] == ["A.5.7", "A.5.23", "A.5.30", "A.7.4", "A.8.9",
                                                                       "A.8.10", "A.8.11", "A.8.12", "A.8.16",
                                                                       "A.8.23", "A.8.28"]
    assert {e.id for e in catalogue(search="cryptography")} == {"A.8.24"}
    assert all(e.category == "privacy" for e in catalogue(theme="privacy"))
    assert "technological" in themes("iso27001") and "Leadership" in themes("iso27001")


def test_an_item_has_our_explanation_counterparts_with_basis_and_2013_predecessors():
    view = item("cc 7.2", CW)
    assert view.entry.id == "CC7.2" and view.source == "corpus/soc2/CC7.2.md"
    assert view.explanation.startswith("## What it requires") and "## Counterparts" not in view.explanation
    first = view.counterparts[0]
    assert (first.id, first.strength) == ("A.8.16", "equivalent") and first.basis and first.title
    control = item("A.8.8", CW)
    assert ("A.12.6.1", "Management of technical vulnerabilities") in control.predecessors
    assert [c.id for c in control.counterparts] and all(c.id in CATALOG for c in control.counterparts)
    assert item("9.2", CW).entry.kind == "clause"


@pytest.mark.parametrize("raw", ["CC10.1", "A.5.38", "", "<script>", "x" * 5000])
def test_an_id_that_does_not_exist_is_an_error_with_a_reason(raw):
    with pytest.raises(UnknownItem, match="is not a SOC 2 criterion"):
        resolve(raw)


def test_the_crosswalk_matrix_is_every_link_with_its_strength():
    cells = matrix(CW)
    assert len(cells) == len(CW.links)
    cell = next(c for c in cells if (c["soc2"], c["iso"]) == ("CC7.2", "A.8.16"))
    assert cell["strength"] == "equivalent" and cell["score"] == 2 and cell["basis"]


def test_the_advisor_form_says_what_the_advisor_reads():
    advisor = Advisor.load()
    for market in MARKET_WORDS:
        assert advisor.profile([describe([market])]).markets == {market}, market
    for segment in SEGMENT_WORDS:
        assert advisor.profile([describe(["us"], [segment])]).segments == {segment}, segment
    profile = advisor.profile([describe(["europe", "uk"], ["financial_services"], ["iso27001"], ["soc2"], 9)])
    assert profile.markets == {"europe", "uk"} and profile.customer_asks == {"iso27001"}
    assert profile.existing == {"soc2"} and profile.deadline_months == 9
    assert advisor.advise(advisor.profile([describe()])).clarify, "nothing decisive: the advisor asks"


def test_the_timeline_is_every_roadmap_phase_in_order_with_estimated_months():
    advisor = Advisor.load()
    phases = advisor.timeline(["soc2", "iso27001"])
    assert [p.framework for p in phases] == ["soc2"] * 4 + ["iso27001"] * 4
    assert phases[0].start == 0 and all(p.low <= p.high for p in phases)
    assert all(b.start >= a.start for a, b in zip(phases, phases[1:]))
    iso_start = phases[4].start
    assert iso_start == phases[2].end, "the second framework starts when the first has its first report"


def test_tenants_are_listed_from_the_records_database(records):
    from bot.sales.library import Library
    from bot.sales.tenant import tenants

    assert tenants(records) == []
    Library(records, "northwind").import_rows([{"question": "Do you use MFA?", "answer": "Yes."}])
    Library(records, "acme").add_candidate("Do you encrypt backups?", "Yes, with AES-256.")
    assert tenants(records) == ["acme", "northwind"]


@pytest.mark.slow
def test_index_status_counts_documents_and_chunks(tiny_corpus, tmp_path):
    from bot import Settings
    from bot.status import index_status
    from ingest import Store, ingest, load_corpus

    store = Store(tmp_path / "data")
    report = ingest(load_corpus(tiny_corpus), store)
    status = index_status(store, Settings(data_dir=tmp_path / "data",
                                          database_url="postgresql+psycopg://admin:hunter2@db.example/td"))
    assert status.store_mode == "embedded" and "hunter2" not in status.database and "***" in status.database
    info = status.standards
    assert (info.documents, info.chunks, info.generation) == (4, report.chunks, 1) and info.built_at


@pytest.mark.slow
def test_a_reviewed_questionnaire_is_written_with_the_edits_and_they_come_back_as_candidates(
        northwind_assistant, tmp_path):
    from bot.sales.library import Library
    from bot.sales.questionnaire import drafted_rows, fill, import_review, write_reviewed
    from ingest.records import Records

    source = tmp_path / "q.csv"
    source.write_text("Question\nDo you encrypt customer data at rest?\nDo you have a bug bounty programme?\n")
    records = Records.open(northwind_assistant.settings)
    report = fill(northwind_assistant, records, source, tmp_path / "filled.csv", "northwind")
    rows = drafted_rows(records, report.job_id)
    assert [r.question for r in rows] == ["Do you encrypt customer data at rest?", "Do you have a bug bounty programme?"]
    edited = write_reviewed(records, report.job_id, source, tmp_path / "reviewed.csv",
                            {(rows[1].sheet, rows[1].row): ("Yes, through a private programme.", "yes")})
    text = edited.read_text(encoding="utf-8-sig")
    assert "Yes, through a private programme." in text and rows[0].answer.split()[0] in text
    imported = import_review(records, edited, "northwind")
    assert [q for _, q in imported.added] == ["Do you have a bug bounty programme?"]
    candidate = Library(records, "northwind").entries("candidate")[-1]
    assert candidate.yes_no == "yes" and candidate.source == "questionnaire review: reviewed.csv"
    records.dispose()
