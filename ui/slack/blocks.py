"""An `Answer` as Slack Block Kit, built from `Answer.parts` (never by re-parsing the Markdown text).

Slack's limits are kept here, in one place: at most 50 blocks a message, 3,000
characters a section, 10 elements a context block, 75 characters a button label,
2,000 a button value. A Markdown table becomes a short list (or fields when it has
two columns and few rows), never broken Markdown.

>>> from bot.models import Answer, Parts
>>> blocks = answer_blocks(Answer(text="x", confidence=0.9, parts=Parts(lead="CC6.1 covers access.")))
>>> blocks[0]["text"]["text"]
'CC6.1 covers access.'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from bot.models import Answer
from ui.badges import badge as badge_of, shown_notes

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_FIELDS = 10
MAX_FIELD = 2000
MAX_CITATIONS = 5
MAX_TABLE_ROWS = 12
MAX_FALLBACK = 3000  # the notification text; Slack truncates messages far longer than this
TIER_BADGE = {"high": ":large_green_circle: high confidence", "medium": ":large_yellow_circle: medium confidence",
              "low": ":red_circle: low confidence"}
KIND_BADGE = {"refusal": ":no_entry_sign:", "question": ":speech_balloon:"}  # no confidence on these

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)


def escape(text: str) -> str:
    """Slack's three control characters, escaped, so user or corpus text never becomes a mention or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(markdown: str) -> str:
    """CommonMark-ish answer text as Slack mrkdwn: bold, links and headings; everything else escaped."""
    text = escape(markdown)
    text = _HEADING.sub(lambda m: f"*{m.group(1).strip()}*", text)
    text = _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", text)
    return _BOLD.sub(lambda m: f"*{m.group(1)}*", text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sections(lines: list[str]) -> list[dict]:
    """Lines packed into as few sections as fit, none longer than Slack allows."""
    blocks, current = [], ""
    for line in lines:
        line = clip(line, MAX_SECTION)
        if current and len(current) + 1 + len(line) > MAX_SECTION:
            blocks.append(section(current))
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(section(current))
    return blocks


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION)}}


def context(texts: list[str]) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(t, MAX_SECTION)}
                                            for t in texts[:MAX_CONTEXT_ELEMENTS]]}


def table_rows(table: str) -> tuple[list[str], list[list[str]]]:
    """A Markdown table's header and rows (separator line dropped)."""
    rows = []
    for line in table.strip().splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            continue
        rows.append(cells)
    return (rows[0], rows[1:]) if rows else ([], [])


def table_blocks(table: str) -> list[dict]:
    header, rows = table_rows(table)
    if not rows:
        return []
    shown, hidden = rows[:MAX_TABLE_ROWS], len(rows) - MAX_TABLE_ROWS
    if len(header) == 2 and len(shown) * 2 <= MAX_FIELDS:
        fields = [{"type": "mrkdwn", "text": clip(f"*{mrkdwn(r[0])}*\n{mrkdwn(r[1] if len(r) > 1 else '')}",
                                                  MAX_FIELD)} for r in shown]
        return [{"type": "section", "fields": fields}]
    lines = []
    for row in shown:
        first, rest = mrkdwn(row[0]), row[1:]
        described = "; ".join(f"{mrkdwn(h)}: {mrkdwn(v)}" for h, v in zip(header[1:], rest) if v)
        lines.append(f"• *{first}*" + (f" — {described}" if described else ""))
    if hidden > 0:
        lines.append(f"_…and {hidden} more rows_")
    return _sections(lines)


def citation_link(cid: str, title: str, explore_url: Callable[[str], str | None] | None) -> str:
    label = escape(f"{cid} {title}".strip()).replace("|", "/")
    url = explore_url(cid) if explore_url else None
    return f"<{url}|{label}>" if url else f"*{escape(cid)}* {escape(title)}"


def explorer(base_url: str | None) -> Callable[[str], str | None] | None:
    """Links to the web UI's Explore page for an ID, when the web UI's public address is configured."""
    if not base_url:
        return None
    base = base_url.rstrip("/")
    return lambda cid: f"{base}/Explore?id={quote(cid, safe='')}"


def answer_blocks(answer: Answer, *, explore_url: Callable[[str], str | None] | None = None,
                  actions: list[dict] | None = None) -> list[dict]:
    """The answer as blocks: notes, lead, cited points, table, steps, the clarifying question,
    citations, the tier, then the buttons."""
    parts = answer.parts
    blocks: list[dict] = []
    notes = shown_notes(answer)  # a refusal's text is its note: said once
    if notes:
        blocks.append(context([f":information_source: {mrkdwn(n)}" for n in notes]))
    lead = parts.lead or ("" if parts.points or parts.steps else answer.text)
    if lead:
        blocks.extend(_sections([mrkdwn(lead)]))
    if parts.points:
        blocks.extend(_sections([f"• {mrkdwn(p.text)}" + (f" _[{escape(', '.join(p.cite))}]_" if p.cite else "")
                                 for p in parts.points]))
    if parts.table:
        blocks.extend(table_blocks(parts.table))
    if parts.steps:
        blocks.extend(_sections([f"{n}. {mrkdwn(step)}" for n, step in enumerate(parts.steps, 1)]))

    tail: list[dict] = []
    if parts.ask_back:
        tail.append(section(f":speech_balloon: *To tailor this:* {mrkdwn(parts.ask_back)}"))
    if answer.citations:
        shown = [citation_link(c.id, c.title, explore_url) for c in answer.citations[:MAX_CITATIONS]]
        more = len(answer.citations) - MAX_CITATIONS
        tail.append(context([":books: " + " · ".join(shown) + (f" · +{more} more" if more > 0 else "")]))
    tail.append(context([badge(answer)]))
    if actions:
        tail.append({"type": "actions", "elements": actions[:25]})

    room = MAX_BLOCKS - len(tail)
    if len(blocks) > room:
        blocks = blocks[: room - 1] + [context(["_The answer is longer than Slack shows; ask a narrower question "
                                                "or use the web UI for the whole of it._"])]
    return blocks + tail


def badge(answer: Answer) -> str:
    """Confidence for an answer; for a refusal or a question back, what it is."""
    said = badge_of(answer)
    if said.kind != "answer":
        return f"{KIND_BADGE[said.kind]} {said.label}"
    return TIER_BADGE[answer.tier] + (" · needs review" if answer.needs_review else "")


def fallback_text(answer: Answer) -> str:
    """The plain text Slack shows in notifications and to clients that cannot render blocks."""
    return clip(answer.parts.lead or answer.text, MAX_FALLBACK)


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    element = {"type": "button", "action_id": action_id, "value": value[:2000],
               "text": {"type": "plain_text", "text": clip(text, 75), "emoji": True}}
    if style:
        element["style"] = style
    return element
