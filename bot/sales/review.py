"""The review half of a questionnaire fill: checkpointed rows -> the cells to write, a reviewer's edits, and
edited answers back to the library as candidates.

A choice cell is written only for a question, statement or choice option, only
from an approved yes/no, and only with a value the cell's dropdown allows;
otherwise it stays empty and the row says why. A flagged row (commitment,
conflicting sources, no approved answer) leaves the buyer's cells empty.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.sales.choices import meaning, pick
from bot.sales.library import ImportReport, Library, yes_no_value
from bot.sales.questionnaire import FillError, drafted_rows, load, row_kinds
from bot.sales.row_kinds import TAKES_CHOICE
from bot.sales.rows import FRAMEWORK_NAMES, NOT_ANSWERED, UNCOVERED_LEAD, held
from ingest.records import FillJob, FillRow, Records
from ingest.workbook import Filled, Questionnaire, SheetPlan, csv_unsafe

_STANDARDS = tuple(FRAMEWORK_NAMES.values())


def to_filled(row: FillRow, plan: SheetPlan, answer: str | None = None, yes_no: str | None = None) -> Filled:
    """The cells of one checkpointed row (a reviewer's `answer` and `yes_no` replace the draft's)."""
    flags = [row.flags] if row.flags else []
    edited = answer is not None
    write = edited or not held(row.flags)
    canonical = yes_no if edited else row.yes_no
    choice = ""
    if plan.answers.choice is not None and write and (edited or row.kind in TAKES_CHOICE):
        if canonical:
            choice = pick(canonical, plan.answers.allowed(row.row)) or ""
            if not choice:
                flags.append(f"no dropdown value means {canonical!r}")
        elif not edited:
            flags.append("no approved yes/no")
    evidence = "; ".join(s for s in row.sources.split("; ") if s and not s.startswith(_STANDARDS))
    return Filled(answer=answer if edited else row.answer, yes_no=choice, sources=row.sources, confidence=row.tier,
                  needs_review="Yes" if row.needs_review else "No", kind=row.kind, flags="; ".join(flags),
                  evidence=evidence, write=write and bool(answer if edited else row.answer))


def filled_cells(questionnaire: Questionnaire, rows: list[FillRow]) -> dict[tuple[str, int], Filled]:
    plans = {p.sheet: p for p in questionnaire.plans}
    return {(r.sheet, r.row): to_filled(r, plans[r.sheet]) for r in rows if r.sheet in plans}


def write_reviewed(records: Records, job_id: str, source: Path, out: Path,
                   edits: dict[tuple[str, int], tuple[str, str]], *, column: str | None = None,
                   max_bytes: int = 25_000_000, beside: bool = False) -> Path:
    """The filled copy again, with a reviewer's edits ((sheet, row) -> (answer, yes/no)) in place of the drafts.

    The drafts stay as they are in the checkpoint, so `import_review` of this file finds the edited answers.
    """
    questionnaire = load(source, max_bytes=max_bytes, column=column, max_rows=100_000)
    plans = {p.sheet: p for p in questionnaire.plans}
    filled = {}
    for row in drafted_rows(records, job_id):
        if row.sheet not in plans:
            continue
        key = (row.sheet, row.row)
        if key in edits:
            answer, yes_no = edits[key]
            try:
                canonical = yes_no_value(yes_no) or ""
            except ValueError as exc:
                raise FillError(f"{row.sheet} row {row.row}: {exc}") from None
            filled[key] = to_filled(row, plans[row.sheet], answer, canonical)
        else:
            filled[key] = to_filled(row, plans[row.sheet])
    kinds = row_kinds(questionnaire)
    questionnaire.write(out, filled, beside=beside, kinds={k: v.kind for k, v in kinds.items()})
    return out


# --- review closes the loop ------------------------------------------------------

def import_review(records: Records, path: Path, tenant: str, *, column: str | None = None,
                  max_bytes: int = 25_000_000) -> ImportReport:
    """A filled questionnaire a person has edited -> library candidates for the answers they changed or wrote."""
    questionnaire = load(path, max_bytes=max_bytes, column=column, max_rows=100_000)
    drafts = _drafted_answers(records, tenant)
    rows = []
    for item, answer, yes_no in _answers(questionnaire):
        if not answer or answer.startswith((UNCOVERED_LEAD, NOT_ANSWERED)):
            continue
        question = csv_unsafe(item.text)
        if " ".join(answer.split()) == drafts.get(" ".join(question.split())):
            continue  # the reviewer kept the draft: nothing new to approve
        rows.append({"question": question, "answer": answer, "yes_no": yes_no, "status": "candidate",
                     "source": f"questionnaire review: {path.name}", "_row": f"{item.sheet}!{item.row}"})
    return Library(records, tenant).import_rows(rows, status="candidate", origin=path.name)


def _drafted_answers(records: Records, tenant: str) -> dict[str, str]:
    with records.session() as s:
        found = s.execute(select(FillRow.question, FillRow.answer).join(FillJob, FillJob.id == FillRow.job_id)
                          .where(FillJob.tenant == tenant).order_by(FillRow.done_at))
        return {" ".join(q.split()): " ".join(a.split()) for q, a in found}


def _answers(questionnaire: Questionnaire):
    """(item, answer, yes/no) from the answer cells of each sheet; a file with none has nothing to import."""
    plans = [p for p in questionnaire.plans if not p.answers.added]
    if not plans:
        raise FillError(f"{questionnaire.path.name} has no answer column (Answer, Response, Comments ...): import "
                        "the file `trustdesk questionnaire fill` wrote, after editing its answers")
    for plan in plans:
        for item in plan.items:
            answer = csv_unsafe(questionnaire.cell_text(plan.sheet, item.row, plan.answers.comment))
            choice = meaning(questionnaire.cell_text(plan.sheet, item.row, plan.answers.choice)) or ""
            yield item, answer, choice
