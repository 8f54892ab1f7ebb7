"""The sales team's commands: `company ingest`, `library ...` and `questionnaire ...`, thin over bot/ workflows."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from ui.console import err, fail, friendly_errors, out, settings, tenant_name

company_app = typer.Typer(help="A company's own policies and answer library, kept per tenant.", no_args_is_help=True)
library_app = typer.Typer(help="The tenant's answer library: approved answers, candidates to review, retired ones.",
                          no_args_is_help=True)
questionnaire_app = typer.Typer(help="Fill a customer's security questionnaire (XLSX, CSV or Word tables) from approved "
                                     "material, in the buyer's own answer cells.", no_args_is_help=True)
Tenant = Annotated[str, typer.Option("--tenant", callback=tenant_name,
                                      help="Tenant name: lowercase letters, digits, '-' or '_'.")]
_run_ingest = None


def register(app: typer.Typer, run_ingest) -> None:
    global _run_ingest
    _run_ingest = run_ingest
    app.add_typer(company_app, name="company")
    app.add_typer(library_app, name="library")
    app.add_typer(questionnaire_app, name="questionnaire")


def _records():
    from ingest.records import Records

    return Records.open(settings())


def _library(tenant: str, embed: bool = False):
    from bot.sales.library import Library

    encode = None
    if embed:
        from ingest.embed import query_embedder

        encode = query_embedder().encode
    return Library(_records(), tenant, encode)


def _publish(library, rebuild: bool = False) -> None:
    """Rebuild the tenant's index from its approved entries and documents."""
    from ingest.store import company_index

    if not library.corpus():
        out.print(f"{library.tenant}: nothing approved yet, so the index is unchanged")
        return
    _run_ingest(library.corpus, company_index(library.tenant), rebuild)


def _print_import(name: str, report) -> None:
    out.print(f"{name}: {len(report.added)} added, {len(report.changed)} changed, "
              f"{len(report.unchanged)} unchanged", highlight=False)
    for line in report.problems:
        err.print(f"  [yellow]skipped[/] {line}", highlight=False, soft_wrap=True)
    for line in report.conflicts:
        err.print(f"  [yellow]conflict[/] {line}", highlight=False, soft_wrap=True)
    for question, other, why in report.near_duplicates:
        err.print(f"  [yellow]near-duplicate[/] ({why}): {question!r} ~ {other!r}", highlight=False, soft_wrap=True)


# --- company -----------------------------------------------------------------------

@company_app.command("ingest")
def company_ingest_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder of policies (md, txt, pdf, docx, html) and answer "
                                                 "libraries (csv, xlsx with question and answer columns).")],
    tenant: Tenant,
    prune: Annotated[bool, typer.Option("--prune", help="Remove the tenant's documents that are not in FOLDER.")] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed everything.")] = False,
) -> None:
    """Store a company's documents and answer library for `--tenant NAME`, then rebuild its index.

    Files that cannot be read are listed with the reason; the rest still go in, and the exit status is 1.
    """
    with friendly_errors():
        from bot.sales.tenant import ingest_folder

        library = _library(tenant, embed=True)
        cfg = settings()
        report = ingest_folder(library, folder, max_bytes=int(cfg.max_upload_mb * 1_000_000), prune=prune)
        docs = report.documents
        out.print(f"{tenant}: documents {len(docs['added'])} added, {len(docs['changed'])} changed, "
                  f"{len(docs['unchanged'])} unchanged, {len(docs['removed'])} removed", highlight=False)
        for name, imported in report.library:
            _print_import(name, imported)
        for problem in report.problems:
            err.print(f"[bold red]not read:[/] {problem}", highlight=False, soft_wrap=True)
        _publish(library, rebuild)
        if report.problems:
            fail(f"{len(report.problems)} file(s) could not be read (listed above); everything else was stored")


# --- library -------------------------------------------------------------------------

