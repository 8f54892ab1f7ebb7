"""What kind of reply an Answer is, and the badge every surface shows for it: one decision, three surfaces.

A refusal is not a confident answer and a question back is not an answer at all, so
neither carries a confidence badge: they get a neutral one saying what they are.
Their text is shown once (a refusal's text is also its note), and neither is offered
as copy for a customer.

>>> from bot.models import Answer
>>> badge(Answer(text="That is outside what I can help with.", confidence=0.9, refused=True, route="out_of_scope"))
Badge(kind='refusal', label='out of scope')
>>> badge(Answer(text="CC6.1 requires ...", confidence=0.8)).label
'high confidence'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from bot.models import Answer

Kind = Literal["answer", "refusal", "question"]
REFUSAL_LABELS = {"out_of_scope": "out of scope", "manipulation": "declined", "unknown_id": "unknown ID"}


class Badge(NamedTuple):
    kind: Kind
    label: str  # lower case; a surface capitalises as it likes


def kind(answer: "Answer") -> Kind:
    if answer.refused:
        return "refusal"
    if answer.route == "clarify":
        return "question"
    return "answer"


def badge(answer: "Answer") -> Badge:
    what = kind(answer)
    if what == "refusal":
        return Badge(what, REFUSAL_LABELS.get(answer.route, "not answered"))
    if what == "question":
        return Badge(what, "question back")
    return Badge(what, f"{answer.tier} confidence")


def for_customers(answer: "Answer") -> bool:
    """Whether the reply may be offered as copy for a customer: answers only."""
    return kind(answer) == "answer"


def shown_notes(answer: "Answer") -> list[str]:
    """The notes to show above the body: a note the body already says (a refusal's text) is not said twice."""
    parts = answer.parts
    if parts.lead or parts.points or parts.table or parts.steps:
        return list(parts.notes)
    return [n for n in parts.notes if n.strip() not in answer.text]
