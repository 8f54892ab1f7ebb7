"""Word questionnaires: question/answer tables in a .docx, read as sheets ("Table 1", ...) and filled in place.

Each table is planned like a sheet (question column, answer columns by
header); a table without answer headers takes the answers in the column right
of its questions. Only empty answer cells are written, as a new run in the
cell's first paragraph, so the paragraph's style and every other run, table
and section stay as they were. Merged cells (one cell spanning columns) are
read once.
"""

from __future__ import annotations

import io
from pathlib import Path

from ingest.documents import Unreadable, check_zip
from ingest.workbook import Filled, SheetCells, plan_sheet, text_of

TABLE = "Table "


def load_docx(cls, path: Path, raw: bytes):
    check_zip(raw, "docx")
    from docx import Document

    try:
        document = Document(io.BytesIO(raw))
    except Exception as exc:  # python-docx raises many types for a broken package
        raise Unreadable(f"is not a readable Word document ({type(exc).__name__}: corrupt, or another file renamed "
                         "to .docx): open it in Word and save it as .docx") from None
    q = cls(path, "docx", [], book=document)
    for n, table in enumerate(document.tables, start=1):
        grid = _grid(table)
        cells = SheetCells(f"{TABLE}{n}", grid, max((len(r) for r in grid), default=0))
        plan = plan_sheet(cells, None)
        if plan is None or not plan.items:
            continue
        if plan.answers.added:  # no answer header: the column right of the questions, if the table has one
            if plan.column >= cells.width:
                continue
            plan.answers.added, plan.answers.choice, plan.answers.comment = False, None, plan.column + 1
        q._grids[cells.name] = grid
        q.plans.append(plan)
    return q


def _grid(table) -> list[list[str]]:
    grid = []
    for row in table.rows:
        texts, previous = [], None
        for cell in row.cells:
            texts.append("" if cell._tc is previous else text_of(cell.text))  # a merged cell repeats per column
            previous = cell._tc
        grid.append(texts)
    return grid


def write_docx(q, tmp: Path, filled: dict[tuple[str, int], Filled]) -> int:
    written = 0
    for plan in q.plans:
        table = q.book.tables[int(plan.sheet.removeprefix(TABLE)) - 1]
        for item in plan.items:
            f = filled.get((plan.sheet, item.row))
            if f is None or not f.write:
                continue
            cells = table.rows[item.row - 1].cells
            a = plan.answers
            for col, value in ((a.choice, f.yes_no), (a.comment, f.answer), (a.evidence, f.evidence)):
                if col is not None and value and col - 1 < len(cells) and not cells[col - 1].text.strip() \
                        and cells[col - 1]._tc is not cells[plan.column - 1]._tc:
                    cells[col - 1].paragraphs[0].add_run(value)
                    written += 1
    q.book.save(tmp)
    return written
