"""Evaluation: the latest `trustdesk eval` report, trustdesk against the dense and BM25 baselines."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from bot import Settings
from evals.report import HEADLINE, case_set, category_rows, history, overall_rows
from ui.web.resources import assistant

TREND_METRICS = ("hit_at_5", "citation_recall", "fact_coverage", "recommendation_accuracy", "refusal_recall")

st.title("Evaluation")
folder = Settings().reports_dir  # read per run: the report can change while the server runs
report_path = folder / "report.json"

if st.button("Run the evaluation now", icon=":material/play_arrow:",
             help="Runs the golden set through trustdesk and both baselines (about a minute)."):
    from evals.report import write
    from evals.runner import evaluate

    with st.spinner("Evaluating the golden set..."):
        write(evaluate(assistant().settings), folder)

if not report_path.exists():
    st.info(f"No evaluation report in `{folder}` yet. Run `trustdesk eval` or press the button above.")
    st.stop()

try:
    report = json.loads(report_path.read_text(encoding="utf-8"))
except (OSError, json.JSONDecodeError) as exc:
    st.error(f"Cannot read {report_path}: {exc}. Run `trustdesk eval` to write a fresh report.")
    st.stop()

st.caption(f"{report['golden_cases']} {case_set(report)} cases · run {report['created_at']} · {report['seconds']} s")

st.subheader("Overall")
st.dataframe(overall_rows(report), hide_index=True, width="stretch", height=36 * (len(HEADLINE) + 1) + 3)

st.subheader("By category")
metric = st.selectbox("Metric", ["hit_at_5", "fact_coverage", "citation_recall", "mrr", "groundedness",
                                 "recommendation_accuracy", "refusal_recall", "latency_p95_ms"])
st.dataframe(category_rows(report, metric), hide_index=True, width="stretch")

regressions = report.get("regressions", [])
st.subheader("Regressions since the previous run")
if report.get("previous_created_at") is None:
    st.write("No previous run to compare with.")
elif not regressions:
    st.success(f"No case regressed since the run of {report['previous_created_at']}.")
else:
    st.warning(f"{len(regressions)} case(s) scored lower than in the run of {report['previous_created_at']}.")
    st.dataframe(regressions, hide_index=True, width="stretch")

st.subheader("Trend")
runs = history(folder, case_set(report))
if len(runs) < 2:
    st.write(f"One {case_set(report)} run recorded so far: the trend starts with the next `trustdesk eval`.")
else:
    trend = pd.DataFrame([{"run": r["created_at"], **{m: r["overall"].get("trustdesk", {}).get(m) for m in TREND_METRICS}}
                          for r in runs]).set_index("run").dropna(axis=1, how="all")
    st.line_chart(trend, height=260)
    st.caption(f"trustdesk on the {case_set(report)} set over its last {len(runs)} runs (history.jsonl).")

st.subheader("Plots")
for name, caption in (("baselines.png", "trustdesk against the baselines"), ("categories.png", "trustdesk by category"),
                      ("latency.png", "latency distribution")):
    if (folder / name).exists():
        st.image(str(folder / name), caption=caption)
