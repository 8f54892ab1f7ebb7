"""Where a buyer wants the answers: the answer columns of a questionnaire sheet, and what their dropdowns allow.

A sheet has at most one choice column (Yes/No, Compliant, Status, a Response
column with a dropdown), one comment column (Comments, Notes, Explanation, or a
free-text Answer / Response column) and one evidence column (Evidence,
Supporting documentation). They are found from the header row and the row
below it (a merged "Vendor response" over "Response" and "Comments"), and from
list data validations, which are read as ranges: a rule over A1:XFD1048576 is
four numbers here, never seventeen billion cells.

>>> answer_role("Response (Yes/No/NA)"), answer_role("Comments"), answer_role("Supporting documentation")
('choice', 'comment', 'evidence')
>>> answer_role("Answer"), answer_role("Ref")
('answer', None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_LIST_VALUES = 200  # a dropdown's values read from a range on another sheet; more is not a dropdown
_CHOICE = re.compile(r"\b(yes\s*/\s*no|y\s*/\s*n|compliant|compliance|status|implemented|in place|"
                     r"select|selection|choice|applicable|response\s*\(|rating)\b", re.I)
_COMMENT = re.compile(r"\b(comments?|notes?|explanation|explain|details?|justification|remarks?|narrative|"
                      r"additional information|description of|clarification|vendor (comment|explanation))\b", re.I)
_EVIDENCE = re.compile(r"\b(evidence|supporting( documentation| documents?)?|attachments?|artifacts?|"
                       r"reference documents?|documentation)\b", re.I)
_ANSWER = re.compile(r"\b(answers?|responses?|reply|vendor response|supplier response)\b", re.I)


def answer_role(header: str) -> str | None:
    """What a header names: 'choice', 'comment', 'evidence', 'answer' (either: decided by its neighbours), or None."""
    text = " ".join(str(header or "").split())
    if not text or len(text) > 80:
        return None
    if _EVIDENCE.search(text) and not _CHOICE.search(text):
        return "evidence"
    if _COMMENT.search(text):
        return "comment"
    if _CHOICE.search(text):
        return "choice"
    if _ANSWER.search(text):
        return "answer"
    return None


@dataclass(frozen=True)
class ListRule:
    """A list data validation: the cells it covers (as bounds, never as cells) and the values it allows."""

    bounds: tuple[tuple[int, int, int, int], ...]  # (min_row, max_row, min_col, max_col), 1-based, inclusive
    values: tuple[str, ...]

    def covers(self, row: int, col: int) -> bool:
        return any(r0 <= row <= r1 and c0 <= col <= c1 for r0, r1, c0, c1 in self.bounds)

    def covers_column(self, col: int, rows: range) -> bool:
        return any(c0 <= col <= c1 and r0 <= rows.stop - 1 and r1 >= rows.start for r0, r1, c0, c1 in self.bounds)


@dataclass
class AnswerColumns:
    """The buyer's answer cells on one sheet. `added`: the sheet had none, so trustdesk adds Answer and Yes/No."""

    choice: int | None = None
    comment: int | None = None
    evidence: int | None = None
    rules: list[ListRule] = field(default_factory=list)
    added: bool = False

    def allowed(self, row: int) -> tuple[str, ...]:
        """The values the choice cell of `row` allows ((): free text, or no choice cell)."""
        if self.choice is None:
            return ()
        for rule in self.rules:
            if rule.covers(row, self.choice):
                return rule.values
        return ()

    @property
    def found(self) -> bool:
        return self.choice is not None or self.comment is not None


def find_answer_columns(header_rows: list[list[str]], question_col: int, rules: list[ListRule],
                        item_rows: range) -> AnswerColumns:
    """The answer columns from the header row(s) (later rows refine earlier ones) and the sheet's list rules."""
    roles: dict[int, str] = {}
    for row in header_rows:
        for c, text in enumerate(row, start=1):
            role = answer_role(text) if c != question_col else None
            if role:
                roles[c] = role
    dropdowns = [c for c in _columns_with_rules(rules, item_rows) if c != question_col]
    cols = AnswerColumns(rules=rules)
    for role in ("choice", "comment", "evidence"):
        setattr(cols, role, next((c for c, r in sorted(roles.items()) if r == role), None))
    if cols.choice is None:
        cols.choice = next((c for c in dropdowns if roles.get(c) in ("answer", "choice", None)), None)
    loose = [c for c, r in sorted(roles.items()) if r == "answer" and c != cols.choice]
    if loose and cols.choice is None and cols.comment is not None:
        cols.choice = loose.pop(0)  # "Response" beside "Comments": the response is the short one
    if loose and cols.comment is None:
        cols.comment = loose.pop(0)  # a lone free-text "Answer" column takes the written answer
    return cols


def _columns_with_rules(rules: list[ListRule], rows: range) -> list[int]:
    cols: set[int] = set()
    for rule in rules:
        for r0, r1, c0, c1 in rule.bounds:
            if r0 <= rows.stop - 1 and r1 >= rows.start and c1 - c0 < 64:  # a whole-sheet rule names no column
                cols.update(range(c0, c1 + 1))
    return sorted(cols)


def inline_list(formula: str) -> tuple[str, ...] | None:
    """The values of an inline list formula ('"Yes,No,N/A"'), or None when the list is a reference."""
    formula = (formula or "").strip()
    if len(formula) >= 2 and formula[0] == formula[-1] == '"':
        return tuple(v.strip() for v in formula[1:-1].split(",") if v.strip())
    return None
