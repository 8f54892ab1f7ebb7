"""How the pages draw the things they share: an Answer from its parts, citation cards, badges, the tenant picker.

Nothing here decides anything: it lays out what bot/ returned.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from bot import logs
from bot.errors import TrustdeskError
from bot.models import Answer, Citation
from ui import badges, failures

EXPLORE = "views/explore.py"
FRAMEWORK_BADGE = {"soc2": ("SOC 2", "blue"), "iso27001": ("ISO 27001", "violet"), "guidance": ("Guidance", "gray"),
                   "company": ("Company", "orange")}
TIER_BADGE = {"high": ("High confidence", "green", ":material/check_circle:"),
              "medium": ("Medium confidence", "orange", ":material/help:"),
              "low": ("Low confidence", "red", ":material/warning:")}
KIND_BADGE = {"refusal": ("gray", ":material/block:"), "question": ("blue", ":material/contact_support:")}
EXPLORABLE = ("soc2", "iso27001")
log = logging.getLogger("trustdesk.web")


@contextmanager
def friendly(lead: str = "") -> Iterator[None]:
    """A failure `ui.failures` can explain, as a message in its place on the page (the rest of the page still
    draws), after `lead` ("Your vote was not saved: "); anything else is a bug and goes on to `guarded`."""
    try:
        yield
    except Exception as exc:
        message = failures.known(exc)
        if message is None:
            raise
        st.error(lead + message, icon=":material/error:")


@contextmanager
def guarded() -> Iterator[None]:
    """Around a whole page: a known failure as one line, a bug as "internal error, reference X" with its
    traceback in the server's log (and on the page with TRUSTDESK_DEBUG=1). Streamlit's own stop and rerun
    are not Exceptions and pass through."""
    try:
        yield
    except Exception as exc:
        message = failures.known(exc)
        if message is not None:
            st.error(message, icon=":material/error:")
            return
        st.error(failures.internal(exc, log), icon=":material/bug_report:")
        if failures.debugging():
            st.exception(exc)


@contextmanager
def traced(page: str) -> Iterator[str]:
    """One request id for everything this block does (`bot.logs`). trustdesk's own errors pass to the caller;
    anything else is a bug (`ui.failures`): its traceback goes to the log under the id, the page shows the id
    as the reference, and TRUSTDESK_DEBUG=1 shows the traceback too."""
    with logs.request(surface="web", page=page) as rid:
        try:
            yield rid
        except TrustdeskError:
            raise
        except Exception as exc:
            st.error(failures.internal(exc, log), icon=":material/bug_report:")
            if failures.debugging():
                st.exception(exc)


def tier_badge(tier: str | None, needs_review: bool = False) -> None:
    label, color, icon = TIER_BADGE.get(tier or "low", TIER_BADGE["low"])
    text = f":{color}-badge[{icon} {label}]"
    if needs_review:
        text += " :orange-badge[:material/rate_review: Needs review]"
    st.markdown(text)


def answer_badge(answer: Answer) -> None:
    """Confidence for an answer; a neutral badge saying what a refusal or a question back is."""
    badge = badges.badge(answer)
    if badge.kind == "answer":
        tier_badge(answer.tier, answer.needs_review)
        return
    color, icon = KIND_BADGE[badge.kind]
    st.markdown(f":{color}-badge[{icon} {badge.label.capitalize()}]")


def framework_badge(framework: str) -> str:
    name, color = FRAMEWORK_BADGE.get(framework, (framework, "gray"))
    return f":{color}-badge[{name}]"


def citation_card(citation: Citation, passage: str = "", key: str = "") -> None:
    """One source: framework badge, ID and title, the passage the answer rests on, a link to Explore."""
    with st.container(border=True):
        st.markdown(f"{framework_badge(citation.framework)} **{citation.id}** {citation.title}")
        if passage:
            st.caption(passage)
        cols = st.columns([3, 2])
        cols[0].caption(f"`{citation.source}`")
        if citation.framework in EXPLORABLE:
            with cols[1]:
                st.page_link(EXPLORE, label=f"Open {citation.id} in Explore", icon=":material/travel_explore:",
                             query_params={"id": citation.id})


def answer_body(answer: Answer) -> None:
    """The answer from its parts: notes first, lead, cited points, table, steps, and the question back."""
    parts = answer.parts
    for note in badges.shown_notes(answer):
        st.info(note, icon=":material/info:")
    if not (parts.lead or parts.points or parts.table or parts.steps or parts.ask_back):
        st.markdown(answer.text)
        return
    if parts.lead:
        st.markdown(parts.lead)
    if parts.points:
        st.markdown("\n".join(f"- {p.text}" + (f" [{', '.join(p.cite)}]" if p.cite else "") for p in parts.points))
    if parts.table:
        st.markdown(parts.table)
    if parts.steps:
        st.markdown("\n".join(f"{n}. {step}" for n, step in enumerate(parts.steps, 1)))
    if parts.ask_back:
        st.markdown(f"**{parts.ask_back}**")


def customer_copy(answer: Answer) -> str:
    """The answer as it may go to a customer: plain sentences and references, without internal notes."""
    parts = answer.parts
    lines = [parts.lead] if parts.lead else []
    lines += [f"- {p.text}" for p in parts.points]
    if parts.table:
        lines.append(parts.table)
    lines += [f"{n}. {step}" for n, step in enumerate(parts.steps, 1)]
    if not lines:
        lines = [answer.text]
    refs = [f"{FRAMEWORK_BADGE.get(c.framework, (c.framework,))[0]} {c.id} {c.title}"
            for c in answer.citations if c.framework != "company"]
    if refs:
        lines += ["", "References: " + "; ".join(refs)]
    return "\n".join(line for line in lines if line is not None).strip()


def tenant_picker(tenants: list[str], *, key: str = "tenant", label: str = "Company (tenant)",
                  allow_none: bool = True, help: str | None = None) -> str | None:
    """A selectbox of the tenants that exist; the choice is shared by every page through session state."""
    options = ([None] if allow_none else []) + tenants
    current = st.session_state.get("tenant_choice")
    index = options.index(current) if current in options else 0
    if not options:
        st.info("No company material loaded yet: upload documents on the Admin page or run "
                "`trustdesk company ingest DIR --tenant NAME`.", icon=":material/domain_disabled:")
        return None
    choice = st.selectbox(label, options, index=index, key=key,
                          format_func=lambda t: "Standards only" if t is None else t,
                          help=help or "Answer company questions from this tenant's approved material.")
    st.session_state["tenant_choice"] = choice
    return choice
