"""Fill a customer's questionnaire from a tenant's approved material: one workflow for the CLI and the web UI.

Every row is put to the company route (a questionnaire row always asks about
the vendor). An approved library entry that answers it is quoted whole, with
its yes/no; material from the tenant's documents is drafted and flagged for
review; nothing found means the row says so, stays low and flagged, never
states a yes or a no, and carries the SOC 2 / ISO 27001 references as guidance
for whoever completes it.

Each answered row is checkpointed in the records database in its own
transaction, so after Ctrl-C or kill -9, `resume=True` continues where it
stopped: nothing lost, no row answered twice.

Each row is answered under its own request id, `<job id>-r<n>` (`bot.logs`): one
grep for the job id shows every row, one for the row's id shows its whole path.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, select

from bot import logs
from bot.errors import InvalidQuestion, TrustdeskError
from bot.library import ImportReport, Library, LibraryError, yes_no_value
from bot.models import Answer
from ingest.db import Records
from ingest.documents import Unreadable
from ingest.records import FillJob, FillRow, LibraryEntry
from ingest.workbook import ADDED_COLUMNS, Filled, Item, Questionnaire, csv_unsafe

UNCOVERED_LEAD = "No approved answer found"
DOCUMENT_TIER_CAP = "medium"  # drafted from documents, not an approved answer: a person confirms the wording
Progress = Callable[[int, int], None]  # (done, total)
_CITE = re.compile(r"\s*\[[^\]]{1,80}\]")
_FRAMEWORK_NAMES = {"soc2": "SOC 2", "iso27001": "ISO 27001"}
log = logging.getLogger("trustdesk.questionnaire")


class FillError(TrustdeskError):
    """The questionnaire cannot be filled as asked."""


@dataclass
class FillReport:
    job_id: str
    out: Path
    total: int
    answered: int  # in this run
    resumed: int  # already answered by an earlier, interrupted run
    seconds: float
    tiers: Counter = field(default_factory=Counter)
    needs_review: int = 0

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


def plain(text: str) -> str:
    """Answer text for a customer's cell: no Markdown, no inline citation markers."""
    text = _CITE.sub("", text)
    text = re.sub(r"[*_`#>]+", "", text)
    return " ".join(text.split())


def draft_row(assistant, library: Library | None, question: str, tenant: str | None) -> FillRow:
    """One row's answer as a checkpoint record (not yet saved)."""
    try:
        answer: Answer = assistant.answer_for_company(question, tenant)
    except InvalidQuestion as exc:  # an empty, too long or control-character cell; a store that is down is not
        return FillRow(question=question, answer=f"Not answered: {exc}", yes_no="", sources="", confidence=0.0,
                       tier="low", needs_review=True)
    own = [c for c in answer.citations if c.framework == "company"]
    standards = [c for c in answer.citations if c.framework in _FRAMEWORK_NAMES]
    sources = "; ".join([f"{c.source} [{c.id}]" if c.id.startswith("lib-") else c.source for c in own]
                        + [f"{_FRAMEWORK_NAMES[c.framework]} {c.id}" for c in standards])
    if answer.refused:
        return FillRow(question=question, answer="Not answered: " + plain(answer.parts.lead or answer.text),
                       yes_no="", sources="", confidence=answer.confidence, tier="low", needs_review=True,
                       answer_id=answer.id)
    if not own:
        refs = "; ".join(f"{_FRAMEWORK_NAMES[c.framework]} {c.id} {c.title}" for c in standards[:3])
        text = (f"{UNCOVERED_LEAD} in {tenant}'s material; to be completed by the owner."
                if tenant else f"{UNCOVERED_LEAD}: no company material was given.")
        if refs:
            text += f" What the standards expect: {refs}."
        return FillRow(question=question, answer=text, yes_no="", sources=sources, confidence=min(answer.confidence, 0.4),
                       tier="low", needs_review=True, answer_id=answer.id)
    entry = _leading_entry(library, own[0].id)
    body = plain(" ".join(p.text for p in answer.parts.points if not p.text.startswith("For reference:")))
    if entry is not None:
        return FillRow(question=question, answer=entry.answer.strip(), yes_no=entry.yes_no or "", sources=sources,
                       confidence=answer.confidence, tier=answer.tier or "medium",
                       needs_review=answer.needs_review, answer_id=answer.id)
    tier = "low" if answer.tier == "low" else DOCUMENT_TIER_CAP
    return FillRow(question=question, answer=body or plain(answer.text), yes_no="", sources=sources,
                   confidence=answer.confidence, tier=tier, needs_review=True, answer_id=answer.id)


