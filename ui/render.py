"""Render an Answer for a terminal. Shared by `ask` and `chat`; nothing here decides anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.text import Text

from ui.badges import badge

if TYPE_CHECKING:
    from bot.models import Answer


def answer_renderable(answer: "Answer") -> Group:
    parts = [Markdown(answer.text)]
    if answer.citations:
        sources = Text("\nSources: ", style="dim")
        for n, c in enumerate(answer.citations):
            sources.append(("" if n == 0 else "; ") + f"{c.id} {c.title} ({c.source})", style="dim")
        parts.append(sources)
    said = badge(answer)  # a refusal or a question back has no confidence to give
    meta = f"confidence {answer.confidence:.2f}" if said.kind == "answer" else said.label
    if answer.recommendation:
        meta = f"recommendation: {answer.recommendation} · " + meta
    parts.append(Text(meta + f" · {answer.latency_ms:.0f} ms", style="dim"))
    return Group(*parts)


def print_answer(console: Console, answer: "Answer") -> None:
    console.print(answer_renderable(answer))
