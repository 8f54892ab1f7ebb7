"""trustdesk in Slack: a Bolt app over the same `Assistant` every other surface uses.

Mentions, DMs and `/trustdesk` are answered in a thread as Block Kit built from
`Answer.parts`; follow-ups in the thread continue its `Conversation` (kept in the
records database, so any instance can take the next turn); buttons store feedback
against the answer's id, share a slash-command answer, or ask the channel's expert,
whose reply in the thread becomes a candidate library entry (`bot.threads`).

Slack's rules: events are acknowledged at once and answered on Bolt's worker threads;
every request is handled under a request id (`bot.logs`): the event id for an event,
a new one otherwise, carried into the worker thread, and shown in an apology;
retried deliveries are dropped by event id (in the records database, so several
instances agree); the app's own and other bots' messages are ignored; an internal
error becomes a short apology in the thread, never a trace.

>>> thread_key("T1", "C1", "1700000000.000100")
'slack:T1:C1:1700000000.000100'
"""

from __future__ import annotations

import contextvars
import html
import logging
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot import feedback, logs
from bot.engine import Assistant
from bot.errors import InvalidQuestion, TrustdeskError
from bot.models import Answer
from bot.threads import Threads, first_delivery
from ingest.db import Records
from ingest.errors import RecordsUnavailable
from ui import failures
from ui.slack.blocks import answer_blocks, button, escape, explorer, fallback_text, section
from ui.slack.settings import Place, SlackSettings

log = logging.getLogger("trustdesk.slack")

HELP = ("Ask me about SOC 2 or ISO 27001, for example *What does CC6.1 require?*, *Where does CC7.2 land in "
        "Annex A?* or *We sell to banks in Germany and the US: SOC 2, ISO 27001 or both?* "
        "Follow-ups in the thread keep the context.")
NOT_HERE = ("I'm not set up to answer in this channel. Ask whoever runs trustdesk to add it to the Slack "
            "settings (TRUSTDESK_SLACK_CONFIG), or send me a direct message.")
APOLOGY = ("Sorry, something went wrong while answering this: an internal error. Please try again in a minute; if "
           "it keeps happening, tell whoever runs trustdesk (reference `{ref}`).")
CANNOT_ANSWER = "Sorry, I can't answer right now: {why}"
SHARED_NOTE = ("This channel is shared with people outside the company, so I answered from the standards only, "
               "not from our own policies.")
NO_EXPERT = "No expert is set for this channel: add `expert:` for it in the Slack settings (TRUSTDESK_SLACK_CONFIG)."
RECORDS_DOWN = "I can't save that right now: the records database is unavailable. Please try again later."
REASON_VIEW = "td_feedback_reason"
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>")
_CHANNEL_REF = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
SHARED_CACHE_SECONDS = 300.0


def thread_key(team: str, channel: str, thread_ts: str) -> str:
    return f"slack:{team or '-'}:{channel}:{thread_ts}"


def question_text(text: str, bot_user_id: str | None) -> str:
    """What the person asked: the app's own mention removed, Slack's markup turned back into words."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = _MENTION.sub(lambda m: "@" + m.group(1), text)
    text = _CHANNEL_REF.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return " ".join(html.unescape(text).split())


class RateLimiter:
    """At most `per_minute` questions per person in any 60 s, in this process."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, user: str) -> float:
        """0 when the user may ask now (and counts it), else the seconds until they may."""
        now = self.clock()
        with self._lock:
            seen = self._seen.setdefault(user, deque())
            while seen and now - seen[0] >= 60.0:
                seen.popleft()
            if len(seen) >= self.per_minute:
                return 60.0 - (now - seen[0])
            seen.append(now)
            return 0.0


def web_client(token: str | None, base_url: str | None) -> WebClient:
    """Slack's Web API client; `base_url` points it elsewhere (tests use a local stub)."""
    url = (base_url or WebClient.BASE_URL).rstrip("/") + "/"
    return WebClient(token=token, base_url=url, timeout=15,
                     retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2),
                                     RateLimitErrorRetryHandler(max_retry_count=2)])


