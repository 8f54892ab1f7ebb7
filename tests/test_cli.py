"""The `trustdesk` command line, in-process (CliRunner) and as the real installed console script."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT
from ui.cli import app

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture
def on_standards(standards_data, monkeypatch):
    monkeypatch.setenv("TRUSTDESK_DATA_DIR", str(standards_data))
    return standards_data


def test_ask_json_prints_an_answer(on_standards):
    result = runner.invoke(app, ["ask", "What does CC6.1 require?", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["citations"][0]["id"] == "CC6.1" and data["refused"] is False


def test_ask_renders_text_with_sources(on_standards):
    result = runner.invoke(app, ["ask", "what is a bridge letter?"])
    assert result.exit_code == 0
    assert "Sources:" in result.stdout and "bridge-letters" in result.stdout


@pytest.mark.parametrize("question,message", [("", "empty"), ("   ", "empty"), ("q" * 4001, "limit is 4,000"),
                                              ("what\x1bis CC6.1", "control characters")])
def test_bad_questions_exit_non_zero_with_one_line(on_standards, question, message):
    result = runner.invoke(app, ["ask", question])
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_index_tells_how_to_fix_it():
    result = runner.invoke(app, ["ask", "What is CC6.1?"])
    assert result.exit_code == 1
    assert "trustdesk ingest" in result.stderr and "Traceback" not in result.stderr


def test_corrupted_data_dir_is_one_line(tmp_path, monkeypatch):
    data = tmp_path / "bad"
    (data / "chroma").mkdir(parents=True)
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"garbage" * 1000)
    monkeypatch.setenv("TRUSTDESK_DATA_DIR", str(data))
    result = runner.invoke(app, ["ask", "What is CC6.1?"])
    assert result.exit_code == 1 and "damaged" in result.stderr and "Traceback" not in result.stderr


def test_ingest_then_unchanged(tiny_corpus):
    first = runner.invoke(app, ["ingest", "--corpus", str(tiny_corpus)])
    assert first.exit_code == 0, first.output
    assert "published" in first.stdout and "4 documents" in first.stdout
    second = runner.invoke(app, ["ingest", "--corpus", str(tiny_corpus)])
    assert "up to date" in second.stdout


def test_ingest_invalid_corpus_lists_each_file(tiny_corpus):
    (tiny_corpus / "soc2" / "bad.md").write_bytes(b"\xff\xfe")
    (tiny_corpus / "soc2" / "worse.md").write_text("---\ntitle: x\n---\nbody")
    result = runner.invoke(app, ["ingest", "--corpus", str(tiny_corpus)])
    assert result.exit_code == 1
    assert "soc2/bad.md: not UTF-8" in result.stderr
    assert "soc2/worse.md: front matter" in result.stderr
    assert "previous index is still in use" in result.stderr and "Traceback" not in result.stderr


def test_batch_answers_good_lines_and_reports_bad_ones(on_standards, tmp_path):
    lines = [
        json.dumps({"id": "q1", "question": "What does A.8.24 require?"}),
        "{not json",
        json.dumps({"id": "q3", "question": ""}),
        json.dumps({"id": "q4", "question": "x" * 5000}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "q6"}),
        "",
        json.dumps({"id": 7, "question": "and for ISO?", "history": [
            {"role": "user", "content": "What does CC6.1 require?"}, {"role": "assistant", "content": "..."}]}),
        json.dumps({"id": "q8", "question": "What is CC6.1?", "history": [{"role": "robot", "content": "x"}]}),
    ]
    infile = tmp_path / "in.jsonl"
    infile.write_bytes(("\n".join(lines) + "\n").encode() + b"\xff\xfe\n")
    out = tmp_path / "out" / "answers.jsonl"
    result = runner.invoke(app, ["batch", str(infile), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(l) for l in out.read_text().splitlines()]
    by_id = {str(r["id"]): r for r in rows}
    assert by_id["q1"]["answer"]["citations"][0]["id"] == "A.8.24"
    assert by_id["q1"]["question"] == "What does A.8.24 require?"
    assert "not valid JSON" in by_id["line-2"]["error"]
    assert "empty" in by_id["q3"]["error"]
    assert "limit" in by_id["q4"]["error"]
    assert "JSON object" in by_id["line-5"]["error"]
    assert "question" in by_id["q6"]["error"]
    assert "answer" in by_id["7"]
    assert "history" in by_id["q8"]["error"]
    assert "not UTF-8" in by_id["line-10"]["error"]
    assert len(rows) == 9
    assert "2 answered, 7 with errors" in result.stderr


def test_batch_refuses_to_overwrite_its_input(on_standards, tmp_path):
    infile = tmp_path / "in.jsonl"
    infile.write_text(json.dumps({"id": "a", "question": "What is CC6.1?"}) + "\n")
    result = runner.invoke(app, ["batch", str(infile), "--out", str(infile)])
    assert result.exit_code == 1 and "--out must differ" in result.stderr
    assert json.loads(infile.read_text())["id"] == "a"


def test_batch_missing_input(on_standards, tmp_path):
    result = runner.invoke(app, ["batch", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1 and "not found" in result.stderr


def test_chat_holds_a_conversation_until_quit(on_standards):
    result = runner.invoke(app, ["chat"], input="What does CC6.1 require?\n\n/reset\nwhat is a bridge letter?\n/quit\n")
    assert result.exit_code == 0, result.output
    assert "[CC6.1]" in result.stdout and "conversation cleared" in result.stdout and "bridge-letters" in result.stdout


def test_doctor_passes_on_a_built_index(on_standards):
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 0, result.stdout
    assert "index standards" in result.stdout and "FAIL" not in result.stdout


def test_doctor_reports_store_database_and_locks(on_standards, tmp_path, monkeypatch):
    from ingest.lock import hold
    from ingest.records import Records

    url = f"sqlite:///{tmp_path / 'records.db'}"
    monkeypatch.setenv("TRUSTDESK_DATABASE_URL", url)
    records = Records(url)
    with hold(records, "ingest:company-acme"):
        result = runner.invoke(app, ["doctor"])
    text = " ".join(result.stdout.split())
    assert result.exit_code == 0, result.stdout
    assert "store mode: embedded Chroma" in text and "records database: sqlite:///" in text
    assert "lock ingest:company-acme: held by" in text


def test_doctor_reports_generations_tenants_and_versions(tiny_corpus, tmp_path):
    from bot.sales.library import Library
    from ingest import Store
    from ingest.records import Records

    for _ in range(2):  # the second publishes g2 and retires g1
        assert runner.invoke(app, ["ingest", "--corpus", str(tiny_corpus), "--rebuild"]).exit_code == 0
    Store(tmp_path / "data").new_generation("company-ghost", "m", "2025-01-01")  # a build that never published
    records = Records(f"sqlite:///{tmp_path / 'data' / 'trustdesk.db'}")
    Library(records, "acme").import_rows([{"question": "Do you encrypt data?", "answer": "Yes, AES-256."}],
                                         status="candidate")
    records.dispose()
    result = runner.invoke(app, ["doctor"])
    text = " ".join(result.stdout.split())
    assert result.exit_code == 0, result.stdout  # warnings are not failures
    assert "trustdesk 0.1.0" in text and "chromadb " in text and "schema 0005 (newest 0005)" in text
    assert "(SQLite 3." in text
    assert "ok index standards: td-standards-g2," in text
    assert f"ok fast start standards: a copy in {tmp_path / 'data' / 'snapshots'}" in text
    for copy in (tmp_path / "data" / "snapshots").iterdir():
        copy.unlink()
    again = " ".join(runner.invoke(app, ["doctor"]).stdout.split())
    assert "warn fast start standards: no copy yet: cold questions read through Chroma" in again
    assert re.search(r"ok generation td-standards-g1: retired \d+ s ago: readers may still use it", text)
    assert "warn generation td-company-ghost-g1: unpublished" in text
    assert "ok tenants: 1: acme" in text and "warn tenant acme: no index yet" in text
    assert "warn index company-ghost: no tenant 'ghost' in this records database" in text


def test_doctor_fails_without_an_index():
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1 and "trustdesk ingest" in result.stdout


def test_company_ingest_and_tenant_answers(on_standards, tmp_path):
    pack = tmp_path / "acme"
    pack.mkdir()
    (pack / "answers.csv").write_text("question,answer,source_policy\n"
                                      "Do you encrypt data at rest?,\"Yes: all customer data is encrypted at rest with AES-256 keys in AWS KMS.\",encryption\n")
    assert runner.invoke(app, ["company", "ingest", str(pack), "--tenant", "acme"]).exit_code == 0
    result = runner.invoke(app, ["ask", "Do you encrypt data at rest?", "--tenant", "acme", "--json"])
    data = json.loads(result.stdout)
    assert data["citations"][0]["framework"] == "company" and "AES-256" in data["text"]
    bad = runner.invoke(app, ["company", "ingest", str(pack), "--tenant", "Acme Corp"])
    assert bad.exit_code == 1 and "tenant name" in bad.stderr


def _console_script() -> str:
    script = Path(sys.executable).with_name("trustdesk")
    return str(script) if script.exists() else shutil.which("trustdesk")


def test_installed_console_script_answers_cold(standards_data):
    env = {**os.environ, "TRUSTDESK_DATA_DIR": str(standards_data)}
    done = subprocess.run([_console_script(), "ask", "Which SOC 2 criterion covers vendor risk?", "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert "CC9.2" in [c["id"] for c in data["citations"]]
