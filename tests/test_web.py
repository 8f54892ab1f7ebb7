"""The Streamlit app, page by page, driven by Streamlit's own AppTest: the same engine behind thin pages."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "ui" / "web" / "app.py")


def _app(monkeypatch, data, reports) -> AppTest:
    monkeypatch.setenv("TRUSTDESK_DATA_DIR", str(data))
    monkeypatch.setenv("TRUSTDESK_REPORTS_DIR", str(reports))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception
    return at


@pytest.fixture
def app(standards_data, northwind_assistant, monkeypatch, tmp_path):
    return _app(monkeypatch, standards_data, tmp_path / "reports")


@pytest.fixture
def bare(monkeypatch, tmp_path):
    """The app over an empty data dir: pages that need no index, and what a first start looks like."""
    return _app(monkeypatch, tmp_path / "data", tmp_path / "reports")


# --- Ask ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_ask_renders_parts_cards_and_badge_and_follows_up(app):
    app.button(key="example-What does CC6.1 require?").click().run()
    assert not app.exception
    answer = app.chat_message[-1]
    assert answer.markdown[0].value.startswith("CC6.1 requires")
    assert any("High confidence" in m.value for m in answer.markdown)
    assert any(m.value.startswith(":blue-badge[SOC 2] **CC6.1**") for m in answer.markdown), "a citation card"
    assert any(e.label.startswith("Sources") for e in app.expander)
    copy = [c.value for c in app.code if "References: SOC 2 CC6.1" in c.value]
    assert copy and copy[0].startswith("CC6.1 requires"), "copy for a customer: the answer and its references"
    app.chat_input[0].set_value("and for ISO?").run()
    assert any("A.5.15" in m.value for m in app.chat_message[-1].markdown)


@pytest.mark.slow
def test_feedback_is_stored_against_the_answer_id(app, northwind_assistant):
    from sqlalchemy import select

    from ingest.records import Feedback, Records

    app.chat_input[0].set_value("What is a bridge letter?").run()
    answer_id = app.session_state["messages"][-1]["answer"]["id"]
    app.feedback(key=f"feedback-{answer_id}").set_value(1).run()
    assert not app.exception
    records = Records.open(northwind_assistant.settings)
    with records.session() as s:
        votes = list(s.scalars(select(Feedback).where(Feedback.answer_id == answer_id)))
    records.dispose()
    assert [(v.helpful, v.surface, v.question) for v in votes] == [(True, "web", "What is a bridge letter?")]


@pytest.mark.slow
@pytest.mark.parametrize("question,message", [("   ", "the question is empty"),
                                              ("x" * 10_000_000, "limit is 4,000")])
def test_bad_questions_get_a_message_not_a_traceback(app, question, message):
    app.chat_input[0].set_value(question).run()
    assert not app.exception
    assert message in app.error[0].value
    assert app.session_state["messages"] == [], "a refused question is not kept in the conversation"
    app.chat_input[0].set_value("What is CC7.2?").run()  # the conversation still works after it
    assert not app.exception and len(app.session_state["messages"]) == 2


@pytest.mark.slow
def test_a_refusal_is_said_once_with_a_neutral_badge_and_no_customer_copy(app):
    app.chat_input[0].set_value("What's the weather in Paris today?").run()
    assert not app.exception
    said = [m.value for m in app.chat_message[-1].markdown]
    assert sum("outside what I can help with" in m for m in said) == 1 and not app.info
    assert any("Out of scope" in m for m in said) and not any("confidence" in m for m in said)
    assert not app.code, "no copy for a customer"


@pytest.mark.slow
def test_questions_sent_together_are_kept_and_answered_in_order(app):
    """Two questions queued before the page runs (as when the second is sent while the first is answered)."""
    from ui.web import asking

    messages = app.session_state["messages"]
    for question in ("What does CC6.1 require?", "Which ISO 27001 controls map to it?"):
        asking.submit(messages, question, tenant=None)
    app.session_state["messages"] = messages
    app.run()
    assert not app.exception
    kept = app.session_state["messages"]
    assert [m["role"] for m in kept] == ["user", "assistant", "user", "assistant"]
    assert kept[1]["content"].startswith("CC6.1 requires") and "A.5.15" in kept[3]["content"]


@pytest.mark.slow
def test_the_tenant_picker_lists_existing_tenants_and_new_conversation_clears(app):
    picker = app.sidebar.selectbox[0]
    assert picker.options[0] == "Standards only" and "northwind" in picker.options  # other tests add tenants too
    picker.set_value("northwind").run()
    app.chat_input[0].set_value("Do you encrypt customer data at rest?").run()
    cited = app.session_state["messages"][-1]["answer"]["citations"]
    assert any(c["framework"] == "company" for c in cited), "the tenant's own material answers"
    app.sidebar.button[0].click().run()
    assert len(app.chat_message) == 0


# --- Advisor -----------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_advisor_form_recommends_with_reasons_table_and_timeline(app):
    app.switch_page("views/advisor.py").run()
    app.multiselect[0].set_value(["us", "europe"])
    app.multiselect[2].set_value(["soc2"])
    app.button[0].click().run()
    assert not app.exception
    assert app.header[0].value.startswith("Recommendation: pursue both")
    assert any(m.value.startswith("| | SOC 2 | ISO/IEC 27001 |") for m in app.markdown)
    assert any("typical ranges" in c.value for c in app.caption), "durations are marked as estimates"


@pytest.mark.slow
def test_an_advisor_form_with_nothing_decisive_asks_back(app):
    app.switch_page("views/advisor.py").run()
    app.button[0].click().run()
    assert not app.exception
    assert "needs one more thing" in app.info[0].value


# --- Explore (no index needed) ---------------------------------------------------------------------

def test_explore_lists_filters_and_opens_an_item_from_the_address(bare):
    bare.switch_page("views/explore.py").run()
    assert not bare.exception
    table = bare.dataframe[0].value
    assert len(table) == 179 and {"CC6.1", "A.8.24", "9.2"} <= set(table["ID"])
    bare.toggle[0].set_value(True).run()
    assert set(bare.dataframe[0].value["ID"]) == {"A.5.7", "A.5.23", "A.5.30", "A.7.4", "A.8.9", "A.8.10", "A.8.11",
                                                   "A.8.12", "A.8.16", "A.8.23", "A.8.28"}
    bare.query_params["id"] = "cc 7.2"
    bare.run()
    assert bare.header[0].value == "CC7.2 Monitoring system components for anomalies"
    assert any(":green-badge[equivalent] **A.8.16**" in m.value for m in bare.markdown)
    bare.button(key="open-A.8.16").click().run()
    assert bare.query_params["id"] == "A.8.16" and bare.header[0].value.startswith("A.8.16")


def test_explore_says_when_an_id_does_not_exist(bare):
    bare.switch_page("views/explore.py").run()
    bare.query_params["id"] = "CC10.1"
    bare.run()
    assert not bare.exception
    assert "is not a SOC 2 criterion" in bare.warning[0].value
    assert len(bare.dataframe[0].value) == 179, "the list is still there to pick from"


# --- Questionnaire, Library, Admin --------------------------------------------------------------------

def test_pages_that_need_a_tenant_say_how_to_get_one(bare):
    for page in ("questionnaire", "library"):
        bare.switch_page(f"views/{page}.py").run()
        assert not bare.exception
        assert "No company material loaded yet" in bare.info[0].value


def test_uploads_are_refused_with_a_reason(tmp_path):
    from ui.web.uploads import UploadRejected, save

    with pytest.raises(UploadRejected, match="not a supported file: use .csv, .xlsx"):
        save("q.exe", b"MZ", {".csv", ".xlsx"}, 25, tmp_path)
    with pytest.raises(UploadRejected, match="over the 1 MB limit"):
        save("q.csv", b"x" * 1_000_001, {".csv"}, 1, tmp_path)
    with pytest.raises(UploadRejected, match="is empty"):
        save("q.csv", b"", {".csv"}, 1, tmp_path)
    path = save("../../etc/pass wd.csv", b"Question\n", {".csv"}, 1, tmp_path)
    assert path.parent.parent == tmp_path and path.name == "pass-wd.csv"


@pytest.mark.slow
def test_the_library_shows_a_slack_candidate_and_approves_it(app, northwind_assistant):
    from bot.sales.library import Library
    from ingest.records import Records

    records = Records.open(northwind_assistant.settings)
    library = Library(records, "northwind")
    entry, _ = library.add_candidate("Do you publish a status page?", "Yes, at status.example.com.",
                                     source="https://example.slack.com/archives/C1/p1", owner="U0EXPERT")
    app.sidebar.selectbox[0].set_value("northwind").run()  # the choice carries to every page
    app.switch_page("views/library.py").run()
    assert any("[Slack thread](https://example.slack.com/archives/C1/p1)" in c.value for c in app.caption)
    app.button(key=f"approve-{entry.id}").click().run()
    assert not app.exception
    assert library.get(entry.id).status == "approved"
    assert "Approved: Do you publish a status page?" in app.success[0].value
    library.retire(entry.id)  # the session's tenant stays as the other tests expect it
    records.dispose()


@pytest.mark.slow
def test_admin_shows_index_status_without_secrets(app):
    app.switch_page("views/admin.py").run()
    assert not app.exception
    status = app.dataframe[0].value.set_index("Index")
    assert status.loc["standards", "Chunks"] > 1000 and status.loc["company-northwind", "Documents"] > 0
    assert any("Records database" in m.value and "sqlite:///" in m.value for m in app.markdown)


# --- Evaluation ---------------------------------------------------------------------------------------

def test_evaluation_page_without_a_report_says_how_to_make_one(bare):
    bare.switch_page("views/evaluation.py").run()
    assert not bare.exception
    assert "trustdesk eval" in bare.info[0].value


def test_evaluation_page_shows_the_report_and_the_trend(bare, tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()

    def run(created, h):
        systems = {name: {"overall": {"hit_at_5": v, "cases": 2}, "categories": {"crosswalk": {"hit_at_5": v, "cases": 2}}}
                   for name, v in (("trustdesk", h), ("dense", 0.5), ("bm25", 0.75))}
        return {"created_at": created, "golden_cases": 2, "seconds": 1.0, "systems": systems, "cases": {}}

    (reports / "previous.json").write_text(json.dumps(run("2026-11-27T08:00:00+00:00", 0.9)))
    lines = [{"created_at": f"2026-11-2{d}T08:00:00+00:00", "case_set": s, "cases": 2, "overall": {"trustdesk": {"hit_at_5": h}}}
             for d, s, h in ((6, "golden", 0.8), (7, "golden", 0.9), (7, "blind", 0.4), (8, "golden", 1.0))]
    (reports / "history.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    (reports / "report.json").write_text(json.dumps({
        **run("2026-11-28T08:00:00+00:00", 1.0), "previous_created_at": "2026-11-27T08:00:00+00:00",
        "regressions": [{"system": "trustdesk", "case": "xw-01", "category": "crosswalk", "before": 1.0, "after": 0.5}]}))
    bare.switch_page("views/evaluation.py").run()
    assert not bare.exception
    overall = bare.dataframe[0].value
    assert list(overall.columns) == ["metric", "trustdesk", "dense", "bm25"]
    assert overall.set_index("metric").loc["hit_at_5", "dense"] == 0.5
    assert "1 case(s) scored lower" in bare.warning[0].value
    assert any("golden set over its last 3 runs" in c.value for c in bare.caption)  # the blind run is not in it


def test_questions_sent_while_one_is_answered_wait_in_order_and_see_the_earlier_turns():
    """The Ask page's queue without a browser: the second question waits (pending) until the first is answered,
    then is answered against the conversation that includes the first turn."""
    from bot.models import Answer
    from ui.web import asking

    messages: list[dict] = []
    first = asking.submit(messages, "What does CC6.1 require?", tenant=None)
    second = asking.submit(messages, "Which ISO 27001 controls map to it?", tenant=None)
    assert first["pending"] and second["pending"] and asking.next_pending(messages) is first
    assert asking.history(messages, second) == [], "nothing is answered yet"
    asking.finish(messages, first["id"], Answer(text="CC6.1 requires logical access controls. [CC6.1]", confidence=0.9))
    assert asking.next_pending(messages) is second
    turns = asking.history(messages, second)
    assert [t.role for t in turns] == ["user", "assistant"] and turns[0].content == "What does CC6.1 require?"


def test_two_overlapping_runs_start_one_job_and_put_one_answer_in_place():
    """Streamlit's fast reruns start the next run on a new thread while the stopped one may still be finishing, so
    two runs can reach the same waiting question together: one job answers it, and its answer is put in place once
    (twice drew the answer twice and broke the page on the second copy's feedback widget)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from bot.models import Answer
    from ui.web import asking

    class Engine:  # counts how often the question is answered; the real engine is tested everywhere else
        calls = 0

        def stream(self, question, turns, tenant=None):
            Engine.calls += 1
            yield Answer(text="CC6.1 requires logical access controls. [CC6.1]", confidence=0.9)

    messages: list[dict] = []
    jobs: dict[str, asking.Job] = {}
    lock = threading.Lock()
    first = asking.submit(messages, "What does CC6.1 require?", tenant=None)
    second = asking.submit(messages, "Which ISO 27001 controls map to it?", tenant=None)
    barrier = threading.Barrier(8)

    def run() -> None:  # one script run: claim the oldest waiting question, wait for its answer, settle it
        barrier.wait()
        job = asking.claim(Engine, messages, jobs, first, lock)
        if job is not None:
            job.future.result(timeout=30)
            asking.settle(messages, jobs, job, lock)

    with ThreadPoolExecutor(8) as pool:
        for future in [pool.submit(run) for _ in range(8)]:
            future.result()
    assert Engine.calls == 1
    assert [m["role"] for m in messages] == ["user", "assistant", "user"], messages
    assert not first["pending"] and second["pending"] and not jobs
    assert asking.claim(Engine, messages, jobs, first, lock) is None, "an answered question is not claimed again"
