"""The evaluation report: JSON shape other tools read, markdown, plots, and regressions named by case."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot import Settings
from evals.golden import load_golden
from evals.report import history, write
from evals.runner import evaluate, gate
from tests.conftest import CORPUS
from ui.cli import app

pytestmark = pytest.mark.slow

KEYS = {"hit_at_1", "hit_at_5", "mrr", "ndcg_at_5", "citation_precision", "citation_recall", "fact_coverage",
        "recommendation_accuracy", "refusal_recall", "groundedness", "latency_p50_ms", "latency_p95_ms"}


@pytest.fixture(scope="module")
def sample():
    cases = load_golden()
    picked, seen = [], set()
    for case in cases:  # two cases of every category keeps this quick
        if sum(c.category == case.category for c in picked) < 2:
            picked.append(case)
            seen.add(case.category)
    return picked


def test_report_json_markdown_plots_and_regressions(standards_data, sample, tmp_path):
    settings = Settings(data_dir=standards_data, corpus_dir=CORPUS)
    first = write(evaluate(settings, cases=sample), tmp_path)
    for system in ("trustdesk", "dense", "bm25"):
        overall = first["systems"][system]["overall"]
        assert KEYS <= set(overall)
        assert set(first["systems"][system]["categories"]) == {c.category for c in sample}
    assert first["systems"]["trustdesk"]["overall"]["hit_at_5"] >= first["systems"]["dense"]["overall"]["hit_at_5"]
    for name in ("report.json", "report.md", "categories.png", "baselines.png", "latency.png"):
        assert (tmp_path / name).stat().st_size > 500, name
    assert (tmp_path / "latency.png").read_bytes()[:4] == b"\x89PNG"
    assert first["regressions"] == [] and first["previous_created_at"] is None

    # make the stored run look better on one case: the next run must name it as a regression
    stored = json.loads((tmp_path / "report.json").read_text())
    victim = sample[0].id
    stored["cases"]["trustdesk"][victim]["score"] = 2.0
    (tmp_path / "report.json").write_text(json.dumps(stored))
    second = write(evaluate(settings, cases=sample), tmp_path)
    assert [r["case"] for r in second["regressions"] if r["system"] == "trustdesk"] == [victim]
    assert (tmp_path / "previous.json").exists()
    assert victim in (tmp_path / "report.md").read_text()

    # a run of another set is a different exam: recorded in the history, never compared as a regression
    other = {k: v for k, v in json.loads((tmp_path / "report.json").read_text()).items()
             if k not in ("regressions", "previous_created_at")}
    other["cases"]["trustdesk"][victim]["score"] = -1.0
    third = write({**other, "case_set": "blind", "created_at": "2099-01-01T00:00:00+00:00"}, tmp_path)
    assert third["regressions"] == [] and third["previous_created_at"] is None
    assert [r["case_set"] for r in history(tmp_path)] == ["golden", "golden", "blind"]
    golden = history(tmp_path, "golden")
    assert [r["created_at"] for r in golden] == [first["created_at"], second["created_at"]]
    assert golden[-1]["overall"]["trustdesk"]["hit_at_5"] == second["systems"]["trustdesk"]["overall"]["hit_at_5"]


def test_gate_names_what_fell(standards_data, sample):
    report = evaluate(Settings(data_dir=standards_data, corpus_dir=CORPUS), systems=("trustdesk",), cases=sample)
    category = sample[0].category
    accepted = {"categories": {category: {"hit_at_5": 2.0}}}
    failures = gate(report, accepted)
    assert any(f.startswith(f"{category} hit_at_5 fell") for f in failures)


def test_eval_command_writes_a_report(standards_data, tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTDESK_DATA_DIR", str(standards_data))
    result = CliRunner().invoke(app, ["eval", "--report", str(tmp_path / "r"), "--systems", "trustdesk,bm25"])
    assert result.exit_code == 0, result.output
    assert "hit_at_5" in result.stdout and (tmp_path / "r" / "report.md").exists()
    bad = CliRunner().invoke(app, ["eval", "--systems", "nonsense", "--report", str(tmp_path / "x")])
    assert bad.exit_code == 1 and "unknown systems" in bad.stderr
    judge = CliRunner().invoke(app, ["eval", "--judge", "--report", str(tmp_path / "y")])
    assert judge.exit_code == 1 and "TRUSTDESK_LLM" in judge.stderr


class CountingJudge:
    """A judge that scores by simple rules and records each call, standing in for an LLM provider."""

    def __init__(self):
        self.calls = 0

    def score(self, samples):
        self.calls += 1
        # alternate a NaN on odd calls: averaging must skip it, as it does for a judge that failed to parse
        return [{"faithfulness": float("nan") if self.calls % 2 else 1.0, "relevance": 0.5 + 0.1 * (self.calls % 2)}
                for _ in samples]


def test_judge_scores_are_averaged_over_runs_and_reported(standards_data, sample):
    judge = CountingJudge()
    report = evaluate(Settings(data_dir=standards_data, corpus_dir=CORPUS), systems=("trustdesk",),
                      cases=sample[:4], judge=judge, judge_runs=3)
    overall = report["systems"]["trustdesk"]["overall"]
    assert judge.calls == 3
    assert overall["judge_faithfulness"] == 1.0  # NaN runs left out
    assert overall["judge_relevance"] == pytest.approx((0.6 + 0.5 + 0.6) / 3, abs=1e-3)


def test_judge_without_ragas_says_how_to_install_it(monkeypatch):
    import sys

    from bot.errors import LLMUnavailable
    from evals.judge import RagasJudge

    monkeypatch.setitem(sys.modules, "ragas", None)  # as on a machine without the [judge] extra
    monkeypatch.setitem(sys.modules, "ragas.metrics", None)
    with pytest.raises(LLMUnavailable, match=r"pip install -e \".\[judge\]\""):
        RagasJudge(llm=None, embeddings=None)
