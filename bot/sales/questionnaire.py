"""Fill a customer's questionnaire from a tenant's approved material: one workflow for the CLI and the web UI.

Every row gets a kind (`bot.sales.row_kinds`); headings, instructions and captions
are skipped, fields come from the tenant's profile entries, and the rest are
put to the company route (a questionnaire row always asks about the vendor):
`bot.sales.rows` drafts each one and flags what a person must decide.
Answers go into the buyer's own answer cells: the choice cell gets a value its
dropdown allows, and only from approved material; the comment cell gets the
answer. Review data goes to a "trustdesk review" sheet (or `beside` the table).

Each answered row is checkpointed in the records database in its own
transaction, so after Ctrl-C or kill -9, `resume=True` continues where it
stopped: nothing lost, no row answered twice.

Each row is answered under its own request id, `<job id>-r<n>` (`bot.logs`): one
grep for the job id shows every row, one for the row's id shows its whole path.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select

from bot import logs
from bot.errors import TrustdeskError
from bot.sales.library import Library
from bot.sales.row_kinds import RowKind, classify
from bot.sales.rows import UNCOVERED_LEAD, draft_row, plain, profile_fields, reason, split_flags  # noqa: F401
from ingest.documents import Unreadable
from ingest.records import FillJob, FillRow, Records
from ingest.workbook import Item, Questionnaire

SUFFIXES = (".xlsx", ".csv", ".docx")
Progress = Callable[[int, int], None]  # (done, total)
log = logging.getLogger("trustdesk.questionnaire")


class FillError(TrustdeskError):
    """The questionnaire cannot be filled as asked."""


@dataclass
class FillReport:
    job_id: str
    out: Path
    total: int  # rows answered or looked up (questions, statements, prompts, choices, follow-ups, fields)
    answered: int  # in this run
    resumed: int  # already answered by an earlier, interrupted run
    seconds: float
    tiers: Counter = field(default_factory=Counter)
    needs_review: int = 0
    kinds: Counter = field(default_factory=Counter)  # every row of the question columns, by kind
    flags: Counter = field(default_factory=Counter)  # flagged rows by reason
    cells_written: int = 0  # of the buyer's own cells
    choices_written: int = 0

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds > 0 else 0.0


def load(path: Path, **limits) -> Questionnaire:
    """The questionnaire at `path`, or FillError naming the file and saying what to do (a corrupt workbook,
    a zip bomb, a CSV with NULs, too many rows)."""
    try:
        return Questionnaire.load(path, **limits)
    except Unreadable as exc:
        raise FillError(f"{path.name} {exc}") from None


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def row_kinds(questionnaire: Questionnaire) -> dict[tuple[str, int], RowKind]:
    """Every row's kind, sheet by sheet (choice groups and follow-ups never cross a sheet)."""
    kinds: dict[tuple[str, int], RowKind] = {}
    for plan in questionnaire.plans:
        kinds.update({(plan.sheet, item.row): kind for item, kind in zip(plan.items, classify(plan.items))})
    return kinds


def _job(records: Records, tenant: str, source: Path, out: Path, total: int, sha: str,
         resume: bool, restart: bool) -> tuple[str, set[tuple[str, int]]]:
    with records.session() as s:
        job = s.scalar(select(FillJob).where(FillJob.tenant == tenant, FillJob.input_sha256 == sha,
                                             FillJob.output_path == str(out), FillJob.status == "running")
                       .order_by(FillJob.created_at.desc()))
        if job is not None and restart:
            s.execute(delete(FillRow).where(FillRow.job_id == job.id))
            s.delete(job)
            job = None
        if job is not None:
            done = {(r.sheet, r.row) for r in s.scalars(select(FillRow).where(FillRow.job_id == job.id))}
            if not resume:
                raise FillError(f"an unfinished fill of {source.name} into {out} exists ({len(done)} of {job.total} "
                                "rows answered): add --resume to continue it, or --restart to start over")
            return job.id, done
        job = FillJob(id="job-" + secrets.token_hex(8), tenant=tenant, input_name=source.name, input_sha256=sha,
                      output_path=str(out), total=total)
        s.add(job)
        return job.id, set()


def _check_paths(source: Path, out: Path) -> None:
    if source.suffix.lower() not in SUFFIXES:
        raise FillError(f"{source.name} is not an .xlsx, .csv or .docx file (save an .xls or .doc file in the "
                        "newer format first)")
    if out.resolve() == source.resolve():
        raise FillError("--out must be a new file: the customer's questionnaire is never overwritten")
    if out.suffix.lower() != source.suffix.lower():
        raise FillError(f"--out must keep the input's format ({source.suffix.lower()}), got {out.name!r}")


