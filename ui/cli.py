"""The `trustdesk` command line: a thin adapter over `bot` and `ingest`.

Heavy libraries (torch, chromadb) load only inside the commands that need
them, so `trustdesk --help` is instant.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    name="trustdesk",
    help="Answers SOC 2 and ISO/IEC 27001:2022 questions with cited sources, offline.\n\n"
         "Start with `trustdesk ingest`, then `trustdesk ask \"What does CC6.1 require?\"`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

from ui.console import TenantOpt, err, fail, friendly_errors, out, settings, warn_if_records_down  # noqa: E402


# --- ingest ------------------------------------------------------------------

def _run_ingest(docs_loader, index: str, rebuild: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from bot import logs
    from ingest import Store, ingest
    from ingest.records import Records

    cfg = settings()
    docs = docs_loader()
    store = Store(cfg.data_dir, cfg.chroma_url)
    store.check_writable()  # a read-only data directory is named before the records database in it is opened
    records = Records.open(cfg)  # holds the ingest lock: one ingest of an index at a time, on any machine
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int) -> None:
            label = {"embed": "embedding chunks", "reuse": "reusing unchanged chunks"}[stage]
            if stage not in tasks:
                tasks[stage] = progress.add_task(label, total=total)
            progress.update(tasks[stage], completed=done)

        with logs.request(surface="cli", command="ingest", index=index):
            result = ingest(docs, store, index, rebuild=rebuild, progress=report, records=records)
    if not result.changed:
        out.print(f"{index}: up to date ({result.documents} documents, {result.chunks} chunks, "
                  f"{result.seconds:.1f} s)")
        return
    out.print(f"{index}: published {result.collection}: {result.documents} documents, {result.chunks} chunks "
              f"({result.embedded} embedded, {result.reused} reused, {result.removed} removed) in {result.seconds:.1f} s")


@app.command("ingest")
def ingest_cmd(
    corpus: Annotated[Optional[Path], typer.Option(help="Corpus folder (default: TRUSTDESK_CORPUS_DIR or ./corpus).")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed everything instead of reusing unchanged chunks.")] = False,
) -> None:
    """Build or update the index from the corpus. Unchanged chunks are reused; readers never see a half-built index."""
    with friendly_errors():
        from ingest import STANDARDS, load_corpus

        root = corpus or settings().corpus_dir
        _run_ingest(lambda: load_corpus(root), STANDARDS, rebuild)


# --- asking --------------------------------------------------------------------

@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question, in quotes.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON (see DESIGN.md).")] = False,
    tenant: TenantOpt = None,
) -> None:
    """Answer one question with citations.

    Example: trustdesk ask "Which ISO controls cover CC7.2?"
    """
    with friendly_errors():
        from bot import Assistant, logs

        cfg = settings()
        warn_if_records_down(cfg)
        with logs.request(surface="cli", command="ask"):
            answer = Assistant(cfg).ask(question, tenant=tenant)
        if as_json:
            print(answer.model_dump_json())
        else:
            from ui.render import print_answer

            print_answer(out, answer)


MAX_BATCH_LINE = 100_000


def _batch_record(assistant, raw: bytes, number: int, tenant: str | None) -> dict:
    """One output line: the input object plus "answer", or {"id", "error"} saying what was wrong with the line."""
    from pydantic import ValidationError

    from bot import logs
    from bot.errors import InvalidQuestion

    try:
        line = raw.decode("utf-8")
        if len(line) > MAX_BATCH_LINE:
            raise ValueError(f"line {number} is longer than {MAX_BATCH_LINE:,} characters")
        case_id, case, error = _batch_case(line, number)
    except (UnicodeDecodeError, ValueError) as exc:
        case_id, case, error = f"line-{number}", None, (
            f"line {number} is not UTF-8" if isinstance(exc, UnicodeDecodeError) else str(exc))
    if case is not None:
        try:
            with logs.request(surface="cli", command="batch", line=number):
                answer = assistant.ask(case["question"], case.get("history", []), tenant=tenant)
            return {**case, "answer": answer.model_dump(mode="json")}
        except InvalidQuestion as exc:
            error = str(exc)
        except ValidationError as exc:
            error = f"\"history\" is not a list of {{\"role\", \"content\"}} turns: {exc.errors()[0]['msg']}"
    return {"id": case_id, "error": error}


def _batch_case(line: str, number: int) -> tuple[str, dict | None, str | None]:
    """(id, case, error) for one input line."""
    try:
        case = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"line-{number}", None, f"line {number} is not valid JSON: {exc.msg}"
    if not isinstance(case, dict):
        return f"line-{number}", None, f"line {number} must be a JSON object with \"id\" and \"question\""
    try:  # a \ud800 escape decodes to a character no UTF-8 output can hold
        json.dumps(case, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return f"line-{number}", None, f"line {number} holds an unpaired surrogate escape (such as \\ud800): fix it"
    case_id = case.get("id", f"line-{number}")
    if not isinstance(case_id, (str, int)):
        return f"line-{number}", None, "\"id\" must be a string or a number"
    if not isinstance(case.get("question"), str):
        return str(case_id), None, "\"question\" is missing or not a string"
    history = case.get("history", [])
    if not isinstance(history, list):
        return str(case_id), None, "\"history\" must be a list of {\"role\", \"content\"} turns"
    return case_id, case, None


@app.command()
def batch(
    infile: Annotated[Path, typer.Argument(metavar="IN.jsonl", help="One JSON object per line: {\"id\", \"question\"[, \"history\"]}.")],
    out_path: Annotated[Path, typer.Option("--out", metavar="OUT.jsonl", help="Where answers are written, one line per input line.")],
    tenant: TenantOpt = None,
) -> None:
    """Answer a file of questions. A bad line gets {"id", "error"} and the run goes on.

    Each output line is the input object plus "answer"; output is flushed line by line,
    so an interrupted run keeps every answer it finished.
    """
    with friendly_errors():
        if not infile.is_file():
            fail(f"{infile} not found")
        if out_path.resolve() == infile.resolve():
            fail("--out must differ from the input file; it would be overwritten")
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from bot import Assistant

        with infile.open("rb") as counting:  # stream the file: a large batch never sits in memory whole
            total = sum(1 for _ in counting)
        assistant = Assistant(settings())
        assistant.warm()
        answered = failed = 0
        started = time.perf_counter()
        out_path.parent.mkdir(parents=True, exist_ok=True)
        with infile.open("rb") as source, out_path.open("w", encoding="utf-8") as sink, Progress(
            TextColumn("answering"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True,
        ) as progress:
            task = progress.add_task("answering", total=total)
            for number, raw in enumerate(source, start=1):
                progress.advance(task)
                if not raw.strip():
                    continue
                record = _batch_record(assistant, raw.rstrip(b"\r\n"), number, tenant)
                if "error" in record and "answer" not in record:
                    failed += 1
                else:
                    answered += 1
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
                sink.flush()
        seconds = time.perf_counter() - started
        err.print(f"{answered} answered, {failed} with errors, in {seconds:.1f} s -> {out_path}")


@app.command()
def chat(tenant: TenantOpt = None) -> None:
    """A conversation in the terminal. Follow-up questions use what was said before.

    Type /reset to start over, /quit (or Ctrl-D) to leave.
    """
    with friendly_errors():
        from bot import Assistant, logs
        from bot.conversation import Conversation
        from bot.errors import InvalidQuestion
        from ui.render import print_answer

        cfg = settings()
        warn_if_records_down(cfg)
        assistant = Assistant(cfg)
        with err.status("loading the model and index..."):
            assistant.warm()
        out.print("[bold]trustdesk[/] - ask about SOC 2 or ISO 27001. /reset starts over, /quit leaves.")
        conversation = Conversation()
        while True:
            try:
                question = out.input("[bold cyan]you>[/] ")
            except EOFError:
                out.print()
                return
            if question.strip() in ("/quit", "/exit", "/q"):
                return
            if question.strip() == "/reset":
                conversation = Conversation()
                out.print("[dim]conversation cleared[/]")
                continue
            if not question.strip():
                continue
            try:
                with logs.request(surface="cli", command="chat"):
                    answer = assistant.ask(question, conversation, tenant=tenant)
            except InvalidQuestion as exc:
                err.print(f"[red]{exc}[/]")
                continue
            print_answer(out, answer)
            conversation.add(question, answer)  # the engine trims what it reads back


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8501,
    address: Annotated[str, typer.Option(help="Address to bind; 0.0.0.0 serves your network.")] = "127.0.0.1",
) -> None:
    """Start the Streamlit app (Ask, Advisor, Explore, Questionnaire, Library, Evaluation, Admin) at http://ADDRESS:PORT."""
    import shutil

    app_path = Path(__file__).with_name("web") / "app.py"
    streamlit = shutil.which("streamlit") or str(Path(sys.executable).with_name("streamlit"))
    if not Path(streamlit).exists():
        fail("streamlit is not installed: run `make install`")
    out.print(f"trustdesk UI on http://{address}:{port} (Ctrl-C stops it)")
    os.execv(streamlit, [streamlit, "run", str(app_path), "--server.port", str(port), "--server.address", address,
                         "--server.headless", "true", "--browser.gatherUsageStats", "false",
                         "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"])


from ui import cli_sales  # noqa: E402  (the sales team's commands: company, library, questionnaire)

cli_sales.register(app, _run_ingest)
from ui import cli_slack  # noqa: E402  (the Slack app)
cli_slack.register(app)
from ui import cli_doctor  # noqa: E402  (trustdesk doctor)
cli_doctor.register(app)
from ui import cli_eval  # noqa: E402  (trustdesk eval)
cli_eval.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
