"""Benchmark: a 5,000-row awkward workbook filled through the real engine against the Northwind pack.

The workbook has a title banner, a section banner every 50 rows (merged), a
Ref / Question / Response / Comments / Score layout, a Yes/No/N/A dropdown
over the whole Response column, a second list rule over the whole sheet, a
formula per row, a stray styled cell at XFD1048576, a hidden sheet, and row
shapes from real questionnaires: questions from benchmarks/data/questionnaire-300.csv, the
blind questionnaire rows (evals/questionnaire_blind) and the practitioner wordings of
bot/data/retrieval_pairs.yaml (about 2,300 texts, so nearly every row is distinct and the
embedding cache cannot flatter the figure), "Please confirm that ..." statements, "Describe ...:" prompts, choice groups
with options, "If yes, ..." follow-ups and fields. Prints rows by kind, cells
written in the buyer's columns, choices, flags, time and peak RSS.

    .venv/bin/python benchmarks/questionnaire_5000.py [--data-dir DIR] [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path

import yaml
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

ROOT = Path(__file__).resolve().parents[1]
SHAPES = [
    lambda q: [q],
    lambda q: ["Please confirm that " + q[0].lower() + q[1:].rstrip("?") + "."],
    lambda q: ["Describe how you handle the following: " + q.rstrip("?") + ":"],
    lambda q: [q, "If yes, describe the process and how often it is reviewed."],
    lambda q: ["Select the security controls in place at your data centers:", "CCTV", "Mantrap", "UPS batteries",
               "Fire detection system"],
]


def questions() -> list[str]:
    """Every question text the benchmark draws on, in a fixed order, without repeats."""
    texts = [r["question"] for r in csv.DictReader((ROOT / "benchmarks/data/questionnaire-300.csv").open())]
    texts += [r["text"] for r in yaml.safe_load((ROOT / "evals/questionnaire_blind/rows.yaml").read_text())["rows"]]
    texts += [p["text"] for p in yaml.safe_load((ROOT / "bot/data/retrieval_pairs.yaml").read_text())["pairs"]]
    return list(dict.fromkeys(t.strip() for t in texts if t.strip()))


def rows(n: int) -> list[str]:
    questions_ = questions()
    out, i = ["Company name", "Primary contact email"], 0
    while len(out) < n:
        q = questions_[i % len(questions_)]
        out.extend(SHAPES[i % len(SHAPES)](q) if i % 7 else [q])
        i += 1
    return out[:n]


def workbook(path: Path, n: int) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "Assessment"
    ws["A1"] = "Vendor security assessment"
    ws.merge_cells("A1:E1")
    ws.append(["Ref", "Question", "Response", "Comments", "Score"])
    for k, text in enumerate(rows(n)):
        r = ws.max_row + 1
        if k % 50 == 0:
            ws.cell(r, 1, f"Section {k // 50 + 1}").font = Font(bold=True)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
            r += 1
        ws.cell(r, 1, f"R-{k}")
        ws.cell(r, 2, text)
        ws.cell(r, 5, f'=IF(C{r}="Yes",1,0)')
    ws["XFD1048576"].fill = PatternFill("solid", start_color="FFFF00")
    for formula, sqref in (('"Yes,No,N/A"', "C1:C1048576"), ('"Low,High"', "A1:XFD1048576")):
        dv = DataValidation(type="list", formula1=formula)
        ws.add_data_validation(dv)
        dv.add(sqref)
    hidden = book.create_sheet("Lists")
    hidden.append(["Question"])
    hidden.append(["Is this hidden question ever answered?"])
    hidden.sheet_state = "hidden"
    book.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".trustdesk")
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()

    from bot.sales.questionnaire import fill
    from questionnaire import northwind  # benchmarks/questionnaire.py: the same set-up as the 300-row benchmark

    settings, records, assistant = northwind(args.data_dir)
    assistant.warm()
    with tempfile.TemporaryDirectory() as tmp:
        source = workbook(Path(tmp) / "questionnaire.xlsx", args.rows)
        started = time.perf_counter()
        report = fill(assistant, records, source, Path(tmp) / "filled.xlsx", "bench-northwind", restart=True)
        seconds = time.perf_counter() - started
    texts = rows(args.rows)
    print(f"distinct row texts: {len(set(texts))} of {len(texts)}")
    print(f"rows in the question column: {sum(report.kinds.values())}; by kind: "
          + ", ".join(f"{kind} {n}" for kind, n in report.kinds.most_common()))
    print(f"answered or looked up: {report.total}; cells written in the buyer's columns: {report.cells_written} "
          f"({report.choices_written} choices)")
    print("tiers: " + ", ".join(f"{t} {report.tiers.get(t, 0)}" for t in ("high", "medium", "low"))
          + f"; needs review {report.needs_review}")
    print("flagged: " + ", ".join(f"{reason} {n}" for reason, n in report.flags.most_common()))
    print(f"fill: {seconds:.1f} s end to end, {report.total / seconds:.1f} rows/s")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