@library_app.command("import")
def library_import_cmd(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX with question and answer columns (optional: yes_no, "
                                               "source, owner, status, review_due).")],
    tenant: Tenant,
    status: Annotated[str, typer.Option(help="Status for rows without one: approved or candidate.")] = "approved",
) -> None:
    """Add or update entries by question, reporting added, changed, unchanged, conflicts and near-duplicates."""
    with friendly_errors():
        from bot.sales.library import LibraryError
        from ingest.documents import Unreadable
        from ingest.tables import read_table

        try:
            rows = read_table(file, int(settings().max_upload_mb * 1_000_000))
        except Unreadable as exc:
            raise LibraryError(f"{file}: {exc}") from None
        library = _library(tenant, embed=True)
        report = library.import_rows(rows, status=status, origin=file.name)
        _print_import(file.name, report)
        if report.touched:
            _publish(library)


@library_app.command("export")
def library_export_cmd(file: Annotated[Path, typer.Argument(help="Where to write: .csv or .xlsx.")], tenant: Tenant) -> None:
    """Write every entry (all statuses) to CSV or XLSX."""
    with friendly_errors():
        n = _library(tenant).export(file)
        out.print(f"{tenant}: {n} entries written to {file}")


@library_app.command("list")
def library_list_cmd(
    tenant: Tenant,
    status: Annotated[Optional[str], typer.Option(help="candidate, approved or retired.")] = None,
    due: Annotated[bool, typer.Option("--due", help="Only approved entries due for review.")] = False,
) -> None:
    """Show entries with their ID, status and review date."""
    with friendly_errors():
        from rich.table import Table

        library = _library(tenant)
        entries = library.due() if due else library.entries(status)
        table = Table("id", "status", "question", "answer", "review due", show_lines=False)
        for e in entries:
            table.add_row(e.id, e.status, e.question[:70], e.answer[:70],
                          e.review_due.isoformat() if e.review_due else "")
        out.print(table)
        out.print(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}")


@library_app.command("review")
def library_review_cmd(
    tenant: Tenant,
    approve: Annotated[Optional[list[str]], typer.Option("--approve", help="Approve this entry ID.")] = None,
    retire: Annotated[Optional[list[str]], typer.Option("--retire", help="Retire this entry ID.")] = None,
    edit: Annotated[Optional[str], typer.Option("--edit", help="Edit this entry ID (with --answer).")] = None,
    answer: Annotated[Optional[str], typer.Option("--answer", help="The new answer for --edit.")] = None,
    reviewer: Annotated[str, typer.Option(help="Who approves (stored as the owner).")] = "",
) -> None:
    """Approve, edit or retire entries by ID; without options, walk through the candidates one by one."""
    with friendly_errors():
        library = _library(tenant)
        if edit:
            if not answer:
                fail("--edit needs --answer TEXT")
            library.edit(edit, answer=answer)
            out.print(f"edited {edit}")
        for entry in approve or []:
            library.approve(entry, reviewer)
            out.print(f"approved {entry}")
        for entry in retire or []:
            library.retire(entry)
            out.print(f"retired {entry}")
        if not (approve or retire or edit):
            _walk_candidates(library, reviewer)
        _publish(library)


def _walk_candidates(library, reviewer: str) -> None:
    candidates = library.entries("candidate")
    if not candidates:
        out.print(f"{library.tenant}: no candidates waiting for review")
        return
    if not sys.stdin.isatty():
        fail(f"{len(candidates)} candidate(s) wait for review: use --approve ID / --retire ID, or run this in a "
             "terminal to walk through them")
    for n, entry in enumerate(candidates, start=1):
        out.rule(f"{n}/{len(candidates)}  {entry.id}")
        out.print(f"[bold]Q:[/] {entry.question}\n[bold]A:[/] {entry.answer}\n[dim]source: {entry.source or '-'}[/]",
                  highlight=False)
        choice = typer.prompt("[a]pprove, [e]dit, [r]etire, [s]kip, [q]uit", default="s").strip().lower()[:1]
        if choice == "q":
            break
        if choice == "a":
            library.approve(entry.id, reviewer)
        elif choice == "e":
            library.edit(entry.id, answer=typer.prompt("new answer"))
            library.approve(entry.id, reviewer)
        elif choice == "r":
            library.retire(entry.id)


# --- questionnaire -------------------------------------------------------------------

