"""The buyer's own cells: answer-column layouts, dropdowns, nothing of the original changed, awkward files, Word.

Workbooks are built here with openpyxl and python-docx; filling goes through the
same path as `trustdesk questionnaire fill` from the checkpointed rows on.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from bot.sales.questionnaire import row_kinds
from bot.sales.review import filled_cells
from ingest.records import FillRow
from ingest.workbook import REVIEW_SHEET, Questionnaire

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ["Do you encrypt customer data at rest?", "Is MFA enforced for administrators?",
             "Please confirm that backups are tested every quarter."]


def _rule(ws, formula: str, sqref: str) -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    ws.add_data_validation(dv)
    dv.add(sqref)


def layout_response_comments(book):  # Ref | Question | Response | Comments, a Yes/No/N/A dropdown
    ws = book.active
    ws.append(["Ref", "Question", "Response", "Comments"])
    for n, q in enumerate(QUESTIONS, 1):
        ws.append([f"Q{n}", q])
    _rule(ws, '"Yes,No,N/A"', "C2:C500")
    return ws, {"choice": 3, "comment": 4, "evidence": None, "allowed": ("Yes", "No", "N/A"), "yes": "Yes"}


def layout_status_from_hidden_list(book):  # the dropdown's values on a hidden sheet; an Evidence column
    ws = book.active
    lists = book.create_sheet("Lists")
    for value in ("Implemented", "Partially implemented", "Not implemented"):
        lists.append([value])
    lists.sheet_state = "hidden"
    ws.append(["Control", "Requirement", "Implementation status", "Explanation", "Supporting documentation"])
    for n, q in enumerate(QUESTIONS, 1):
        ws.append([f"C-{n}", q])
    _rule(ws, "Lists!$A$1:$A$3", "C2:C1048576")  # the whole column
    return ws, {"choice": 3, "comment": 4, "evidence": 5,
                "allowed": ("Implemented", "Partially implemented", "Not implemented"), "yes": "Implemented"}


def layout_free_answer(book):  # Question | Answer: one free-text column
    ws = book.active
    ws.append(["#", "Question", "Answer"])
    for n, q in enumerate(QUESTIONS, 1):
        ws.append([n, q])
    return ws, {"choice": None, "comment": 3, "evidence": None, "allowed": (), "yes": None}


def layout_named_list_whole_sheet(book):  # Compliant? with a named list, the rule over the whole sheet
    ws = book.active
    ws.append(["Requirement", "Compliant?", "Vendor comments"])
    for q in QUESTIONS:
        ws.append([q])
    lists = book.create_sheet("Values")
    lists.append(["Fully compliant"])
    lists.append(["Non-compliant"])
    book.defined_names["Answers"] = DefinedName("Answers", attr_text="Values!$A$1:$A$2")
    _rule(ws, "Answers", "A1:XFD1048576")
    return ws, {"choice": 2, "comment": 3, "evidence": None, "allowed": ("Fully compliant", "Non-compliant"),
                "yes": "Fully compliant"}


def layout_dropdown_without_header(book):  # no answer header at all: the dropdown column is the choice
    ws = book.active
    ws.append(["Question", None, "Remarks"])
    for q in QUESTIONS:
        ws.append([q])
    _rule(ws, '"Y,N"', "B2:B100")
    return ws, {"choice": 2, "comment": 3, "evidence": None, "allowed": ("Y", "N"), "yes": "Y"}


LAYOUTS = [layout_response_comments, layout_status_from_hidden_list, layout_free_answer, layout_named_list_whole_sheet,
           layout_dropdown_without_header]


def stored_cells(path: Path) -> dict:
    """Every stored cell of every sheet: value, type and style; plus merges, rules, widths and sheet states."""
    book = load_workbook(path, rich_text=True)
    found = {}
    for ws in book.worksheets:
        for (r, c), cell in ws._cells.items():
            found[(ws.title, r, c)] = (repr(cell.value), cell.data_type, repr(cell.font), repr(cell.fill),
                                       repr(cell.border), repr(cell.alignment), cell.number_format)
        found[(ws.title, "merged")] = sorted(str(m) for m in ws.merged_cells.ranges)
        found[(ws.title, "rules")] = sorted((str(d.sqref), d.formula1) for d in ws.data_validations.dataValidation)
        found[(ws.title, "widths")] = {k: d.width for k, d in ws.column_dimensions.items()}
        found[(ws.title, "state")] = ws.sheet_state
    return found


def checkpoint(item, kind: str, yes_no: str = "yes", flags: str = "") -> FillRow:
    return FillRow(sheet=item.sheet, row=item.row, question=item.text, answer=f"Yes. Answer to {item.text}",
                   yes_no=yes_no, sources="encryption-policy.md; SOC 2 CC6.1", confidence=0.8, tier="high",
                   needs_review=False, kind=kind, flags=flags)


def fill_file(source: Path, out: Path, flags: dict[int, str] | None = None, beside: bool = False):
    q = Questionnaire.load(source)
    kinds = row_kinds(q)
    rows = [checkpoint(i, kinds[(i.sheet, i.row)].kind, flags=(flags or {}).get(i.row, "")) for i in q.items
            if kinds[(i.sheet, i.row)].answered]
    filled = filled_cells(q, rows)
    written = q.write(out, filled, beside=beside, kinds={k: v.kind for k, v in kinds.items()})
    return q, filled, written


@pytest.mark.parametrize("layout", LAYOUTS, ids=[f.__name__.removeprefix("layout_") for f in LAYOUTS])
def test_each_layout_gets_its_answers_in_the_buyers_cells_with_allowed_values_only(tmp_path, layout):
    book = Workbook()
    ws, expect = layout(book)
    source = tmp_path / "in.xlsx"
    book.save(source)
    before = stored_cells(source)
    q, filled, written = fill_file(source, tmp_path / "out.xlsx")
    answers = q.plans[0].answers
    assert (answers.choice, answers.comment, answers.evidence) == (expect["choice"], expect["comment"],
                                                                   expect["evidence"])
    assert answers.allowed(2) == expect["allowed"]
    out = load_workbook(tmp_path / "out.xlsx")
    sheet = out[ws.title]
    for item in q.items:
        assert sheet.cell(item.row, expect["comment"]).value == f"Yes. Answer to {item.text}"
        if expect["choice"]:
            assert sheet.cell(item.row, expect["choice"]).value == expect["yes"]
        if expect["evidence"]:
            assert sheet.cell(item.row, expect["evidence"]).value == "encryption-policy.md"  # not the standards
    assert written == len(QUESTIONS) * sum(bool(expect[k]) for k in ("choice", "comment", "evidence"))
    after = stored_cells(tmp_path / "out.xlsx")
    changed = [k for k, v in before.items() if after.get(k) != v and k[1] not in ("widths",)]
    assert changed == [], changed  # every original cell, merge, rule and sheet state as it was
    assert sheet.max_column == ws.max_column and REVIEW_SHEET in out.sheetnames


def test_a_buyers_filled_cell_is_never_overwritten_and_flagged_rows_stay_empty(tmp_path):
    book = Workbook()
    ws, _ = layout_response_comments(book)
    ws["D2"] = "Already answered by us."
    source = tmp_path / "in.xlsx"
    book.save(source)
    q, filled, written = fill_file(source, tmp_path / "out.xlsx", flags={3: "commitment (owner: legal)"})
    sheet = load_workbook(tmp_path / "out.xlsx").active
    assert sheet["D2"].value == "Already answered by us." and sheet["C2"].value == "Yes"
    assert sheet["C3"].value is None and sheet["D3"].value is None  # the commitment: for legal, not filled
    review = {r[1]: r for r in load_workbook(tmp_path / "out.xlsx")[REVIEW_SHEET].iter_rows(min_row=2, values_only=True)}
    assert "commitment" in review[3][9] and review[3][4].startswith("Yes. Answer")  # the draft is shown to legal


def test_a_choice_without_an_approved_yes_no_stays_empty_and_is_flagged(tmp_path):
    book = Workbook()
    layout_response_comments(book)
    source = tmp_path / "in.xlsx"
    book.save(source)
    q = Questionnaire.load(source)
    kinds = row_kinds(q)
    rows = [checkpoint(i, "question", yes_no="") for i in q.items]
    rows[1].yes_no = "partial"  # the dropdown has no "partial" value
    filled = filled_cells(q, rows)
    assert filled[("Sheet", 2)].yes_no == "" and "no approved yes/no" in filled[("Sheet", 2)].flags
    assert filled[("Sheet", 3)].yes_no == "" and "no dropdown value means 'partial'" in filled[("Sheet", 3)].flags
    assert filled[("Sheet", 2)].write  # the written answer still goes in


def test_csv_answer_columns_by_header(tmp_path):
    source = tmp_path / "q.csv"
    source.write_text("Ref,Question,Response,Comments\n1,Do you encrypt customer data at rest?,,\n"
                      "2,Is MFA enforced for administrators?,No,We do it our way\n", encoding="utf-8")
    q, filled, written = fill_file(source, tmp_path / "out.csv")
    rows = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8-sig")))
    assert rows[0][:4] == ["Ref", "Question", "Response", "Comments"] and rows[0][4] == "Row kind"
    assert rows[1][2:4] == ["Yes", "Yes. Answer to Do you encrypt customer data at rest?"]
    assert rows[2][2:4] == ["No", "We do it our way"] and written == 2  # the buyer's own values stay


def awkward_workbook(path: Path, rows: int = 5000) -> Path:
    """5,000 rows, banners, formulas, rich text, a hidden sheet, and rules over whole columns and the whole sheet."""
    book = Workbook()
    ws = book.active
    ws.title = "Assessment"
    ws["A1"] = "Vendor questionnaire"
    ws.merge_cells("A1:E1")
    ws.append(["Ref", "Question", "Response", "Comments", "Score"])
    for n in range(rows):
        r = ws.max_row + 1
        if n % 100 == 0:
            ws.cell(r, 1, f"Section {n // 100 + 1}").font = Font(bold=True)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
            continue
        ws.cell(r, 1, f"Q-{n}")
        ws.cell(r, 2, f"Do you review control number {n} every year?")
        ws.cell(r, 5, f'=IF(C{r}="Yes",1,0)')
    ws["B5"] = CellRichText("Do you ", TextBlock(InlineFont(b=True), "encrypt"), " customer data at rest?")
    ws["XFD1048576"].fill = PatternFill("solid", start_color="FFFF00")  # a stray styled cell at the very end
    _rule(ws, '"Yes,No,N/A"', "C1:C1048576")  # how Excel stores a whole-column rule
    _rule(ws, '"Low,High"', "A1:XFD1048576")
    hidden = book.create_sheet("Internal")
    hidden.append(["Question"])
    hidden.append(["Is this hidden question ever answered?"])
    hidden.sheet_state = "hidden"
    book.save(path)
    return path


@pytest.mark.slow  # 5,000 rows built, filled, and every cell compared twice: about 15 s alone, a minute on a busy box
def test_an_awkward_5000_row_workbook_is_read_and_written_fast_in_bounded_memory(tmp_path):
    source = awkward_workbook(tmp_path / "big.xlsx")
    before = stored_cells(source)
    started = time.perf_counter()
    q, filled, written = fill_file(source, tmp_path / "out.xlsx")
    assert time.perf_counter() - started < 90
    assert [p.sheet for p in q.plans] == ["Assessment"]  # the hidden sheet holds no questions for us
    kinds = row_kinds(q)
    assert sum(k.kind == "question" for k in kinds.values()) == 4950
    assert q.plans[0].answers.allowed(3000) == ("Yes", "No", "N/A")  # the column rule, not the whole-sheet one
    assert written == 2 * 4950
    after = stored_cells(tmp_path / "out.xlsx")
    changed = [k for k, v in before.items() if after.get(k) != v and k[1] != "widths"]
    assert changed == []
    out = load_workbook(tmp_path / "out.xlsx")["Assessment"]
    assert out["E4"].value == '=IF(C4="Yes",1,0)' and out["C4"].value == "Yes"


def test_reading_an_awkward_workbook_stays_in_bounded_memory(tmp_path):
    """In its own process: the whole-sheet rule and the cell at XFD1048576 must not become cells in memory."""
    source = awkward_workbook(tmp_path / "big.xlsx", rows=2000)
    # VmHWM, not ru_maxrss: ru_maxrss survives exec and would report the pytest process that forked this one
    code = ("import sys; from pathlib import Path; from ingest.workbook import Questionnaire; "
            "q = Questionnaire.load(Path(sys.argv[1])); q.write(Path(sys.argv[2]), {}); "
            "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) // 1024)")
    done = subprocess.run([sys.executable, "-c", code, str(source), str(tmp_path / "out.xlsx")], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) < 400, f"peak RSS {done.stdout.strip()} MB"


def test_docx_tables_are_filled_in_place_with_their_formatting(tmp_path):
    from docx import Document

    doc = Document()
    doc.add_heading("Supplier due diligence", 1)
    doc.add_paragraph("Please complete the table below.")
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, ("Question", "Response", "Comments")):
        cell.text = title
    banner = table.add_row().cells
    banner[0].merge(banner[2]).text = "Data protection"
    for text in [*QUESTIONS, "Will you notify us within 24 hours of a breach?"]:
        table.add_row().cells[0].text = text
    table.rows[2].cells[2].paragraphs[0].style = doc.styles["Quote"]
    source = tmp_path / "ddq.docx"
    doc.save(source)
    q = Questionnaire.load(source)
    kinds = row_kinds(q)
    assert [kinds[(i.sheet, i.row)].kind for i in q.items] == ["heading", "question", "question", "statement",
                                                               "question"]
    rows = [checkpoint(i, kinds[(i.sheet, i.row)].kind, flags="commitment (owner: legal)" if "notify" in i.text else "")
            for i in q.items if kinds[(i.sheet, i.row)].answered]
    written = q.write(tmp_path / "out.docx", filled_cells(q, rows), kinds={k: v.kind for k, v in kinds.items()})
    out = Document(tmp_path / "out.docx")
    cells = [[c.text for c in r.cells] for r in out.tables[0].rows]
    assert cells[0] == ["Question", "Response", "Comments"] and cells[1] == ["Data protection"] * 3
    assert cells[2] == [QUESTIONS[0], "Yes", f"Yes. Answer to {QUESTIONS[0]}"]
    assert cells[5][1:] == ["", ""] and written == 6  # the commitment stays empty
    assert out.tables[0].rows[2].cells[2].paragraphs[0].style.name == "Quote"
    assert [p.text for p in out.paragraphs] == ["Supplier due diligence", "Please complete the table below."]
    review = list(csv.reader((tmp_path / "out.review.csv").open(encoding="utf-8-sig")))
    assert review[0][:3] == ["Sheet", "Row", "Row kind"] and "commitment" in review[-1][9]
