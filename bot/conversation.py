"""A conversation: turns with structured `meta`, trimmed by the engine, never by a surface.

>>> convo = Conversation()
>>> convo.add("What does CC6.1 require?", Answer(text="...", confidence=1.0))
>>> [t.role for t in convo.turns]
['user', 'assistant']
>>> len(Conversation.of([{"role": "user", "content": "hi"}]).turns)
1
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field

from bot.models import Answer, Turn, TurnMeta

# Turns the engine reads back: enough for a decision conversation, small enough to stay fast.
MAX_TURNS = 12


class Conversation(BaseModel):
    """The turns so far, oldest first. Plain `{"role", "content"}` turns (no meta) still work."""

    turns: list[Turn] = Field(default_factory=list)

    @classmethod
    def of(cls, history: "Conversation | Sequence[Turn | dict] | None") -> "Conversation":
        if isinstance(history, Conversation):
            return history
        turns = [t if isinstance(t, Turn) else Turn.model_validate(t) for t in (history or ())]
        return cls(turns=turns)

    def add(self, question: str, answer: Answer) -> None:
        """Record a question and its answer, with the answer's meta for the next turn."""
        self.turns.append(Turn(role="user", content=question))
        self.turns.append(Turn(role="assistant", content=answer.text, meta=answer.meta))

    def trimmed(self, max_turns: int = MAX_TURNS) -> "Conversation":
        """The last `max_turns` turns, starting at a user turn."""
        turns = self.turns[-max_turns:]
        while turns and turns[0].role != "user":
            turns = turns[1:]
        return Conversation(turns=turns)

    def exchanges(self) -> Iterable[tuple[str, TurnMeta | None]]:
        """(user question, meta of the answer that followed) pairs, oldest first."""
        for i, turn in enumerate(self.turns):
            if turn.role != "user":
                continue
            reply = self.turns[i + 1] if i + 1 < len(self.turns) and self.turns[i + 1].role == "assistant" else None
            yield turn.content, reply.meta if reply else None

    @property
    def user_questions(self) -> list[str]:
        return [t.content for t in self.turns if t.role == "user"]

    @property
    def last_meta(self) -> TurnMeta | None:
        for turn in reversed(self.turns):
            if turn.role == "assistant":
                return turn.meta
        return None

    def last_recommendation(self) -> str | None:
        """The recommendation the last advice in this conversation gave (soc2, iso27001, both), if any."""
        for turn in reversed(self.turns):
            if turn.role == "assistant" and turn.meta and turn.meta.recommendation:
                return turn.meta.recommendation
        return None

    def recent_routes(self, n: int = 3) -> list[str]:
        return [t.meta.route for t in self.turns if t.role == "assistant" and t.meta][-n:]

    def as_history(self) -> list[dict]:
        return [t.model_dump(exclude_none=True) for t in self.turns]
