"""The records database and the answer library, against SQLite and a real PostgreSQL (same tests, both)."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest
from sqlalchemy import inspect

from bot.errors import RecordsUnavailable
from bot.sales.library import Library, LibraryError, entry_document
from ingest.records import Records, entry_id
from ingest.tables import read_table

ROWS = [
    {"question": "Do you encrypt customer data at rest?", "answer": "Yes. AES-256 via AWS KMS.", "yes_no": "Yes",
     "source": "encryption"},
    {"question": "Do you enforce MFA for employees?", "answer": "Yes, through our SSO provider.", "yes_no": "yes"},
    {"question": "Where is the platform hosted?", "answer": "AWS us-east-1 and eu-central-1."},
]


def test_migrations_create_every_table(records):
    tables = set(inspect(records.engine).get_table_names())
    assert {"library_entries", "company_documents", "feedback", "fill_jobs", "fill_rows", "slack_events",
            "chat_threads", "chat_turns", "alembic_version"} <= tables
    records.migrate()  # a second upgrade is a no-op, not an error


def test_processes_opening_a_new_database_at_once_migrate_it_once(records_url):
    """Several app instances start together against an empty database: one migrates, the others wait."""
    import subprocess
    import sys

    from ingest.records import Records

    opener = "import sys; from ingest.records import Records; Records(sys.argv[1]).dispose()"
    procs = [subprocess.Popen([sys.executable, "-c", opener, records_url], stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    failures = [err for p in procs if (err := p.communicate(timeout=120)[1]) and p.returncode != 0]
    assert failures == []
    db = Records(records_url, migrate=False)
    assert "chat_turns" in inspect(db.engine).get_table_names()
    db.dispose()


def test_migrations_match_the_models(records):
    """A model changed without a migration (or the reverse) shows up here, on SQLite and PostgreSQL alike."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ingest.records import Base

    with records.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_import_upserts_by_question_and_reports(records):
    library = Library(records, "acme")
    first = library.import_rows(ROWS, origin="lib.csv")
    assert [q for _, q in first.added] == [r["question"] for r in ROWS]
    assert first.added[0][0] == entry_id("acme", ROWS[0]["question"])

    again = [dict(r) for r in ROWS]
    again[1]["answer"] = "Yes, with hardware keys for administrators."
    again[2]["question"] = "  where is the PLATFORM hosted  "  # same question, other spelling
    second = library.import_rows(again)
    assert [q for _, q in second.changed] == [ROWS[1]["question"]]
    assert len(second.unchanged) == 2 and not second.added
    assert library.get(entry_id("acme", ROWS[1]["question"])).answer.startswith("Yes, with hardware keys")
    assert library.get(first.added[0][0]).yes_no == "yes"


def test_conflicts_near_duplicates_and_bad_rows_are_reported(records):
    library = Library(records, "acme")
    report = library.import_rows([
        {"question": "Do you have a SOC 2 report?", "answer": "Yes, Type 2.", "_row": "2"},
        {"question": "do you have a soc 2 report", "answer": "No.", "_row": "3"},
        {"question": "Do you have a SOC 2 Type 2 report?", "answer": "Yes.", "_row": "4"},
        {"question": "", "answer": "orphan", "_row": "5"},
        {"question": "Is data backed up?", "answer": "Daily.", "yes_no": "maybe", "_row": "6"},
    ], origin="x.csv")
    assert len(report.added) == 2
    assert report.conflicts and "x.csv row 3" in report.conflicts[0]
    assert any("SOC 2 Type 2" in a or "SOC 2 Type 2" in b for a, b, _ in report.near_duplicates)
    assert [p.split(":")[0] for p in report.problems] == ["x.csv row 5", "x.csv row 6"]


def test_review_lifecycle_and_only_approved_reach_the_index(records):
    library = Library(records, "acme")
    library.import_rows(ROWS[:1])
    candidate, created = library.add_candidate("Do you run annual penetration tests?", "Yes, by an outside firm.",
                                              source="https://slack.example/archives/C1/p1")
    assert created and candidate.status == "candidate"
    assert library.add_candidate("Do you run annual penetration tests?", "Yes, by an outside firm.")[1] is False
    assert [d.meta.id for d in library.corpus()] == [entry_id("acme", ROWS[0]["question"])]

    approved = library.approve(candidate.id, reviewer="dana@acme.test")
    assert approved.status == "approved" and approved.owner == "dana@acme.test"
    assert approved.review_due == date.today() + timedelta(days=365)
    assert candidate.id in {d.meta.id for d in library.corpus()}

    library.edit(candidate.id, answer="Yes, twice a year.")
    assert "twice a year" in entry_document(library.get(candidate.id)).body
    library.retire(candidate.id)
    assert candidate.id not in {d.meta.id for d in library.corpus()}
    with pytest.raises(LibraryError, match="no library entry"):
        library.approve("lib-000000000000")
    with pytest.raises(LibraryError, match="cannot be empty"):
        library.edit(candidate.id, answer="  ")