def fill(assistant, records: Records, source: Path, out: Path, tenant: str, *, resume: bool = False,
         restart: bool = False, column: str | None = None, progress: Progress | None = None,
         beside: bool = False) -> FillReport:
    """Fill `source` into `out`; the input file is never written."""
    started = time.perf_counter()
    _check_paths(source, out)
    settings = assistant.settings
    questionnaire = load(source, max_bytes=int(settings.max_upload_mb * 1_000_000),
                         max_rows=settings.max_questionnaire_rows, column=column)
    kinds = row_kinds(questionnaire)
    work = [(item, kinds[(item.sheet, item.row)]) for item in questionnaire.items
            if kinds[(item.sheet, item.row)].answered or kinds[(item.sheet, item.row)].kind == "field"]
    if not work:
        raise FillError(f"{source.name} has no questions under its question column (only headings or "
                        "instructions): name the right column with --question-column")
    library = Library(records, tenant)
    job_id, done = _job(records, tenant, source, out.resolve(), len(work), digest(source), resume, restart)
    from bot.retrieve import embed_texts

    embed_texts([k.asked for i, k in work if (i.sheet, i.row) not in done and k.answered])  # batched, up front
    log.info("fill of %s started", job_id, extra={"job": job_id, "tenant": tenant, "rows": len(work),
                                                  "resumed": len(done)})
    answered = _answer_rows(assistant, records, library, job_id, work, done, tenant, progress)
    filled = filled_cells(questionnaire, _rows(records, job_id))
    cells = questionnaire.write(out, filled, beside=beside, kinds={k: v.kind for k, v in kinds.items()})
    with records.session() as s:
        s.get(FillJob, job_id).status = "done"
    report = _report(job_id, out, work, answered, done, started, filled, kinds, cells, questionnaire)
    log.info("fill of %s done", job_id, extra={"job": job_id, "tenant": tenant, "answered": answered,
                                               "seconds": round(report.seconds, 2), "needs_review": report.needs_review})
    return report


def _answer_rows(assistant, records: Records, library: Library, job_id: str, work: list[tuple[Item, RowKind]],
                 done: set, tenant: str, progress: Progress | None) -> int:
    profile = profile_fields(library)
    answered = 0
    for n, (item, kind) in enumerate(work, start=1):
        if (item.sheet, item.row) in done:
            continue
        with logs.request(f"{job_id}-r{n}", job=job_id, sheet=item.sheet, row=item.row):
            row = draft_row(assistant, library, kind, item.text, tenant, profile)
        row.job_id, row.sheet, row.row = job_id, item.sheet, item.row
        with records.session() as s:  # one transaction per row: the checkpoint
            s.add(row)
        answered += 1
        if progress:
            progress(len(done) + answered, len(work))
    return answered


def _report(job_id, out, work, answered, done, started, filled, kinds, cells, questionnaire) -> FillReport:
    report = FillReport(job_id, out, len(work), answered, len(done), time.perf_counter() - started)
    report.tiers = Counter(f.confidence for f in filled.values())
    report.needs_review = sum(f.needs_review == "Yes" for f in filled.values())
    report.kinds = Counter(k.kind for k in kinds.values())
    report.flags = Counter(reason(flag) for f in filled.values() for flag in split_flags(f.flags))
    report.cells_written = cells
    report.choices_written = sum(bool(f.yes_no and f.write) for (sheet, _), f in filled.items()
                                 if questionnaire.plan(sheet).answers.choice is not None)
    return report


def _rows(records: Records, job_id: str) -> list[FillRow]:
    with records.session() as s:
        return list(s.scalars(select(FillRow).where(FillRow.job_id == job_id)))


def drafted_rows(records: Records, job_id: str) -> list[FillRow]:
    """A fill job's answered rows in sheet and row order: what a reviewer reviews."""
    return sorted(_rows(records, job_id), key=lambda r: (r.sheet, r.row))


def progress_of(records: Records, job_id: str) -> tuple[int, int]:
    from sqlalchemy import func

    with records.session() as s:
        job = s.get(FillJob, job_id)
        done = s.scalar(select(func.count()).select_from(FillRow).where(FillRow.job_id == job_id))
        return done or 0, job.total if job else 0


# the review half (cells from checkpoints, a reviewer's edits, edits back to the library): its own module
from bot.sales.review import filled_cells, import_review, write_reviewed  # noqa: E402,F401
