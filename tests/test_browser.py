"""A real Streamlit server on loopback and a real headless Chromium typing a question."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(standards_data, tmp_path):
    port = _free_port()
    env = {**os.environ, "TRUSTDESK_DATA_DIR": str(standards_data), "TRUSTDESK_REPORTS_DIR": str(tmp_path / "reports")}
    streamlit = str(Path(sys.executable).with_name("streamlit"))
    proc = subprocess.Popen([streamlit, "run", str(ROOT / "ui" / "web" / "app.py"), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"streamlit did not start: {proc.stdout.read().decode()[-2000:]}")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_a_person_asks_in_the_browser(server, tmp_path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make test` installs it"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server, wait_until="domcontentloaded")
        box = page.get_by_test_id("stChatInputTextArea")
        box.wait_for(timeout=90_000)
        box.fill("Which ISO controls cover CC7.2?")
        box.press("Enter")
        page.get_by_text("A.8.16 Monitoring activities (equivalent)", exact=False).first.wait_for(timeout=90_000)
        page.locator("[data-testid=\"stExpander\"] summary").first.click()
        page.get_by_text("corpus/soc2/CC7.2.md").first.wait_for(timeout=10_000)
        page.screenshot(path=str(tmp_path / "ask.png"), full_page=True)
        page.get_by_role("link", name="Evaluation").click()
        page.get_by_text("No evaluation report").first.wait_for(timeout=60_000)
        browser.close()
    assert (tmp_path / "ask.png").stat().st_size > 10_000
