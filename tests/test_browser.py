"""A real Streamlit server on loopback and a real headless Chromium driving every page, as a new user would.

Screenshots of every page are kept in reports/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from tests.browser_kit import WAIT, browser, page, settled, shoot, trustdesk_ui  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SLACK_PERMALINK = "https://example.slack.com/archives/C0123/p1700000000000100"


@pytest.fixture(scope="module")
def data(standards_data, northwind_assistant, tmp_path_factory):
    """A copy of the session's index with the Northwind tenant (this module writes to it), and an expert's Slack
    reply waiting as a candidate."""
    from bot import Settings
    from bot.sales.library import Library
    from ingest.records import Records

    copy = tmp_path_factory.mktemp("browser") / "data"
    shutil.copytree(standards_data, copy)
    records = Records.open(Settings(data_dir=copy))
    Library(records, "northwind").add_candidate("Do you run a bug bounty programme?",
                                                "Yes: a private programme with an external platform since 2024.",
                                                source=SLACK_PERMALINK, owner="U0EXPERT")
    records.dispose()
    return copy


@pytest.fixture(scope="module")
def reports(assistant, tmp_path_factory):
    """Two real evaluation runs (a few golden standards cases of each category, all three systems), written as
    `trustdesk eval` writes them: report, plots and history, so the Evaluation page has a report and a trend."""
    import time as clock

    from evals.golden import load_golden
    from evals.report import write
    from evals.runner import build_report, run

    folder = tmp_path_factory.mktemp("reports")
    cases, seen = [], {}
    for case in load_golden():
        if case.tenant is None and seen.get(case.category, 0) < 2:
            seen[case.category] = seen.get(case.category, 0) + 1
            cases.append(case)
    for _ in range(2):
        started = clock.perf_counter()
        write(build_report(run(cases, assistant), cases, clock.perf_counter() - started), folder)
    return folder


@pytest.fixture(scope="module")
def server(data, reports):
    """`trustdesk ui` on a free loopback port, as a user starts it."""
    with trustdesk_ui(data, TRUSTDESK_REPORTS_DIR=str(reports)) as url:
        yield url


def test_ask_shows_a_cited_answer_and_stores_feedback(server, page, data):
    from sqlalchemy import select

    from bot import Settings
    from ingest.records import Feedback, Records

    page.goto(server, wait_until="domcontentloaded")
    page.get_by_text("New here? Try one of these").wait_for(timeout=WAIT)
    shoot(page, "ask-first-visit")
    page.get_by_role("button", name="What does CC6.1 require?").click()
    page.get_by_text("CC6.1 requires a company").first.wait_for(timeout=WAIT)
    page.get_by_text("Open CC6.1 in Explore").first.wait_for(timeout=WAIT)
    page.get_by_text("High confidence").first.wait_for()
    settled(page)
    page.get_by_test_id("stFeedbackButton").nth(1).click()  # thumbs down
    box = page.get_by_placeholder("What was missing or wrong?")
    box.wait_for(timeout=WAIT)
    box.fill("Please mention passkeys.")
    page.get_by_role("button", name="Send comment").click()
    page.get_by_text("Comment saved").wait_for(timeout=WAIT)
    shoot(page, "ask-answer")
    records = Records.open(Settings(data_dir=data))
    with records.session() as s:
        votes = list(s.scalars(select(Feedback).where(Feedback.surface == "web")))
    records.dispose()
    assert [(v.helpful, v.reason, v.question) for v in votes] == [(False, "Please mention passkeys.",
                                                                   "What does CC6.1 require?")]
    assert votes[0].answer_id.startswith("a-")


def test_the_advisor_form_recommends_with_a_roadmap(server, page):
    page.goto(f"{server}/Advisor", wait_until="domcontentloaded")
    page.get_by_text("Where are your customers").wait_for(timeout=WAIT)
    settled(page)  # the page is inert while its first run finishes
    page.get_by_test_id("stMultiSelect").first.click(timeout=WAIT)
    page.get_by_role("option", name="United States").click()
    page.get_by_role("option", name="Europe (EU)").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Recommend").click()
    page.get_by_text("Recommendation: pursue both").first.wait_for(timeout=WAIT)
    page.get_by_role("tab", name="Roadmap").click()
    page.get_by_text("Durations are typical ranges").wait_for(timeout=WAIT)
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    shoot(page, "advisor")


def test_explore_opens_an_item_from_its_address_and_browses_the_heatmap(server, page):
    page.goto(f"{server}/Explore?id=CC6.1", wait_until="domcontentloaded")
    page.get_by_role("heading", name="CC6.1 Logical access security").wait_for(timeout=WAIT)
    page.get_by_text("ISO 27001 counterparts").wait_for()
    page.get_by_text("A.5.15").first.wait_for()
    shoot(page, "explore-item")
    page.get_by_role("button", name="Open A.8.5").click()
    page.get_by_role("heading", name="A.8.5 Secure authentication").wait_for(timeout=WAIT)
    page.get_by_text("ISO 27001:2013 predecessors").wait_for()
    assert "id=A.8.5" in page.url
    page.get_by_role("button", name="All items").click()
    page.get_by_role("tab", name="Crosswalk heatmap").wait_for(timeout=WAIT)
    page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=WAIT)  # the table, not its skeleton
    settled(page)
    shoot(page, "explore-browse")
    page.get_by_role("tab", name="Crosswalk heatmap").click()
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=WAIT)
    shoot(page, "explore-heatmap")


def test_a_questionnaire_is_filled_reviewed_and_downloaded(server, page, tmp_path):
    source = tmp_path / "acme-security.csv"
    source.write_text("Question\nDo you encrypt customer data at rest?\nDo you enforce MFA for employees?\n"
                      "Do you have a disaster recovery plan?\n", encoding="utf-8")
    page.goto(f"{server}/Questionnaire", wait_until="domcontentloaded")
    page.get_by_text("Upload a questionnaire to start").wait_for(timeout=WAIT)
    page.locator("input[type=file]").set_input_files(str(source))
    page.get_by_role("button", name="Fill for northwind").click()
    page.get_by_text("Filled 3 questions").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Download the filled file").wait_for(timeout=WAIT)
    settled(page)
    shoot(page, "questionnaire")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the filled file").click()
    filled = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert download.value.suggested_filename == "acme-security-filled.csv"
    assert "Answer" in filled and "Needs review" in filled and "Do you enforce MFA for employees?" in filled
    rows = list(csv.DictReader(io.StringIO(filled)))
    assert all(r["Yes/No/Partial/N.A."].lower() in ("", "yes", "no", "partial", "n/a") for r in rows), rows  # no editor blank


def test_a_library_candidate_from_slack_is_approved(server, page, data):
    from bot import Settings
    from bot.sales.library import Library
    from ingest.records import Records

    page.goto(f"{server}/Library", wait_until="domcontentloaded")
    page.get_by_text("Do you run a bug bounty programme?").wait_for(timeout=WAIT)
    page.get_by_role("link", name="Slack thread").first.wait_for()
    shoot(page, "library")
    page.get_by_role("button", name="Approve").first.click()  # the only candidate
    page.get_by_text("Approved: Do you run a bug bounty programme?").wait_for(timeout=WAIT)
    records = Records.open(Settings(data_dir=data))
    entry = next(e for e in Library(records, "northwind").entries() if e.question.startswith("Do you run a bug bounty"))
    records.dispose()
    assert entry.status == "approved" and entry.source == SLACK_PERMALINK


def test_evaluation_and_admin_pages_explain_themselves(server, page):
    page.goto(f"{server}/Evaluation", wait_until="domcontentloaded")
    page.get_by_text("No case regressed since the run of").wait_for(timeout=WAIT)
    page.get_by_text("trustdesk on the golden set over its last 2 runs").wait_for(timeout=WAIT)
    page.get_by_text("trustdesk against the baselines").wait_for(timeout=WAIT)  # the plot's caption
    assert page.locator("[data-testid='stImage'] img").count() == 3
    settled(page)
    shoot(page, "evaluation")
    page.goto(f"{server}/Admin", wait_until="domcontentloaded")
    page.get_by_text("Records database").wait_for(timeout=WAIT)
    page.get_by_text("Standards chunks").wait_for()  # the index table itself is a canvas grid
    page.get_by_role("button", name="Download all feedback").wait_for()
    shoot(page, "admin")
