"""Overview: SPY's latest price against its 200-day average."""

import streamlit as st

from components.price import PLOTLY_CONFIG, moving_average, price_with_average
from dashboard.state import data_dir, load_all

st.title("Overview")
series = load_all(data_dir())
spy = series.get("yahoo:SPY")
if spy is None or spy.empty:
    st.warning("No SPY prices in the store. Load data on the Data page.")
else:
    close = spy["adj_close"].dropna()
    average = moving_average(close).iloc[-1]
    st.metric(
        "SPY close", f"{close.iloc[-1]:,.2f}", f"{close.iloc[-1] / average - 1:+.1%} vs 200-day"
    )
    fig = price_with_average(close.iloc[-1260:], "SPY and its 200-day average", "Yahoo Finance")
    st.plotly_chart(fig, config=PLOTLY_CONFIG)
