"""A customer's questionnaire (XLSX or CSV): find the rows and the buyer's answer cells, changing nothing.

Per sheet, the question column is found from its header ("Question",
"Requirement", "Control description", ...; among several, the one with the
longest text below it) or, without a header, from content (the column with the
most sentence-long cells). Every non-empty text cell below the header in that
column is a row (`Item`); what kind of row it is (question, statement, prompt,
choice, follow-up, field, heading) is decided in `bot.sales.row_kinds`. The buyer's
answer columns (choice with its dropdown values, comment, evidence) are found
by `ingest.sheet_layout`. Hidden sheets and trustdesk's own review sheet hold
no questions. Cells are read from the sheet's stored cells only, so a styled
cell at XFD1048576 or a list rule over a whole sheet costs nothing.

Writing is `ingest.workbook_write`: answers go into the buyer's empty answer
cells, review data to a "trustdesk review" sheet (or beside the table).

>>> looks_like_item("Access Control")
False
>>> looks_like_item("The vendor encrypts data at rest.")
True
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.documents import Unreadable, check_zip, decode_csv
from ingest.sheet_layout import MAX_LIST_VALUES, AnswerColumns, ListRule, find_answer_columns, inline_list

REVIEW_SHEET = "trustdesk review"
HEADER_SCAN_ROWS = 25
MAX_SHEET_ROWS = 100_000  # the last row holding a value, per sheet; a 5,000-question file is far below it
MAX_COLUMNS = 200  # columns read per sheet: a questionnaire is a table, not a canvas
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER_WORDS = re.compile(r"\b(question|questions|requirement|requirements|control|controls|query|statement|"
                           r"description|item|criteria|assessment)\b", re.I)
_STRONG_HEADER = re.compile(r"\bquestion|\brequirement|\bstatement", re.I)
# Instructions talk about the form itself: "Please answer every question in column C", "Use the Response column ..."
INSTRUCTION = re.compile(r"^\s*(instructions?|notes?|guidance|how to (complete|fill))\b|"
                         r"^\s*(please |kindly )?(use|complete|answer|fill|enter|select|return|submit|respond)\b.*"
                         r"\b(columns?|tabs?|sheets?|questionnaire|questions|this form|cells?|drop-?downs?)\b", re.I)


def looks_like_item(text: str) -> bool:
    """A question or a statement to confirm, not a heading, an ID or an instruction (finds the question column)."""
    text = " ".join(str(text or "").split())
    words = text.split()
    if "?" in text:
        return len(words) >= 2
    if len(words) < 4 or len(text) < 18:
        return False  # "Access Control", "1.2", "Section 3: Encryption"
    if text.endswith(":") or INSTRUCTION.search(text):
        return False
    return sum(c.isalpha() for c in text) >= 0.6 * len(text)


@dataclass(frozen=True)
class Item:
    """One non-empty cell of the question column: a row of the questionnaire, of a kind bot.sales.row_kinds decides."""

    sheet: str
    row: int  # 1-based, as the spreadsheet shows it
    text: str
    banner: bool = False  # merged across the row: a section heading
    bold: bool = False


@dataclass
class SheetPlan:
    sheet: str
    column: int  # 1-based question column
    header_row: int | None
    first_new_column: int  # the first column after everything the sheet uses
    items: list[Item] = field(default_factory=list)
    answers: AnswerColumns = field(default_factory=AnswerColumns)


@dataclass
class Filled:
    """What trustdesk writes for one row. `yes_no` is the exact value for the choice cell (one its dropdown
    allows); with `write` False (a flagged row) the buyer's cells stay empty and only the review shows it."""

    answer: str
    yes_no: str
    sources: str
    confidence: str  # the tier
    needs_review: str
    kind: str = "question"
    flags: str = ""
    evidence: str = ""  # company sources, for an Evidence column
    write: bool = True


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.strip().upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"{letters!r} is not a column letter")
        n = n * 26 + ord(ch) - 64
    return n


