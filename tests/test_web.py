"""The Streamlit app, driven by Streamlit's own AppTest: the same engine behind a thin page."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
APP = str(ROOT / "ui" / "web" / "app.py")


@pytest.fixture
def app(standards_data, monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTDESK_DATA_DIR", str(standards_data))
    monkeypatch.setenv("TRUSTDESK_REPORTS_DIR", str(tmp_path / "reports"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    return at


def test_ask_streams_an_answer_with_sources_and_follows_up(app):
    app.chat_input[0].set_value("What does CC6.1 require?").run()
    answer = app.chat_message[-1]
    assert answer.name == "assistant"
    assert answer.markdown[0].value.startswith("CC6.1 requires")
    assert any("corpus/soc2/CC6.1.md" in m.value for m in answer.markdown)
    assert any(e.label.startswith("Sources") for e in app.expander)
    app.chat_input[0].set_value("and for ISO?").run()
    assert "A.5.15 Access control" in app.chat_message[-1].markdown[0].value


def test_bad_question_shows_an_error_not_a_traceback(app):
    app.chat_input[0].set_value("x" * 4001).run()
    assert not app.exception
    assert "limit is 4,000" in app.error[0].value


def test_new_conversation_clears_history(app):
    app.chat_input[0].set_value("What is a bridge letter?").run()
    assert len(app.chat_message) == 2
    app.sidebar.button[0].click().run()
    assert len(app.chat_message) == 0


def test_evaluation_page_without_a_report_says_how_to_make_one(app):
    app.switch_page("pages/evaluation.py").run()
    assert not app.exception
    assert "trustdesk eval" in app.info[0].value


def test_evaluation_page_shows_the_report(app, tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    systems = {name: {"overall": {"hit_at_5": h, "cases": 2}, "categories": {"crosswalk": {"hit_at_5": h, "cases": 2}}}
               for name, h in (("trustdesk", 1.0), ("dense", 0.5), ("bm25", 0.75))}
    (reports / "report.json").write_text(json.dumps({
        "created_at": "2026-11-28T08:00:00+00:00", "golden_cases": 2, "seconds": 1.0, "systems": systems,
        "cases": {}, "regressions": [{"system": "trustdesk", "case": "xw-01", "category": "crosswalk", "before": 1.0,
                                      "after": 0.5}], "previous_created_at": "2026-11-27T08:00:00+00:00"}))
    app.switch_page("pages/evaluation.py").run()
    assert not app.exception
    overall = app.dataframe[0].value
    assert list(overall.columns) == ["metric", "trustdesk", "dense", "bm25"]
    assert overall.set_index("metric").loc["hit_at_5", "dense"] == 0.5
    assert "1 case(s) scored lower" in app.warning[0].value