@questionnaire_app.command("fill")
def questionnaire_fill_cmd(
    file: Annotated[Path, typer.Argument(help="The customer's questionnaire: .xlsx, .csv or .docx (never modified).")],
    tenant: Tenant,
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the filled copy (same format).")],
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted fill of this file.")] = False,
    restart: Annotated[bool, typer.Option("--restart", help="Discard an interrupted fill and start over.")] = False,
    question_column: Annotated[Optional[str], typer.Option(
        "--question-column", help="The question column when detection picks the wrong one: C, or Sheet!C.")] = None,
    beside: Annotated[bool, typer.Option(
        "--beside", help="Put the review columns (row kind, sources, tier, needs review, flags) after each table "
                         "instead of on a separate 'trustdesk review' sheet.")] = False,
) -> None:
    """Answer every row in the buyer's own cells, from the tenant's approved material.

    Rows get a kind: question, statement, prompt, choice, followup, field; headings and instructions are skipped.

    The answer goes into the comment/answer cell; a Yes/No dropdown gets a value it allows, from approved entries only.

    Commitments (owner: legal), conflicting sources and rows without approved material are flagged, never filled.

    Review data goes to a 'trustdesk review' sheet (--beside: after the table; CSV: beside; .docx: OUT.review.csv).

    Every original cell, formula, style, merge and validation stays as it was.

    Example: trustdesk questionnaire fill vsa.xlsx --tenant northwind --out vsa-filled.xlsx
    """
    with friendly_errors():
        from bot import Assistant, logs
        from bot.sales.questionnaire import fill

        assistant = Assistant(settings())
        assistant.warm()
        records = _records()
        with _progress() as step, logs.request(surface="cli", command="questionnaire fill"):
            report = fill(assistant, records, file, out_path, tenant, resume=resume, restart=restart,
                          column=question_column, progress=step, beside=beside)
        tiers = ", ".join(f"{report.tiers.get(t, 0)} {t}" for t in ("high", "medium", "low"))
        out.print(f"{report.out}: {report.total} rows ({report.answered} answered now, {report.resumed} resumed) "
                  f"in {report.seconds:.1f} s, {report.rate:.1f} rows/s; {tiers}; "
                  f"{report.needs_review} need review", highlight=False)
        kinds = ", ".join(f"{n} {kind}" for kind, n in report.kinds.most_common())
        out.print(f"rows by kind: {kinds}", highlight=False)
        out.print(f"written in the buyer's cells: {report.cells_written} ({report.choices_written} choices)",
                  highlight=False)
        if report.flags:
            out.print("flagged: " + ", ".join(f"{n} {reason}" for reason, n in report.flags.most_common()),
                      highlight=False)


@questionnaire_app.command("import-review")
def questionnaire_import_review_cmd(
    file: Annotated[Path, typer.Argument(help="A filled questionnaire whose answer cells a person edited.")],
    tenant: Tenant,
    question_column: Annotated[Optional[str], typer.Option("--question-column", help="C, or Sheet!C.")] = None,
) -> None:
    """Turn the answers a reviewer changed or wrote into library candidates (approve them with `library review`)."""
    with friendly_errors():
        from bot.sales.questionnaire import import_review

        report = import_review(_records(), file, tenant, column=question_column)
        _print_import(file.name, report)
        out.print(f"approve them with: trustdesk library review --tenant {tenant}")


class _progress:
    """A rich progress bar on a terminal; a plain line every 10% when piped."""

    def __enter__(self):
        self.tty = err.is_terminal
        if self.tty:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("answering rows"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[rate]}"),
                                TimeRemainingColumn(), console=err, transient=True)
            self.bar.start()
            self.task = None
        self.last = -1
        self.started = time.perf_counter()
        self.first = None
        return self.step

    def step(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if self.first is None:
            self.first = (done - 1, now)
        rate = (done - self.first[0]) / max(now - self.started, 1e-6)
        if self.tty:
            if self.task is None:
                self.task = self.bar.add_task("rows", total=total, rate="")
            self.bar.update(self.task, completed=done, rate=f"{rate:.1f} rows/s")
        elif done == total or done * 10 // total > self.last:
            self.last = done * 10 // total
            print(f"{done}/{total} rows, {rate:.1f} rows/s", file=sys.stderr, flush=True)

    def __exit__(self, *exc):
        if self.tty:
            self.bar.stop()
        return False