def text_of(value) -> str:
    """A cell value as one line of text ("" for an empty cell)."""
    return " ".join(str(value).split()) if value is not None else ""


def _mean_length(grid: list[list[str]], start: int, col: int) -> float:
    cells = [row[col - 1] for row in grid[start:start + 200] if col - 1 < len(row) and row[col - 1]]
    return sum(len(c) for c in cells) / max(len(cells), 1) * min(len(cells), 10) / 10


def find_question_column(grid: list[list[str]]) -> tuple[int, int | None] | None:
    """(column, header row) of the questions in a grid of cell texts, or None; both 1-based."""
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        candidates = [c + 1 for c, v in enumerate(row) if v and len(v) <= 60 and _HEADER_WORDS.search(v)]
        if not candidates:
            continue
        strong = [c for c in candidates if _STRONG_HEADER.search(row[c - 1])] or candidates
        best = max(strong, key=lambda c: _mean_length(grid, r + 1, c))
        if sum(looks_like_item(x[best - 1]) for x in grid[r + 1:] if best - 1 < len(x)) >= 1:
            return best, r + 1
    width = max((len(r) for r in grid), default=0)
    scores = {c: sum(looks_like_item(r[c - 1]) for r in grid if c - 1 < len(r)) for c in range(1, width + 1)}
    if not scores or max(scores.values()) < 2:
        return None
    col = max(scores, key=lambda c: (scores[c], -c))
    return col, None


@dataclass
class SheetCells:
    """What planning needs of one sheet: cell texts, and per row whether it is a banner, bold, or a formula."""

    name: str
    grid: list[list[str]]
    width: int
    banners: set[int] = field(default_factory=set)
    bold: set[tuple[int, int]] = field(default_factory=set)
    formulas: set[tuple[int, int]] = field(default_factory=set)
    rules: list[ListRule] = field(default_factory=list)


def plan_sheet(cells: SheetCells, override: int | None) -> SheetPlan | None:
    grid = cells.grid
    found = (override, None) if override else find_question_column(grid)
    if found is None:
        return None
    col, header = found
    if override:  # the header is the first non-empty cell above the first item
        for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
            if col - 1 < len(row) and row[col - 1]:
                if looks_like_item(row[col - 1]):
                    break
                header = r + 1
    plan = SheetPlan(cells.name, col, header, cells.width + 1)
    for r in range(header or 0, len(grid)):
        text = grid[r][col - 1] if col - 1 < len(grid[r]) else ""
        if text and (r + 1, col) not in cells.formulas:
            plan.items.append(Item(cells.name, r + 1, text, r + 1 in cells.banners, (r + 1, col) in cells.bold))
    if not any(looks_like_item(i.text) or i.text.endswith(":") for i in plan.items):
        return None
    first = plan.items[0].row if plan.items else (header or 0) + 1
    heads = [grid[r] for r in range((header or 1) - 1, first - 1) if header and r < len(grid)]
    plan.answers = find_answer_columns(heads, col, cells.rules, range(first, first + 50))
    if not plan.answers.found:
        plan.answers = AnswerColumns(comment=plan.first_new_column, choice=plan.first_new_column + 1, added=True)
        plan.first_new_column += 2
    return plan


