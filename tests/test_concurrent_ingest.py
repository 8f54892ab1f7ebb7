"""Two real ingest processes at once, and a reader in another process, on embedded Chroma and on `chroma run`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """A real Chroma server (`chroma run`) on loopback, which a test may stop and start again on the same port."""

    def __init__(self, path: Path):
        self.path, self.port, self.proc = path, _free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> "ChromaServer":
        self.proc = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--path", str(self.path),
                                      "--host", "127.0.0.1", "--port", str(self.port)],
                                     env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2)
                return self
            except OSError:
                assert self.proc.poll() is None, self.proc.stdout.read().decode()[-2000:]
                time.sleep(0.3)
        raise AssertionError("chroma run did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


@pytest.fixture
def chroma(tmp_path):
    server = ChromaServer(tmp_path / "server").start()
    yield server
    server.stop()


@pytest.fixture
def chroma_server(chroma) -> str:
    return chroma.url


@pytest.fixture(params=["embedded", "server"])
def deployment(request, tmp_path, tiny_corpus):
    env = {**os.environ, "TRUSTDESK_DATA_DIR": str(tmp_path / "data"), "TRUSTDESK_CORPUS_DIR": str(tiny_corpus)}
    if request.param == "server":
        env["TRUSTDESK_CHROMA_URL"] = request.getfixturevalue("chroma_server")
    else:
        env.pop("TRUSTDESK_CHROMA_URL", None)
    return env


def _ingest(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ui.cli", "ingest", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_two_ingests_at_once_take_turns_and_never_break_the_index(deployment):
    from bot import Assistant, Settings
    from ingest import Store

    runs = [_ingest(deployment, "--rebuild"), _ingest(deployment, "--rebuild")]
    results = [(p.wait(timeout=300), p.stdout.read()) for p in runs]
    for code, output in results:
        assert "does not exist" not in output and "may be damaged" not in output, output
        assert code == 0 or "another ingest of standards is running since" in output, output
    assert any(code == 0 for code, _ in results)
    store = Store(Path(deployment["TRUSTDESK_DATA_DIR"]), deployment.get("TRUSTDESK_CHROMA_URL"))
    published = store.published()
    assert store.collection(published.collection).count() > 10
    answer = Assistant(Settings(data_dir=deployment["TRUSTDESK_DATA_DIR"],
                                chroma_url=deployment.get("TRUSTDESK_CHROMA_URL"))).ask("What does CC6.1 require?")
    assert answer.citations[0].id == "CC6.1"
    third = _ingest(deployment)
    assert third.wait(timeout=300) == 0 and "up to date" in third.stdout.read()


def test_a_reader_switches_to_a_new_generation_without_restart(deployment):
    from bot import Assistant, Settings

    first = _ingest(deployment)
    assert first.wait(timeout=300) == 0, first.stdout.read()
    reader = Assistant(Settings(data_dir=deployment["TRUSTDESK_DATA_DIR"],
                                chroma_url=deployment.get("TRUSTDESK_CHROMA_URL")))
    assert reader.ask("What does CC6.1 require?").citations[0].id == "CC6.1"
    before = reader.retriever().collection_name
    second = _ingest(deployment, "--rebuild")
    assert second.wait(timeout=300) == 0, second.stdout.read()
    time.sleep(2.5)  # the reader re-checks the published generation every 2 s
    assert reader.ask("What does CC7.2 require?").citations[0].id == "CC7.2"
    assert reader.retriever().collection_name != before


def test_a_chroma_server_that_goes_away_and_comes_back(chroma, tiny_corpus, tmp_path):
    """Down mid-session: loaded indexes keep answering, a new one fails with a clear message, then all recovers."""
    from bot import Assistant, Settings
    from bot.errors import StoreUnavailable
    from ingest import Store, ingest, load_corpus

    store = Store(tmp_path / "data", chroma.url)
    ingest(load_corpus(tiny_corpus), store)
    reader = Assistant(Settings(data_dir=tmp_path / "data", chroma_url=chroma.url))
    assert reader.ask("What does CC6.1 require?").citations[0].id == "CC6.1"
    chroma.stop()
    time.sleep(2.5)  # past the reader's re-check interval: it must reach the server, and cannot
    assert reader.ask("What does CC7.2 require?").citations[0].id == "CC7.2"  # served from memory
    with pytest.raises(StoreUnavailable, match="cannot reach the Chroma server at .* Start it"):
        reader.ask("Do you encrypt data at rest?", tenant="acme")
    with pytest.raises(StoreUnavailable, match="cannot reach the Chroma server"):
        ingest(load_corpus(tiny_corpus), store, rebuild=True)
    chroma.start()  # the same data, the same port
    report = ingest(load_corpus(tiny_corpus), store, rebuild=True)
    time.sleep(2.5)
    assert reader.ask("What does CC6.1 require?").citations[0].id == "CC6.1"
    assert reader.retriever().collection_name == report.collection  # switched to the new generation


def test_doctor_on_a_team_deployment(chroma, records_url, tiny_corpus, monkeypatch):
    """The compose file's shape (deploy/compose.yml): a Chroma server and a shared records database."""
    from typer.testing import CliRunner

    from ui.cli import app

    monkeypatch.setenv("TRUSTDESK_CHROMA_URL", chroma.url)
    monkeypatch.setenv("TRUSTDESK_DATABASE_URL", records_url)
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "--corpus", str(tiny_corpus)]).exit_code == 0
    result = runner.invoke(app, ["doctor"])
    text = " ".join(result.stdout.split())
    assert result.exit_code == 0, result.stdout
    assert re.search(rf"store mode: Chroma server at {re.escape(chroma.url)} \(server \d+\.\d+\.\d+\)", text)
    assert "ok index standards: td-standards-g1" in text
    database = "PostgreSQL " if records_url.startswith("postgresql") else "SQLite 3."
    assert f"({database}" in text and "schema 0005 (newest 0005)" in text
