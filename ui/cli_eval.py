"""`trustdesk eval`: a case set through trustdesk and the baselines, a report with plots, and the golden gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ui.console import err, fail, friendly_errors, out, settings


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_cmd)


def eval_cmd(
    report: Annotated[Optional[Path], typer.Option("--report", help="Folder for report.json, report.md and plots (default: TRUSTDESK_REPORTS_DIR or ./reports).")] = None,
    systems: Annotated[str, typer.Option(help="Comma-separated: trustdesk, dense, bm25.")] = "trustdesk,dense,bm25",
    gate: Annotated[bool, typer.Option("--gate", help="Exit 1 if trustdesk misses a threshold in evals/thresholds.yaml.")] = False,
    accept: Annotated[bool, typer.Option("--accept", help="Record this run's trustdesk metrics as the level the gate defends.")] = False,
    judge: Annotated[bool, typer.Option("--judge", help="Add LLM-judged faithfulness and relevance (needs TRUSTDESK_LLM and ragas).")] = False,
    judge_runs: Annotated[int, typer.Option(help="Repeat the LLM judge this many times and average (single runs are noisy).")] = 3,
    case_set: Annotated[str, typer.Option("--set", help="golden (tuned to, gated); blind or holdout2 to holdout11 (frozen, written without seeing the code); nist (NIST CSF 2.0 -> ISO 27001:2022 references); or practice (training data whose failures are read: bot/data/practice). Never tune to the frozen sets or nist.")] = "golden",
) -> None:
    """Run the golden set through trustdesk and the dense and BM25 baselines; write a report with plots.

    The report is compared with the previous one in the same folder, naming every case that regressed.
    """
    with friendly_errors():
        from evals.report import write

        cfg = settings()
        _check(cfg, judge=judge, judge_runs=judge_runs, case_set=case_set, gate=gate, accept=accept)
        chosen = tuple(s.strip() for s in systems.split(",") if s.strip())
        report = report or cfg.reports_dir
        result = write(_evaluate(cfg, chosen, case_set, judge, judge_runs), report)
        _print(result, case_set, judge, report)
        if accept:
            from evals.runner import accept as accept_run

            accept_run(result)
            out.print("accepted: evals/accepted.json now holds these trustdesk metrics")
        if gate:
            _gate(result)


def _check(cfg, *, judge: bool, judge_runs: int, case_set: str, gate: bool, accept: bool) -> None:
    """Refuse option combinations that cannot run, saying which."""
    from evals.golden import SETS

    if judge and not cfg.llm:
        fail("--judge needs a language model: set TRUSTDESK_LLM=provider:model")
    if judge_runs < 1:
        fail("--judge-runs must be at least 1")
    if case_set not in SETS:
        fail(f"--set must be one of {', '.join(SETS)}, not {case_set!r}")
    if case_set != "golden" and (gate or accept):
        fail("--gate and --accept apply to the golden set only: the frozen blind sets and NIST are measured, "
             "never tuned to")


def _evaluate(cfg, chosen: tuple[str, ...], case_set: str, judge: bool, judge_runs: int) -> dict:
    """The cases through each system, with a progress bar on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from evals.golden import load_set
    from evals.runner import evaluate

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        task = progress.add_task("evaluating", total=None)

        def report_progress(system: str, done: int, total: int) -> None:
            progress.update(task, description=f"evaluating {system}", completed=done, total=total)

        judge_model = None
        if judge:
            from bot.llm import chat_model
            from evals.judge import RagasJudge
            from ingest.embed import embedder

            judge_model = RagasJudge(chat_model(cfg.llm, cfg.llm_timeout), embedder())
        try:
            return evaluate(cfg, chosen, report_progress, cases=load_set(case_set), judge=judge_model,
                            judge_runs=judge_runs, case_set=case_set)
        except ValueError as exc:
            fail(str(exc))


def _print(result: dict, case_set: str, judge: bool, report: Path) -> None:
    """The headline metrics per system, and the cases that regressed since the previous run."""
    from rich.table import Table

    from evals.report import HEADLINE, _fmt

    table = Table(title=f"{result['golden_cases']} {case_set} cases")
    table.add_column("metric")
    for name in result["systems"]:
        table.add_column(name, justify="right")
    for metric in HEADLINE + (("judge_faithfulness", "judge_relevance") if judge else ()):
        table.add_row(metric, *(_fmt(result["systems"][n]["overall"].get(metric)) for n in result["systems"]))
    out.print(table)
    regs = result["regressions"]
    out.print(f"{len(regs)} case(s) regressed since the previous run" if result["previous_created_at"]
              else "no previous run to compare with")
    for r in regs[:20]:
        out.print(f"  {r['system']} {r['case']} ({r['category']}): {r['before']:.2f} -> {r['after']:.2f}")
    out.print(f"report: {report / 'report.md'}")


def _gate(result: dict) -> None:
    """Exit 1, naming each miss, if trustdesk falls below the accepted level."""
    from evals.runner import gate as check_gate, load_accepted

    if "trustdesk" not in result["systems"]:
        fail("--gate needs the trustdesk system in --systems")
    failures = check_gate(result, load_accepted())
    for f in failures:
        err.print(f"[red]gate:[/] {f}", highlight=False)
    if failures:
        raise typer.Exit(1)
    out.print("gate: passed")
