"""Faults, caused for real: PostgreSQL stopped mid-session, a read-only data directory, a full disk, a corrupt
records file, and bugs that must stay bugs.

Real PostgreSQL (stopped and started again with pg_ctl), real SQLite, real Chroma, the real model and every
surface; tests/faults_kit.py makes the faults (a read-only bind mount, a small tmpfs filled to ENOSPC).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from typer.testing import CliRunner

from bot.errors import RecordsUnavailable, StoreUnavailable
from ingest.records import Records
from tests.conftest import CORPUS
from tests.faults_kit import (PASSWORD, cli, corrupt, counts, fill_up, fingerprint, no_trace, read_only,
                              says_bug, says_corrupt, says_down, small_disk, thread_answer, web, workbook)
from tests.faults_kit import pg, pg_url, seed_intents  # noqa: F401  (fixtures)
from ui.cli import app

runner = CliRunner()
CC61 = "What does CC6.1 require?"


# --- PostgreSQL that goes away --------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_down_questions_answered_writes_refused_whole_then_recovered(pg, pg_url, standards_data,
                                                                              northwind_assistant, tmp_path):
    from bot import Assistant, Settings
    from bot.sales import feedback
    from bot.sales.library import Library
    from bot.sales.questionnaire import fill
    from bot.sales.tenant import load_pack
    from bot.sales.threads import Threads

    records = Records(pg_url)
    load_pack(CORPUS / "examples" / "northwind", "northwind", records, northwind_assistant.store)
    assistant = Assistant(Settings(data_dir=standards_data, corpus_dir=CORPUS, database_url=pg_url))
    own_question = "Do you encrypt customer data at rest?"
    assistant.ask(own_question, tenant="northwind")  # the tenant's index is loaded, as in a running instance
    before = counts(records)
    pg.stop()
    standards, own = assistant.ask(CC61), assistant.ask(own_question, tenant="northwind")
    assert standards.citations[0].id == "CC6.1"
    assert any(c.framework == "company" for c in own.citations)
    source, out = workbook(tmp_path), tmp_path / "filled.xlsx"
    writes = {"feedback": lambda: feedback.record(records, own.id, True, surface="web"),
              "library": lambda: Library(records, "northwind").import_rows([{"question": "Do you pen test?",
                                                                             "answer": "Yearly."}]),
              "thread": lambda: Threads(records).record("slack:T:C:1.0", own_question, own, surface="slack"),
              "checkpoint": lambda: fill(assistant, records, source, out, "northwind")}
    for name, write in writes.items():
        with pytest.raises(RecordsUnavailable) as info:
            write()
        says_down(str(info.value), pg)
    assert not out.exists()
    pg.start()  # the same process, the same Records: pool_pre_ping finds fresh connections
    assert counts(records) == before
    for write in writes.values():
        write()
    after = counts(records)
    assert after["feedback"] == before["feedback"] + 1 and after["chat_turns"] == before["chat_turns"] + 2
    assert after["fill_rows"] == before["fill_rows"] + 6 and out.exists()
    records.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("write, statement, nth", [
    ("library", "INSERT INTO library_entries", 3),
    ("thread", "INSERT INTO chat_turns", 2),
])
def test_postgres_crashing_inside_a_write_keeps_all_of_it_or_none(pg, pg_url, write, statement, nth):
    """The server crashes (pg_ctl stop -m immediate) between two statements of one write: none of it stays."""
    from bot.sales.library import Library
    from bot.sales.threads import Threads

    operations = {
        "library": lambda r: Library(r, "acme").import_rows([{"question": f"Question number {n}?", "answer": "Yes."}
                                                             for n in range(5)]),
        "thread": lambda r: Threads(r).record("slack:T:C:2.0", CC61, thread_answer(), surface="slack"),
    }
    records = Records(pg_url)
    seen = 0

    def crash(conn, cursor, sql, *rest):
        nonlocal seen
        seen += sql.startswith(statement)
        if seen == nth and sql.startswith(statement):
            pg.stop("immediate")

    before = counts(records)
    event.listen(records.engine, "before_cursor_execute", crash)
    with pytest.raises(RecordsUnavailable) as info:
        operations[write](records)
    event.remove(records.engine, "before_cursor_execute", crash)
    says_down(str(info.value), pg)
    pg.start()
    assert counts(records) == before, "nothing of the interrupted write"
    operations[write](records)  # the same write, whole, once the server is back
    assert counts(records) != before
    records.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_stopping_during_a_questionnaire_fill_then_resume_loses_nothing(pg, pg_url, northwind_assistant,
                                                                                 tmp_path):
    from bot.sales.questionnaire import fill

    records = Records(pg_url)
    source, out = workbook(tmp_path), tmp_path / "filled.xlsx"

    def stop_after_two(done: int, total: int) -> None:
        if done == 2:
            pg.stop()

    with pytest.raises(RecordsUnavailable) as info:
        fill(northwind_assistant, records, source, out, "northwind", progress=stop_after_two)
    says_down(str(info.value), pg)
    assert not out.exists()
    pg.start()
    report = fill(northwind_assistant, records, source, out, "northwind", resume=True)
    assert (report.resumed, report.answered, report.total) == (2, 4, 6) and out.exists()
    records.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_cli_ask_and_chat_answer_and_warn_while_postgres_is_down(pg, pg_url, standards_data, assistant):
    Records(pg_url).dispose()  # a migrated database, as a deployment has
    pg.stop()
    env = {"TRUSTDESK_DATA_DIR": str(standards_data), "TRUSTDESK_DATABASE_URL": pg_url}
    for done in (cli("ask", CC61, env=env), cli("chat", env=env, stdin=f"{CC61}\n/quit\n")):
        assert done.returncode == 0, done.stderr
        assert "CC6.1 requires" in done.stdout
        assert "warning:" in done.stderr
        says_down(" ".join(done.stderr.split()), pg)
        no_trace(done.stdout, done.stderr)


@pytest.mark.slow
@pytest.mark.postgres
def test_web_answers_while_postgres_is_down_and_a_vote_says_it_was_not_saved(pg, pg_url, standards_data,
                                                                              northwind_assistant, monkeypatch):
    from ingest.records import Feedback

    at = web(monkeypatch, standards_data, pg_url)
    pg.stop()
    at.run()
    assert not at.exception
    assert any("cannot be reached" in w.value for w in at.sidebar.warning)
    assert "northwind" in at.sidebar.selectbox[0].options, "tenants with a published index still answer"
    at.chat_input[0].set_value(CC61).run()
    assert not at.exception
    answer_id = at.session_state["messages"][-1]["answer"]["id"]
    at.feedback(key=f"feedback-{answer_id}").set_value(1).run()
    assert not at.exception
    [refused] = [e.value for e in at.error]
    assert refused.startswith("Your vote was not saved") and PASSWORD not in refused
    says_down(refused, pg)
    pg.start()
    at.run()  # the vote is stored on the next run, by the same server process
    assert not at.exception and not at.error
    records = Records(pg_url)
    with records.session() as s:
        assert s.scalar(select(func.count()).select_from(Feedback).where(Feedback.answer_id == answer_id)) == 1
    records.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_slack_answers_while_postgres_is_down_and_buttons_say_so(pg, pg_url, northwind_assistant):
    import json

    from tests.slack_stub import BOT_USER, SlackStub, action, event, post
    from tests.test_slack import SALES, SECRET, TOKEN, _action_value, _cited, _settings, _start
    from ui.slack.messages import RECORDS_DOWN

    records = Records(pg_url)
    stub = SlackStub(TOKEN).start()
    _, server = _start(northwind_assistant, records, stub, _settings())
    url = f"http://127.0.0.1:{server.effective_port}/slack/events"
    try:
        pg.stop()
        post(url, json.dumps(event("app_mention", text=f"<@{BOT_USER}> {CC61}", channel=SALES)),
             "application/json", SECRET)
        [answer] = stub.wait_for(channel=SALES)
        assert "CC6.1" in _cited(answer)
        post(url, action("td_helpful", _action_value(answer, "td_helpful"), channel=SALES,
                         message_ts="1800000001.1"), "application/x-www-form-urlencoded", SECRET)
        [refused] = stub.wait_for("chat.postEphemeral", channel=SALES)
        assert refused["text"] == RECORDS_DOWN
        pg.start()
        post(url, action("td_helpful", _action_value(answer, "td_helpful"), channel=SALES,
                         message_ts="1800000001.1"), "application/x-www-form-urlencoded", SECRET)
        assert stub.wait_for("chat.postEphemeral", channel=SALES, count=2)[1]["text"] == "Thanks, noted."
    finally:
        server.close()
        stub.stop()
        records.dispose()


# --- a read-only data directory -------------------------------------------------------------------------

@pytest.mark.slow
def test_read_only_data_dir_refuses_ingest_by_name_and_still_answers(tmp_path, tiny_corpus, seed_intents):
    from ingest.faults import writable

    data = tmp_path / "data"  # TRUSTDESK_DATA_DIR (conftest)
    seed_intents(data)
    assert runner.invoke(app, ["ingest", "--corpus", str(tiny_corpus)]).exit_code == 0
    assert runner.invoke(app, ["ask", CC61]).exit_code == 0
    lead = tiny_corpus / "soc2" / "CC6.1.md"
    lead.write_text(lead.read_text() + "\nReviewed each quarter.\n")
    before = fingerprint(data)
    with read_only(data):
        assert writable(data) is not None, "the folder must really refuse writes, even to root"
        ingest = runner.invoke(app, ["ingest", "--corpus", str(tiny_corpus)])
        ask = runner.invoke(app, ["ask", CC61])
    assert ingest.exit_code == 1 and "is not writable" in ingest.stderr and str(data) in ingest.stderr
    assert "damaged" not in ingest.stderr
    assert ask.exit_code == 0 and "CC6.1 requires" in ask.stdout
    no_trace(ingest.output, ask.output)
    assert fingerprint(data) == before


# --- a full disk -----------------------------------------------------------------------------------------
# Every ingest that meets the full disk runs in its own process, as `trustdesk ingest` does: after a refused
# write, embedded Chroma's core can hang on the next one in the same process, so the store refuses to write
# again there (the second half of the mid-ingest test shows it), and this test process must not be that one.

@pytest.mark.slow
def test_ingest_into_a_full_disk_says_so_and_the_previous_generation_keeps_serving(tmp_path, tiny_corpus,
                                                                                  seed_intents):
    from bot import Assistant, Settings
    from ingest import Store

    with small_disk(tmp_path / "disk", "24m") as disk:
        data = disk / "data"
        env = {"TRUSTDESK_DATA_DIR": str(data)}
        seed_intents(data)
        assert cli("ingest", "--corpus", str(tiny_corpus), env=env).returncode == 0
        published = Store(data).published().collection
        shutil.copy(CORPUS / "soc2" / "CC1.1.md", tiny_corpus / "soc2" / "CC1.1.md")
        filler = fill_up(disk)
        full = cli("ingest", "--corpus", str(tiny_corpus), env=env)
        message = " ".join(full.stderr.split())
        assert full.returncode == 1 and "no space left on the disk holding" in message, full.stderr
        assert "free space or set TRUSTDESK_DATA_DIR" in message and str(data) in message
        assert "damaged" not in message
        no_trace(full.stdout, full.stderr)
        assert Store(data).published().collection == published
        assert Assistant(Settings(data_dir=data, corpus_dir=CORPUS)).ask(CC61).citations[0].id == "CC6.1"
        filler.unlink()
        again = cli("ingest", "--corpus", str(tiny_corpus), env=env)
        assert again.returncode == 0 and "published" in again.stdout, again.stderr
        assert "CC1.1" in {c.id for c in Assistant(Settings(data_dir=data, corpus_dir=CORPUS))
                           .ask("What does CC1.1 require?").citations}


# One process: publish, fill the disk as the next ingest starts, then free it and try again in the same process.
_FILLS_MID_INGEST = """
import shutil, sys
from pathlib import Path
from ingest import Store, ingest, load_corpus
from ingest.errors import StoreUnavailable
from ingest.records import Records, default_url
from tests.faults_kit import fill_up
disk, corpus, extra = (Path(a) for a in sys.argv[1:4])
store, records = Store(disk / "data"), Records(default_url(disk / "data"))
print("FIRST", ingest(load_corpus(corpus), store, records=records).collection, flush=True)
shutil.copy(extra, corpus / "soc2" / extra.name)
filled = []
def fill_once(stage, done, total):
    filled or filled.append(fill_up(disk))
