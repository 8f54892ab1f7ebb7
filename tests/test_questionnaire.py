"""Questionnaires: realistic workbooks built here, filled through the real engine against real tenants."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from ingest.documents import Unreadable
from ingest.workbook import REVIEW_SHEET, Filled, Questionnaire, looks_like_item
from ingest.workbook_write import ADDED_ANSWER_COLUMNS, BESIDE_COLUMNS, REVIEW_COLUMNS

ROOT = Path(__file__).resolve().parents[1]

SECURITY_ROWS = [
    ("Encryption", None),  # a section heading, merged across the row
    ("ENC-1", "Do you encrypt customer data at rest?"),
    ("ENC-2", "The vendor encrypts all data in transit with TLS 1.2 or higher."),
    ("", ""),
    ("Access", None),
    ("ACC-1", "Is multi-factor authentication required for administrative access?"),
    ("ACC-2", "What is the per-claim limit of your cyber insurance policy?"),
]


def build_vendor_workbook(path: Path) -> Path:
    """Instructions sheet, a title row, merged headers, section banners, a formula, data validation, widths;
    plus a CAIQ-like sheet with question IDs and a Yes/No/NA column."""
    book = Workbook()
    info = book.active
    info.title = "Instructions"
    info["A1"] = "Please complete every question on the Security and CAIQ tabs."
    info["A2"] = "Use the Response column for Yes/No/NA and explain in Comments."

    ws = book.create_sheet("Security")
    ws["A1"] = "Vendor Security Assessment 2026"
    ws.merge_cells("A1:D1")
    ws["A3"], ws["B3"], ws["C3"] = "Ref", "Question", "Vendor response"
    ws.merge_cells("C3:D3")
    ws["C4"], ws["D4"] = "Response (Yes/No/NA)", "Comments"
    row = 5
    for ref, text in SECURITY_ROWS:
        if text is None:
            ws.cell(row, 1, ref)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        else:
            ws.cell(row, 1, ref or None)
            ws.cell(row, 2, text or None)
        row += 1
    ws["F1"] = "=COUNTA(B5:B20)"
    ws.column_dimensions["B"].width = 55
    dv = DataValidation(type="list", formula1='"Yes,No,N/A"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("C5:C20")

    caiq = book.create_sheet("CAIQ")
    caiq.append(["Question ID", "Consensus Assessment Question", "CSP CAIQ Answer", "Notes"])
    caiq.append(["BCR-01.1", "Are business continuity plans tested at least annually?", None, None])
    caiq.append(["DSP-07.1", "Is customer data deleted at the end of the contract on request?", None, None])
    book.save(path)
    return path


def snapshot(path: Path) -> dict:
    book = load_workbook(path)
    return {ws.title: {"values": {c.coordinate: c.value for r in ws.iter_rows() for c in r if c.value is not None},
                       "merged": sorted(str(m) for m in ws.merged_cells.ranges),
                       "validations": sorted(str(d.sqref) for d in ws.data_validations.dataValidation),
                       "width_b": ws.column_dimensions["B"].width}
            for ws in book.worksheets}


def test_items_headings_and_instructions():
    assert looks_like_item("Do you encrypt data at rest?")
    assert looks_like_item("The vendor maintains an incident response plan.")
    assert looks_like_item("Provide your most recent penetration test summary")
    for not_an_item in ("Access Control", "ENC-1", "Section 3: Encryption", "", "Instructions: answer in column C"):
        assert not looks_like_item(not_an_item), not_an_item


def test_detection_finds_the_question_column_and_the_answer_cells_per_sheet(tmp_path):
    q = Questionnaire.load(build_vendor_workbook(tmp_path / "vendor.xlsx"))
    plans = {p.sheet: p for p in q.plans}
    assert set(plans) == {"Security", "CAIQ"}  # the instructions sheet has no question column
    assert (plans["Security"].column, plans["Security"].header_row) == (2, 3)
    assert [i.text for i in plans["Security"].items] == [t for _, t in SECURITY_ROWS if t]
    answers = plans["Security"].answers  # "Vendor response" merged over "Response (Yes/No/NA)" and "Comments"
    assert (answers.choice, answers.comment, answers.added) == (3, 4, False)
    assert answers.allowed(5) == ("Yes", "No", "N/A") and answers.allowed(30) == ()
    assert plans["CAIQ"].column == 2 and len(plans["CAIQ"].items) == 2
    assert (plans["CAIQ"].answers.choice, plans["CAIQ"].answers.comment) == (3, 4)
    assert plans["Security"].first_new_column == 7  # after F1's formula: nothing existing is overwritten


def test_answers_go_into_the_buyers_cells_and_review_data_to_its_own_sheet(tmp_path):
    source = build_vendor_workbook(tmp_path / "vendor.xlsx")
    before = snapshot(source)
    q = Questionnaire.load(source)
    filled = {(i.sheet, i.row): Filled("=HYPERLINK(\"http://evil\")" if n == 0 else f"answer {n}", "Yes",
                                       "SOC 2 CC6.1", "high", "No") for n, i in enumerate(q.items)}
    out = tmp_path / "out.xlsx"
    written = q.write(out, filled)
    after = snapshot(out)
    assert snapshot(source) == before  # the input is untouched
    assert written == 2 * len(q.items)
    for sheet, snap in before.items():
        kept = {k: v for k, v in after[sheet]["values"].items() if k in snap["values"]}
        assert kept == snap["values"], sheet
        assert after[sheet]["merged"] == snap["merged"] and after[sheet]["validations"] == snap["validations"]
        assert after[sheet]["width_b"] == snap["width_b"]
    book = load_workbook(out)
    ws = book["Security"]
    first = q.plans[0].items[0].row
    assert ws.cell(first, 3).value == "Yes" and ws.cell(first, 4).value.startswith("=HYPERLINK")
    assert ws.cell(first, 4).data_type == "s"  # text, never a formula
    assert ws.max_column == 6 and ws["F1"].value == "=COUNTA(B5:B20)"  # no column added; the formula stays one
    review = [[c.value for c in r] for r in book[REVIEW_SHEET].iter_rows()]
    assert review[0] == list(REVIEW_COLUMNS) and ["Security", first] == review[1][:2]
    assert review[1][6:9] == ["SOC 2 CC6.1", "high", "No"]


def test_beside_puts_the_review_columns_after_the_table_and_adds_no_sheet(tmp_path):
    q = Questionnaire.load(build_vendor_workbook(tmp_path / "vendor.xlsx"))
    item = q.items[0]
    q.write(tmp_path / "out.xlsx", {(item.sheet, item.row): Filled("Yes. AES-256.", "Yes", "policy", "high", "No",
                                                                     kind="question")}, beside=True)
    book = load_workbook(tmp_path / "out.xlsx")
    ws = book["Security"]
    assert REVIEW_SHEET not in book.sheetnames
    assert [ws.cell(3, 7 + i).value for i in range(5)] == list(BESIDE_COLUMNS)
    assert [ws.cell(item.row, 7 + i).value for i in range(4)] == ["question", "policy", "high", "No"]


def test_csv_in_another_encoding_and_injection_safe_output(tmp_path):
    source = tmp_path / "home-made.csv"
    rows = [["Nr", "Statement"], ["1", "Le fournisseur chiffre les données au repos avec AES-256."],
            ["2", "The vendor's staff complete security awareness training every year."]]
    with source.open("w", encoding="cp1252", newline="") as fh:
        csv.writer(fh).writerows(rows)
    q = Questionnaire.load(source)
    assert [i.text for i in q.items] == [rows[1][1], rows[2][1]]
    assert q.plans[0].answers.added  # no answer column of its own: Answer and Yes/No are added
    q.write(tmp_path / "out.csv", {(q.plans[0].sheet, 2): Filled("@SUM(A1)", "", "", "low", "Yes")})
    written = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8-sig")))
    assert written[0] == ["Nr", "Statement", *ADDED_ANSWER_COLUMNS, *BESIDE_COLUMNS]
    assert written[1][:2] == rows[1] and written[1][2] == "'@SUM(A1)"


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "password-protected"),
    (lambda p: p.write_bytes(b"PK\x03\x04 definitely not a workbook"), "corrupt"),
    (lambda p: p.write_bytes(b""), "empty"),
])
def test_unreadable_workbooks_get_one_clear_line(tmp_path, make, message):
    path = tmp_path / "bad.xlsx"
    make(path)
    before = path.read_bytes()
    with pytest.raises(Unreadable, match=message):
        Questionnaire.load(path)
    assert path.read_bytes() == before


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 300_000_000)
    with pytest.raises(Unreadable, match="zip bomb"):
        Questionnaire.load(path)


def test_limits_and_missing_questions(tmp_path):
    book = Workbook()
    book.active.append(["Numbers"])
    for n in range(5):
        book.active.append([n])
    book.save(tmp_path / "numbers.xlsx")
    with pytest.raises(Unreadable, match="no recognisable question column"):
        Questionnaire.load(tmp_path / "numbers.xlsx")
    many = tmp_path / "many.csv"
    many.write_text("Question\n" + "\n".join(f"Do you do thing number {n}?" for n in range(30)), encoding="utf-8")
    with pytest.raises(Unreadable, match="over the limit of 10"):
        Questionnaire.load(many, max_rows=10)
    with pytest.raises(Unreadable, match="MB limit"):
        Questionnaire.load(many, max_bytes=100)


# --- filling through the real engine -----------------------------------------------------

@pytest.fixture(scope="module")
def acme(northwind_assistant):
    """A tenant with approved answers that carry yes/no, next to the Northwind pack."""
    from bot.sales.library import Library, rebuild_index
    from ingest.records import Records

    records = Records.open(northwind_assistant.settings)
    library = Library(records, "acmeq")
    library.import_rows([
        {"question": "Do you encrypt customer data at rest?", "answer": "Yes. All customer data is encrypted at "
         "rest with AES-256 using keys held in AWS KMS.", "yes_no": "yes", "source": "encryption policy"},
        {"question": "Is multi-factor authentication required for administrative access?",
         "answer": "Yes. Every administrative login requires MFA with a hardware key.", "yes_no": "yes"},
    ])
    rebuild_index(library, northwind_assistant.store)
    yield records
    records.dispose()


@pytest.mark.slow
def test_fill_quotes_approved_answers_and_never_invents(northwind_assistant, acme, tmp_path):
    from bot.sales.questionnaire import UNCOVERED_LEAD, fill

    source = build_vendor_workbook(tmp_path / "vendor.xlsx")
    before = snapshot(source)
    report = fill(northwind_assistant, acme, source, tmp_path / "filled.xlsx", "acmeq")
    assert report.total == 6 and report.answered == 6 and report.resumed == 0
    book = load_workbook(tmp_path / "filled.xlsx")
    ws = book["Security"]
    cells = {ws.cell(r, 2).value: (ws.cell(r, 3).value, ws.cell(r, 4).value) for r in range(5, 13) if ws.cell(r, 2).value}
    review = {r[3]: dict(zip(REVIEW_COLUMNS, r)) for r in book[REVIEW_SHEET].iter_rows(min_row=2, values_only=True)}
    choice, comment = cells["Do you encrypt customer data at rest?"]
    assert choice == "Yes" and comment.startswith("Yes. All customer data is encrypted at rest with AES-256")
    encrypt = review["Do you encrypt customer data at rest?"]
    assert "lib-" in encrypt["Sources"] and encrypt["Tier"] in ("high", "medium") and encrypt["Needs review"] == "No"
    assert encrypt["Row kind"] == "question"
    assert cells["What is the per-claim limit of your cyber insurance policy?"] == (None, None)  # never invented
    insurance = review["What is the per-claim limit of your cyber insurance policy?"]
    assert insurance["Answer"].startswith(UNCOVERED_LEAD) and insurance["Tier"] == "low"
    assert insurance["Needs review"] == "Yes" and "no approved answer" in insurance["Flags"]
    assert any(ref in (insurance["Sources"] or "") for ref in ("SOC 2", "ISO 27001"))  # guidance for the owner
    assert review["The vendor encrypts all data in transit with TLS 1.2 or higher."]["Row kind"] == "statement"
    assert snapshot(source) == before
    assert report.tiers["low"] >= 1 and report.needs_review >= 1 and report.cells_written >= 4


@pytest.mark.slow
def test_fill_refuses_to_overwrite_and_to_restart_silently(northwind_assistant, acme, tmp_path):
    from bot.sales.questionnaire import FillError, fill

    source = build_vendor_workbook(tmp_path / "vendor.xlsx")
    with pytest.raises(FillError, match="never overwritten"):
        fill(northwind_assistant, acme, source, source, "acmeq")
    with pytest.raises(FillError, match="format"):
        fill(northwind_assistant, acme, source, tmp_path / "out.csv", "acmeq")


@pytest.mark.slow
def test_reviewed_answers_come_back_as_candidates(northwind_assistant, acme, tmp_path):
    from bot.sales.library import Library
    from bot.sales.questionnaire import fill, import_review

    source = build_vendor_workbook(tmp_path / "vendor.xlsx")
    fill(northwind_assistant, acme, source, tmp_path / "filled.xlsx", "acmeq")
    book = load_workbook(tmp_path / "filled.xlsx")
    ws = book["Security"]
    for r in range(5, 13):
        if ws.cell(r, 2).value == "What is the per-claim limit of your cyber insurance policy?":
            ws.cell(r, 4).value = "USD 5 million per claim, with Example Mutual."  # the buyer's Comments cell
    book.save(tmp_path / "reviewed.xlsx")
    report = import_review(acme, tmp_path / "reviewed.xlsx", "acmeq")
    assert [q for _, q in report.added] == ["What is the per-claim limit of your cyber insurance policy?"]
    [candidate] = Library(acme, "acmeq").entries("candidate")
    assert candidate.answer.startswith("USD 5 million") and "reviewed.xlsx" in candidate.source


@pytest.mark.slow
def test_kill_minus_nine_then_resume_loses_nothing_and_answers_nothing_twice(northwind_assistant, acme, tmp_path):
    from sqlalchemy import func, select

    from ingest.records import FillRow

    source = tmp_path / "long.csv"
    questions = [r["question"] for r in csv.DictReader((ROOT / "benchmarks/data/questionnaire-300.csv").open())]
    total = len(questions)
    with source.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["Question"], *[[q] for q in questions]])
    out = tmp_path / "long-filled.csv"
    env = {**os.environ, "TRUSTDESK_DATA_DIR": str(northwind_assistant.settings.data_dir),
           "TRUSTDESK_CORPUS_DIR": str(northwind_assistant.settings.corpus_dir)}
    cmd = [sys.executable, "-m", "ui.cli", "questionnaire", "fill", str(source), "--tenant", "acmeq", "--out", str(out)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    def count() -> int:
        with acme.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(FillRow)).scalar()

    start = count()
    deadline = time.time() + 240
    while count() - start < 5 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = count() - start
    assert 5 <= done_before < total and not out.exists()

    again = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 1 and "--resume" in again.stderr
    resumed = subprocess.run(cmd + ["--resume"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{total - done_before} answered now, {done_before} resumed" in " ".join(resumed.stdout.split())
    assert count() - start == total  # each row once: the checkpoint's key is (job, sheet, row)
    written = list(csv.reader(out.open(encoding="utf-8-sig")))
    kind = written[0].index("Row kind")
    assert [r[0] for r in written[1:]] == questions and all(r[kind] for r in written[1:])


@pytest.mark.slow
def test_fill_checkpoints_in_either_database(northwind_assistant, records, tmp_path):
    """The same fill with its library and checkpoints in SQLite and in a real PostgreSQL."""
    from sqlalchemy import func, select

    from bot.sales.library import Library, rebuild_index
    from bot.sales.questionnaire import fill
    from ingest.records import FillRow

    tenant = "dbfill"
    library = Library(records, tenant)
    library.import_rows([{"question": "Do you encrypt customer data at rest?", "answer": "Yes, AES-256 in KMS.",
                          "yes_no": "yes"}])
    rebuild_index(library, northwind_assistant.store)
    source = build_vendor_workbook(tmp_path / "vendor.xlsx")
    report = fill(northwind_assistant, records, source, tmp_path / "filled.xlsx", tenant)
    with records.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(FillRow)).scalar() == report.total == 6
    ws = load_workbook(tmp_path / "filled.xlsx")["Security"]
    row = next(r for r in range(5, 13) if ws.cell(r, 2).value == "Do you encrypt customer data at rest?")
    assert ws.cell(row, 4).value == "Yes, AES-256 in KMS." and ws.cell(row, 3).value == "Yes"
