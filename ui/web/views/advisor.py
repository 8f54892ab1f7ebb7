"""Advisor: a short form put to the same advisor as the chat; the recommendation, its reasons, the comparison and
the roadmap as a timeline of estimates."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from bot.advise import MARKET_WORDS, SEGMENT_WORDS, Advisor, describe
from bot.errors import TrustdeskError
from bot.models import Answer
from ui.web import render
from ui.web.resources import assistant

MARKETS = {"us": "United States", "canada": "Canada", "europe": "Europe (EU)", "uk": "United Kingdom",
           "dach": "Germany, Austria, Switzerland", "japan": "Japan", "apac": "Asia-Pacific", "latam": "Latin America",
           "mea": "Middle East and Africa", "global": "Worldwide"}
SEGMENTS = {"enterprise": "Large enterprises", "public_sector": "Public sector", "healthcare": "Healthcare",
            "financial_services": "Financial services", "startup": "Startups"}
FRAMEWORKS = {"soc2": "SOC 2", "iso27001": "ISO 27001"}
assert set(MARKETS) == set(MARKET_WORDS) and set(SEGMENTS) == set(SEGMENT_WORDS), "the form offers what the advisor reads"

st.title("Which framework first?")
st.caption("Answer what you know; the advisor is the same one the chat uses, and every reason cites a guidance page.")

with st.form("profile"):
    left, right = st.columns(2)
    markets = left.multiselect("Where are your customers, or the ones you want to win?", list(MARKETS),
                               format_func=MARKETS.__getitem__, placeholder="Choose regions")
    segments = right.multiselect("Who do you sell to?", list(SEGMENTS), format_func=SEGMENTS.__getitem__,
                                 placeholder="Choose segments (optional)")
    asks = left.multiselect("Which has a customer asked for by name?", list(FRAMEWORKS), format_func=FRAMEWORKS.__getitem__,
                            placeholder="Neither yet")
    existing = right.multiselect("Which do you already hold?", list(FRAMEWORKS), format_func=FRAMEWORKS.__getitem__,
                                 placeholder="Neither yet")
    deadline = left.number_input("Deadline, in months (0 if none)", min_value=0, max_value=36, value=0, step=1)
    submitted = st.form_submit_button("Recommend", type="primary", icon=":material/alt_route:")

if submitted:
    question = describe(markets, segments, asks, existing, int(deadline) or None) + \
        " Give me a side by side table and a roadmap."
    try:
        with st.spinner("Weighing your answers..."), render.traced("advisor"):
            answer = assistant().ask(question)
            st.session_state["advice"] = {"answer": answer.model_dump(mode="json"),
                                          "passages": answer.passages(), "question": question}
    except TrustdeskError as exc:
        st.error(str(exc), icon=":material/error:")

saved = st.session_state.get("advice")
if saved:
    answer = Answer.model_validate(saved["answer"])
    with st.expander("What the advisor was told", icon=":material/description:"):
        st.write(saved["question"])
    if answer.parts.ask_back:
        st.info(f"The advisor needs one more thing: {answer.parts.ask_back}", icon=":material/help:")
        st.stop()
    st.header(answer.parts.lead or answer.text.split("\n", 1)[0])
    render.tier_badge(answer.tier, answer.needs_review)
    reasons, comparison, roadmap, sources = st.tabs(["Why", "Side by side", "Roadmap", "Sources"])
    with reasons:
        for point in answer.parts.points:
            st.markdown(f"- {point.text}" + (f" ({', '.join(point.cite)})" if point.cite else ""))
    with comparison:
        st.markdown(answer.parts.table or "_No comparison table in this answer._")
    with roadmap:
        advisor = Advisor.load()  # the order of the frameworks, from the same words the answer came from
        phases = advisor.timeline(advisor.advise(advisor.profile([saved["question"]])).order)
        if phases:
            frame = pd.DataFrame([{"Phase": p.phase, "start": p.start, "end": p.end,
                                   "Estimate": p.duration, "Typical months": f"{p.low:g}-{p.high:g}"
                                   if p.low != p.high else f"{p.low:g}", "Framework": FRAMEWORKS[p.framework]}
                                  for p in phases])
            chart = (alt.Chart(frame).mark_bar(cornerRadius=3)
                     .encode(x=alt.X("start:Q", title="Months from now (estimates)"), x2="end:Q",
                             y=alt.Y("Phase:N", sort=None, title=None, axis=alt.Axis(labelLimit=420)),
                             color=alt.Color("Framework:N", legend=alt.Legend(orient="top")),
                             tooltip=["Phase", "Estimate", "Typical months"])
                     .properties(height=36 * len(frame) + 60))
            st.altair_chart(chart, width="stretch")
            st.caption("Durations are typical ranges, not quotes: they depend on your size, scope and readiness "
                       "(guidance: cost-and-timeline-estimates, iso27001-certification-cycle). The last phase of "
                       "each framework repeats every year.")
        if answer.parts.steps:
            st.markdown("\n".join(f"{n}. {s}" for n, s in enumerate(answer.parts.steps, 1)))
    with sources:
        for citation in answer.citations:
            render.citation_card(citation, saved["passages"].get(citation.id, ""))
