"""Library: a tenant's answer library. Candidates (from Slack experts, questionnaire reviews, imports) to approve, edit
or retire; conflicts and near-duplicates; entries due for review; import and export. All of it bot.sales.library."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from bot.sales.library import Library, LibraryError, rebuild_index
from ingest.documents import Unreadable
from ingest.tables import read_table
from ui.web import render, uploads
from ui.web.resources import assistant, embed, records, settings, tenants

YES_NO = ["", "yes", "no", "partial", "n/a"]

st.title("Answer library")
cfg = settings()
with st.sidebar:
    tenant = render.tenant_picker(tenants(), key="library-tenant", allow_none=False,
                                  help="Each company keeps its own library.")
if tenant is None:
    st.stop()
library = Library(records(), tenant)


def publish(done: str) -> None:
    """Rebuild the tenant's index so answers use the change at once, then show the page again."""
    with st.spinner("Updating the tenant's index..."):
        try:
            rebuild_index(library, assistant().store)
        except LibraryError:
            pass  # nothing approved yet: nothing to index
    st.session_state["library-done"] = done
    st.rerun()


def source_of(entry) -> str:
    if entry.source.startswith(("https://", "http://")):
        label = "Slack thread" if "slack.com" in entry.source else "source"
        return f"[{label}]({entry.source})"
    return entry.source or "no source given"


if done := st.session_state.pop("library-done", None):
    st.success(done, icon=":material/check:")

candidates = library.entries("candidate")
approved = library.entries("approved")
due = library.due()
tabs = st.tabs([f"Candidates ({len(candidates)})", "Conflicts and duplicates", f"Due for review ({len(due)})",
                f"Approved ({len(approved)})", "Import and export"])

with tabs[0]:
    if not candidates:
        st.info("No candidates waiting. Experts' replies in Slack, edits sent from a questionnaire and imports with "
                "status `candidate` arrive here.", icon=":material/inbox:")
    by_key = {e.question_key: e for e in approved}
    for entry in candidates:
        with st.container(border=True):
            st.markdown(f"**{entry.question}**")
            st.caption(f"`{entry.id}` · from {source_of(entry)}" + (f" · proposed by {entry.owner}" if entry.owner else "")
                       + f" · {entry.created_at:%Y-%m-%d}")
            current = by_key.get(entry.question_key.split("~", 1)[0]) if "~" in entry.question_key else None
            if current is not None:
                st.warning(f"Would replace the approved answer: {current.answer}", icon=":material/compare_arrows:")
            answer = st.text_area("Answer", entry.answer, key=f"answer-{entry.id}", max_chars=8000)
            yes_no = st.selectbox("Yes/No", YES_NO, index=YES_NO.index(entry.yes_no or ""), key=f"yn-{entry.id}",
                                  format_func=lambda v: v or "not stated")
            cols = st.columns(3)
            with render.friendly():
                if cols[0].button("Approve", key=f"approve-{entry.id}", type="primary", icon=":material/check:"):
                    if (answer, yes_no) != (entry.answer, entry.yes_no or ""):
                        library.edit(entry.id, answer=answer, yes_no=yes_no)
                    library.approve(entry.id, reviewer="web")
                    publish(f"Approved: {entry.question}")
                if cols[1].button("Save edit", key=f"save-{entry.id}", icon=":material/edit:"):
                    library.edit(entry.id, answer=answer, yes_no=yes_no)
                    publish(f"Saved, still a candidate: {entry.question}")
                if cols[2].button("Retire", key=f"retire-{entry.id}", icon=":material/archive:"):
                    library.retire(entry.id)
                    publish(f"Retired: {entry.question}")

with tabs[1]:
    proposals = [e for e in candidates if "~" in e.question_key]
    st.subheader("Proposals that would change an approved answer")
    st.write(f"{len(proposals)} waiting in Candidates." if proposals else "None.")
    st.subheader("Questions asked nearly the same way")
    if st.button("Check candidates for near-duplicates", icon=":material/content_copy:",
                 help="By wording, and by meaning with the embedding model."):
        with st.spinner("Comparing questions..."):
            found = Library(records(), tenant, embed()).near_duplicates([e.question for e in candidates])
        if found:
            st.dataframe(pd.DataFrame(found, columns=["Candidate", "Similar question in the library", "Why"]),
                         hide_index=True, width="stretch")
        else:
            st.success("No candidate repeats a question already in the library.")

with tabs[2]:
    if due:
        st.dataframe(pd.DataFrame([{"ID": e.id, "Question": e.question, "Review due": e.review_due,
                                    "Owner": e.owner} for e in due]), hide_index=True, width="stretch")
    else:
        st.success("Nothing is due for review: every approved answer was reviewed within the year.")

with tabs[3]:
    if approved:
        st.dataframe(pd.DataFrame([{"ID": e.id, "Question": e.question, "Answer": e.answer, "Yes/No": e.yes_no,
                                    "Source": e.source, "Review due": e.review_due} for e in approved]),
                     hide_index=True, width="stretch")
    else:
        st.info("No approved answers yet.")

with tabs[4]:
    left, right = st.columns(2)
    with left:
        st.subheader("Import")
        upload = st.file_uploader("CSV or XLSX with question and answer columns", type=["csv", "xlsx"],
                                  max_upload_size=int(cfg.max_upload_mb), key="library-import")
        status = st.radio("Rows without a status are", ["candidate", "approved"], horizontal=True)
        if upload is not None and st.button("Import", icon=":material/upload:"):
            with render.friendly():
                path = uploads.save(upload.name, upload.getvalue(), {".csv", ".xlsx"}, cfg.max_upload_mb,
                                    cfg.data_dir / "uploads")
                try:
                    rows = read_table(path, int(cfg.max_upload_mb * 1_000_000))
                except Unreadable as exc:
                    raise LibraryError(f"{upload.name}: {exc}") from None
                report = Library(records(), tenant, embed()).import_rows(rows, status=status, origin=upload.name)
                st.write(f"{len(report.added)} added, {len(report.changed)} changed, {len(report.unchanged)} unchanged")
                for line in report.conflicts + report.problems:
                    st.warning(line)
                for question, other, why in report.near_duplicates:
                    st.info(f"Near-duplicate ({why}): {question!r} and {other!r}")
                if report.touched and status == "approved":
                    rebuild_index(library, assistant().store)
    with right:
        st.subheader("Export")
        kind = st.radio("Format", ["xlsx", "csv"], horizontal=True)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{tenant}-library.{kind}"
            count = library.export(path)
            st.download_button(f"Download {count} entries", path.read_bytes(), file_name=path.name,
                               icon=":material/download:")
