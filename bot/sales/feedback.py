"""Helpful / not helpful, stored against an answer's `id` in the records database (web UI, Slack, CLI)."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from bot.errors import TrustdeskError
from ingest.records import Feedback, Records
from ingest.workbook import csv_safe

SURFACES = ("cli", "web", "slack")
MAX_REASON_CHARS = 2000


def record(records: Records, answer_id: str, helpful: bool, *, surface: str, reason: str = "",
           question: str = "", tenant: str | None = None) -> Feedback:
    if surface not in SURFACES:
        raise TrustdeskError(f"feedback surface {surface!r} is not one of {', '.join(SURFACES)}")
    if not answer_id or len(answer_id) > 64:
        raise TrustdeskError("feedback needs the answer's id")
    item = Feedback(answer_id=answer_id, helpful=bool(helpful), surface=surface,
                    reason=(reason or "").strip()[:MAX_REASON_CHARS], question=(question or "")[:4000], tenant=tenant)
    with records.session() as s:
        s.add(item)
    return item


def add_reason(records: Records, feedback_id: int, reason: str) -> None:
    """The reason given after the click (Slack asks for it in a dialog once the vote is already stored)."""
    with records.session() as s:
        row = s.get(Feedback, feedback_id)
        if row is None:
            raise TrustdeskError(f"no feedback {feedback_id}")
        row.reason = (reason or "").strip()[:MAX_REASON_CHARS]


def export_csv(records: Records, path: Path) -> int:
    """Every feedback row, oldest first; returns how many were written."""
    with records.session() as s:
        rows = list(s.scalars(select(Feedback).order_by(Feedback.created_at, Feedback.id)))
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["created_at", "answer_id", "helpful", "reason", "question", "tenant", "surface"])
        for f in rows:
            writer.writerow([f.created_at.isoformat(timespec="seconds"), f.answer_id, "yes" if f.helpful else "no",
                             csv_safe(f.reason), csv_safe(f.question), f.tenant or "", f.surface])
    return len(rows)

