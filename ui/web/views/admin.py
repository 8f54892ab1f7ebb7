"""Admin: what the index holds, re-ingest with progress, a tenant's documents, and the feedback export."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from bot.sales.feedback import export_csv
from bot.sales.library import Library, rebuild_index
from bot.sales.tenant import ingest_folder
from bot.status import index_status
from ingest import ingest, load_corpus
from ingest.documents import DOCUMENT_SUFFIXES
from ingest.store import Store
from ui.web import render, uploads
from ui.web.resources import records, settings, tenants

COMPANY_SUFFIXES = set(DOCUMENT_SUFFIXES) | {".csv", ".xlsx"}
STAGES = {"embed": "Embedding changed chunks", "reuse": "Reusing unchanged chunks"}

st.title("Admin")
cfg = settings()
store = Store(cfg.data_dir, cfg.chroma_url)


def progress_bar(label: str):
    bar = st.progress(0.0, text=label)

    def step(stage: str, done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"{STAGES.get(stage, stage)}: {done} of {total}")

    return bar, step


st.subheader("Index")
with render.friendly():
    status = index_status(store, cfg)
    cols = st.columns(3)
    cols[0].metric("Store", status.store_mode)
    cols[1].metric("Indexes", len(status.indexes))
    cols[2].metric("Standards chunks", status.standards.chunks if status.standards else 0)
    st.markdown(f"**Store:** `{status.store_where}`  \n**Records database:** `{status.database}`")
    if status.indexes:
        st.dataframe(pd.DataFrame([{"Index": i.index, "Documents": i.documents, "Chunks": i.chunks,
                                    "Generation": i.generation, "Last ingest (UTC)": i.built_at, "Model": i.model}
                                   for i in status.indexes]), hide_index=True, width="stretch")
    else:
        st.warning("No index yet: re-ingest the standards below (or run `trustdesk ingest`).")
    if st.button("Re-ingest the standards corpus", icon=":material/sync:",
                 help=f"Reads {cfg.corpus_dir}; unchanged chunks are reused, readers never see a half-built index."):
        bar, step = progress_bar("Loading the corpus...")
        report = ingest(load_corpus(cfg.corpus_dir), store, progress=step, records=records())
        bar.progress(1.0, text="Done")
        st.success(f"Published {report.collection}: {report.documents} documents, {report.chunks} chunks "
                   f"({report.embedded} embedded, {report.reused} reused) in {report.seconds:.1f} s"
                   if report.changed else f"Already up to date ({report.chunks} chunks).")

st.subheader("A company's documents")
st.caption("Policies (md, txt, pdf, docx, html) and answer libraries (CSV or XLSX with question and answer columns) "
           "for one tenant, as `trustdesk company ingest` takes them. Library rows arrive approved.")
known = tenants()
left, right = st.columns([1, 2])
tenant = left.text_input("Tenant", value=known[0] if known else "", max_chars=40,
                         help="Lowercase letters, digits, '-' or '_'. A new name creates the tenant.").strip()
files = right.file_uploader("Documents", type=sorted(s[1:] for s in COMPANY_SUFFIXES), accept_multiple_files=True,
                            max_upload_size=int(cfg.max_upload_mb))
if files and st.button(f"Add to {tenant or '...'}", icon=":material/upload:", disabled=not tenant):
    with render.friendly():
        library = Library(records(), tenant)  # checks the name first
        folder = cfg.data_dir / "uploads" / secrets.token_hex(8)
        for f in files:
            uploads.save(f.name, f.getvalue(), COMPANY_SUFFIXES, cfg.max_upload_mb, folder, fresh=False)
        report = ingest_folder(library, folder, max_bytes=int(cfg.max_upload_mb * 1_000_000))
        for problem in report.problems:
            st.warning(problem)
        docs = report.documents
        st.write(f"{len(docs.get('added', []))} documents added, {len(docs.get('changed', []))} changed; "
                 + "; ".join(f"{name}: {len(r.added)} library answers added" for name, r in report.library))
        bar, step = progress_bar("Updating the tenant's index...")
        rebuild_index(library, store, progress=step)
        bar.progress(1.0, text=f"{tenant}'s index is up to date")

st.subheader("Feedback")
with tempfile.TemporaryDirectory() as tmp, render.friendly():
    path = Path(tmp) / "feedback.csv"
    count = export_csv(records(), path)
    st.download_button(f"Download all feedback ({count} votes) as CSV", path.read_bytes(), file_name="feedback.csv",
                       mime="text/csv", icon=":material/download:")
