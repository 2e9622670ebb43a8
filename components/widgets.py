"""Small Streamlit widgets shared by the pages (display only: no data access, no rules)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.price import PLOTLY_CONFIG


def chart(fig: go.Figure, key: str | None = None) -> None:
    """A Plotly figure at full width whose toolbar saves a PNG at 2× scale."""
    st.plotly_chart(fig, config=PLOTLY_CONFIG, key=key, theme=None)


def percent(value: float | None, digits: int = 1, signed: bool = False) -> str:
    """0.0123 -> "1.2 %" ("—" for a missing value)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:{'+' if signed else ''}.{digits}f} %"


def number(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def day(value: pd.Timestamp | None) -> str:
    return "—" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def state_badge(invested: bool | None, label_on: str = "Invested", label_off: str = "Cash") -> None:
    """Green when invested, red for cash, grey when unknown."""
    if invested is None:
        st.badge("Unavailable", color="gray", icon=":material/help:")
    elif invested:
        st.badge(label_on, color="green", icon=":material/trending_up:")
    else:
        st.badge(label_off, color="red", icon=":material/shield:")


def source_caption(*parts: str) -> None:
    st.caption(" · ".join(part for part in parts if part))
