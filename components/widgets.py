"""Small Streamlit widgets shared by the pages (display only: no data access, no rules)."""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.price import plotly_config


def chart(fig: go.Figure, key: str | None = None) -> None:
    """A Plotly figure at full width whose toolbar saves a PNG at 2× scale, named
    ``investable-<title>-as-of-YYYY-MM-DD`` (:func:`components.price.export_filename`)."""
    st.plotly_chart(fig, config=plotly_config(fig), key=key, theme=None)


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


def decision_label(decision_date: pd.Timestamp) -> str:
    """``"Thursday close **2018-03-29**"``: the real weekday of the decision (Thursday before
    Good Friday, not "Friday")."""
    stamp = pd.Timestamp(decision_date)
    return f"{stamp:%A} close **{stamp:%Y-%m-%d}**"


def close_label(price_note: str) -> str:
    """The metric label for SPY's close: "SPY close (dividend-adjusted)" when the price note
    says the close is dividend-adjusted, else "SPY close"."""
    return "SPY close (dividend-adjusted)" if "dividend-adjusted" in price_note else "SPY close"


def money(value: float | None, digits: int = 2) -> str:
    """-1892.33 -> "-$1,892.33" (sign before the dollar sign; "—" for a missing value)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.{digits}f}"


def uptrend_text(days: int, rise: float, required_rise: float, up: int, required_up: int) -> str:
    """One uptrend window in words: ``"+12.0 % (3 % needed), 11 up days of 15 (10 needed)"``
    (rises as fractions: 0.12 -> "+12.0 %")."""
    return (
        f"{rise * 100:+.1f} % ({required_rise * 100:g} % needed), "
        f"{int(up)} up days of {int(days)} ({int(required_up)} needed)"
    )


def stop_delta(stop: float, close: float) -> tuple[str, Literal["red", "gray"]]:
    """The trailing stop's delta text and colour for ``st.metric``: a stop is never shown as
    good news. At or above the close (``close <= stop``): ``("hit: the close is at or below
    it", "red")``; below it: ``("6.0 % below the close", "gray")`` with 1 - stop / close."""
    if close <= stop:
        return "hit: the close is at or below it", "red"
    return f"{percent(1 - stop / close, 1)} below the close", "gray"
