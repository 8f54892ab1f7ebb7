"""trustdesk in Slack: a Bolt app over the same `Assistant` every other surface uses.

Mentions, DMs and `/trustdesk` are answered in a thread as Block Kit built from
`Answer.parts`; follow-ups in the thread continue its `Conversation` (kept in the
records database, so any instance can take the next turn); buttons store feedback
against the answer's id, share a slash-command answer, or ask the channel's expert,
whose reply in the thread becomes a candidate library entry (`bot.sales.threads`).

Slack's rules: events are acknowledged at once and answered on Bolt's worker threads,
one thread's messages one at a time in the order they were sent, edits and deletes
honoured until the answer is posted (`ui.slack.order`, over `bot.inbox`);
every request is handled under a request id (`bot.logs`): the event id for an event,
a new one otherwise, carried into the worker thread, and shown in an apology;
retried deliveries are dropped by event id (in the records database, so several
instances agree); the app's own and other bots' messages are ignored; an internal
error becomes a short apology in the thread, never a trace.

The buttons and the expert live in `ui.slack.actions`, the fixed replies and
Slack's markup in `ui.slack.messages`, the server in `ui.slack.server`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot import logs
from bot.engine import Assistant
from bot.errors import InvalidQuestion
from bot.inbox import Inbox
from bot.models import Answer
from bot.sales import feedback
from bot.sales.threads import Threads, first_delivery
from ingest.errors import RecordsUnavailable
from ingest.records import Records
from ui import failures
from ui.slack.blocks import answer_blocks, button, escape, explorer, fallback_text, section
from ui.slack.actions import Actions
from ui.slack.order import InOrder, Ticket
from ui.slack.messages import (APOLOGY, CANNOT_ANSWER, HELP, NOT_HERE, REASON_VIEW, SHARED_CACHE_SECONDS,
                               SHARED_NOTE, question_text, thread_key)
from ui.slack.settings import Place, SlackSettings

log = logging.getLogger("trustdesk.slack")

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


class SlackDesk(Actions, InOrder):
    """The handlers. Bolt calls them for HTTP and Socket Mode alike; they only call bot/ workflows."""

    def __init__(self, assistant: Assistant, records: Records, settings: SlackSettings, *,
                 web_url: str | None = None):
        self.assistant = assistant
        self.records = records
        self.threads = Threads(records)
        self.inbox = Inbox(records)
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
        self._answer_in_thread(client, body=body, channel=channel, user=user, thread_ts=thread_ts, ts=event["ts"],
                               text=event.get("text", ""), place=place, bot_user_id=context.bot_user_id,
                               reply=bool(event.get("thread_ts") and event["thread_ts"] != event["ts"]))

    def on_message(self, event: dict, body: dict, client: WebClient, context) -> None:
        if event.get("subtype") in ("message_changed", "message_deleted"):
            self.on_changed(event, body, context)
            return
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
        if not is_dm and thread_ts and thread_ts != event["ts"] and not self._asked_by(key, thread_ts, user):
            return  # in an all-messages channel, only the asker's replies continue the thread
        self._answer_in_thread(client, body=body, channel=channel, user=user, thread_ts=thread_ts or event["ts"],
                               ts=event["ts"], text=text, place=place, bot_user_id=context.bot_user_id, is_dm=is_dm,
                               reply=bool(thread_ts and thread_ts != event["ts"]))

    def _from_bot(self, event: dict, context) -> bool:
        if event.get("bot_id") or event.get("subtype") == "bot_message":
            if event.get("bot_id") and event.get("bot_id") == context.bot_id:
                return True  # never its own
            return not self.settings.answer_bots
        return not event.get("user")

    # --- answering --------------------------------------------------------------------

    def _answer_in_thread(self, client: WebClient, *, body: dict, channel: str, user: str, thread_ts: str, ts: str,
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
        ticket = self._ticket(key, channel, ts, question, user)
        if ticket is None:
            return  # deleted before it arrived, or delivered twice
        try:  # the thread's next message waits until this one is answered, posted and done
            tenant, notes = self._tenant(client, channel, place, body, is_dm)
            asked = self._answer_in_turn(client, ticket, key=key, channel=channel, thread_ts=thread_ts,
                                         reply=reply, tenant=tenant)
            if asked is not None:
                self._post_answer(client, *asked, key=key, channel=channel, thread_ts=thread_ts, user=user,
                                  tenant=tenant, notes=notes, expert=bool(place.expert and tenant))
        finally:
            ticket.done()

    def _answer_in_turn(self, client: WebClient, ticket: Ticket, *, key: str, channel: str, thread_ts: str,
                        reply: bool, tenant: str | None) -> tuple[str, Answer] | None:
        """The message's answer once its turn comes, against the thread as it stands then; asked again if the
        message was edited meanwhile; None when it was deleted or could not be answered (said in the thread)."""
        question = ticket.wait()
        while question is not None:
            try:
                answer = self.assistant.ask(question, self._conversation(client, key, channel, thread_ts, reply),
                                            tenant=tenant)
            except InvalidQuestion as exc:
                client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=f"I can't answer that: {exc}.")
                return None
            except Exception as exc:
                self._cannot_answer(client, channel, thread_ts, exc)
                return None
            now = ticket.current()
            if now == question:
                return question, answer
            question = now  # edited while it was answered: answer the new words; deleted: nothing
        return None

    def _post_answer(self, client: WebClient, question: str, answer: Answer, *, key: str, channel: str,
                     thread_ts: str, user: str, tenant: str | None, notes: list[str], expert: bool) -> None:
        blocks = answer_blocks(answer, explore_url=self.explore_url, actions=self._actions(answer, expert=expert))
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
