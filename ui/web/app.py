"""trustdesk in the browser: `trustdesk ui` (or `streamlit run ui/web/app.py`).

A thin adapter: every page calls bot/ workflows and lays out what they return. The Explore page answers at
`/Explore?id=CC6.1`, the address Slack links to. The page scripts live in `views/`, not `pages/`: Streamlit
would read a `pages/` folder as old-style pages too, and a first visit to a deep link after a start was
then told "Page not found".
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `streamlit run` puts only this folder on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from ui.web.resources import configure_logs  # noqa: E402
from ui.web import render  # noqa: E402

st.set_page_config(page_title="trustdesk", page_icon=":material/verified_user:", layout="wide")
configure_logs()
pages = st.navigation({
    "Answers": [
        st.Page("views/ask.py", title="Ask", icon=":material/chat:", default=True),
        st.Page("views/advisor.py", title="Advisor", icon=":material/alt_route:", url_path="Advisor"),
        st.Page("views/explore.py", title="Explore", icon=":material/travel_explore:", url_path="Explore"),
    ],
    "Sales": [
        st.Page("views/questionnaire.py", title="Questionnaire", icon=":material/checklist:", url_path="Questionnaire"),
        st.Page("views/library.py", title="Library", icon=":material/library_books:", url_path="Library"),
    ],
    "Operations": [
        st.Page("views/evaluation.py", title="Evaluation", icon=":material/monitoring:", url_path="Evaluation"),
        st.Page("views/admin.py", title="Admin", icon=":material/settings:", url_path="Admin"),
    ],
})
with render.guarded():  # a failure on any page: one line for a known one, a reference for a bug
    pages.run()
