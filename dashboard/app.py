"""Investable: is the market investable this week, and why? (``streamlit run dashboard/app.py``)"""

import sys
from pathlib import Path

import streamlit as st

# Streamlit puts this file's folder on the path; the packages live one level up. Installed with
# `uv run` the project is importable anyway; on Streamlit Community Cloud this makes it so.
ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from dashboard.controls import first_start, sidebar  # noqa: E402

st.set_page_config(page_title="Investable", page_icon="📈", layout="wide")
pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/indicators.py", title="Indicators", icon=":material/checklist:"),
    st.Page("pages/composite.py", title="Composite", icon=":material/stacked_line_chart:"),
    st.Page("pages/levels.py", title="Levels & risk/reward", icon=":material/straighten:"),
    st.Page("pages/regimes.py", title="Regimes", icon=":material/timeline:"),
    st.Page("pages/data.py", title="Data", icon=":material/database:"),
]
navigation = st.navigation(pages)
first_start()
sidebar()
navigation.run()