def _leading_entry(library: Library | None, doc_id: str) -> LibraryEntry | None:
    if library is None or not doc_id.startswith("lib-"):
        return None
    try:
        entry = library.get(doc_id)
    except LibraryError:  # gone since the index was built; a database that is down is not this
        return None
    return entry if entry.status == "approved" else None


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


def fill(assistant, records: Records, source: Path, out: Path, tenant: str, *, resume: bool = False,
         restart: bool = False, column: str | None = None, progress: Progress | None = None) -> FillReport:
    """Fill `source` into `out`; the input file is never written."""
    started = time.perf_counter()
    if out.resolve() == source.resolve():
        raise FillError("--out must be a new file: the customer's questionnaire is never overwritten")
    if out.suffix.lower() != source.suffix.lower():
        raise FillError(f"--out must keep the input's format ({source.suffix.lower()}), got {out.name!r}")
    settings = assistant.settings
    questionnaire = load(source, max_bytes=int(settings.max_upload_mb * 1_000_000),
                         max_rows=settings.max_questionnaire_rows, column=column)
    items = questionnaire.items
    library = Library(records, tenant)
    job_id, done = _job(records, tenant, source, out.resolve(), len(items), digest(source), resume, restart)
    from bot.retrieve import embed_texts

    embed_texts([i.text for i in items if (i.sheet, i.row) not in done])  # batched, up front
    log.info("fill of %s started", job_id, extra={"job": job_id, "tenant": tenant, "rows": len(items),
                                                  "resumed": len(done)})
    answered = 0
    for n, item in enumerate(items, start=1):
        if (item.sheet, item.row) in done:
            continue
        with logs.request(f"{job_id}-r{n}", job=job_id, sheet=item.sheet, row=item.row):
            row = draft_row(assistant, library, item.text, tenant)
        row.job_id, row.sheet, row.row = job_id, item.sheet, item.row
        with records.session() as s:  # one transaction per row: the checkpoint
            s.add(row)
        answered += 1
        if progress:
            progress(len(done) + answered, len(items))
    rows = _rows(records, job_id)
    questionnaire.write(out, {(r.sheet, r.row): _filled(r) for r in rows})
    with records.session() as s:
        s.get(FillJob, job_id).status = "done"
    report = FillReport(job_id, out, len(items), answered, len(done), time.perf_counter() - started)
    report.tiers = Counter(r.tier for r in rows)
    report.needs_review = sum(r.needs_review for r in rows)
    log.info("fill of %s done", job_id, extra={"job": job_id, "tenant": tenant, "answered": answered,
                                               "seconds": round(report.seconds, 2), "needs_review": report.needs_review})
    return report


def _rows(records: Records, job_id: str) -> list[FillRow]:
    with records.session() as s:
        return list(s.scalars(select(FillRow).where(FillRow.job_id == job_id)))


def drafted_rows(records: Records, job_id: str) -> list[FillRow]:
    """A fill job's answered rows in sheet and row order: what a reviewer reviews."""
    return sorted(_rows(records, job_id), key=lambda r: (r.sheet, r.row))