class Questionnaire:
    """A questionnaire file, loaded for filling. `plans` lists each sheet's question column, rows and answer cells."""

    def __init__(self, path: Path, kind: str, plans: list[SheetPlan], book=None, rows=None, encoding: str = "utf-8"):
        self.path, self.kind, self.plans = path, kind, plans
        self.book, self.rows, self.encoding = book, rows, encoding
        self.dialect = csv.excel
        self._grids: dict[str, list[list[str]]] = {}

    def grid(self, sheet: str) -> list[list[str]]:
        """The sheet's cell texts as loaded (rows of strings, 1-based row n at index n-1)."""
        return self._grids[sheet]

    def cell_text(self, sheet: str, row: int, col: int | None) -> str:
        grid = self._grids.get(sheet, [])
        if col is None or row - 1 >= len(grid) or col - 1 >= len(grid[row - 1]):
            return ""
        return grid[row - 1][col - 1]

    def plan(self, sheet: str) -> SheetPlan:
        return next(p for p in self.plans if p.sheet == sheet)

    @property
    def items(self) -> list[Item]:
        return [item for plan in self.plans for item in plan.items]

    @classmethod
    def load(cls, path: Path, *, max_bytes: int = 25_000_000, max_rows: int = 5000,
             column: str | None = None) -> "Questionnaire":
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise Unreadable(f"cannot be read: {exc.strerror or exc}") from None
        if size > max_bytes:
            raise Unreadable(f"is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit "
                             "(TRUSTDESK_MAX_UPLOAD_MB)")
        if size == 0:
            raise Unreadable("is empty")
        raw = path.read_bytes()
        override_sheet, override_col = _parse_override(column)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            q = cls._load_csv(path, raw, override_col)
        elif suffix == ".xlsx":
            q = cls._load_xlsx(path, raw, override_sheet, override_col)
        elif suffix == ".docx":
            from ingest.docx_tables import load_docx

            q = load_docx(cls, path, raw)
        else:
            raise Unreadable("is not an .xlsx, .csv or .docx file (save an .xls or .numbers file as .xlsx first)")
        if not q.plans:
            raise Unreadable("has no recognisable question column: name it with --question-column "
                             "(a letter like C, or Sheet!C)")
        count = sum(not i.banner for i in q.items)  # section banners do not count against the limit
        if count > max_rows:
            raise Unreadable(f"has {count:,} questions, over the limit of {max_rows:,}: split it, or raise "
                             "TRUSTDESK_MAX_QUESTIONNAIRE_ROWS")
        return q

    @classmethod
    def _load_csv(cls, path: Path, raw: bytes, column: int | None) -> "Questionnaire":
        text = decode_csv(raw)
        try:
            dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        try:
            rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)]
        except csv.Error as exc:
            raise Unreadable(f"is not valid CSV ({exc}): save it again from a spreadsheet as CSV (UTF-8)") from None
        grid = [[text_of(v) for v in r] for r in rows]
        width = max((len(r) for r in rows), default=0)
        plan = plan_sheet(SheetCells(path.stem, grid, width), column)
        q = cls(path, "csv", [plan] if plan else [], rows=rows)
        q.dialect = dialect
        q._grids[path.stem] = grid
        return q

    @classmethod
    def _load_xlsx(cls, path: Path, raw: bytes, sheet: str | None, column: int | None) -> "Questionnaire":
        check_zip(raw, "xlsx")
        from openpyxl import load_workbook

        try:
            # formulas stay formulas; styles, validations and rich text runs are kept
            book = load_workbook(io.BytesIO(raw), rich_text=True)
        except Exception as exc:  # openpyxl raises many types for a broken package
            raise Unreadable(f"is not a readable workbook ({type(exc).__name__}: corrupt, or another file renamed to "
                             ".xlsx): open it in Excel and save it as .xlsx") from None
        if sheet and sheet not in book.sheetnames:
            raise Unreadable(f"has no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
        q = cls(path, "xlsx", [], book=book)
        for ws in book.worksheets:
            if (sheet and ws.title != sheet) or ws.title == REVIEW_SHEET or (ws.sheet_state != "visible" and not sheet):
                continue
            cells = read_sheet(ws, book)
            q._grids[ws.title] = cells.grid
            plan = plan_sheet(cells, column if (sheet or column) else None)
            if plan is not None and plan.items:
                q.plans.append(plan)
        return q

    def write(self, out: Path, filled: dict[tuple[str, int], Filled], *, beside: bool = False,
              kinds: dict[tuple[str, int], str] | None = None) -> int:
        """Write the filled copy to `out` atomically; returns the number of the buyer's cells written."""
        from ingest.workbook_write import write

        return write(self, out, filled, beside=beside, kinds=kinds or {})


def read_sheet(ws, book) -> SheetCells:
    """The sheet's stored cells only (openpyxl's own iterators would create every cell of a huge used range)."""
    stored = ws._cells  # {(row, col): Cell}: the cells the file holds, however far apart
    last_row = max((r for (r, c), cell in stored.items() if cell.value is not None and c <= MAX_COLUMNS), default=0)
    if last_row > MAX_SHEET_ROWS:
        raise Unreadable(f"sheet {ws.title!r} has values down to row {last_row:,}, over {MAX_SHEET_ROWS:,}: delete "
                         "the stray cells below the table, or split the sheet")
    grid: list[list[str]] = [[] for _ in range(last_row)]
    cells = SheetCells(ws.title, grid, 0)
    for (r, c), cell in stored.items():
        if cell.value is None or c > MAX_COLUMNS:
            continue
        row = grid[r - 1]
        row.extend([""] * (c - len(row)))
        row[c - 1] = text_of(cell.value)
        cells.width = max(cells.width, c)
        if cell.data_type == "f":
            cells.formulas.add((r, c))
        if cell.has_style and cell.font is not None and cell.font.b:
            cells.bold.add((r, c))
    cells.banners = {m.min_row for m in ws.merged_cells.ranges if m.max_col > m.min_col}
    cells.rules = list_rules(ws, book)
    return cells


def list_rules(ws, book) -> list[ListRule]:
    """The sheet's list validations, with their values: inline, a range on any sheet, or a defined name."""
    rules = []
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list" or not dv.formula1:
            continue
        values = inline_list(dv.formula1)
        if values is None:
            values = _range_values(book, ws, dv.formula1)
        bounds = tuple((r.min_row, r.max_row, r.min_col, r.max_col) for r in dv.sqref.ranges)
        if values:
            rules.append(ListRule(bounds, values))
    return rules


def _range_values(book, ws, formula: str) -> tuple[str, ...]:
    from openpyxl.utils.cell import range_boundaries

    ref = formula.lstrip("=").strip()
    if "!" not in ref and ":" not in ref and ref in book.defined_names:  # a named list
        ref = book.defined_names[ref].attr_text
    sheet_name, _, cells = ref.rpartition("!")
    sheet_name = sheet_name.strip("'") or ws.title
    if sheet_name not in book.sheetnames:
        return ()
    try:
        c0, r0, c1, r1 = range_boundaries(cells.replace("$", ""))
    except (ValueError, TypeError):
        return ()
    r0, c0 = r0 or 1, c0 or 1  # a whole column ("A:A") or row ("1:1")
    source = book[sheet_name]
    r1, c1 = min(r1 or r0, r0 + MAX_LIST_VALUES), min(c1 or c0, c0 + 5)
    found = [source._cells.get((r, c)) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
    values = [text_of(cell.value) for cell in found if cell is not None and cell.value not in (None, "")]
    return tuple(values[:MAX_LIST_VALUES])


def _parse_override(column: str | None) -> tuple[str | None, int | None]:
    if not column:
        return None, None
    sheet, _, letters = column.rpartition("!")
    try:
        return (sheet or None), column_index(letters)
    except ValueError as exc:
        raise Unreadable(f"--question-column {column!r}: {exc} (use a letter like C, or Sheet!C)") from None


def csv_safe(value: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP's CSV injection advice)."""
    return "'" + value if value[:1] in _FORMULA_START else value


def csv_unsafe(value: str) -> str:
    """A cell read back from a CSV trustdesk wrote, without the apostrophe `csv_safe` added."""
    return value[1:] if value[:1] == "'" and value[1:2] in _FORMULA_START else value