for attempt in ("FULL", "AGAIN"):
    try:
        ingest(load_corpus(corpus), store, progress=fill_once, records=records)
        print(attempt, "published", flush=True)
    except StoreUnavailable as exc:
        print(attempt, " ".join(str(exc).split()), flush=True)
    filled and filled[0].exists() and filled[0].unlink()
"""


@pytest.mark.slow
def test_a_disk_that_fills_during_an_ingest_publishes_nothing(tmp_path, tiny_corpus):
    import subprocess
    import sys

    from ingest import Store
    from tests.conftest import ROOT

    with small_disk(tmp_path / "disk", "24m") as disk:
        run = subprocess.run([sys.executable, "-c", _FILLS_MID_INGEST, str(disk), str(tiny_corpus),
                              str(CORPUS / "soc2" / "CC1.1.md")], cwd=ROOT, capture_output=True, text=True,
                             timeout=600)
        said = dict(line.split(" ", 1) for line in run.stdout.splitlines() if line.split(" ")[0].isupper())
        assert run.returncode == 0 and set(said) == {"FIRST", "FULL", "AGAIN"}, run.stdout + run.stderr
        assert said["FULL"].startswith("no space left on the disk holding") and "damaged" not in said["FULL"]
        assert "the published index is unchanged" in said["FULL"]
        assert said["AGAIN"].startswith("this process stopped writing to the embedded index"), said["AGAIN"]
        assert "run the ingest in a new process" in said["AGAIN"]
        assert Store(disk / "data").published().collection == said["FIRST"]
        again = cli("ingest", "--corpus", str(tiny_corpus), env={"TRUSTDESK_DATA_DIR": str(disk / "data")})
        assert again.returncode == 0 and "published" in again.stdout, again.stderr
        assert Store(disk / "data").published().collection != said["FIRST"]


def test_a_records_write_on_a_full_disk_fails_clearly_and_the_database_stays_sound(tmp_path):
    import sqlite3

    from bot.sales.library import Library

    with small_disk(tmp_path / "disk", "2m") as disk:
        path = disk / "trustdesk.db"
        records = Records(f"sqlite:///{path}")
        Library(records, "acme").import_rows([{"question": "Do you use MFA?", "answer": "Yes."}])
        filler = fill_up(disk)
        big = [{"question": f"Question number {n}?", "answer": "word " * 800} for n in range(300)]
        with pytest.raises(RecordsUnavailable) as info:
            Library(records, "acme").import_rows(big)
        message = str(info.value)
        assert message.startswith(f"no space left on the disk holding sqlite:///{path}") and "damaged" not in message
        assert "free space or set TRUSTDESK_DATA_DIR" in message
        filler.unlink()
        records.dispose()
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT count(*) FROM library_entries").fetchone() == (1,)
        reopened = Records(f"sqlite:///{path}")
        assert len(Library(reopened, "acme").import_rows(big).added) == 300
        reopened.dispose()


# --- a corrupt records file --------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("where", ["named by URL", "default"])
@pytest.mark.parametrize("how", ["not-sqlite", "torn"])
def test_cli_names_a_corrupt_records_file_and_leaves_it_alone(tmp_path, standards_data, assistant, how, where):
    if where == "default":  # the file in the data directory, which `ask` probes without SQLAlchemy first
        data = Path(shutil.copytree(standards_data, tmp_path / "data", ignore=shutil.ignore_patterns("trustdesk.db*")))
        bad = data / "trustdesk.db"
        env = {"TRUSTDESK_DATA_DIR": str(data)}
    else:
        bad = tmp_path / "records" / "trustdesk.db"
        env = {"TRUSTDESK_DATA_DIR": str(standards_data), "TRUSTDESK_DATABASE_URL": f"sqlite:///{bad}"}
    before = corrupt(bad, how)
    listed = cli("library", "list", "--tenant", "acme", env=env)
    assert listed.returncode == 1
    says_corrupt(" ".join(listed.stderr.split()), bad)
    asked = cli("ask", CC61, env=env)
    assert asked.returncode == 0 and "CC6.1 requires" in asked.stdout
    says_corrupt(" ".join(asked.stderr.split()), bad)
    no_trace(listed.stderr, asked.stderr)
    assert bad.read_bytes() == before
    assert not [p.name for p in bad.parent.iterdir() if p.name.startswith("trustdesk.db") and p != bad]


@pytest.mark.slow
def test_web_names_a_corrupt_records_file_answers_and_leaves_it_alone(tmp_path, standards_data,
                                                                      northwind_assistant, monkeypatch):
    bad = tmp_path / "records" / "trustdesk.db"
    before = corrupt(bad, "torn")
    at = web(monkeypatch, standards_data, f"sqlite:///{bad}")
    [warning] = [w.value for w in at.sidebar.warning]
    says_corrupt(warning, bad)
    at.chat_input[0].set_value(CC61).run()
    assert not at.exception and at.session_state["messages"][-1]["answer"]["citations"][0]["id"] == "CC6.1"
    at.switch_page("views/library.py").run()
    assert not at.exception
    says_corrupt(at.error[0].value, bad)
    assert bad.read_bytes() == before and sorted(p.name for p in bad.parent.iterdir()) == ["trustdesk.db"]


# --- bugs stay bugs ----------------------------------------------------------------------------------------

def test_the_mapping_names_known_failures_and_leaves_bugs_alone(tmp_path):
    from chromadb.errors import InternalError, InvalidArgumentError

    from ingest.faults import store_error

    where = str(tmp_path / "chroma")
    # the words Chroma's core printed when the real disk of test_a_disk_that_fills... filled up
    full = store_error(InternalError("Database error: error returned from database: (code: 13) database or disk "
                                     "is full"), where, server=False)
    assert "no space left on the disk holding" in str(full) and "damaged" not in str(full)
    read_only = store_error(InternalError("error returned from database: (code: 8) attempt to write a readonly "
                                          "database"), where, server=False)
    assert "is not writable" in str(read_only) and "damaged" not in str(read_only)
    for bug in (KeyError("chunk"), TypeError("bad argument"), InvalidArgumentError("ids must be strings")):
        assert store_error(bug, where, server=False) is None


def test_a_refused_write_is_told_from_other_store_failures():
    import errno

    from chromadb.errors import InternalError

    from ingest.faults import storage_failed

    assert storage_failed(OSError(errno.ENOSPC, "No space left on device"))
    assert storage_failed(OSError(errno.EIO, "Input/output error"))
    assert storage_failed(InternalError("error returned from database: (code: 13) database or disk is full"))
    assert storage_failed(InternalError("Failed to write segment: No space left on device (os error 28)"))
    for other in (OSError(errno.EACCES, "Permission denied"), InternalError("(code: 11) database disk image is "
                  "malformed"), InternalError("(code: 8) attempt to write a readonly database"), KeyError("x")):
        assert not storage_failed(other)


def test_wrong_sql_is_a_bug_not_database_unavailable(records):
    from sqlalchemy.exc import SQLAlchemyError

    with pytest.raises(SQLAlchemyError) as info:
        with records.session() as s:
            s.execute(text("SELECT no_such_column FROM no_such_table"))
    assert not isinstance(info.value, RecordsUnavailable)
    with records.session() as s:  # and the database is fine
        assert s.execute(text("SELECT 1")).scalar() == 1


@pytest.fixture
def broken_lookup(monkeypatch):
    """A bug inside a route: the lookup handler raises what no mapping knows."""
    from bot.routes import ROUTES

    def lookup(*args, **kwargs):
        raise RuntimeError("bug injected into the lookup route")

    monkeypatch.setitem(ROUTES, "lookup", lookup)


@pytest.mark.slow
def test_a_bug_in_a_route_is_an_internal_error_on_the_cli(standards_data, assistant, broken_lookup, monkeypatch):
    monkeypatch.setenv("TRUSTDESK_DATA_DIR", str(standards_data))
    result = runner.invoke(app, ["ask", CC61])
    message = " ".join(result.stderr.split())
    assert result.exit_code == 70 and len(result.stderr.strip().splitlines()) <= 3
    says_bug(message)
    no_trace(result.output)
    saved = Path(message.split("the details are in ")[1].split()[0].rstrip("."))
    assert "bug injected into the lookup route" in saved.read_text()
    saved.unlink()
    monkeypatch.setenv("TRUSTDESK_DEBUG", "1")
    debugged = runner.invoke(app, ["ask", CC61])
    assert isinstance(debugged.exception, RuntimeError) and "bug injected" in str(debugged.exception)


@pytest.mark.slow
def test_a_bug_in_a_route_is_an_internal_error_on_the_web(standards_data, northwind_assistant, broken_lookup,
                                                          monkeypatch, tmp_path, caplog):
    at = web(monkeypatch, standards_data, f"sqlite:///{tmp_path / 'web.db'}")
    at.chat_input[0].set_value(CC61).run()
    assert not at.exception, "the trace is not on the page"
    says_bug(at.error[0].value)
    assert "bug injected into the lookup route" in caplog.text, "it is in the server's log"
    monkeypatch.setenv("TRUSTDESK_DEBUG", "1")
    at.chat_input[0].set_value(CC61).run()
    assert any("bug injected" in e.value for e in at.exception)


@pytest.mark.slow
def test_slack_says_a_known_failure_in_one_line(tmp_path):
    import json

    from bot import Assistant, Settings
    from tests.slack_stub import BOT_USER, SlackStub, event, post
    from tests.test_slack import SALES, SECRET, TOKEN, _settings, _start

    empty = Assistant(Settings(data_dir=tmp_path / "empty", corpus_dir=CORPUS))  # no index was ever built
    records = Records(f"sqlite:///{tmp_path / 'slack.db'}")
    stub = SlackStub(TOKEN).start()
    _, server = _start(empty, records, stub, _settings())
    try:
        post(f"http://127.0.0.1:{server.effective_port}/slack/events",
             json.dumps(event("app_mention", text=f"<@{BOT_USER}> {CC61}", channel=SALES)), "application/json", SECRET)
        [reply] = stub.wait_for(channel=SALES)
        assert reply["text"].startswith("Sorry, I can't answer right now: no index found in")
        assert "trustdesk ingest" in reply["text"] and "reference" not in reply["text"]
    finally:
        server.close()
        stub.stop()
        records.dispose()
