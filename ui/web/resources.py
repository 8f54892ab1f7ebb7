"""The heavy things the pages share, built once per server by Streamlit's resource cache."""

from __future__ import annotations

import streamlit as st

from bot import Assistant, Settings


@st.cache_resource(show_spinner="Loading the model and the index...")
def assistant() -> Assistant:
    """One Assistant per server process: the same engine every surface uses."""
    engine = Assistant(Settings())
    engine.warm()
    return engine


def settings() -> Settings:
    return assistant().settings
