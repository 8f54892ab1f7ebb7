"""A customer's questionnaire (XLSX or CSV): find the questions, and write answers beside them, changing nothing else.

Per sheet, the question column is found from its header ("Question",
"Requirement", "Control description", ...; among several, the one with the
longest text below it) or, without a header, from content (the column with the
most sentence-long cells). Headings, blank rows and instructions are skipped;
statements count as questions. The filled copy keeps every sheet, value,
style, merged range, formula, data validation and column width: only the five
answer columns are new, placed after the sheet's last used column, and their
text is never written as a formula. A filled CSV is opened by a spreadsheet
that runs any cell starting with =, +, -, @ as a formula, so every such cell is
written with a leading apostrophe (OWASP's CSV injection advice), the
customer's own cells included; plain numbers stay numbers.

>>> looks_like_item("Access Control")
False
>>> looks_like_item("The vendor encrypts data at rest.")
True
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ingest.documents import Unreadable, check_zip, decode_csv

ADDED_COLUMNS = ("Answer", "Yes/No/Partial/N.A.", "Sources", "Confidence", "Needs review")
ADDED_WIDTHS = (70, 14, 40, 12, 13)
HEADER_SCAN_ROWS = 25
_HEADER_WORDS = re.compile(r"\b(question|questions|requirement|requirements|control|controls|query|statement|"
                           r"description|item|criteria|assessment)\b", re.I)
_STRONG_HEADER = re.compile(r"\bquestion|\brequirement|\bstatement", re.I)
# Instructions talk about the form itself: "Please answer every question in column C", "Use the Response column ..."
_INSTRUCTION = re.compile(r"^\s*(instructions?|notes?|guidance|how to (complete|fill))\b|"
                          r"^\s*(please |kindly )?(use|complete|answer|fill|enter|select|return|submit|respond)\b.*"
                          r"\b(columns?|tabs?|sheets?|questionnaire|questions|this form|cells?|drop-?downs?)\b", re.I)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def looks_like_item(text: str) -> bool:
    """A question or a statement to confirm, not a heading, an ID or an instruction."""
    text = " ".join(str(text or "").split())
    words = text.split()
    if "?" in text:
        return len(words) >= 2
    if len(words) < 4 or len(text) < 18:
        return False  # "Access Control", "1.2", "Section 3: Encryption"
    if text.endswith(":") or _INSTRUCTION.search(text):
        return False
    return sum(c.isalpha() for c in text) >= 0.6 * len(text)


@dataclass(frozen=True)
class Item:
    sheet: str
    row: int  # 1-based, as the spreadsheet shows it
    text: str


@dataclass
class SheetPlan:
    sheet: str
    column: int  # 1-based question column
    header_row: int | None
    first_new_column: int
    items: list[Item] = field(default_factory=list)


@dataclass
class Filled:
    """What goes into the five added cells of one row."""

    answer: str
    yes_no: str
    sources: str
    confidence: str
    needs_review: str


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.strip().upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"{letters!r} is not a column letter")
        n = n * 26 + ord(ch) - 64
    return n


def _text(value) -> str:
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


def plan_sheet(name: str, grid: list[list[str]], width: int, override: int | None,
               heading_rows: set[int] = frozenset()) -> SheetPlan | None:
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
    plan = SheetPlan(name, col, header, width + 1)
    for r in range((header or 0), len(grid)):
        text = grid[r][col - 1] if col - 1 < len(grid[r]) else ""
        if r + 1 not in heading_rows and looks_like_item(text):
            plan.items.append(Item(name, r + 1, text))
    return plan


class Questionnaire:
    """A questionnaire file, loaded for filling. `plans` lists each sheet's question column and items."""

    def __init__(self, path: Path, kind: str, plans: list[SheetPlan], book=None, rows=None, encoding: str = "utf-8"):
        self.path, self.kind, self.plans = path, kind, plans
        self._book, self._rows, self.encoding = book, rows, encoding
        self._grids: dict[str, list[list[str]]] = {}

    def grid(self, sheet: str) -> list[list[str]]:
        """The sheet's cell texts as loaded (rows of strings, 1-based row n at index n-1)."""
        return self._grids[sheet]

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
        else:
            raise Unreadable("is not an .xlsx or .csv file (save an .xls or .numbers file as .xlsx first)")
        if not q.plans:
            raise Unreadable("has no recognisable question column: name it with --question-column "
                             "(a letter like C, or Sheet!C)")
        if not q.items:
            raise Unreadable("has no questions under its question column (is the sheet empty?)")
        if len(q.items) > max_rows:
            raise Unreadable(f"has {len(q.items):,} questions, over the limit of {max_rows:,}: split it, or raise "
                             "TRUSTDESK_MAX_QUESTIONNAIRE_ROWS")
        return q

    @classmethod
    def _load_csv(cls, path: Path, raw: bytes, column: int | None) -> "Questionnaire":
        text = decode_csv(raw)
        encoding = "utf-8"
        try:
            dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        try:
            rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)]
        except csv.Error as exc:
            raise Unreadable(f"is not valid CSV ({exc}): save it again from a spreadsheet as CSV (UTF-8)") from None
        grid = [[_text(v) for v in r] for r in rows]
        width = max((len(r) for r in rows), default=0)
        plan = plan_sheet(path.stem, grid, width, column)
        q = cls(path, "csv", [plan] if plan else [], rows=rows, encoding=encoding)
        q.dialect = dialect
        q._grids[path.stem] = grid
        return q

    @classmethod
    def _load_xlsx(cls, path: Path, raw: bytes, sheet: str | None, column: int | None) -> "Questionnaire":
        check_zip(raw, "xlsx")
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(raw))  # formulas stay formulas; styles and validations are kept
        except Exception as exc:  # openpyxl raises many types for a broken package
            raise Unreadable(f"is not a readable workbook ({type(exc).__name__}: corrupt, or another file renamed to "
                             ".xlsx): open it in Excel and save it as .xlsx") from None
        if sheet and sheet not in book.sheetnames:
            raise Unreadable(f"has no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
        plans, grids = [], {}
        for ws in book.worksheets:
            if sheet and ws.title != sheet:
                continue
            grid = [[_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
            grids[ws.title] = grid
            banners = {m.min_row for m in ws.merged_cells.ranges if m.max_col > m.min_col}
            plan = plan_sheet(ws.title, grid, ws.max_column, column if (sheet or column) else None, banners)
            if plan is not None and plan.items:
                plans.append(plan)
        q = cls(path, "xlsx", plans, book=book)
        q._grids = grids
        return q

    def write(self, out: Path, filled: dict[tuple[str, int], Filled]) -> None:
        """Write the filled copy to `out` atomically (a temp file renamed into place)."""
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".trustdesk-", suffix=out.suffix, dir=out.parent)
        os.close(fd)
        try:
            if self.kind == "xlsx":
                self._write_xlsx(Path(tmp), filled)
            else:
                self._write_csv(Path(tmp), filled)
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _write_xlsx(self, tmp: Path, filled: dict[tuple[str, int], Filled]) -> None:
        from copy import copy

        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Alignment
        from openpyxl.utils import get_column_letter

        for plan in self.plans:
            ws = self._book[plan.sheet]
            if plan.header_row:
                source = ws.cell(plan.header_row, plan.column)
                for i, title in enumerate(ADDED_COLUMNS):
                    cell = ws.cell(plan.header_row, plan.first_new_column + i, title)
                    cell.font, cell.fill, cell.border = copy(source.font), copy(source.fill), copy(source.border)
                    cell.alignment = copy(source.alignment)
            for i, width in enumerate(ADDED_WIDTHS):
                ws.column_dimensions[get_column_letter(plan.first_new_column + i)].width = width
            for item in plan.items:
                values = filled.get((plan.sheet, item.row))
                if values is None:
                    continue
                for i, value in enumerate(_values(values)):
                    cell = ws.cell(item.row, plan.first_new_column + i)
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)  # XLSX cannot hold most control characters
                    cell.data_type = "s"  # text, even when it starts with '=': never a formula
                    if i == 0:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
        self._book.save(tmp)

    def _write_csv(self, tmp: Path, filled: dict[tuple[str, int], Filled]) -> None:
        plan = self.plans[0]
        width = plan.first_new_column - 1
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, self.dialect)
            for number, row in enumerate(self._rows, start=1):
                row = [v if _NUMBER.fullmatch(v) else csv_safe(v) for v in row] + [""] * (width - len(row))
                if number == plan.header_row:
                    extra = list(ADDED_COLUMNS)
                elif (plan.sheet, number) in filled:
                    extra = [csv_safe(v) for v in _values(filled[(plan.sheet, number)])]
                else:
                    extra = []
                writer.writerow(row + extra)


def _values(f: Filled) -> list[str]:
    return [f.answer, f.yes_no, f.sources, f.confidence, f.needs_review]


def csv_safe(value: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP's CSV injection advice)."""
    return "'" + value if value[:1] in _FORMULA_START else value


def csv_unsafe(value: str) -> str:
    """A cell read back from a CSV trustdesk wrote, without the apostrophe `csv_safe` added."""
    return value[1:] if value[:1] == "'" and value[1:2] in _FORMULA_START else value


def _parse_override(column: str | None) -> tuple[str | None, int | None]:
    if not column:
        return None, None
    sheet, _, letters = column.rpartition("!")
    try:
        return (sheet or None), column_index(letters)
    except ValueError as exc:
        raise Unreadable(f"--question-column {column!r}: {exc} (use a letter like C, or Sheet!C)") from None
