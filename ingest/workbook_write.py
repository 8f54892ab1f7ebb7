"""Write a filled questionnaire: answers into the buyer's empty answer cells, trustdesk's review data apart.

Only empty cells of the buyer's answer columns are written (a cell the buyer
filled stays theirs), always as text, never as a formula. Everything else
(values, formulas, styles, merges, validations, widths, hidden sheets) is left
as loaded. The review data (row kind, sources, tier, needs review, flags) goes
to a "trustdesk review" sheet keyed by sheet and row, or with `beside` into
columns after the table. A CSV has no second sheet: its review columns always
go beside, and every cell a spreadsheet would run as a formula gets a leading
apostrophe (OWASP's CSV injection advice); plain numbers stay numbers.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from pathlib import Path

from ingest.workbook import REVIEW_SHEET, Filled, Questionnaire, SheetPlan, csv_safe

ADDED_ANSWER_COLUMNS = ("Answer", "Yes/No/Partial/N.A.")  # only on a sheet without answer columns of its own
BESIDE_COLUMNS = ("Row kind", "Sources", "Tier", "Needs review", "Flags")
REVIEW_COLUMNS = ("Sheet", "Row", "Row kind", "Question", "Answer", "Choice", "Sources", "Tier", "Needs review",
                  "Flags")
_WIDTHS = {"Answer": 70, "Question": 60, "Sources": 40, "Flags": 40, "Yes/No/Partial/N.A.": 14}
_NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")

Results = dict[tuple[str, int], Filled]


def write(q: Questionnaire, out: Path, filled: Results, *, beside: bool, kinds: dict) -> int:
    """Write atomically (a temp file renamed into place); returns how many of the buyer's cells were written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".trustdesk-", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    try:
        if q.kind == "xlsx":
            written = _write_xlsx(q, Path(tmp), filled, beside, kinds)
        elif q.kind == "docx":
            from ingest.docx_tables import write_docx

            written = write_docx(q, Path(tmp), filled)
            _write_review_csv(q, out.with_name(out.stem + ".review.csv"), filled, kinds)
        else:
            written = _write_csv(q, Path(tmp), filled)
        os.replace(tmp, out)
        return written
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def review_row(item, f: Filled | None, kind: str) -> list:
    if f is None:
        return [item.sheet, item.row, kind, item.text, "", "", "", "", "", ""]
    return [item.sheet, item.row, f.kind or kind, item.text, f.answer, f.yes_no, f.sources, f.confidence,
            f.needs_review, f.flags]


def _buyer_values(plan: SheetPlan, f: Filled) -> list[tuple[int | None, str]]:
    """(column, value) pairs for the buyer's cells of one row; nothing for a flagged row."""
    if not f.write:
        return []
    a = plan.answers
    return [(a.choice, f.yes_no), (a.comment, f.answer), (a.evidence, f.evidence if a.evidence != a.comment else "")]


def _beside_values(f: Filled | None, kind: str) -> list[str]:
    if f is None:
        return [kind, "", "", "", ""]
    return [f.kind or kind, f.sources, f.confidence, f.needs_review, f.flags]


# --- XLSX -------------------------------------------------------------------------------------------

def _write_xlsx(q: Questionnaire, tmp: Path, filled: Results, beside: bool, kinds: dict) -> int:
    written = 0
    for plan in q.plans:
        ws = q.book[plan.sheet]
        if plan.answers.added:
            _headers(ws, plan, {plan.answers.comment: ADDED_ANSWER_COLUMNS[0],
                                plan.answers.choice: ADDED_ANSWER_COLUMNS[1]})
        if beside:
            _headers(ws, plan, {plan.first_new_column + i: t for i, t in enumerate(BESIDE_COLUMNS)})
        for item in plan.items:
            f = filled.get((plan.sheet, item.row))
            if f is not None:
                written += sum(_put(ws, item.row, col, value) for col, value in _buyer_values(plan, f))
            if beside and (f is not None or (plan.sheet, item.row) in kinds):
                for i, value in enumerate(_beside_values(f, kinds.get((plan.sheet, item.row), ""))):
                    _put(ws, item.row, plan.first_new_column + i, value)
    if not beside:
        _review_sheet(q, filled, kinds)
    q.book.save(tmp)
    return written


def _put(ws, row: int, col: int | None, value: str) -> bool:
    """Write text into an empty cell; a cell the buyer filled, or one inside a merge, is left alone."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell

    if col is None or not value:
        return False
    cell = ws.cell(row, col)
    if isinstance(cell, MergedCell) or cell.value not in (None, ""):
        return False
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # XLSX cannot hold most control characters
    cell.data_type = "s"  # text, even when it starts with '=': never a formula
    return True


def _headers(ws, plan: SheetPlan, titles: dict[int, str]) -> None:
    from copy import copy

    from openpyxl.utils import get_column_letter

    for col, title in titles.items():
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(title, 13)
        if plan.header_row:
            source = ws.cell(plan.header_row, plan.column)
            cell = ws.cell(plan.header_row, col, title)
            cell.font, cell.fill, cell.border = copy(source.font), copy(source.fill), copy(source.border)
            cell.alignment = copy(source.alignment)


def _review_sheet(q: Questionnaire, filled: Results, kinds: dict) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if REVIEW_SHEET in q.book.sheetnames:  # trustdesk's own sheet from an earlier fill: replaced
        del q.book[REVIEW_SHEET]
    ws = q.book.create_sheet(REVIEW_SHEET)
    ws.append(list(REVIEW_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    line = 1
    for plan in q.plans:
        for item in plan.items:
            key = (plan.sheet, item.row)
            if key not in filled and key not in kinds:
                continue
            line += 1
            for col, value in enumerate(review_row(item, filled.get(key), kinds.get(key, "")), start=1):
                if value not in (None, ""):
                    cell = ws.cell(line, col, ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value)
                    cell.data_type = "s" if isinstance(value, str) else cell.data_type  # text, never a formula
    for i, title in enumerate(REVIEW_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(title, 12)
    ws.freeze_panes = "A2"


# --- CSV --------------------------------------------------------------------------------------------

def _write_csv(q: Questionnaire, tmp: Path, filled: Results) -> int:
    plan = q.plans[0]
    width = plan.first_new_column - 1
    written = 0
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, q.dialect)
        for number, row in enumerate(q.rows, start=1):
            row = list(row) + [""] * (width - len(row))
            f = filled.get((plan.sheet, number))
            if number == plan.header_row:
                if plan.answers.added:
                    row[plan.answers.comment - 1], row[plan.answers.choice - 1] = ADDED_ANSWER_COLUMNS
                extra = list(BESIDE_COLUMNS)
            elif f is not None:
                for col, value in _buyer_values(plan, f):
                    if col is not None and value and not row[col - 1].strip():
                        row[col - 1] = value
                        written += 1
                extra = _beside_values(f, "")
            else:
                extra = []
            writer.writerow([v if _NUMBER.fullmatch(v) else csv_safe(v) for v in row + extra])
    return written


def _write_review_csv(q: Questionnaire, path: Path, filled: Results, kinds: dict) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(REVIEW_COLUMNS)
        for plan in q.plans:
            for item in plan.items:
                key = (plan.sheet, item.row)
                if key in filled or key in kinds:
                    writer.writerow([csv_safe(str(v)) for v in review_row(item, filled.get(key), kinds.get(key, ""))])
