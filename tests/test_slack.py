"""The Slack app: the real Bolt app in HTTP mode on loopback, its Web API calls answered by a local stub.

Fast tests cover the Block Kit rendering, the channel settings and the manifest; the
slow ones run the real app over the session's index and the Northwind trust pack.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from bot.models import Answer, Citation, Parts, Point
from tests.slack_stub import BOT_ID, BOT_USER, TEAM, SlackStub, action, event, post, slash, view_submission
from ui.slack.blocks import MAX_BLOCKS, MAX_SECTION, answer_blocks, explorer, mrkdwn, table_blocks
from ui.slack.settings import SlackSettings, SlackSettingsInvalid, load

ROOT = Path(__file__).resolve().parents[1]
TOKEN, SECRET = "xoxb-test-0000-SECRETTOKEN", "signing-secret-0123456789abcdef"
SALES, ALL, SHARED, OTHER, DM = "C0SALES01", "C0ALLMSG1", "C0SHARED1", "C0OTHER01", "D0DIRECT1"
EXPERT, GROUP, GROUP_MEMBER = "U0EXPERT1", "S0SECTEAM", "U0MEMBER1"


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- Block Kit -----------------------------------------------------------------------------------

def _answer(**parts) -> Answer:
    cites = [Citation(id=f"CC6.{n}", framework="soc2", title=f"Title {n}", source="x", score=0.9) for n in range(1, 9)]
    return Answer(text="full text", confidence=0.8, parts=Parts(**parts), citations=cites)


def test_blocks_carry_lead_points_citations_tier_and_ask_back():
    answer = _answer(lead="CC6.1 covers **logical access**.", points=[Point(text="Keys are rotated.", cite=["CC6.1"])],
                     ask_back="Where are your customers?", notes=["Estimates only."])
    blocks = answer_blocks(answer, explore_url=explorer("https://td.example.com/"))
    texts = dumps(blocks)
    assert blocks[0]["type"] == "context" and "Estimates only." in texts
    assert "*logical access*" in texts and "**" not in texts
    assert "• Keys are rotated. _[CC6.1]_" in texts
    ask = [b for b in blocks if b["type"] == "section" and "To tailor this" in b["text"]["text"]]
    assert len(ask) == 1 and "Where are your customers?" in ask[0]["text"]["text"]
    cites = [b for b in blocks if b["type"] == "context" and ":books:" in b["elements"][0]["text"]][0]
    line = cites["elements"][0]["text"]
    assert line.count("https://td.example.com/Explore?id=") == 5 and "+3 more" in line  # at most 5 citations
    assert "high confidence" in texts


def test_user_text_cannot_become_a_mention_or_link():
    assert mrkdwn("<!channel> & <@U1> see [x](https://a.example)") == \
        "&lt;!channel&gt; &amp; &lt;@U1&gt; see <https://a.example|x>"


def test_tables_become_fields_or_a_short_list_never_markdown():
    two = "| Item | Typical |\n|---|---|\n| Type I | 1-3 months |\n| Type II | 6-12 months |"
    blocks = table_blocks(two)
    assert blocks[0]["fields"][0]["text"] == "*Item*\nTypical" or blocks[0]["fields"][0]["text"].startswith("*Type I*")
    three = "| Aspect | SOC 2 | ISO 27001 |\n|---|---|---|\n| Output | Report | Certificate |"
    text = dumps(table_blocks(three))
    assert "|---" not in text and "*Output* — SOC 2: Report; ISO 27001: Certificate" in text


def test_slack_limits_hold_for_a_huge_answer():
    points = [Point(text="word " * 400, cite=["CC6.1"]) for _ in range(200)]
    blocks = answer_blocks(_answer(lead="x" * 10_000, points=points), actions=[{"type": "button"}])
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION
        if block["type"] == "context":
            assert len(block["elements"]) <= 10
    assert blocks[-1]["type"] == "actions"  # the buttons survive truncation


# --- channel settings -----------------------------------------------------------------------------

def test_settings_default_is_every_channel_mention_only_standards_only():
    s = load(None)
    place = s.place("C0ANYWHERE")
    assert place.mode == "mention" and place.tenant is None and place.expert is None
    assert s.place(DM, is_dm=True).tenant is None


def test_settings_file_limits_channels_and_names_the_bad_key(tmp_path):
    good = tmp_path / "slack.yaml"
    good.write_text(yaml.safe_dump({"dm": {"tenant": "northwind"},
                                    "channels": {SALES: {"tenant": "northwind", "expert": GROUP}}}))
    s = load(good)
    assert s.place(SALES).expert_mention == f"<!subteam^{GROUP}>" and s.place(OTHER) is None
    assert s.place(DM, is_dm=True).tenant == "northwind"
    for bad, words in [({"channels": {"#sales": {}}}, "not a channel ID"),
                       ({"channels": {SALES: {"expert": EXPERT}}}, "set `tenant` too"),
                       ({"channels": {SALES: {"tenant": "../etc"}}}, "tenant name"),
                       ({"channels": {SALES: {"mode": "everything"}}}, "channels.C0SALES01.mode"),
                       ({"chanels": {}}, "chanels"),
                       ({"dm": {"tenant": "northwind", "expert": EXPERT}}, "remove `expert` from `dm`")]:
        good.write_text(yaml.safe_dump(bad))
        with pytest.raises(SlackSettingsInvalid, match=words.replace(".", r"\.").replace("(", r"\(")):
            load(good)
    with pytest.raises(SlackSettingsInvalid, match="cannot read"):
        load(tmp_path / "missing.yaml")


def test_manifest_matches_the_handlers():
    manifest = yaml.safe_load((ROOT / "ui" / "slack" / "manifest.yml").read_text())
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True and settings["interactivity"]["is_enabled"] is True
    events = set(settings["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "message.channels", "message.groups"} <= events
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/trustdesk"]
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = {"app_mentions:read", "chat:write", "commands", "im:history", "channels:history", "groups:history",
              "channels:read", "groups:read", "usergroups:read"}
    assert needed <= scopes, needed - scopes


# --- the real Bolt app ------------------------------------------------------------------------------

class Running:
    def __init__(self, stub: SlackStub, url: str, records, server):
        self.stub, self.url, self.records, self.server = stub, url, records, server

    def send(self, payload: dict, **kw):
        return post(self.url, json.dumps(payload), "application/json", SECRET, **kw)

    def form(self, body: str, **kw):
        return post(self.url, body, "application/x-www-form-urlencoded", SECRET, **kw)


def _settings(**over) -> SlackSettings:
    raw = {"dm": {"tenant": "northwind"}, "rate_per_minute": 100,
           "channels": {SALES: {"tenant": "northwind", "expert": EXPERT},
                        ALL: {"mode": "all"},
                        SHARED: {"tenant": "northwind", "expert": EXPERT},
                        "C0GROUPEX": {"tenant": "northwind", "expert": GROUP}}}
    raw.update(over)
    return SlackSettings.model_validate(raw)


def _start(assistant, records, stub: SlackStub, settings: SlackSettings, secret: str | None = SECRET):
    from ui.slack.server import build_app, http_server

    app = build_app(assistant, records, settings, bot_token=TOKEN, signing_secret=secret,
                    api_url=stub.url + "/api/", web_url="https://trustdesk.example.com")
    server = http_server(app, "127.0.0.1", 0)
    threading.Thread(target=_serve, args=(server,), daemon=True).start()
    return app, server


def _serve(server) -> None:
    try:
        server.run()
    except (OSError, ValueError):  # the test closed the server under its loop
        pass


@pytest.fixture
def slack(northwind_assistant, tmp_path):
    from ingest.records import Records

    stub = SlackStub(TOKEN, shared_channels={SHARED}, groups={GROUP: [GROUP_MEMBER]}).start()
    records = Records(f"sqlite:///{tmp_path / 'slack.db'}")
    _, server = _start(northwind_assistant, records, stub, _settings())
    yield Running(stub, f"http://127.0.0.1:{server.effective_port}/slack/events", records, server)
    server.close()
    stub.stop()
    records.dispose()


def _cited(message: dict) -> str:
    return " ".join(e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"])


def _action_value(message: dict, action_id: str) -> str:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} button in {[b['type'] for b in message['blocks']]}")


@pytest.mark.slow
def test_mention_is_answered_in_its_thread_with_tenant_material_and_buttons(slack):
    ev = event("app_mention", text=f"<@{BOT_USER}> Do we encrypt customer data at rest?", channel=SALES)
    status, _, seconds = slack.send(ev)
    assert status == 200 and seconds < 3.0
    [msg] = slack.stub.wait_for(channel=SALES)
    assert msg["thread_ts"] == ev["event"]["ts"]
    assert "company" in dumps(msg["blocks"]) or "northwind" in _cited(msg).lower() or "encryption" in _cited(msg)
    assert "https://trustdesk.example.com/Explore?id=" in _cited(msg)
    for action_id in ("td_helpful", "td_not_helpful", "td_expert"):
        assert _action_value(msg, action_id).startswith("a-")


@pytest.mark.slow
def test_follow_up_in_the_thread_continues_the_conversation(slack):
    first = event("app_mention", text=f"<@{BOT_USER}> What does CC6.1 require?", channel=ALL)
    slack.send(first)
    slack.stub.wait_for(channel=ALL)
    thread = first["event"]["ts"]
    slack.send(event("app_mention", text=f"<@{BOT_USER}> which ISO 27001 controls map to it?", channel=ALL,
                     thread_ts=thread))
    replies = slack.stub.wait_for(channel=ALL, count=2)
    follow = replies[1]
    assert follow["thread_ts"] == thread
    from bot.sales.threads import Threads

    stored = Threads(slack.records).stored(_action_value(follow, "td_helpful"))
    assert "CC6.1" in stored.question  # "it" was resolved from the thread's first turn
    assert any(c.id.startswith("A.") for c in stored.answer.citations)
    assert len(Threads(slack.records).conversation(f"slack:{TEAM}:{ALL}:{thread}").turns) == 4


@pytest.mark.slow
def test_a_thread_the_database_never_saw_is_read_from_slack(slack):
    slack.send(event("app_mention", text=f"<@{BOT_USER}> and what about ISO?", channel=ALL, thread_ts="1600000000.1"))
    slack.stub.wait_for(channel=ALL)
    assert slack.stub.posted("conversations.replies", channel=ALL, ts="1600000000.1")


@pytest.mark.slow
def test_direct_message_uses_the_dm_tenant(slack):
    ev = event("message", text="What is our RPO for production databases?", channel=DM, channel_type="im")
    slack.send(ev)
    [msg] = slack.stub.wait_for(channel=DM)
    assert msg["thread_ts"] == ev["event"]["ts"]
    from bot.sales.threads import Threads

    stored = Threads(slack.records).stored(_action_value(msg, "td_helpful"))
    assert stored.tenant == "northwind"
    assert any(c.framework == "company" for c in stored.answer.citations)
    # a reply in the DM's thread is a follow-up, no mention needed
    slack.send(event("message", text="and how often is that tested?", channel=DM, channel_type="im",
                     thread_ts=ev["event"]["ts"]))
    follow = slack.stub.wait_for(channel=DM, count=2)[1]
    assert follow["thread_ts"] == ev["event"]["ts"]
    key = f"slack:{TEAM}:{DM}:{ev['event']['ts']}"
    assert Threads(slack.records).conversation(key).user_questions[-1] == "and how often is that tested?"


@pytest.mark.slow
def test_shared_channel_never_sees_tenant_material(slack):
    slack.send(event("app_mention", text=f"<@{BOT_USER}> What is our RPO for production databases?", channel=SHARED))
    [msg] = slack.stub.wait_for(channel=SHARED)
    from bot.sales.threads import Threads

    stored = Threads(slack.records).stored(_action_value(msg, "td_helpful"))
    assert stored.tenant is None
    assert not any(c.framework == "company" for c in stored.answer.citations)
    assert "shared with people outside the company" in dumps(msg["blocks"])
    assert "td_expert" not in dumps(msg["blocks"])
    # the envelope's own flag is enough, even where conversations.info would say otherwise
    ev = event("app_mention", text=f"<@{BOT_USER}> What is our RPO?", channel=SALES)
    ev["is_ext_shared_channel"] = True
    slack.send(ev)
    [msg] = slack.stub.wait_for(channel=SALES)
    assert Threads(slack.records).stored(_action_value(msg, "td_helpful")).tenant is None


@pytest.mark.slow
def test_slash_command_answers_ephemerally_and_share_posts_it(slack):
    hook = slack.stub.url + "/hooks/cmd1"
    status, _, seconds = slack.form(slash("what is a bridge letter?", channel=SALES, response_url=hook))
    assert status == 200 and seconds < 3.0
    [reply] = slack.stub.wait_hook()
    assert reply["response_type"] == "ephemeral" and not slack.stub.posted(channel=SALES)
    answer_id = _action_value(reply, "td_share")
    slack.form(action("td_share", answer_id, channel=SALES, message_ts="1700000999.1", response_url=hook))
    [shared] = slack.stub.wait_for(channel=SALES)
    assert "asked:* what is a bridge letter?" in dumps(shared["blocks"])
    assert slack.stub.wait_hook(2)[1].get("delete_original") is True


@pytest.mark.slow
def test_feedback_buttons_store_votes_and_the_reason(slack):
    from sqlalchemy import select

    from ingest.records import Feedback

    slack.send(event("app_mention", text=f"<@{BOT_USER}> What does A.8.24 require?", channel=SALES))
    [msg] = slack.stub.wait_for(channel=SALES)
    answer_id = _action_value(msg, "td_helpful")
    slack.form(action("td_helpful", answer_id, channel=SALES, message_ts="1800000001.000100"))
    slack.stub.wait_for("chat.postEphemeral", channel=SALES)  # stored: the two clicks are handled on two workers
    slack.form(action("td_not_helpful", answer_id, channel=SALES, message_ts="1800000001.000100"))
    [opened] = slack.stub.wait_for("views.open")
    view = json.loads(opened["view"]) if isinstance(opened["view"], str) else opened["view"]
    status, _, _ = slack.form(view_submission(view["callback_id"], view["private_metadata"], "cited the wrong control"))
    assert status == 200
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with slack.records.session() as s:
            rows = list(s.scalars(select(Feedback).where(Feedback.answer_id == answer_id).order_by(Feedback.id)))
        if len(rows) == 2 and rows[1].reason:
            break
        time.sleep(0.1)
    assert [(r.helpful, r.surface, r.tenant) for r in rows] == [(True, "slack", "northwind"),
                                                                (False, "slack", "northwind")]
    assert rows[1].reason == "cited the wrong control" and "A.8.24" in rows[0].question


@pytest.mark.slow
@pytest.mark.parametrize("channel, expert, replier", [(SALES, f"<@{EXPERT}>", EXPERT),
                                                      ("C0GROUPEX", f"<!subteam^{GROUP}>", GROUP_MEMBER)])
def test_ask_an_expert_and_the_reply_becomes_a_library_candidate(slack, channel, expert, replier):
    from bot.sales.library import Library

    ev = event("app_mention", text=f"<@{BOT_USER}> Do we carry cyber insurance, and what is the limit?",
               channel=channel)
    slack.send(ev)
    [msg] = slack.stub.wait_for(channel=channel)
    thread = ev["event"]["ts"]
    slack.form(action("td_expert", _action_value(msg, "td_expert"), channel=channel,
                      message_ts="1800000001.000100", thread_ts=thread))
    [ask] = slack.stub.wait_for(channel=channel, count=2)[1:]
    assert ask["thread_ts"] == thread and expert in ask["text"] and "cyber insurance" in ask["text"]
    # someone else's reply is not captured; the expert's is
    slack.send(event("message", text="no idea, sorry", channel=channel, thread_ts=thread, user="U0SOMEONE"))
    slack.send(event("message", text="Yes: a cyber policy with a $5M aggregate limit, renewed each March.",
                     channel=channel, thread_ts=thread, user=replier))
    saved = slack.stub.wait_for(channel=channel, count=3)[2]
    assert "candidate" in saved["text"] and saved["thread_ts"] == thread
    [entry] = Library(slack.records, "northwind").entries("candidate")
    assert entry.answer.startswith("Yes: a cyber policy") and "cyber insurance" in entry.question.lower()
    assert entry.source.startswith(f"https://northwind.slack.com/archives/{channel}/p") and entry.owner == replier
    assert len(slack.stub.posted(channel=channel)) == 3  # the bystander's reply got no answer


@pytest.mark.slow
def test_forged_and_stale_requests_are_refused(slack):
    ev = event("app_mention", text=f"<@{BOT_USER}> What does CC6.1 require?", channel=SALES)
    assert slack.send(ev, forged=True)[0] == 401
    assert slack.send(ev, timestamp=time.time() - 600)[0] == 401
    time.sleep(0.5)
    assert not slack.stub.posted(channel=SALES)


@pytest.mark.slow
def test_a_retried_delivery_is_answered_once(slack):
    ev = event("app_mention", text=f"<@{BOT_USER}> What does CC7.2 require?", channel=SALES)
    assert slack.send(ev)[0] == 200
    assert slack.send(ev, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})[0] == 200
    slack.stub.wait_for(channel=SALES)
    time.sleep(1.0)
    assert len(slack.stub.posted(channel=SALES)) == 1


@pytest.mark.slow
def test_own_and_other_bots_messages_are_ignored(slack):
    slack.send(event("message", text="What does CC6.1 require?", channel=DM, channel_type="im", user=BOT_USER,
                     bot_id=BOT_ID))
    slack.send(event("message", text="What does CC6.1 require?", channel=ALL, user="U0OTHERBT", bot_id="B0OTHER"))
    slack.send(event("message", text="What does CC6.1 require?", channel=ALL, subtype="bot_message",
                     bot_id="B0OTHER", user=None))
    slack.send(event("message", text="What does CC6.1 require?", channel=ALL))  # a person: answered
    slack.stub.wait_for(channel=ALL)
    time.sleep(1.0)
    assert len(slack.stub.posted(channel=ALL)) == 1 and not slack.stub.posted(channel=DM)


@pytest.mark.slow
def test_other_bots_are_answered_where_configured(northwind_assistant, tmp_path):
    from ingest.records import Records

    stub = SlackStub(TOKEN).start()
    records = Records(f"sqlite:///{tmp_path / 'slack.db'}")
    _, server = _start(northwind_assistant, records, stub, _settings(answer_bots=True))
    url = f"http://127.0.0.1:{server.effective_port}/slack/events"
    try:
        for sender in ({"user": "U0OTHERBT", "bot_id": "B0OTHER"}, {"user": BOT_USER, "bot_id": BOT_ID}):
            post(url, json.dumps(event("message", text="What does CC6.1 require?", channel=ALL, **sender)),
                 "application/json", SECRET)
        stub.wait_for(channel=ALL)
        time.sleep(1.0)
        assert len(stub.posted(channel=ALL)) == 1  # the other bot, never itself
    finally:
        server.close()
        stub.stop()
        records.dispose()


@pytest.mark.slow
def test_bad_messages_get_a_clear_reply(slack):
    slack.send(event("app_mention", text=f"<@{BOT_USER}> " + "why " * 10_000, channel=SALES))  # 40,000 characters
    slack.send(event("app_mention", text=f"<@{BOT_USER}>   ", channel=ALL))
    slack.send(event("app_mention", text=f"<@{BOT_USER}> What does CC6.1 require?", channel=OTHER))
    [long] = slack.stub.wait_for(channel=SALES)
    assert "39,99" in long["text"] and "4,000" in long["text"]
    [empty] = slack.stub.wait_for(channel=ALL)
    assert "Ask me about SOC 2 or ISO 27001" in empty["text"]
    [nope] = slack.stub.wait_for("chat.postEphemeral", channel=OTHER)
    assert "not set up to answer in this channel" in nope["text"]
    time.sleep(0.5)
    assert not slack.stub.posted(channel=OTHER)


@pytest.mark.slow
def test_an_internal_error_is_an_apology_without_details(slack, northwind_assistant, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail /srv/trustdesk/bot/engine.py")

    monkeypatch.setattr(northwind_assistant, "ask", broken)
    with caplog.at_level(logging.ERROR, logger="trustdesk.slack"):
        slack.send(event("app_mention", text=f"<@{BOT_USER}> What does CC6.1 require?", channel=SALES))
        [msg] = slack.stub.wait_for(channel=SALES)
    assert msg["text"].startswith("Sorry, something went wrong") and "secret internal" not in msg["text"]
    assert "Traceback" not in dumps(msg) and "reference" in msg["text"]
    assert "secret internal detail" in caplog.text  # the trace goes to the log, under the same reference


@pytest.mark.slow
def test_a_user_asking_too_fast_is_told_to_wait(northwind_assistant, tmp_path):
    from ingest.records import Records

    stub = SlackStub(TOKEN).start()
    records = Records(f"sqlite:///{tmp_path / 'slack.db'}")
    _, server = _start(northwind_assistant, records, stub, _settings(rate_per_minute=2))
    url = f"http://127.0.0.1:{server.effective_port}/slack/events"
    try:
        for n in range(3):
            post(url, json.dumps(event("app_mention", text=f"<@{BOT_USER}> What does CC6.{n + 1} require?",
                                       channel=SALES)), "application/json", SECRET)
        [slow] = stub.wait_for("chat.postEphemeral", channel=SALES)
        assert "please wait" in slow["text"] and slow["user"] == "U0ASKER1"
        assert len(stub.wait_for(channel=SALES, count=2)) == 2
    finally:
        server.close()
        stub.stop()
        records.dispose()


@pytest.mark.slow
def test_tokens_never_reach_the_logs(slack, caplog):
    with caplog.at_level(logging.DEBUG):
        slack.send(event("app_mention", text=f"<@{BOT_USER}> What does CC6.1 require?", channel=SALES))
        slack.stub.wait_for(channel=SALES)
        slack.send(event("app_mention", text=f"<@{BOT_USER}> x", channel=SALES), forged=True)
    assert caplog.records, "nothing was logged, so this test proves nothing"
    assert TOKEN not in caplog.text and SECRET not in caplog.text


@pytest.mark.slow
def test_socket_mode_runs_the_same_handlers_without_a_socket(northwind_assistant, tmp_path):
    from slack_bolt.request import BoltRequest

    from ingest.records import Records
    from ui.slack.server import build_app

    stub = SlackStub(TOKEN).start()
    records = Records(f"sqlite:///{tmp_path / 'slack.db'}")
    try:
        app = build_app(northwind_assistant, records, _settings(), bot_token=TOKEN, signing_secret=None,
                        api_url=stub.url + "/api/")
        ev = event("app_mention", text=f"<@{BOT_USER}> What does CC6.1 require?", channel=SALES)
        response = app.dispatch(BoltRequest(body=ev, mode="socket_mode"))
        assert response.status == 200
        [msg] = stub.wait_for(channel=SALES)
        assert msg["thread_ts"] == ev["event"]["ts"] and "CC6.1" in _cited(msg)
    finally:
        stub.stop()
        records.dispose()


@pytest.mark.slow
def test_two_instances_sharing_the_database_answer_each_event_once(northwind_assistant, records):
    """Slack may deliver a retry to another instance: the event id in the shared database decides."""
    stub = SlackStub(TOKEN).start()
    servers = [_start(northwind_assistant, records, stub, _settings())[1] for _ in range(2)]
    urls = [f"http://127.0.0.1:{s.effective_port}/slack/events" for s in servers]
    try:
        events = [event("app_mention", text=f"<@{BOT_USER}> What does CC{n}.1 require?", channel=SALES)
                  for n in range(1, 6)]
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda job: post(job[0], json.dumps(job[1]), "application/json", SECRET)[0],
                                     [(url, ev) for ev in events for url in urls]))
        assert statuses == [200] * 10
        stub.wait_for(channel=SALES, count=5)
        time.sleep(1.0)
        threads = sorted(m["thread_ts"] for m in stub.posted(channel=SALES))
        assert threads == sorted(ev["event"]["ts"] for ev in events)
    finally:
        for s in servers:
            s.close()
        stub.stop()


@pytest.mark.slow
def test_load_fifty_events_from_ten_senders_each_acknowledged_fast_and_answered_once(slack):
    from benchmarks.slack_load import run_load

    figures = run_load(slack.url, slack.stub, SECRET, channel=SALES, events=50, senders=10)
    assert figures["acked"] == 50 and figures["answered_once"] == 50 and figures["answered_twice"] == 0
    assert figures["ack_max"] < 3.0, figures  # Slack's own rule, not a speed target


# --- `trustdesk slack` ----------------------------------------------------------------------------

@pytest.mark.parametrize("env, args, words", [
    ({}, [], "SLACK_BOT_TOKEN is not set"),
    ({"SLACK_BOT_TOKEN": TOKEN}, [], "Socket Mode needs SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xoxb-wrong-kind"}, [], "Socket Mode needs SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": TOKEN}, ["--http"], "--http needs SLACK_SIGNING_SECRET"),
])
def test_slack_command_says_which_token_is_missing(monkeypatch, env, args, words):
    from typer.testing import CliRunner

    from ui.cli import app

    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["slack", *args])
    assert result.exit_code == 1 and words in result.output, result.output
    assert TOKEN not in result.output


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_trustdesk_slack_http_serves_signed_events(standards_data, tmp_path):
    """The command itself, as a workspace would run it: a subprocess on a loopback port."""
    import os
    import subprocess
    import sys
    import urllib.request

    stub = SlackStub(TOKEN).start()
    port = _free_port()
    config = tmp_path / "slack.yaml"
    config.write_text(yaml.safe_dump({"channels": {ALL: {"mode": "all"}}}))
    env = {**os.environ, "TRUSTDESK_DATA_DIR": str(standards_data), "SLACK_BOT_TOKEN": TOKEN,
           "SLACK_SIGNING_SECRET": SECRET, "TRUSTDESK_SLACK_API_URL": stub.url + "/api/",
           "TRUSTDESK_SLACK_CONFIG": str(config), "TRUSTDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "slack", "--http", "--port", str(port),
                             "--address", "127.0.0.1"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.5)
        url = f"http://127.0.0.1:{port}/slack/events"
        assert post(url, json.dumps(event("message", text="What does CC6.1 require?", channel=ALL)),
                    "application/json", SECRET)[0] == 200
        [msg] = stub.wait_for(channel=ALL)
        assert "CC6.1" in _cited(msg)
        assert post(url, json.dumps(event("message", text="hi", channel=ALL)), "application/json", SECRET,
                    forged=True)[0] == 401
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
        stub.stop()
    assert "answering in 1 configured channel(s)" in " ".join(output.split()), output
    assert TOKEN not in output and SECRET not in output
    assert "`token` will be unused" not in output
