"""What trustdesk says in Slack, and how it reads what Slack sends: thread keys, a question's words, fixed replies.

>>> thread_key("T1", "C1", "1700000000.000100")
'slack:T1:C1:1700000000.000100'
>>> question_text("<@U0BOT> what does <https://x.example|CC6.1> need?", "U0BOT")
'what does CC6.1 need?'
"""

from __future__ import annotations

import html
import re

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


def team_of(body: dict) -> str:
    """The workspace a request came from, wherever its kind of payload keeps it."""
    return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or body.get("team_id", "")
