"""Investable app frame: navigation around the pages."""

import streamlit as st

st.set_page_config(page_title="Investable", layout="wide")
pages = [
    st.Page("pages/overview.py", title="Overview", default=True),
    st.Page("pages/data.py", title="Data"),
]
st.navigation(pages).run()
