"""trustdesk in the browser: `trustdesk ui` (or `streamlit run ui/web/app.py`).

A thin adapter: every answer comes from bot.Assistant; this file only lays out pages.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `streamlit run` puts only this folder on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

st.set_page_config(page_title="trustdesk", page_icon=":material/verified_user:", layout="wide")
pages = st.navigation([
    st.Page("pages/ask.py", title="Ask", icon=":material/chat:", default=True),
    st.Page("pages/evaluation.py", title="Evaluation", icon=":material/monitoring:"),
])
pages.run()
