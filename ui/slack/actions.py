"""The buttons under an answer in Slack, and the channel's expert: feedback (with an optional reason), sharing
a slash-command answer, asking the expert, and saving the expert's reply as a candidate library entry.

`Actions` is mixed into `ui.slack.app.SlackDesk`, which registers these handlers with Bolt.
"""

from __future__ import annotations

import logging
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import TrustdeskError
from bot.sales import feedback
from ingest.errors import RecordsUnavailable
from ui.slack.blocks import answer_blocks, escape, fallback_text, section
from ui.slack.messages import (NO_EXPERT, REASON_VIEW, RECORDS_DOWN, SHARED_CACHE_SECONDS, question_text, team_of,
                               thread_key)

log = logging.getLogger("trustdesk.slack")


class Actions:
    """Button and expert handlers; `SlackDesk` supplies records, threads, settings and the shared helpers."""

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
        key = thread_key(team_of(body), channel, thread_ts)
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
            self.threads.record(thread_key(team_of(body), channel, posted["ts"]), stored.asked, answer,
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

    def _asked_by(self, key: str, thread_ts: str, user: str) -> bool:
        """The thread is `user`'s: they asked its first question (answered already, or still waiting)."""
        try:
            return (self.threads.asker(key) or self.inbox.asker(key, thread_ts)) == user
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
