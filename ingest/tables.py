"""Rows of a CSV or XLSX table as dicts keyed by normalised header names (answer-library files).

Headers are matched loosely: "Yes/No", "yes_no" and "Yes No" are one column;
`source_policy`, `policy` and `document` all mean `source`. The header row is
the first row that names a question and an answer column, so a title row
above it is fine.

>>> normalise_header(" Yes/No ")
'yes_no'
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ingest.documents import Unreadable, check_zip, decode_csv

ALIASES = {
    "question": "question", "questions": "question", "q": "question",
    "answer": "answer", "answers": "answer", "response": "answer", "approved_answer": "answer",
    "yes_no": "yes_no", "yes_no_partial_n_a": "yes_no", "yes_no_n_a": "yes_no", "yesno": "yes_no",
    "source": "source", "source_policy": "source", "policy": "source", "document": "source", "sources": "source",
    "owner": "owner", "status": "status", "review_due": "review_due", "last_reviewed": "last_reviewed",
    "id": "id",
}
HEADER_SCAN_ROWS = 15


def normalise_header(value: object) -> str:
    words = re.sub(r"[^a-z0-9]+", "_", str(value or "").strip().lower()).strip("_")
    return ALIASES.get(words, words)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def _rows_to_dicts(rows: list[list[object]], name: str) -> list[dict[str, str]]:
    for start, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        headers = [normalise_header(v) for v in row]
        if "question" in headers and "answer" in headers:
            break
    else:
        raise Unreadable(f"has no header row naming a 'question' and an 'answer' column in its first "
                         f"{HEADER_SCAN_ROWS} rows")
    records = []
    for number, row in enumerate(rows[start + 1:], start=start + 2):
        values = [_cell(v) for v in row]
        if not any(values):
            continue
        record = {h: values[i] if i < len(values) else "" for i, h in enumerate(headers) if h}
        record["_row"] = str(number)
        records.append(record)
    return records


def read_table(path: Path, max_bytes: int = 25_000_000) -> list[dict[str, str]]:
    """The data rows of a CSV or the first sheet of an XLSX; `Unreadable` says why a file cannot be read."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise Unreadable(f"is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
        raw = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot be read: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = decode_csv(raw)
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise Unreadable(f"is not valid CSV ({exc}): save it again from a spreadsheet as CSV (UTF-8)") from None
        return _rows_to_dicts(rows, path.name)
    if suffix in (".xlsx", ".xlsm"):
        check_zip(raw, "xlsx")
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        except Exception as exc:  # openpyxl raises many types for a broken package
            raise Unreadable(f"is not a readable workbook ({type(exc).__name__}: corrupt, or another file renamed to "
                             ".xlsx): open it in Excel and save it as .xlsx") from None
        return _rows_to_dicts(rows, path.name)
    raise Unreadable("is not a CSV or XLSX file")
