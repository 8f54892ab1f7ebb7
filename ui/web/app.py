"""trustdesk in the browser: `trustdesk ui` (or `streamlit run ui/web/app.py`).

A thin adapter: every page calls bot/ workflows and lays out what they return. The Explore page answers at
`/Explore?id=CC6.1`, the address Slack links to.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `streamlit run` puts only this folder on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

st.set_page_config(page_title="trustdesk", page_icon=":material/verified_user:", layout="wide")
pages = st.navigation({
    "Answers": [
        st.Page("pages/ask.py", title="Ask", icon=":material/chat:", default=True),
        st.Page("pages/advisor.py", title="Advisor", icon=":material/alt_route:", url_path="Advisor"),
        st.Page("pages/explore.py", title="Explore", icon=":material/travel_explore:", url_path="Explore"),
    ],
    "Sales": [
        st.Page("pages/questionnaire.py", title="Questionnaire", icon=":material/checklist:", url_path="Questionnaire"),
        st.Page("pages/library.py", title="Library", icon=":material/library_books:", url_path="Library"),
    ],
    "Operations": [
        st.Page("pages/evaluation.py", title="Evaluation", icon=":material/monitoring:", url_path="Evaluation"),
        st.Page("pages/admin.py", title="Admin", icon=":material/settings:", url_path="Admin"),
    ],
})
pages.run()
