"""Two real ingest processes at once, and a reader in another process, on embedded Chroma and on `chroma run`."""

from __future__ import annotations

import os
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


@pytest.fixture
def chroma_server(tmp_path):
    """A real Chroma server (`chroma run`) on loopback, for the team deployment's path."""
    port = _free_port()
    proc = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--path", str(tmp_path / "server"),
                             "--host", "127.0.0.1", "--port", str(port)],
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2)
            break
        except OSError:
            assert proc.poll() is None, proc.stdout.read().decode()[-2000:]
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


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
