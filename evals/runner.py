"""Run the golden set through trustdesk and the baselines; check the gate.

>>> report = evaluate(Settings())                 # doctest: +SKIP
>>> report["systems"]["trustdesk"]["overall"]["hit_at_5"]   # doctest: +SKIP
0.98
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import yaml

from bot.config import Settings
from bot.engine import Assistant
from evals.golden import Case, load_golden
from evals.judge import Judge, Sample, averaged
from evals.metrics import CaseResult, score, summarise
from evals.systems import BaselineSystem, TrustdeskSystem
from bot.sales.tenant import load_pack
from ingest import Store
from ingest.records import Records, entry_id
from ingest.tables import read_table

EVALS_DIR = Path(__file__).parent
THRESHOLDS = EVALS_DIR / "thresholds.yaml"
ACCEPTED = EVALS_DIR / "accepted.json"
SYSTEMS = ("trustdesk", "dense", "bm25")
Progress = Callable[[str, int, int], None]


def prepare_tenants(cases: list[Case], settings: Settings, store: Store) -> None:
    """Load the example company packs the cases ask about, as `company ingest` would (incremental: cheap when
    unchanged), and resolve the cases' `answer-library-N` keys to the library entries those rows became."""
    records = Records.open(settings)
    try:
        for tenant in sorted({c.tenant for c in cases if c.tenant}):
            pack = settings.corpus_dir / "examples" / tenant
            load_pack(pack, tenant, records, store)
            rows = library_row_ids(pack, tenant)
            for case in cases:
                if case.tenant == tenant:
                    case.expect.citations = [rows.get(c, c) for c in case.expect.citations]
                    case.expect.required_citations = [rows.get(c, c) for c in case.expect.required_citations]
    finally:
        records.dispose()


def library_row_ids(pack: Path, tenant: str) -> dict[str, str]:
    """`answer-library-N` (the Nth data row of a pack's answer-library.csv, as the sets were keyed before the
    library had stable IDs) -> that row's library entry ID."""
    path = pack / "answer-library.csv"
    if not path.exists():
        return {}
    return {f"answer-library-{n}": entry_id(tenant, row["question"])
            for n, row in enumerate(read_table(path), start=1)}


def run(cases: list[Case], assistant: Assistant, systems: tuple[str, ...] = SYSTEMS,
        progress: Progress | None = None, judge: "Judge | None" = None, judge_runs: int = 3) -> dict[str, list[CaseResult]]:
    built = {"trustdesk": TrustdeskSystem(assistant), "dense": BaselineSystem(assistant, "dense"),
             "bm25": BaselineSystem(assistant, "bm25")}
    unknown = set(systems) - set(built)
    if unknown:
        raise ValueError(f"unknown systems {sorted(unknown)}; choose from {', '.join(built)}")
    results: dict[str, list[CaseResult]] = {}
    total = len(cases) * len(systems)
    done = 0
    for name in systems:
        system = built[name]
        results[name] = []
        samples = []
        for case in cases:
            reply = system.reply(case.messages, case.tenant)
            results[name].append(score(case, reply))
            samples.append(Sample(case.messages[-1], reply.answer.text, list(reply.evidence.values())))
            done += 1
            if progress:
                progress(name, done, total)
        if judge is not None:
            for result, judged in zip(results[name], averaged(judge, samples, judge_runs)):
                result.judge_faithfulness = judged["faithfulness"]
                result.judge_relevance = judged["relevance"]
    return results


def build_report(results: dict[str, list[CaseResult]], cases: list[Case], seconds: float,
                 case_set: str = "golden") -> dict:
    return {
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "case_set": case_set,
        "golden_cases": len(cases),
        "seconds": round(seconds, 1),
        "systems": {name: summarise(rs) for name, rs in results.items()},
        "cases": {name: {r.case_id: r.as_dict() for r in rs} for name, rs in results.items()},
    }


def evaluate(settings: Settings, systems: tuple[str, ...] = SYSTEMS, progress: Progress | None = None,
             cases: list[Case] | None = None, judge: "Judge | None" = None, judge_runs: int = 3,
             case_set: str = "golden") -> dict:
    cases = cases if cases is not None else load_golden()
    assistant = Assistant(settings)
    prepare_tenants(cases, settings, assistant.store)
    assistant.warm()
    started = time.perf_counter()
    results = run(cases, assistant, systems, progress, judge, judge_runs)
    return build_report(results, cases, time.perf_counter() - started, case_set)


def regressions(current: dict, previous: dict | None) -> list[dict]:
    """Every case whose score fell since the previous run, per system."""
    if not previous:
        return []
    found = []
    for system, cases in current["cases"].items():
        before = previous.get("cases", {}).get(system, {})
        for case_id, result in cases.items():
            if case_id in before and result["score"] < before[case_id]["score"]:
                found.append({"system": system, "case": case_id, "category": result["category"],
                              "before": before[case_id]["score"], "after": result["score"]})
    return found


def gate(report: dict, accepted: dict | None = None, thresholds_path: Path = THRESHOLDS) -> list[str]:
    """Failures of the trustdesk system against the thresholds and the accepted per-category metrics."""
    rules = yaml.safe_load(thresholds_path.read_text(encoding="utf-8"))
    mine = report["systems"]["trustdesk"]
    failures = []
    for metric, floor in rules["overall"].items():
        value = mine["overall"].get(metric)
        if value is None or value < floor:
            failures.append(f"overall {metric} = {value} < {floor}")
    for category, metrics in rules["categories"].items():
        for metric, floor in metrics.items():
            value = mine["categories"].get(category, {}).get(metric)
            if value is None or value < floor:
                failures.append(f"{category} {metric} = {value} < {floor}")
    if accepted:
        drop = rules["max_category_drop"]
        for category, before in accepted["categories"].items():
            now = mine["categories"].get(category)
            if now is None:
                failures.append(f"category {category} has no cases any more")
                continue
            for metric in rules["compared"]:
                b, n = before.get(metric), now.get(metric)
                if b is not None and (n is None or n < b - drop - 1e-9):
                    failures.append(f"{category} {metric} fell from {b} to {n} (more than {drop * 100:.0f} points)")
    return failures


def load_accepted(path: Path = ACCEPTED) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def accept(report: dict, path: Path = ACCEPTED) -> None:
    """Record the current trustdesk metrics as the level the gate defends."""
    path.write_text(json.dumps(report["systems"]["trustdesk"], indent=2, sort_keys=True) + "\n", encoding="utf-8")
