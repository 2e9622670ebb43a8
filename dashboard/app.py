"""Investable: is the market investable this week, and why? (``streamlit run dashboard/app.py``)

Every run reads the store's generation first (the caches are keyed by it), then renders from
what the store holds: no page waits on the network. An empty store opens on the Data page with
what to do; a refresh runs in the background (Data page).
"""

import sys
from pathlib import Path

import streamlit as st

# Streamlit puts this file's folder on the path; the packages live one level up. Installed with
# `uv run` the project is importable anyway; on Streamlit Community Cloud this makes it so.
ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from dashboard import state  # noqa: E402
from dashboard.controls import maybe_auto_refresh, sidebar  # noqa: E402

st.set_page_config(page_title="Investable", page_icon="📈", layout="wide")
state.begin_run()
empty = state.is_empty()
pages = [
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=not empty),
    st.Page("views/indicators.py", title="Indicators", icon=":material/checklist:"),
    st.Page("views/composite.py", title="Composite", icon=":material/stacked_line_chart:"),
    st.Page("views/levels.py", title="Levels & risk/reward", icon=":material/straighten:"),
    st.Page("views/regimes.py", title="Regimes", icon=":material/timeline:"),
    st.Page("views/data.py", title="Data", icon=":material/database:", default=empty),
]
navigation = st.navigation(pages)
maybe_auto_refresh()
sidebar()
navigation.run()
