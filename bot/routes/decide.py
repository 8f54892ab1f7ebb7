"""decide: the framework-fit advisor. A profile from everything the user said, then a cited recommendation.

When something decisive is missing (where the customers are), the answer is one
clarifying question (`ask_back`) instead of a guess. A table or roadmap is added
when asked for.
"""

from __future__ import annotations

from bot.advise import Advisor
from bot.compose import Draft
from bot.routes import Kit
from bot.understand import Understanding
from bot.vocab import ROADMAP, TABLE

MAX_REASONS = 5


def handle(u: Understanding, kit: Kit) -> Draft:
    advisor = Advisor.load()
    profile = advisor.profile(u.user_texts)
    advice = advisor.advise(profile)
    draft = Draft()
    if advice.clarify:
        # the rule of thumb the advisor will apply, cited, then the one question it needs answered
        lead = advisor.data["clarify_lead"]
        draft.add(lead["reason"], lead["cite"])
        draft.ask_back = advice.clarify
        draft.confidence = 1.0
        draft.evidence = kit.retriever.chunks_of(lead["cite"])
        return draft
    draft.add(advice.headline(), None)
    for reason, cite in advice.reasons[:MAX_REASONS]:
        draft.add(reason, cite)
    if TABLE.search(u.question):
        draft.table, cites = advisor.comparison_table()
        draft.extra_cites.extend(cites)
    if ROADMAP.search(u.question) or ROADMAP.search(u.resolved):
        draft.steps_title, draft.steps, cites = advisor.roadmap(advice.order or ["soc2"])
        draft.extra_cites.extend(cites)
    draft.recommendation = advice.recommendation
    draft.evidence = [ev for doc in dict.fromkeys(draft.cited) for ev in kit.retriever.chunks_of(doc)]
    return draft
