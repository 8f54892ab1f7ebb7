"""Ask: a conversation with trustdesk, answers streamed with their sources."""

from __future__ import annotations

import streamlit as st

from bot.errors import TrustdeskError
from bot.models import Answer, Turn
from ui.web.resources import assistant

st.title("trustdesk")
st.caption("SOC 2 and ISO/IEC 27001:2022 answers, quoted from sources you can check. "
           "Try \"What does CC6.1 require?\", \"Which ISO controls cover CC7.2?\" or \"Should we do SOC 2 or ISO 27001?\"")

with st.sidebar:
    tenant = st.text_input("Company (tenant)", value=st.session_state.get("tenant", ""),
                           help="Answer company questions from this tenant's approved material "
                                "(loaded with `trustdesk company ingest DIR --tenant NAME`).").strip() or None
    st.session_state["tenant"] = tenant or ""
    if st.button("New conversation", icon=":material/refresh:"):
        st.session_state["messages"] = []

messages: list[dict] = st.session_state.setdefault("messages", [])


def show_sources(answer: Answer) -> None:
    meta = f"confidence {answer.confidence:.2f} · {answer.latency_ms:.0f} ms"
    if answer.recommendation:
        meta = f"recommendation: **{answer.recommendation}** · " + meta
    st.caption(meta)
    if answer.citations:
        with st.expander(f"Sources ({len(answer.citations)})"):
            for c in answer.citations:
                st.markdown(f"- **{c.id}** {c.title} · `{c.source}`")


for message in messages:
    with st.chat_message(message["role"]):
        st.markdown(message["content"])
        if message.get("answer"):
            show_sources(Answer.model_validate(message["answer"]))

question = st.chat_input("Ask about SOC 2 or ISO 27001")
if question:
    with st.chat_message("user"):
        st.markdown(question)
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

        try:
            placeholder = st.empty()
            with placeholder.container():
                st.write_stream(deltas())
            answer = final[-1]
            placeholder.markdown(answer.text)  # the checked text (an LLM's invented citations removed)
            show_sources(answer)
        except TrustdeskError as exc:
            st.error(str(exc))
            answer = None
    messages.append({"role": "user", "content": question})
    if answer is not None:
        messages.append({"role": "assistant", "content": answer.text, "answer": answer.model_dump(mode="json"),
                         "meta": answer.meta.model_dump()})