def test_a_proposal_never_overwrites_an_approved_answer(records):
    library = Library(records, "acme")
    library.import_rows(ROWS[:1])
    approved_id = entry_id("acme", ROWS[0]["question"])
    proposal, created = library.add_candidate(ROWS[0]["question"], "Yes, and customers can bring their own keys.")
    assert created and proposal.id != approved_id
    assert library.get(approved_id).answer == ROWS[0]["answer"]
    assert {e.status for e in library.entries()} == {"approved", "candidate"}
    library.approve(proposal.id)
    assert library.get(approved_id).status == "retired"
    [current] = library.entries("approved")
    assert current.id == proposal.id and "bring their own keys" in current.answer
    assert library.import_rows(ROWS[:1], status="approved").changed  # the key is the question's again


def test_due_and_tenants_are_separate(records):
    acme, other = Library(records, "acme"), Library(records, "globex")
    acme.import_rows([{**ROWS[0], "review_due": "2020-01-01"}, ROWS[1]])
    other.import_rows(ROWS[2:])
    assert [e.question for e in acme.due()] == [ROWS[0]["question"]]
    assert {e.question for e in other.entries()} == {ROWS[2]["question"]}
    with pytest.raises(LibraryError):
        other.get(entry_id("acme", ROWS[0]["question"]))


def test_export_round_trips_and_never_writes_a_formula(records, tmp_path):
    library = Library(records, "acme")
    library.import_rows([*ROWS, {"question": "Formula?", "answer": "=HYPERLINK(\"http://evil\")"}])
    for name in ("lib.csv", "lib.xlsx"):
        assert library.export(tmp_path / name) == 4
        rows = read_table(tmp_path / name)
        assert {r["question"] for r in rows} == {r["question"] for r in ROWS} | {"Formula?"}
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "lib.xlsx").active
    cell = next(c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"
    assert "'=HYPERLINK" in (tmp_path / "lib.csv").read_text(encoding="utf-8-sig")


def test_documents_are_stored_changed_and_pruned(records):
    from ingest.documents import DocumentText

    library = Library(records, "acme")
    a = DocumentText("policies/a.md", "Access policy", "md", "## Scope\n\nAll staff use MFA.\n")
    b = DocumentText("b.txt", "Backups", "txt", "Backups run daily.\n")
    assert library.store_documents([a, b])["added"] == ["policies/a.md", "b.txt"]
    changed = DocumentText("b.txt", "Backups", "txt", "Backups run hourly.\n")
    report = library.store_documents([changed], prune=True)
    assert report["changed"] == ["b.txt"] and report["removed"] == ["policies/a.md"]
    assert [d.meta.id for d in library.corpus()] == ["b"]


def test_a_file_that_is_not_a_database_is_reported_not_replaced(tmp_path):
    path = tmp_path / "trustdesk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(RecordsUnavailable, match="not a readable SQLite database"):
        Records(f"sqlite:///{path}")
    assert path.read_bytes().startswith(b"this is not sqlite")


def test_a_read_only_database_says_so(tmp_path):
    path = tmp_path / "ro.db"
    Records(f"sqlite:///{path}").dispose()
    sqlite3.connect(path).close()
    ro = Records(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(RecordsUnavailable, match="read-only"):
        Library(ro, "acme").import_rows(ROWS[:1])


def test_unreachable_postgres_is_a_clear_error():
    with pytest.raises(RecordsUnavailable, match="cannot be reached"):
        Records("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")


def test_bad_url_is_explained_without_the_password():
    with pytest.raises(RecordsUnavailable) as info:
        Records("not a url at all")
    assert "TRUSTDESK_DATABASE_URL" in str(info.value)


def test_feedback_is_stored_against_the_answer_and_exported(records, tmp_path):
    from bot.errors import TrustdeskError
    from bot.sales.feedback import export_csv, record

    record(records, "a-123", True, surface="web", question="What does CC6.1 require?")
    record(records, "a-123", False, surface="slack", reason="=cmd|' /C calc'!A0 wrong control", tenant="acme")
    with pytest.raises(TrustdeskError):
        record(records, "a-123", True, surface="fax")
    assert export_csv(records, tmp_path / "fb.csv") == 2
    text = (tmp_path / "fb.csv").read_text(encoding="utf-8-sig")
    assert "a-123" in text and "'=cmd" in text
