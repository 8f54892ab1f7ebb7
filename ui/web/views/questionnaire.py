"""Questionnaire: upload a customer's XLSX or CSV, fill it from a tenant's approved material, review, download,
and send the reviewer's edits to the library as candidates. The filling is bot.sales.questionnaire's, as in the CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from bot.sales.questionnaire import drafted_rows, fill, import_review, write_reviewed
from ui.web import render, uploads
from ui.web.resources import assistant, records, settings, tenants

SUFFIXES = {".xlsx", ".csv", ".docx"}
BLANK = "-"  # an empty Yes/No cell; the editor would show an empty value as a grey "None"
YES_NO = [BLANK, "yes", "no", "partial", "n/a"]
TIERS = ["high", "medium", "low"]

st.title("Fill a questionnaire")
st.caption("Approved library answers are quoted whole; drafts from your documents and unanswered rows are flagged "
           "for review. The customer's file is never changed: you download a filled copy.")
cfg = settings()

with st.sidebar:
    tenant = render.tenant_picker(tenants(), key="questionnaire-tenant", allow_none=False,
                                  help="Whose approved answers and documents fill the questionnaire.")
if tenant is None:
    st.stop()

upload = st.file_uploader("Customer questionnaire (XLSX, CSV or Word tables)", type=sorted(s[1:] for s in SUFFIXES),
                          max_upload_size=int(cfg.max_upload_mb))
if upload is not None and st.button(f"Fill for {tenant}", type="primary", icon=":material/play_arrow:"):
    with render.friendly(), render.traced("questionnaire"):
        source = uploads.save(upload.name, upload.getvalue(), SUFFIXES, cfg.max_upload_mb, cfg.data_dir / "uploads")
        bar = st.progress(0.0, text="Reading the questionnaire...")

        def step(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Answered {done} of {total} questions")

        report = fill(assistant(), records(), source, source.with_name(f"{source.stem}-filled{source.suffix}"),
                      tenant, progress=step)
        bar.progress(1.0, text=f"Filled {report.total} questions in {report.seconds:.1f} s")
        st.session_state["fill"] = {"job": report.job_id, "source": str(source), "name": upload.name,
                                    "tenant": tenant, "edits": {}}

job = st.session_state.get("fill")
if not job:
    st.info("Upload a questionnaire to start. trustdesk finds the question column and the buyer's answer cells on "
            "each sheet and answers there; sources, tier, row kind and flags go to a 'trustdesk review' sheet.",
            icon=":material/upload_file:")
    st.stop()

rows = drafted_rows(records(), job["job"])
edits: dict[str, dict] = job["edits"]  # "sheet!row" -> {"answer", "yes_no"}
frame = pd.DataFrame([{"key": f"{r.sheet}!{r.row}", "Sheet": r.sheet, "Row": r.row, "Question": r.question,
                       "Answer": edits.get(f"{r.sheet}!{r.row}", {}).get("answer", r.answer),
                       "Yes/No": edits.get(f"{r.sheet}!{r.row}", {}).get("yes_no", r.yes_no) or BLANK,
                       "Tier": r.tier, "Needs review": r.needs_review, "Sources": r.sources, "Kind": r.kind,
                       "Flags": r.flags} for r in rows])
drafts = {f"{r.sheet}!{r.row}": (r.answer, r.yes_no or "") for r in rows}

st.subheader(f"{job['name']} for {job['tenant']}")
metrics = st.columns(4)
metrics[0].metric("Questions", len(rows))
for column, tier in zip(metrics[1:], TIERS):
    column.metric(f"{tier.capitalize()} confidence", int((frame["Tier"] == tier).sum()))
left, right = st.columns([3, 2])
tiers = left.multiselect("Show tiers", TIERS, default=TIERS)
review_only = right.toggle("Only rows that need review", value=False)
shown = frame[frame["Tier"].isin(tiers) & (frame["Needs review"] | (not review_only))]
edited = st.data_editor(
    shown, hide_index=True, width="stretch", key=f"review-{'-'.join(tiers)}-{review_only}",
    column_order=["Row", "Kind", "Question", "Answer", "Yes/No", "Tier", "Needs review", "Flags", "Sources"],
    disabled=["Sheet", "Row", "Kind", "Question", "Tier", "Needs review", "Flags", "Sources"],
    column_config={"Answer": st.column_config.TextColumn(width="large", max_chars=8000),
                   "Question": st.column_config.TextColumn(width="medium"),
                   "Yes/No": st.column_config.SelectboxColumn(options=YES_NO, width="small"),
                   "Needs review": st.column_config.CheckboxColumn(width="small")})
for record in edited.to_dict("records"):
    answer, yes_no = (record["Answer"] or "").strip(), "" if record["Yes/No"] in (None, BLANK) else record["Yes/No"]
    if (answer, yes_no) != drafts[record["key"]] and answer:
        edits[record["key"]] = {"answer": answer, "yes_no": yes_no}
    else:
        edits.pop(record["key"], None)
st.caption(f"{len(edits)} answer(s) edited. Edits go into the file you download, and to the library when you send them.")


def reviewed():
    source = Path(job["source"])
    changes = {(key.rsplit("!", 1)[0], int(key.rsplit("!", 1)[1])): (e["answer"], e["yes_no"]) for key, e in edits.items()}
    return write_reviewed(records(), job["job"], source, source.with_name(f"{source.stem}-reviewed{source.suffix}"),
                          changes, max_bytes=int(cfg.max_upload_mb * 1_000_000))


left, right = st.columns(2)
with left, render.friendly():
    path = reviewed()
    stem = job["name"].rsplit(".", 1)[0]
    st.download_button("Download the filled file", path.read_bytes(), file_name=f"{stem}-filled{path.suffix}",
                       icon=":material/download:", type="primary",
                       mime={".csv": "text/csv", ".docx": "application/vnd.openxmlformats-officedocument."
                             "wordprocessingml.document"}.get(path.suffix, "application/vnd.openxmlformats-"
                                                                          "officedocument.spreadsheetml.sheet"))
with right:
    if st.button("Send my edits to the library", icon=":material/library_add:", disabled=not edits,
                 help="Each edited answer becomes a candidate in the tenant's library, to approve on the Library page."):
        with render.friendly():
            result = import_review(records(), reviewed(), job["tenant"], max_bytes=int(cfg.max_upload_mb * 1_000_000))
            st.success(f"{len(result.added) + len(result.changed)} candidate(s) sent to {job['tenant']}'s library "
                       f"({len(result.unchanged)} already there). Approve them on the Library page.")
