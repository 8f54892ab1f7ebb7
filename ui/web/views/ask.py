"""Ask: a conversation with trustdesk, each answer drawn from its parts with its sources as cards, and feedback."""

from __future__ import annotations

import streamlit as st

from bot import feedback
from bot.errors import TrustdeskError
from bot.models import Answer, Turn
from ui.web import render
from ui.web.resources import answerable_tenants, assistant, records

EXAMPLES = ("What does CC6.1 require?", "Which ISO controls cover CC7.2?", "Should we do SOC 2 or ISO 27001?",
            "What replaced A.12.6.1 in ISO 27001:2022?", "Do you encrypt customer data at rest?")
SHOWN_QUESTION_CHARS = 600

with st.sidebar:
    choices, records_down = answerable_tenants()
    if records_down:
        st.warning(f"{records_down} Votes are not saved until it is back.", icon=":material/database_off:")
    tenant = render.tenant_picker(choices)
    if st.button("New conversation", icon=":material/refresh:"):
        st.session_state["messages"] = []

messages: list[dict] = st.session_state.setdefault("messages", [])
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
    cols = st.columns([3, 2, 2])
    with cols[0]:
        render.tier_badge(answer.tier, answer.needs_review)
    cols[1].caption(f"{answer.latency_ms:.0f} ms · {answer.route}"
                    + (f" · recommends **{answer.recommendation}**" if answer.recommendation else ""))
    with cols[2].popover("Copy for a customer", icon=":material/content_copy:"):
        st.caption("The answer and its references, without internal notes. Use the copy icon.")
        st.code(render.customer_copy(answer), language=None, wrap_lines=True)
    if answer.citations:
        with st.expander(f"Sources ({len(answer.citations)})", expanded=latest, icon=":material/menu_book:"):
            passages = message.get("passages", {})
            for citation in answer.citations:
                render.citation_card(citation, passages.get(citation.id, ""))
    show_feedback(answer, message.get("question", ""))


def ask(question: str) -> None:
    shown = question if len(question) <= SHOWN_QUESTION_CHARS else question[:SHOWN_QUESTION_CHARS] + "…"
    with st.chat_message("user"):
        st.markdown(shown)
    # each assistant turn carries the engine's structured meta, so follow-ups never re-read answer text
    history = [Turn(role=m["role"], content=m["content"], meta=m.get("meta")) for m in messages]
    with st.chat_message("assistant"):
        final: list[Answer] = []

        def deltas():
            for item in assistant().stream(question, history, tenant=tenant):
                if isinstance(item, Answer):
                    final.append(item)
                else:
                    yield item

        placeholder = st.empty()
        try:
            with render.traced("ask"):
                with placeholder.container():
                    st.write_stream(deltas())
                placeholder.empty()
        except TrustdeskError as exc:  # empty, too long, no index: said in the page, and not kept in the history
            placeholder.empty()
            st.error(str(exc), icon=":material/error:")
            return
        if not final:  # a bug, reported with its reference by render.traced
            placeholder.empty()
            return
        answer = final[-1]
        message = {"role": "assistant", "content": answer.text, "answer": answer.model_dump(mode="json"),
                   "meta": answer.meta.model_dump(), "passages": answer.passages(), "question": question}
        messages.extend([{"role": "user", "content": question}, message])
        show_answer(message, latest=True)


for n, message in enumerate(messages):
    with st.chat_message(message["role"]):
        if message.get("answer"):
            show_answer(message, latest=n == len(messages) - 1)
        else:
            st.markdown(message["content"])

question = st.chat_input("Ask about SOC 2 or ISO 27001")
if not messages:
    intro = st.empty()
    with intro.container():
        st.markdown("**New here? Try one of these:**")
        columns = st.columns(3)  # three to a row: each question readable in full
        for n, example in enumerate(EXAMPLES):
            if columns[n % 3].button(example, key=f"example-{example}", width="stretch"):
                question = example
    if question is not None:
        intro.empty()
if question is not None:
    ask(question)
