"""Ask: a conversation with trustdesk, each answer drawn from its parts with its sources as cards, and feedback."""

from __future__ import annotations

import logging
import threading
import time

import streamlit as st

from bot import logs
from bot.errors import TrustdeskError
from bot.models import Answer
from bot.sales import feedback
from ui import badges, failures
from ui.web import asking, render
from ui.web.resources import answerable_tenants, assistant_loader, records

EXAMPLES = ("What does CC6.1 require?", "Which ISO controls cover CC7.2?", "Should we do SOC 2 or ISO 27001?",
            "What replaced A.12.6.1 in ISO 27001:2022?", "Do you encrypt customer data at rest?")
SHOWN_QUESTION_CHARS = 600
PENDING = "Waiting for the answer above"
ANSWERING = "Answering… (the first question after a start also loads the model and the index)"
POLL_SECONDS = 0.15
log = logging.getLogger("trustdesk.web")

with st.sidebar:
    choices, records_down = answerable_tenants()
    if records_down:
        st.warning(f"{records_down} Votes are not saved until it is back.", icon=":material/database_off:")
    tenant = render.tenant_picker(choices)
    if st.button("New conversation", icon=":material/refresh:"):
        st.session_state["messages"] = []
        st.session_state["ask_jobs"] = {}

messages: list[dict] = st.session_state.setdefault("messages", [])
jobs: dict[str, asking.Job] = st.session_state.setdefault("ask_jobs", {})
lock = st.session_state.setdefault("ask_lock", threading.Lock())  # two overlapping runs: see ui/web/asking.py
st.title("Ask trustdesk")
st.caption("SOC 2 and ISO/IEC 27001:2022 answers, quoted from sources you can check.")


def show_feedback(answer: Answer, question: str) -> None:
    """Thumbs up or down, stored at once against the answer id; a reason may follow."""
    key = f"feedback-{answer.id}"
    vote = st.feedback("thumbs", key=key)
    stored = st.session_state.get(f"{key}-row")
    if vote is not None and stored is None:
        with render.friendly("Your vote was not saved: "):
            row = feedback.record(records(), answer.id, vote == 1, surface="web", question=question, tenant=tenant)
            st.session_state[f"{key}-row"] = stored = row.id
    if stored is not None:
        with st.form(f"{key}-why", border=False, clear_on_submit=True):
            reason = st.text_input("Thanks! Anything to add? (optional)", max_chars=feedback.MAX_REASON_CHARS,
                                   placeholder="What was missing or wrong?")
            if st.form_submit_button("Send comment", icon=":material/send:") and reason.strip():
                with render.friendly("Your comment was not saved: "):
                    feedback.add_reason(records(), stored, reason)
                    st.toast("Comment saved with your vote.")


def show_answer(message: dict, latest: bool) -> None:
    answer = Answer.model_validate(message["answer"])
    render.answer_body(answer)
    badge = badges.badge(answer)
    cols = st.columns([3, 2, 2])
    with cols[0]:
        render.answer_badge(answer)
    cols[1].caption(f"{answer.latency_ms:.0f} ms · {answer.route}"
                    + (f" · recommends **{answer.recommendation}**" if answer.recommendation else ""))
    if badges.for_customers(answer):
        with cols[2].popover("Copy for a customer", icon=":material/content_copy:"):
            st.caption("The answer and its references, without internal notes. Use the copy icon.")
            st.code(render.customer_copy(answer), language=None, wrap_lines=True)
    if answer.citations and badge.kind != "refusal":
        with st.expander(f"Sources ({len(answer.citations)})", expanded=latest, icon=":material/menu_book:"):
            passages = message.get("passages", {})
            for citation in answer.citations:
                render.citation_card(citation, passages.get(citation.id, ""))
    show_feedback(answer, message.get("question", ""))


def shown(question: str) -> str:
    return question if len(question) <= SHOWN_QUESTION_CHARS else question[:SHOWN_QUESTION_CHARS] + "…"


def queue_question(question: str | None = None) -> None:
    """The chat input's and the examples' callback: runs before the script, so no rerun can lose the question."""
    question = question if question is not None else st.session_state.get("ask_input")
    if question is not None:
        with st.session_state.setdefault("ask_lock", threading.Lock()):  # a stopped run may be settling an answer
            asking.submit(st.session_state.setdefault("messages", []), question,
                          tenant=st.session_state.get("tenant_choice"))


def answer_next(entry: dict, placeholder) -> None:
    """Wait for the oldest waiting question's answer, showing it as it streams; a new question sent meanwhile
    stops this run, not the answer, and the next run picks the answer up where it is."""
    try:
        with logs.request(surface="web", page="ask"):
            job = asking.claim(assistant_loader(), messages, jobs, entry, lock)
    except Exception as exc:  # a bug
        not_kept(entry, exc)
    if job is None:  # answered by a run this one overlapped
        st.rerun()
    while not job.future.done():
        with placeholder.container():  # also where Streamlit stops this run when a new question comes
            if job.text:
                st.markdown(job.text)
            st.caption(ANSWERING)
        time.sleep(POLL_SECONDS)
    if job.future.exception() is not None:
        with lock:
            jobs.pop(entry["id"], None)
        not_kept(entry, job.future.exception(), job.request_id)
    asking.settle(messages, jobs, job, lock)
    st.rerun()


def not_kept(entry: dict, failure: BaseException, request_id: str | None = None) -> None:
    """A question that could not be answered is said why and not kept: trustdesk's own errors (empty, too long,
    no index) in their words, anything else as a bug with the reference of its logged trace (logged under the
    question's own request id, which the worker thread carried)."""
    asking.drop(messages, entry["id"])
    known = isinstance(failure, TrustdeskError)
    if known:
        st.session_state["ask_error"] = str(failure)
    else:
        with logs.request(request_id, surface="web", page="ask"):
            st.session_state["ask_error"] = failures.internal(failure, log)
        if failures.debugging():
            raise failure  # TRUSTDESK_DEBUG=1: the trace on the page too, as before the answers moved to a worker
    st.rerun()


current = asking.next_pending(messages)
placeholder = None
for n, message in enumerate(messages):
    with st.chat_message(message["role"]):
        if message.get("answer"):
            show_answer(message, latest=n == len(messages) - 1)
        else:
            st.markdown(shown(message["content"]))
            if message.get("pending") and message is not current:
                st.caption(PENDING)
    if message is current:
        with st.chat_message("assistant"):
            placeholder = st.empty()
if error := st.session_state.pop("ask_error", None):  # empty, too long, no index, a bug: said, not kept
    st.error(error, icon=":material/error:")

st.chat_input("Ask about SOC 2 or ISO 27001", key="ask_input", on_submit=queue_question)
if not messages:
    st.markdown("**New here? Try one of these:**")
    columns = st.columns(3)  # three to a row: each question readable in full
    for n, example in enumerate(EXAMPLES):
        columns[n % 3].button(example, key=f"example-{example}", width="stretch", on_click=queue_question,
                              args=(example,))
if current is not None:
    answer_next(current, placeholder)
