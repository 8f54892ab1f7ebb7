"""Explore: every SOC 2 criterion, ISO clause and Annex A control, one item's page, and the crosswalk as a heatmap.

`/Explore?id=CC6.1` opens an item directly (the links in answers and in Slack).
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from bot.explore import CROSSWALK, FRAMEWORK_NAMES, KIND_NAMES, UnknownItem, catalogue, item, matrix, resolve, themes
from ingest.crosswalk import Crosswalk
from ui.web import render

STRENGTH_BADGE = {"equivalent": ":green-badge[equivalent]", "partial": ":orange-badge[partial]"}


@st.cache_resource(show_spinner=False)
def crosswalk() -> Crosswalk:
    return Crosswalk.load(CROSSWALK)


def open_item(item_id: str) -> None:
    st.query_params["id"] = item_id
    st.rerun()


def show_item(item_id: str) -> None:
    view = item(item_id, crosswalk())
    entry = view.entry
    if st.button("All items", icon=":material/arrow_back:", key="back"):
        del st.query_params["id"]
        st.rerun()
    st.header(f"{entry.id} {entry.title}")
    badges = [render.framework_badge(entry.framework), f":gray-badge[{KIND_NAMES[entry.kind]}]",
              f":gray-badge[{entry.theme}]"]
    if entry.new_in_2022:
        badges.append(":green-badge[:material/fiber_new: new in 2022]")
    st.markdown(" ".join(badges))
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(view.explanation.replace("\n## ", "\n#### ").removeprefix("## ").join(["#### ", ""])
                    if view.explanation else "_No explanation in the corpus for this item yet._")
        st.caption(f"Our explanation, in our own words: `{view.source}`")
    with right:
        other = "ISO 27001" if entry.framework == "soc2" else "SOC 2"
        st.subheader(f"{other} counterparts")
        if not view.counterparts:
            st.write(f"The crosswalk links no {other} item to {entry.id}.")
        for c in view.counterparts:
            with st.container(border=True):
                st.markdown(f"{STRENGTH_BADGE.get(c.strength, c.strength)} **{c.id}** {c.title}")
                st.caption(c.basis)
                if st.button(f"Open {c.id}", key=f"open-{c.id}", icon=":material/arrow_forward:"):
                    open_item(c.id)
        st.caption("From `corpus/crosswalk/soc2-iso27001.yaml`: *equivalent* means the same evidence satisfies "
                   "both with little extra work; *partial* means they overlap.")
        if entry.kind == "control":
            st.subheader("ISO 27001:2013 predecessors")
            if view.predecessors:
                st.markdown("\n".join(f"- **{old}** {title}" for old, title in view.predecessors))
            else:
                st.write("None: this control is new in the 2022 edition.")


def browse() -> None:
    cols = st.columns([2, 2, 3, 2, 3])
    framework = cols[0].selectbox("Framework", [None, "soc2", "iso27001"],
                                  format_func=lambda f: "All" if f is None else FRAMEWORK_NAMES[f])
    kinds = {"soc2": ["criterion"], "iso27001": ["clause", "control"]}.get(framework, list(KIND_NAMES))
    kind = cols[1].selectbox("Kind", [None, *kinds], format_func=lambda k: "All" if k is None else KIND_NAMES[k])
    theme = cols[2].selectbox("Category or theme", [None, *themes(framework)],
                              format_func=lambda t: "All" if t is None else t)
    search = cols[3].text_input("Search", placeholder="e.g. backup", max_chars=100)
    cols[4].write("")
    new_only = cols[4].toggle("New in ISO 27001:2022", help="The 11 Annex A controls the 2022 edition added.")
    entries = catalogue(framework=framework, kind=kind, theme=theme, new_only=new_only, search=search)
    if not entries:
        st.info("Nothing matches these filters. Clear the search or pick another theme.")
        return
    table = pd.DataFrame([{"ID": e.id, "Title": e.title, "Framework": FRAMEWORK_NAMES[e.framework],
                           "Kind": KIND_NAMES[e.kind], "Theme": e.theme, "New in 2022": e.new_in_2022}
                          for e in entries])
    st.caption(f"{len(entries)} items. Select a row to open it.")
    picked = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                          key="catalogue", height=min(38 + 35 * len(entries), 560))
    if picked.selection.rows:
        open_item(table.iloc[picked.selection.rows[0]]["ID"])


def heatmap() -> None:
    cells = pd.DataFrame(matrix(crosswalk()))
    soc2 = list(dict.fromkeys(cells["soc2"]))
    iso = list(dict.fromkeys(cells.sort_values("iso_order")["iso"]))
    st.caption(f"{len(cells)} links between {len(soc2)} SOC 2 criteria and {len(iso)} ISO 27001 items. "
               "Click a cell to see why the two are linked.")
    pick = alt.selection_point(fields=["soc2", "iso"], name="cell")
    chart = (alt.Chart(cells).mark_rect(stroke="white", strokeWidth=0.5)
             .encode(x=alt.X("iso:N", sort=iso, title="ISO 27001:2022 (clauses, then Annex A)",
                             axis=alt.Axis(labelAngle=-90, labelFontSize=9)),
                     y=alt.Y("soc2:N", sort=soc2, title="SOC 2 criterion", axis=alt.Axis(labelFontSize=9)),
                     color=alt.Color("strength:N", scale=alt.Scale(domain=["equivalent", "partial"],
                                                                   range=["#1a7f37", "#f0b429"]),
                                     legend=alt.Legend(title="Strength", orient="top")),
                     opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
                     tooltip=["soc2", "iso", "strength", "basis"])
             .add_params(pick).properties(height=14 * len(soc2) + 120))
    event = st.altair_chart(chart, on_select="rerun", key="heatmap", width="stretch")
    chosen = (event.selection.get("cell") or []) if event else []
    if chosen:
        a, b = chosen[0]["soc2"], chosen[0]["iso"]
        link = cells[(cells["soc2"] == a) & (cells["iso"] == b)].iloc[0]
        with st.container(border=True):
            st.markdown(f"**{a}** ↔ **{b}** {STRENGTH_BADGE[link['strength']]}: {link['basis']}")
            left, right = st.columns(2)
            if left.button(f"Open {a}", icon=":material/arrow_forward:"):
                open_item(a)
            if right.button(f"Open {b}", icon=":material/arrow_forward:"):
                open_item(b)


st.title("Explore the standards")
wanted = st.query_params.get("id")
if wanted:
    try:
        show_item(resolve(wanted))
        st.stop()
    except UnknownItem as exc:
        st.warning(f"{exc}. Pick one from the list below.", icon=":material/search_off:")
browse_tab, heatmap_tab = st.tabs(["Browse", "Crosswalk heatmap"])
with browse_tab:
    browse()
with heatmap_tab:
    heatmap()
