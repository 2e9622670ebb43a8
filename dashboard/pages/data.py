"""Data: every series with source, range, rows and last error."""

import pandas as pd
import streamlit as st

from dashboard.state import data_dir, series_status

st.title("Data")
rows = [
    {
        "Series": info.key,
        "Source": info.source,
        "First": info.first,
        "Last": info.last,
        "Rows": info.rows,
        "Last refresh": info.fetched_at,
        "Last error": info.last_error or "",
    }
    for info in series_status(data_dir())
]
st.dataframe(pd.DataFrame(rows), hide_index=True)
