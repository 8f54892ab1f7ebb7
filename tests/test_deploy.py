"""deploy/: the compose file, its .env example and the Dockerfile agree with the real CLI and settings.

Docker is not needed: the file is read as YAML, every `trustdesk` command it runs is parsed by the real
Typer app (as `trustdesk CMD ...` would parse it, without running it), every variable it sets is checked
against `Settings`, and the ports and URLs are checked against each other.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
import typer
import yaml
from typer.testing import CliRunner

from bot.config import Settings
from tests.conftest import ROOT
from ui.cli import app

DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yml").read_text())
SERVICES = COMPOSE["services"]
TRUSTDESK = [name for name, s in SERVICES.items() if s.get("image") == "trustdesk:local"]
_VAR = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


def setting_names() -> set[str]:
    """Every environment variable `Settings` reads: TRUSTDESK_<FIELD>, or a field's own aliases (SLACK_...)."""
    names = set()
    for field, info in Settings.model_fields.items():
        alias = info.validation_alias
        names |= set(alias.choices) if alias is not None else {f"TRUSTDESK_{field.upper()}"}
    return names


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    return dict(item.split("=", 1) for item in env) if isinstance(env, list) else dict(env)


def test_the_services_and_what_runs_them():
    assert set(SERVICES) == {"chroma", "postgres", "ingest", "web", "slack"}
    assert set(TRUSTDESK) == {"chroma", "ingest", "web", "slack"}, "one image, so client and server Chroma match"
    build = SERVICES["web"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == (DEPLOY / "Dockerfile").resolve()


def test_every_variable_a_trustdesk_service_sets_is_a_real_setting():
    names = setting_names()
    for service in TRUSTDESK:
        unknown = set(env_of(SERVICES[service])) - names
        assert not unknown, f"{service} sets {unknown}, which trustdesk does not read"
    assert {"TRUSTDESK_CHROMA_URL", "TRUSTDESK_DATABASE_URL"} <= set(env_of(SERVICES["ingest"]))
    for service in ("ingest", "web", "slack"):  # all on the same store and the same records database
        env = env_of(SERVICES[service])
        assert (env["TRUSTDESK_CHROMA_URL"], env["TRUSTDESK_DATABASE_URL"]) == \
            (env_of(SERVICES["ingest"])["TRUSTDESK_CHROMA_URL"], env_of(SERVICES["ingest"])["TRUSTDESK_DATABASE_URL"])


def test_the_settings_a_service_is_given_are_valid(monkeypatch):
    env = env_of(SERVICES["web"])
    for name, value in env.items():
        monkeypatch.setenv(name, _VAR.sub(lambda m: m[3] if m[2] == "-" else "secret", value))
    settings = Settings()
    assert settings.chroma_url == "http://chroma:8000" and settings.database_url.startswith("postgresql+psycopg://")
    assert settings.log_format == "json" and settings.log_level == "INFO"


@pytest.mark.parametrize("service", ["ingest", "web", "slack"])
def test_every_trustdesk_command_and_option_exists(service):
    command = SERVICES[service]["command"]
    assert isinstance(command, list) and command[0] == "trustdesk", "exec form, so signals reach trustdesk"
    group = typer.main.get_command(app)
    sub = group.get_command(None, command[1])
    assert sub is not None, f"trustdesk has no command {command[1]!r}"
    sub.make_context(command[1], list(command[2:]))  # parses and checks every option, runs nothing
    helped = CliRunner().invoke(app, [command[1], "--help"])
    assert helped.exit_code == 0
    for option in (a for a in command[2:] if a.startswith("--")):
        assert option in helped.stdout, f"trustdesk {command[1]} --help does not mention {option}"


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_ports_and_addresses_agree():
    env = env_of(SERVICES["ingest"])
    chroma_url = urlparse(env["TRUSTDESK_CHROMA_URL"])
    assert chroma_url.hostname == "chroma" and str(chroma_url.port) == _option(SERVICES["chroma"]["command"], "--port")
    assert _option(SERVICES["chroma"]["command"], "--host") == "0.0.0.0"
    assert f"localhost:{chroma_url.port}/api/v2/heartbeat" in " ".join(SERVICES["chroma"]["healthcheck"]["test"])
    database = urlparse(_VAR.sub("secret", env["TRUSTDESK_DATABASE_URL"]))
    postgres = SERVICES["postgres"]["environment"]
    assert (database.hostname, database.port) == ("postgres", 5432)
    assert (database.username, database.path.lstrip("/")) == (postgres["POSTGRES_USER"], postgres["POSTGRES_DB"])
    assert env["TRUSTDESK_DATABASE_URL"].count("${POSTGRES_PASSWORD") == 1
    assert "${POSTGRES_PASSWORD" in postgres["POSTGRES_PASSWORD"]
    web = SERVICES["web"]["command"]
    port = _option(web, "--port")
    assert _option(web, "--address") == "0.0.0.0"
    assert [p.rsplit(":", 1)[1] for p in SERVICES["web"]["ports"]] == [port]
    assert f"localhost:{port}/_stcore/health" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_the_ui_and_slack_start_after_ingest_has_finished():
    ingest = SERVICES["ingest"]
    assert ingest["restart"] == "no", "a one-shot service"
    assert {name: d["condition"] for name, d in ingest["depends_on"].items()} == \
        {"chroma": "service_healthy", "postgres": "service_healthy"}
    for service in ("web", "slack"):
        depends = SERVICES[service]["depends_on"]
        assert depends["ingest"]["condition"] == "service_completed_successfully", service
        assert {"chroma", "postgres"} <= set(depends)
    for name, service in SERVICES.items():
        for dependency, how in (service.get("depends_on") or {}).items():
            if how["condition"] == "service_healthy":
                assert "healthcheck" in SERVICES[dependency], f"{name} waits on {dependency}, which has no healthcheck"


def test_volumes_keep_the_data():
    assert "chroma:/chroma" in SERVICES["chroma"]["volumes"] and "/chroma" == _option(SERVICES["chroma"]["command"], "--path")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in SERVICES["postgres"]["volumes"])
    assert set(COMPOSE["volumes"]) == {v.split(":")[0] for s in SERVICES.values() for v in s.get("volumes", [])}


