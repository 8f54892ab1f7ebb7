"""Docs that stay true: the README's commands exist, and CI runs the README's test command."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from tests.conftest import ROOT
from ui.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands_and_ci_runs_one_of_them():
    head = README[:1200]
    assert "make run" in head and "make test" in head
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test", "chat", "eval", "bench", "doctor", "test-fast"):
        assert re.search(rf"^{re.escape(target)}:", makefile, re.M), f"README mentions make {target}"


def test_every_command_in_the_readme_exists():
    commands = set(re.findall(r"`trustdesk ([a-z]+)", README))
    assert {"ingest", "ask", "batch", "chat", "company", "doctor", "ui", "eval"} <= commands
    runner = CliRunner()
    for command in commands:
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, f"trustdesk {command} --help failed: {result.output}"


def test_help_texts_explain_themselves():
    result = CliRunner().invoke(app, ["batch", "--help"])
    assert "IN.jsonl" in result.stdout and "--out" in result.stdout and "error" in result.stdout
