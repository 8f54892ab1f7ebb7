"""Write an evaluation report: JSON, markdown and matplotlib plots, compared with the previous run.

Layout of the report folder (default `reports/`):

    report.json     this run (systems.<name>.overall / .categories.<category>, cases, regressions)
    report.md       the same, for people
    previous.json   the run before this one (what regressions are measured against, when it ran the same set)
    history.jsonl   one line per run, appended: set, time and each system's overall metrics (the trend)
    categories.png  trustdesk per category; baselines.png  systems side by side; latency.png
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from evals.runner import regressions

HEADLINE = ("hit_at_1", "hit_at_5", "mrr", "ndcg_at_5", "citation_precision", "citation_recall", "fact_coverage",
            "recommendation_accuracy", "route_accuracy", "refusal_recall", "refusal_precision", "groundedness",
            "latency_p50_ms", "latency_p95_ms")
PER_CATEGORY = ("hit_at_5", "mrr", "citation_recall", "fact_coverage", "recommendation_accuracy", "refusal_recall",
                "groundedness")


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


def overall_rows(report: dict, metrics=HEADLINE) -> list[dict]:
    """One row per metric, one column per system: what the markdown report and the Evaluation page show."""
    return [{"metric": m, **{s: v["overall"].get(m) for s, v in report["systems"].items()}} for m in metrics]


def category_rows(report: dict, metric: str) -> list[dict]:
    """One row per category with its case count, one column per system, for one metric."""
    systems = list(report["systems"])
    first = report["systems"][systems[0]]["categories"]
    return [{"category": c, "cases": first[c]["cases"],
             **{s: report["systems"][s]["categories"].get(c, {}).get(metric) for s in systems}} for c in sorted(first)]


def route_confusion(report: dict) -> list[str]:
    """trustdesk's routes against the cases' labelled routes: expected (rows) x taken (columns)."""
    matrix = report["systems"].get("trustdesk", {}).get("routes") or {}
    if not matrix:
        return []
    taken = sorted({r for row in matrix.values() for r in row} | set(matrix))
    lines = ["", "## Route confusion (trustdesk; rows: expected, columns: taken)", "",
             "| expected | " + " | ".join(taken) + " |", "|---|" + "---|" * len(taken)]
    for expected in sorted(matrix):
        lines.append(f"| {expected} | " + " | ".join(str(matrix[expected].get(t, "")) for t in taken) + " |")
    return lines


def markdown(report: dict) -> str:
    systems = list(report["systems"])
    lines = [f"# trustdesk evaluation, {report['created_at']}", "",
             f"{report['golden_cases']} golden cases, {len(systems)} systems, {report['seconds']} s.", "",
             "## Overall", "", "| metric | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
    for row in overall_rows(report):
        lines.append(f"| {row['metric']} | " + " | ".join(_fmt(row[s]) for s in systems) + " |")
    for metric in PER_CATEGORY:
        lines += ["", f"## {metric} by category", "", "| category | cases | " + " | ".join(systems) + " |",
                  "|---|---|" + "---|" * len(systems)]
        for row in category_rows(report, metric):
            lines.append(f"| {row['category']} | {row['cases']} | " + " | ".join(_fmt(row[s]) for s in systems) + " |")
    lines += route_confusion(report)
    regs = report.get("regressions", [])
    lines += ["", "## Regressions since the previous run", ""]
    if report.get("previous_created_at") is None:
        lines.append("No previous run to compare with.")
    elif not regs:
        lines.append(f"None (compared with the run of {report['previous_created_at']}).")
    else:
        lines.append(f"{len(regs)} case(s) scored lower than in the run of {report['previous_created_at']}:")
        lines.append("")
        for r in regs:
            lines.append(f"- `{r['system']}` {r['case']} ({r['category']}): {r['before']:.2f} -> {r['after']:.2f}")
    failed = [(cid, c) for cid, c in report["cases"].get("trustdesk", {}).items() if c["score"] < 1.0]
    lines += ["", f"## trustdesk cases below a perfect score ({len(failed)})", ""]
    for cid, c in sorted(failed, key=lambda x: x[1]["score"])[:60]:
        lines.append(f"- {cid} ({c['category']}, score {c['score']:.2f}): cited {', '.join(c['cited']) or 'nothing'}")
    lines += ["", "![per category](categories.png)", "", "![baselines](baselines.png)", "", "![latency](latency.png)", ""]
    return "\n".join(lines)


def _grouped_bars(plt, labels: list[str], series: dict[str, list[float]], title: str, path: Path) -> Path:
    """One group of bars per label, one bar per series; scores share a 0-1 axis."""
    import numpy as np

    x = np.arange(len(labels))
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(12, 5))
    for i, (name, values) in enumerate(series.items()):
        ax.bar(x + (i - (len(series) - 1) / 2) * width, values, width, label=name)
    ax.set_xticks(x, labels, rotation=25, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plots(report: dict, folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(report["systems"])
    categories = sorted(report["systems"][systems[0]]["categories"])
    mine = report["systems"].get("trustdesk", report["systems"][systems[0]])["categories"]
    written = [
        _grouped_bars(plt, categories,
                      {m: [mine[c].get(m) or 0 for c in categories] for m in ("hit_at_5", "fact_coverage", "citation_recall")},
                      "trustdesk by category", folder / "categories.png"),
    ]
    compared = ["hit_at_1", "hit_at_5", "mrr", "citation_recall", "fact_coverage", "refusal_recall", "recommendation_accuracy"]
    written.append(_grouped_bars(
        plt, compared, {s: [report["systems"][s]["overall"].get(m) or 0 for m in compared] for s in systems},
        "trustdesk against plain dense and BM25 retrieval", folder / "baselines.png"))

    fig, ax = plt.subplots(figsize=(10, 4))
    for system in systems:
        latencies = [c["latency_ms"] for c in report["cases"][system].values()]
        ax.hist(latencies, bins=40, alpha=0.5, label=system)
    ax.set_xlabel("answer latency (ms)")
    ax.set_ylabel("cases")
    ax.set_title("latency distribution (warm)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "latency.png", dpi=100)
    plt.close(fig)
    written.append(folder / "latency.png")
    return written


def case_set(report: dict) -> str:
    return report.get("case_set", "golden")  # reports written before the set was recorded ran the golden set


def history(folder: Path, set_name: str | None = None) -> list[dict]:
    """The runs recorded in history.jsonl, oldest first, optionally of one case set; unreadable lines are skipped."""
    try:
        lines = (folder / "history.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    runs = []
    for line in lines:
        try:
            run = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(run, dict) and "overall" in run and (set_name is None or case_set(run) == set_name):
            runs.append(run)
    return runs


def _append_history(report: dict, folder: Path) -> None:
    line = {"created_at": report["created_at"], "case_set": case_set(report), "cases": report["golden_cases"],
            "seconds": report.get("seconds"),
            "overall": {name: {m: v["overall"].get(m) for m in HEADLINE} for name, v in report["systems"].items()}}
    with (folder / "history.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def write(report: dict, folder: Path) -> dict:
    """Write the report into `folder`, keeping the last run as previous.json; returns the report with regressions.

    Regressions are measured against the previous run only when it ran the same case set: a blind run after a
    golden one is a different exam, not a regression."""
    folder.mkdir(parents=True, exist_ok=True)
    current = folder / "report.json"
    previous = None
    if current.exists():
        try:
            previous = json.loads(current.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            previous = None
    comparable = previous if previous and case_set(previous) == case_set(report) else None
    report = {**report, "regressions": regressions(report, comparable),
              "previous_created_at": comparable.get("created_at") if comparable else None}
    if previous:
        os.replace(current, folder / "previous.json")
    tmp = folder / "report.json.tmp"
    tmp.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, current)
    (folder / "report.md").write_text(markdown(report), encoding="utf-8")
    plots(report, folder)
    _append_history(report, folder)
    return report