class SlackDesk:
    """The handlers. Bolt calls them for HTTP and Socket Mode alike; they only call bot/ workflows."""

    def __init__(self, assistant: Assistant, records: Records, settings: SlackSettings, *,
                 web_url: str | None = None):
        self.assistant = assistant
        self.records = records
        self.threads = Threads(records)
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_per_minute)
        self.explore_url = explorer(web_url)
        self._shared: dict[str, tuple[float, bool]] = {}
        self._groups: dict[str, tuple[float, set[str]]] = {}

    def register(self, app: App) -> None:
        app.use(self.drop_retries)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.command("/trustdesk")(self.on_command)
        app.action("td_helpful")(self.on_helpful)
        app.action("td_not_helpful")(self.on_not_helpful)
        app.action("td_expert")(self.on_expert)
        app.action("td_share")(self.on_share)
        app.view(REASON_VIEW)(self.on_reason)

    # --- Slack's delivery rules -------------------------------------------------------

    def drop_retries(self, body: dict, next: Callable[[], None]):  # noqa: A002 (Bolt names it `next`)
        """A retried event (same event id) is acknowledged and not answered again."""
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id:
            try:
                first = first_delivery(self.records, str(event_id))
            except RecordsUnavailable as exc:
                log.warning("cannot check event %s for a retry (%s); answering it", event_id, exc)
                first = True
            if not first:
                log.info("dropped retried delivery of event %s", event_id)
                return BoltResponse(status=200, body="")
        return next()

    # --- events -----------------------------------------------------------------------

    def on_mention(self, event: dict, body: dict, client: WebClient, context) -> None:
        if self._from_bot(event, context):
            return
        channel, user = event.get("channel", ""), event.get("user", "")
        thread_ts = event.get("thread_ts") or event["ts"]
        key = thread_key(body.get("team_id", ""), channel, thread_ts)
        if event.get("thread_ts") and self._is_expert_reply(client, key, user):
            return  # on_message captures the expert's reply; it is not a new question
        place = self.settings.place(channel)
        if place is None:
            self._ephemeral(client, channel, user, NOT_HERE, thread_ts=event.get("thread_ts"))
            return
        self._answer_in_thread(client, body=body, channel=channel, user=user, thread_ts=thread_ts,
                               text=event.get("text", ""), place=place, bot_user_id=context.bot_user_id,
                               reply=bool(event.get("thread_ts") and event["thread_ts"] != event["ts"]))

    def on_message(self, event: dict, body: dict, client: WebClient, context) -> None:
        if event.get("subtype") not in (None, "thread_broadcast") or self._from_bot(event, context):
            return
        channel, user, text = event.get("channel", ""), event.get("user", ""), event.get("text", "")
        is_dm = event.get("channel_type") == "im"
        thread_ts = event.get("thread_ts")
        key = thread_key(body.get("team_id", ""), channel, thread_ts or event["ts"])
        if thread_ts and thread_ts != event["ts"] and self._is_expert_reply(client, key, user):
            self._capture(client, key, channel, thread_ts, event["ts"], user, text)
            return
        if not is_dm and context.bot_user_id and f"<@{context.bot_user_id}" in text:
            return  # a mention in a channel: on_mention answers it
        place = self.settings.place(channel, is_dm=is_dm)
        if place is None or (not is_dm and place.mode != "all"):
            return
        if not is_dm and thread_ts and thread_ts != event["ts"] and not self._asked_by(key, user):
            return  # in an all-messages channel, only the asker's replies continue the thread
        self._answer_in_thread(client, body=body, channel=channel, user=user, thread_ts=thread_ts or event["ts"],
                               text=text, place=place, bot_user_id=context.bot_user_id, is_dm=is_dm,
                               reply=bool(thread_ts and thread_ts != event["ts"]))

    def _from_bot(self, event: dict, context) -> bool:
        if event.get("bot_id") or event.get("subtype") == "bot_message":
            if event.get("bot_id") and event.get("bot_id") == context.bot_id:
                return True  # never its own
            return not self.settings.answer_bots
        return not event.get("user")

    # --- answering --------------------------------------------------------------------

    def _answer_in_thread(self, client: WebClient, *, body: dict, channel: str, user: str, thread_ts: str,
                          text: str, place: Place, bot_user_id: str | None, is_dm: bool = False,
                          reply: bool = False) -> None:
        question = question_text(text, bot_user_id)
        if not question:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=HELP)
            return
        wait = self.limiter.wait(user)
        if wait:
            self._ephemeral(client, channel, user, self._slow_down(wait), thread_ts=thread_ts)
            return
        key = thread_key(body.get("team_id", ""), channel, thread_ts)
        tenant, notes = self._tenant(client, channel, place, body, is_dm)
        try:
            answer = self.assistant.ask(question, self._conversation(client, key, channel, thread_ts, reply),
                                        tenant=tenant)
        except InvalidQuestion as exc:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=f"I can't answer that: {exc}.")
            return
        except Exception as exc:
            self._cannot_answer(client, channel, thread_ts, exc)
            return
        actions = self._actions(answer, expert=bool(place.expert and tenant))
        blocks = answer_blocks(answer, explore_url=self.explore_url, actions=actions)
        if notes:
            blocks.insert(0, {"type": "context", "elements": [{"type": "mrkdwn", "text": n} for n in notes]})
        self._remember(key, question, answer, user, tenant)  # first, so its buttons work the moment it shows
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=fallback_text(answer), blocks=blocks[:50],
                                unfurl_links=False, unfurl_media=False)

    def _conversation(self, client: WebClient, key: str, channel: str, thread_ts: str, reply: bool):
        """The thread so far: from the records database, else (a thread it never answered in, or the
        database is down) read from Slack."""
        from bot.conversation import Conversation

        try:
            conversation = self.threads.conversation(key)
        except RecordsUnavailable as exc:
            log.warning("thread history unavailable (%s); reading the thread from Slack", exc)
            conversation = None
        if reply and not (conversation and conversation.turns):
            return self._replies(client, channel, thread_ts, conversation)
        return conversation or Conversation()

    def _replies(self, client: WebClient, channel: str, thread_ts: str, known):
        """A thread the records database does not know (started before the app joined, or the database is
        down): its earlier messages, read with conversations.replies, as plain turns."""
        from bot.conversation import Conversation

        try:
            messages = client.conversations_replies(channel=channel, ts=thread_ts, limit=30).get("messages", [])
        except SlackApiError as exc:
            log.info("conversations.replies failed (%s); answering without the thread", exc.response.get("error"))
            return known or Conversation()
        turns = []
        for m in messages[:-1]:  # the last one is the question being answered
            role = "assistant" if m.get("bot_id") else "user"
            content = question_text(m.get("text", ""), None)
            if content and (not turns or turns[-1]["role"] != role):
                turns.append({"role": role, "content": content[:20_000]})
        return Conversation.of(turns).trimmed()

    def _remember(self, key: str, question: str, answer: Answer, user: str, tenant: str | None) -> None:
        try:
            self.threads.record(key, question, answer, surface="slack", user=user, tenant=tenant)
        except RecordsUnavailable as exc:
            log.warning("answered, but the thread was not saved (%s): follow-ups read it from Slack", exc)

    def _tenant(self, client: WebClient, channel: str, place: Place, body: dict,
                is_dm: bool) -> tuple[str | None, list[str]]:
        """The tenant whose material this place may use; never in a channel shared outside the company."""
        if not place.tenant:
            return None, []
        if not is_dm and self._is_shared(client, channel, body):
            return None, [SHARED_NOTE]
        return place.tenant, []

    def _is_shared(self, client: WebClient, channel: str, body: dict) -> bool:
        if body.get("is_ext_shared_channel"):
            return True
        cached = self._shared.get(channel)
        if cached and time.monotonic() - cached[0] < SHARED_CACHE_SECONDS:
            return cached[1]
        try:
            info = client.conversations_info(channel=channel).get("channel", {})
            shared = bool(info.get("is_ext_shared") or info.get("is_shared") or info.get("is_pending_ext_shared"))
        except SlackApiError as exc:
            log.warning("conversations.info failed for %s (%s): treating it as shared", channel,
                        exc.response.get("error"))
            return True  # unknown: keep the tenant's material out
        self._shared[channel] = (time.monotonic(), shared)
        return shared

    def _actions(self, answer: Answer, *, expert: bool, share: bool = False) -> list[dict]:
        actions = [button(":thumbsup: Helpful", "td_helpful", answer.id),
                   button(":thumbsdown: Not helpful", "td_not_helpful", answer.id)]
        if expert:
            actions.append(button(":raising_hand: Ask an expert", "td_expert", answer.id))
        if share:
            actions.insert(0, button("Share in channel", "td_share", answer.id, style="primary"))
        return actions

    @staticmethod
    def _slow_down(wait: float) -> str:
        return (f"You're asking faster than I can keep up with: please wait {max(1, round(wait))} s and ask again. "
                "For many questions at once, `trustdesk questionnaire fill` answers a whole file.")

    @staticmethod
    def _reply_to_failure(exc: Exception, where: str) -> str:
        """A known failure (`ui.failures`) in one line, logged as one; a bug as an apology with a reference, its
        traceback logged under it."""
        message = failures.known(exc)
        if message is not None:
            log.warning("could not answer in %s: %s", where, message)
            return CANNOT_ANSWER.format(why=message)
        return APOLOGY.format(ref=failures.log_bug(exc, log, f"answering in {where}"))

    def _cannot_answer(self, client: WebClient, channel: str, thread_ts: str | None, exc: Exception) -> None:
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=self._reply_to_failure(exc, channel))
        except SlackApiError:
            log.exception("could not post the apology")

    @staticmethod
    def _ephemeral(client: WebClient, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
        except SlackApiError as exc:
            log.info("ephemeral message not delivered: %s", exc.response.get("error"))

    # --- the slash command ----------------------------------------------------------

    def on_command(self, ack, command: dict, respond, client: WebClient, context) -> None:
        ack()
        channel, user = command.get("channel_id", ""), command.get("user_id", "")
        question = question_text(command.get("text", ""), context.bot_user_id)
        if not question or question.lower() == "help":
            respond(response_type="ephemeral", text=HELP)
            return
        is_dm = channel.startswith("D")
        place = self.settings.place(channel, is_dm=is_dm)
        if place is None:
            respond(response_type="ephemeral", text=NOT_HERE)
            return
        wait = self.limiter.wait(user)
        if wait:
            respond(response_type="ephemeral", text=self._slow_down(wait))
            return
        tenant, notes = self._tenant(client, channel, place, command, is_dm)
        key = thread_key(command.get("team_id", ""), channel, "cmd-" + uuid.uuid4().hex[:12])
        try:
            answer = self.assistant.ask(question, (), tenant=tenant)
        except InvalidQuestion as exc:
            respond(response_type="ephemeral", text=f"I can't answer that: {exc}.")
            return
        except Exception as exc:
            respond(response_type="ephemeral", text=self._reply_to_failure(exc, f"/trustdesk in {channel}"))
            return
        self._remember(key, question, answer, user, tenant)
        blocks = [section(f"*<@{user}> asked:* {escape(question)}")]
        if notes:
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": n} for n in notes]})
        blocks += answer_blocks(answer, explore_url=self.explore_url,
                                actions=self._actions(answer, expert=False, share=True))
        respond(response_type="ephemeral", text=fallback_text(answer), blocks=blocks[:50])

    # --- buttons ----------------------------------------------------------------------

    def _stored(self, body: dict, action: dict):
        try:
            return self.threads.stored(action.get("value", ""))
        except RecordsUnavailable:
            return None

    def on_helpful(self, ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        self._feedback(body, action, client, helpful=True)

    def on_not_helpful(self, ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        row = self._feedback(body, action, client, helpful=False, confirm=False)
        if row is None:
            return
        view = {"type": "modal", "callback_id": REASON_VIEW, "private_metadata": str(row),
                "title": {"type": "plain_text", "text": "What was wrong?"},
                "submit": {"type": "plain_text", "text": "Send"},
                "close": {"type": "plain_text", "text": "Skip"},
                "blocks": [{"type": "input", "block_id": "reason", "optional": True,
                            "label": {"type": "plain_text", "text": "Tell us what was wrong (optional)"},
                            "element": {"type": "plain_text_input", "action_id": "text", "multiline": True,
                                        "max_length": feedback.MAX_REASON_CHARS}}]}
        try:
            client.views_open(trigger_id=body.get("trigger_id", ""), view=view)
        except SlackApiError as exc:
            log.info("reason dialog not opened (%s); the feedback is stored without one",
                     exc.response.get("error"))

    def _feedback(self, body: dict, action: dict, client: WebClient, *, helpful: bool,
                  confirm: bool = True) -> int | None:
        channel = (body.get("channel") or {}).get("id", "")
        user = (body.get("user") or {}).get("id", "")
        thread_ts = (body.get("message") or {}).get("thread_ts")
        stored = self._stored(body, action)
        try:
            row = feedback.record(self.records, action.get("value", ""), helpful, surface="slack",
                                  question=stored.question if stored else "",
                                  tenant=stored.tenant if stored else None)
        except TrustdeskError as exc:
            log.warning("feedback not stored: %s", exc)
            self._ephemeral(client, channel, user, RECORDS_DOWN, thread_ts=thread_ts)
            return None
        if confirm:
            self._ephemeral(client, channel, user, "Thanks, noted.", thread_ts=thread_ts)
        return row.id

    def on_reason(self, ack, view: dict, body: dict) -> None:
        ack()
        reason = (((view.get("state") or {}).get("values") or {}).get("reason") or {}).get("text", {}).get("value")
        if not reason:
            return
        try:
            feedback.add_reason(self.records, int(view.get("private_metadata") or 0), reason)
        except (TrustdeskError, ValueError) as exc:
            log.warning("feedback reason not stored: %s", exc)

    def on_expert(self, ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        channel = (body.get("channel") or {}).get("id", "")
        user = (body.get("user") or {}).get("id", "")
        message = body.get("message") or {}
        thread_ts = message.get("thread_ts") or message.get("ts")
        place = self.settings.place(channel, is_dm=channel.startswith("D"))
        if place is None or not place.expert:
            self._ephemeral(client, channel, user, NO_EXPERT, thread_ts=thread_ts)
            return
        stored = self._stored(body, action)
        if stored is None or not stored.tenant:
            self._ephemeral(client, channel, user, RECORDS_DOWN if stored is None else NO_EXPERT,
                            thread_ts=thread_ts)
            return
        key = thread_key(_team(body), channel, thread_ts)
        try:
            self.threads.escalate(key, place.expert, stored.question, by=user)
        except TrustdeskError as exc:
            log.warning("escalation not stored: %s", exc)
            self._ephemeral(client, channel, user, RECORDS_DOWN, thread_ts=thread_ts)
            return
        asker = f" for <@{stored.user}>" if stored.user else ""
        client.chat_postMessage(
            channel=channel, thread_ts=thread_ts,
            text=(f"{place.expert_mention} could you answer this{asker}?\n>{escape(stored.question)}\n"
                  f"Your reply in this thread is saved as a *candidate* answer in the {stored.tenant} answer "
                  "library, and reviewed before anyone reuses it."))

    def on_share(self, ack, body: dict, action: dict, client: WebClient, respond) -> None:
        ack()
        channel = (body.get("channel") or {}).get("id", "")
        user = (body.get("user") or {}).get("id", "")
        stored = self._stored(body, action)
        if stored is None:
            respond(response_type="ephemeral", replace_original=False,
                    text="I no longer have that answer: ask again to share it.")
            return
        answer, place = stored.answer, self.settings.place(channel, is_dm=channel.startswith("D"))
        blocks = [section(f"*<@{user}> asked:* {escape(stored.asked)}")]
        blocks += answer_blocks(answer, explore_url=self.explore_url,
                                actions=self._actions(answer, expert=bool(place and place.expert and stored.tenant)))
        posted = client.chat_postMessage(channel=channel, text=fallback_text(answer), blocks=blocks[:50],
                                         unfurl_links=False, unfurl_media=False)
        # the shared message starts a thread of its own: follow-ups there continue this conversation,
        # and its buttons still find the answer by its id
        try:
            self.threads.record(thread_key(_team(body), channel, posted["ts"]), stored.asked, answer,
                                surface="slack", user=stored.user, tenant=stored.tenant, link_answer=False)
        except RecordsUnavailable as exc:
            log.warning("shared, but the thread was not saved: %s", exc)
        respond(delete_original=True)

    # --- experts ----------------------------------------------------------------------

    def _is_expert_reply(self, client: WebClient, key: str, user: str) -> bool:
        try:
            escalation = self.threads.escalation(key)
        except RecordsUnavailable:
            return False
        if escalation is None or not user:
            return False
        if escalation.expert == user:
            return True
        return escalation.expert.startswith("S") and user in self._group_members(client, escalation.expert)

    def _group_members(self, client: WebClient, group: str) -> set[str]:
        cached = self._groups.get(group)
        if cached and time.monotonic() - cached[0] < SHARED_CACHE_SECONDS:
            return cached[1]
        try:
            members = set(client.usergroups_users_list(usergroup=group).get("users", []))
        except SlackApiError as exc:
            log.warning("usergroups.users.list failed for %s: %s", group, exc.response.get("error"))
            return set()
        self._groups[group] = (time.monotonic(), members)
        return members

    def _asked_by(self, key: str, user: str) -> bool:
        try:
            return self.threads.asker(key) == user
        except RecordsUnavailable:
            return False

    def _capture(self, client: WebClient, key: str, channel: str, thread_ts: str, ts: str, user: str,
                 text: str) -> None:
        reply = question_text(text, None)
        if not reply:
            return
        try:
            permalink = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink", "")
        except SlackApiError as exc:
            log.info("no permalink for the expert's reply (%s)", exc.response.get("error"))
            permalink = f"slack://channel?id={channel}&message={ts}"
        try:
            entry, changed = self.threads.capture(key, reply, source=permalink, owner=user)
        except TrustdeskError as exc:
            log.warning("expert reply not captured: %s", exc)
            self._ephemeral(client, channel, user, f"Your answer was not saved to the library: {exc}",
                            thread_ts=thread_ts)
            return
        verb = "Saved" if changed else "Already had"
        client.chat_postMessage(
            channel=channel, thread_ts=thread_ts,
            text=(f"{verb} <@{user}>'s answer as a candidate in the {entry.tenant} answer library (`{entry.id}`). "
                  f"It is used once approved: `trustdesk library review --tenant {entry.tenant}` or the web UI's "
                  "Library page."))


class _QuietTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client (which carries it) wins: it does, by design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _kind(body: dict) -> str:
    """What a request is, for its log line: `event app_mention`, `command /trustdesk`, `action td_helpful`."""
    if body.get("type") == "event_callback":
        return f"event {(body.get('event') or {}).get('type', '?')}"
    if body.get("command"):
        return f"command {body['command']}"
    if body.get("actions"):
        return f"action {body['actions'][0].get('action_id', '?')}"
    return str(body.get("type") or "request")


def _channel(body: dict) -> str | None:
    return ((body.get("event") or {}).get("channel") or body.get("channel_id")
            or (body.get("channel") or {}).get("id") or None)


class _TracedApp(App):
    """Bolt's App, each request dispatched under a request id: its middleware, and its listener on a worker
    thread (`_ContextExecutor`), log under the event id for an event, a new id otherwise."""

    def dispatch(self, req):
        body = req.body if isinstance(req.body, dict) else {}
        event_id = body.get("event_id")
        with logs.request(str(event_id) if event_id else None, surface="slack", event_id=event_id):
            log.info("slack %s", _kind(body), extra={"channel": _channel(body)})
            return super().dispatch(req)


class _ContextExecutor(ThreadPoolExecutor):
    """Bolt's worker pool, each task run in a copy of its submitter's context: the request id goes along."""

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


def _team(body: dict) -> str:
    return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or body.get("team_id", "")


def build_app(assistant: Assistant, records: Records, settings: SlackSettings, *, bot_token: str | None,
              signing_secret: str | None, api_url: str | None = None, web_url: str | None = None,
              workers: int = 8) -> App:
    """The Bolt app with every handler registered. Verifies the bot token with `auth.test` at once.

    Requests are verified (signature and timestamp) whenever a signing secret is given; HTTP mode
    requires one (`trustdesk slack --http`), Socket Mode needs none.
    """
    bolt_log = logging.getLogger("trustdesk.slack.bolt")
    if not any(isinstance(f, _QuietTokenWarning) for f in bolt_log.filters):
        bolt_log.addFilter(_QuietTokenWarning())
    app = _TracedApp(client=web_client(bot_token, api_url), signing_secret=signing_secret,
                     process_before_response=False, request_verification_enabled=signing_secret is not None,
                     listener_executor=_ContextExecutor(max_workers=workers, thread_name_prefix="trustdesk-slack"),
                     logger=bolt_log)
    SlackDesk(assistant, records, settings, web_url=web_url).register(app)
    return app


def wsgi(app: App) -> Callable:
    """Bolt's `/slack/events` (events, commands, interactions) plus `/healthz` for a load balancer."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    events = SlackRequestHandler(app)

    def handle(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return events(environ, start_response)

    return handle


def http_server(app: App, host: str, port: int, threads: int = 8):
    """A waitress server for HTTP mode (call `.run()`; `.close()` stops it). Port 0 picks a free one."""
    from waitress.server import create_server

    return create_server(wsgi(app), host=host, port=port, threads=threads, ident="trustdesk",
                         max_request_body_size=1 << 20, clear_untrusted_proxy_headers=True)
