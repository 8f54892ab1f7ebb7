"""The refusals: out of scope, manipulation (never obeyed; the legitimate part is answered), unknown IDs."""

from __future__ import annotations

from bot.compose import Draft
from bot.manipulation import legitimate_part
from bot.routes import Kit
from bot.routes.lookup import unknown_sentence
from bot.understand import Understanding

SCOPE_NOTE = (
    "I answer questions about SOC 2, ISO/IEC 27001:2022 and security assurance: what a criterion, "
    "clause or control requires, how the two frameworks compare and map onto each other, which to "
    "pursue, and how to answer a customer's security questions."
)
MANIPULATION_NOTE = (
    "I can't change how I work or state something the evidence does not support. "
    "Ask me about SOC 2 or ISO 27001 and I will answer from the corpus, with sources."
)
MANIPULATION_PARTIAL = ("I ignored the instruction in your message: I won't change how I work or state something the "
                        "evidence does not support. Here is the rest of your question.")


def out_of_scope(u: Understanding, kit: Kit) -> Draft:
    return Draft(preface=[f"That is outside what I can help with. {SCOPE_NOTE}"], confidence=1.0, refused=True)


def manipulation(u: Understanding, kit: Kit) -> Draft:
    rest = legitimate_part(u.question)
    inner = kit.answer_rest(rest) if rest and rest != u.question else None
    if inner is not None and not inner.refused and (inner.lines or inner.table):
        inner.preface.insert(0, MANIPULATION_PARTIAL)
        inner.refused = True
        return inner
    return Draft(preface=[MANIPULATION_NOTE], confidence=1.0, refused=True)


def unknown_id(u: Understanding, kit: Kit) -> Draft:
    return Draft(preface=[" ".join(unknown_sentence(m) for m in u.mentions)], confidence=1.0)
