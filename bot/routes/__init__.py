"""One module per route; each has the same signature: `handle(u, kit) -> Draft`.

A route turns an understood question into a draft from evidence; `bot.finish`
turns the draft into an Answer. Routes never build Answers or talk to Chroma.

>>> sorted(ROUTES)
['company', 'compare', 'crosswalk', 'decide', 'lookup', 'manipulation', 'out_of_scope', 'successor', 'unknown_id']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.compose import Draft
from bot.config import Settings
from bot.retrieve import Evidence, Retriever
from bot.understand import Understanding
from ingest.crosswalk import Crosswalk


@dataclass
class Kit:
    """What routes may use: the standards retriever, settings, the crosswalk, the tenant's evidence."""

    retriever: Retriever
    settings: Settings
    crosswalk: Crosswalk
    company_evidence: Callable[[str, np.ndarray, str | None], list[Evidence]]
    # answers another question through the whole pipeline (the legitimate part of a manipulation)
    answer_rest: Callable[[str], "Draft | None"]


Handler = Callable[[Understanding, Kit], Draft]


def _registry() -> dict[str, Handler]:
    from bot.routes import company, compare, crosswalk, decide, lookup, refuse, successor

    return {"lookup": lookup.handle, "compare": compare.handle, "crosswalk": crosswalk.handle,
            "decide": decide.handle, "company": company.handle, "successor": successor.handle,
            "out_of_scope": refuse.out_of_scope, "manipulation": refuse.manipulation,
            "unknown_id": refuse.unknown_id}


ROUTES: dict[str, Handler] = _registry()