def write_reviewed(records: Records, job_id: str, source: Path, out: Path,
                   edits: dict[tuple[str, int], tuple[str, str]], *, column: str | None = None,
                   max_bytes: int = 25_000_000) -> Path:
    """The filled copy again, with a reviewer's edits ((sheet, row) -> (answer, yes/no)) in place of the drafts.

    The drafts stay as they are in the checkpoint, so `import_review` of this file finds the edited answers.
    """
    questionnaire = load(source, max_bytes=max_bytes, column=column, max_rows=100_000)
    filled = {}
    for row in _rows(records, job_id):
        cell = _filled(row)
        if (row.sheet, row.row) in edits:
            answer, yes_no = edits[(row.sheet, row.row)]
            try:
                value = yes_no_value(yes_no) or ""
            except ValueError as exc:
                raise FillError(f"{row.sheet} row {row.row}: {exc}") from None
            cell = Filled(answer=answer, yes_no=value.capitalize() if value != "n/a" else "N/A",
                          sources=cell.sources, confidence=cell.confidence, needs_review=cell.needs_review)
        filled[(row.sheet, row.row)] = cell
    questionnaire.write(out, filled)
    return out


def _filled(row: FillRow) -> Filled:
    return Filled(answer=row.answer, yes_no=row.yes_no.capitalize() if row.yes_no != "n/a" else "N/A",
                  sources=row.sources, confidence=row.tier, needs_review="Yes" if row.needs_review else "No")


def progress_of(records: Records, job_id: str) -> tuple[int, int]:
    with records.session() as s:
        job = s.get(FillJob, job_id)
        done = s.scalar(select(func.count()).select_from(FillRow).where(FillRow.job_id == job_id))
        return done or 0, job.total if job else 0


# --- review closes the loop ------------------------------------------------------

def import_review(records: Records, path: Path, tenant: str, *, column: str | None = None,
                  max_bytes: int = 25_000_000) -> ImportReport:
    """A filled questionnaire a person has edited -> library candidates for the answers they changed or wrote."""
    questionnaire = load(path, max_bytes=max_bytes, column=column, max_rows=100_000)
    drafts = _drafted_answers(records, tenant)
    rows = []
    for item, answer, yes_no in _answers(questionnaire):
        if not answer or answer.startswith(UNCOVERED_LEAD) or answer.startswith("Not answered:"):
            continue
        question = csv_unsafe(item.text)
        if " ".join(answer.split()) == drafts.get(" ".join(question.split())):
            continue  # the reviewer kept the draft: nothing new to approve
        try:
            yes_no = yes_no_value(yes_no) or ""
        except ValueError:
            yes_no = ""
        rows.append({"question": question, "answer": answer, "yes_no": yes_no, "status": "candidate",
                     "source": f"questionnaire review: {path.name}", "_row": f"{item.sheet}!{item.row}"})
    return Library(records, tenant).import_rows(rows, status="candidate", origin=path.name)


def _drafted_answers(records: Records, tenant: str) -> dict[str, str]:
    with records.session() as s:
        found = s.execute(select(FillRow.question, FillRow.answer).join(FillJob, FillJob.id == FillRow.job_id)
                          .where(FillJob.tenant == tenant).order_by(FillRow.done_at))
        return {" ".join(q.split()): " ".join(a.split()) for q, a in found}


def _answers(questionnaire: Questionnaire):
    """(item, answer, yes/no) from the Answer columns trustdesk added; a file without them has nothing to import."""
    for plan in questionnaire.plans:
        grid = questionnaire.grid(plan.sheet)
        header = grid[plan.header_row - 1] if plan.header_row else []
        if ADDED_COLUMNS[0] not in header:
            raise FillError(f"sheet {plan.sheet!r} has no '{ADDED_COLUMNS[0]}' column: import the file "
                            "`trustdesk questionnaire fill` wrote, after editing its answers")
        at = header.index(ADDED_COLUMNS[0])
        for item in plan.items:
            row = grid[item.row - 1]
            cell = row[at] if at < len(row) else ""
            yes_no = row[at + 1] if at + 1 < len(row) else ""
            yield item, csv_unsafe(cell), yes_no