def test_the_env_example_covers_every_variable_and_holds_no_secret():
    text = (DEPLOY / "compose.yml").read_text()
    used = {m[1]: m[2] for m in _VAR.finditer(text)}
    example = dict(line.split("=", 1) for line in (DEPLOY / ".env.example").read_text().splitlines()
                   if line.strip() and not line.startswith("#"))
    required = {name for name, how in used.items() if how == "?" or not how}
    assert required <= set(example), f"compose.yml needs {required - set(example)} from deploy/.env"
    assert set(example) <= set(used), f"deploy/.env.example sets {set(example) - set(used)}, which nothing reads"
    for name, value in example.items():
        if re.search(r"PASSWORD|TOKEN|SECRET", name):
            assert "change-me" in value, f"{name} in the example must be a placeholder"
    ignored = (ROOT / ".gitignore").read_text().splitlines() if (ROOT / ".gitignore").exists() else []
    assert "deploy/.env" in ignored or ".env" in ignored, "deploy/.env (real secrets) must never be committed"


def test_the_dockerfile_installs_cpu_torch_first_and_runs_offline():
    text = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1[12]-slim$", text, re.M)
    torch, package = text.index('"torch==2.13.0"'), text.index("pip install -e .")
    assert torch < package and "whl/cpu" in text
    env = dict(re.findall(r"^\s+(\w+)=(\S+)", text, re.M))
    assert env["HF_HUB_OFFLINE"] == "1" and env["ANONYMIZED_TELEMETRY"] == "False"
    unknown = {k for k in env if k.startswith("TRUSTDESK_")} - setting_names()
    assert not unknown, f"the Dockerfile sets {unknown}, which trustdesk does not read"
    assert "COPY corpus" in text and env["TRUSTDESK_CORPUS_DIR"] == "/app/corpus"


def test_the_readme_explains_the_team_deployment():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Team deployment", 1)[1].split("\n## ", 1)[0]
    for service in SERVICES:
        assert f"`{service}`" in section, f"the README does not say what {service} does"
    for service in TRUSTDESK:
        for name in env_of(SERVICES[service]):
            assert f"`{name}`" in section, f"the README does not explain {name}"
    for words in ("--scale slack=2", "ingest/lock.py", "pg_dump", "TRUSTDESK_LOG_FORMAT", "request_id"):
        assert words in section, words
