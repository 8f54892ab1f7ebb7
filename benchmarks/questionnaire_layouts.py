"""Benchmark: what the buyer gets back, on three questionnaire layouts built from the blind questionnaire rows.

The 433 rows of evals/questionnaire_blind (325 that the sample company's approved library answers, each labelled
with its entry; 108 it has no answer for; 25 commitments) are laid out three ways, as buyers send them:

- sig.xlsx: banners, Ref / Question / Response / Comments, a "Yes,No,N/A" dropdown over the whole Response column;
- controls.xlsx: Control ID / Requirement / Compliant / Evidence, a custom list on another sheet
  ("Implemented, Partially implemented, Not implemented, Not applicable") through a named range;
- ddq.docx: a Word table No. / Question / Answer / Notes.

Each is filled through `bot.sales.questionnaire.fill` for the Northwind pack. Printed per layout: rows recognised by
kind, buyer cells written, choices written and whether each is a value the dropdown allows, choice accuracy
against the approved material (the right entry, and its own yes/no), choices written without approved material
(must be 0), rows answered from approved material, and flagged rows by reason.

    .venv/bin/python benchmarks/questionnaire_layouts.py [--data-dir DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml
from docx import Document
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

ROOT = Path(__file__).resolve().parents[1]
ROWS = ROOT / "evals" / "questionnaire_blind" / "rows.yaml"
CONTROL_LIST = ["Implemented", "Partially implemented", "Not implemented", "Not applicable"]
SECTION_EVERY = 40


def blind_rows(limit: int = 0) -> list[dict]:
    rows = yaml.safe_load(ROWS.read_text(encoding="utf-8"))["rows"]
    return rows[:limit] if limit else rows


def sig(path: Path, rows: list[dict]) -> tuple[Path, dict[int, dict], list[str]]:
    book = Workbook()
    ws = book.active
    ws.title = "Security"
    ws["A1"] = "Vendor security questionnaire"
    ws.merge_cells("A1:D1")
    ws.append(["Ref", "Question", "Response", "Comments"])
    where = {}
    for n, row in enumerate(rows):
        if n % SECTION_EVERY == 0:
            ws.append([f"Section {n // SECTION_EVERY + 1}"])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.append([f"S-{n + 1:03d}", row["text"], None, None])
        where[ws.max_row] = row
    dv = DataValidation(type="list", formula1='"Yes,No,N/A"')
    ws.add_data_validation(dv)
    dv.add("C3:C1048576")
    book.save(path)
    return path, where, ["Yes", "No", "N/A"]


def controls(path: Path, rows: list[dict]) -> tuple[Path, dict[int, dict], list[str]]:
    book = Workbook()
    ws = book.active
    ws.title = "Controls"
    ws.append(["Control ID", "Requirement", "Compliant", "Evidence"])
    where = {}
    for n, row in enumerate(rows):
        ws.append([f"CTL-{n + 1:03d}", row["text"], None, None])
        where[ws.max_row] = row
    lists = book.create_sheet("Lists")
    for value in CONTROL_LIST:
        lists.append([value])
    lists.sheet_state = "hidden"
    book.defined_names["Compliance"] = DefinedName("Compliance", attr_text=f"Lists!$A$1:$A${len(CONTROL_LIST)}")
    dv = DataValidation(type="list", formula1="=Compliance")
    ws.add_data_validation(dv)
    dv.add(f"C2:C{ws.max_row}")
    book.save(path)
    return path, where, CONTROL_LIST


def ddq(path: Path, rows: list[dict]) -> tuple[Path, dict[int, dict], list[str]]:
    document = Document()
    document.add_heading("Supplier due diligence questionnaire", level=1)
    table = document.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ("No.", "Question", "Answer", "Notes")):
        cell.text = text
    where = {}
    for n, row in enumerate(rows, start=1):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(n), row["text"]
        where[n + 1] = row  # the fill numbers a table's rows from 1, header included
    document.save(path)
    return path, where, []


def _xlsx_cells(path: Path, sheet: str, answer_col: int, comment_col: int) -> dict[int, tuple[str, str]]:
    ws = load_workbook(path)[sheet]
    return {r: (str(ws.cell(r, answer_col).value or ""), str(ws.cell(r, comment_col).value or ""))
            for r in range(1, ws.max_row + 1)}


def _docx_cells(path: Path) -> dict[int, tuple[str, str]]:
    table = Document(str(path)).tables[0]
    return {n: (row.cells[2].text, row.cells[3].text) for n, row in enumerate(table.rows, start=1) if n > 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".trustdesk")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N blind rows")
    args = parser.parse_args()

    from bot.sales.questionnaire import drafted_rows, fill
    from ingest.records import entry_id
    from questionnaire import northwind  # benchmarks/questionnaire.py: the shared set-up

    settings, records, assistant = northwind(args.data_dir)
    assistant.warm()
    library = list(csv.DictReader((ROOT / "corpus/examples/northwind/answer-library.csv").open(encoding="utf-8")))
    entries = {n: (entry_id("bench-northwind", r["question"]), (r.get("yes_no") or "").strip().lower())
               for n, r in enumerate(library, start=1)}
    rows = blind_rows(args.limit)
    with tempfile.TemporaryDirectory() as tmp:
        for name, build, read in (
            ("sig.xlsx", sig, lambda p: _xlsx_cells(p, "Security", 3, 4)),
            ("controls.xlsx", controls, lambda p: _xlsx_cells(p, "Controls", 3, 4)),
            ("ddq.docx", ddq, _docx_cells),
        ):
            source, where, allowed = build(Path(tmp) / name, rows)
            out = Path(tmp) / f"filled-{name}"
            started = time.perf_counter()
            report = fill(assistant, records, source, out, "bench-northwind", restart=True)
            seconds = time.perf_counter() - started
            cells = read(out)
            drafted = {r.row: r for r in drafted_rows(records, report.job_id)}
            _print(name, report, seconds, where, cells, drafted, entries, allowed)


_ENTRY = re.compile(r"\[(lib-[0-9a-f]+)\]")


def approved_entry(row) -> str | None:
    """The approved library entry a drafted row leads with, or None (its sources name entries as "[lib-...]")."""
    if "no approved answer" in (row.flags or ""):
        return None
    m = _ENTRY.search(row.sources or "")
    return m.group(1) if m else None


def _print(name, report, seconds, where, cells, drafted, entries, allowed) -> None:
    filled_answer = sum(bool(cells.get(r, ("", ""))[0]) for r in where)
    filled_comment = sum(bool(cells.get(r, ("", ""))[1]) for r in where)
    choices = {r: cells[r][0] for r in where if allowed and cells.get(r, ("", ""))[0] in allowed}
    not_allowed = sum(bool(cells.get(r, ("", ""))[0]) and cells[r][0] not in allowed for r in where) if allowed else 0
    right = wrong = without = 0
    from_library = 0
    for r, row in where.items():
        d = drafted.get(r)
        if d is None:
            continue
        used = approved_entry(d)
        from_library += used is not None
        if not d.yes_no or (allowed and r not in choices):
            continue
        if used is None:
            without += 1
            continue
        want = entries.get(row["entry"]) if row["entry"] else None
        ok = bool(want and used == want[0] and d.yes_no == want[1])
        right, wrong = right + ok, wrong + (not ok)
    print(f"\n{name}: {len(where)} rows in {seconds:.1f} s")
    print("  kinds: " + ", ".join(f"{k} {n}" for k, n in report.kinds.most_common()))
    print(f"  buyer cells written: answer/choice column {filled_answer}, comment column {filled_comment} "
          f"({report.cells_written} in all)")
    if allowed:
        print(f"  choices written: {len(choices)} ({Counter(choices.values()).most_common()}); "
              f"values outside the dropdown: {not_allowed}")
    print(f"  choices from approved material: right entry and its own yes/no {right}, otherwise {wrong}; "
          f"choices without approved material {without}")
    print(f"  rows answered from approved material: {from_library} of {len(drafted)} "
          f"({from_library / max(len(drafted), 1):.0%})")
    print("  flagged: " + ", ".join(f"{reason} {n}" for reason, n in report.flags.most_common()))


if __name__ == "__main__":
    main()
