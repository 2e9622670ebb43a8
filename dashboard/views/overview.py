"""Overview: invested or cash this week, and why — at a glance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.backtest import spy_total_return
from analytics.errors import AnalyticsError
from analytics.gauge import component_names, model_gauge
from analytics.levels import price_for_levels
from analytics.regimes import DEFAULT_BULL, bull_market_distance, uptrend_distance
from analytics.sectors import relative_strength
from components.figures import gauge_figure, price_figure, sectors_figure
from components.price import moving_average
from components.widgets import (
    chart,
    close_label,
    day,
    decision_label,
    number,
    state_badge,
    uptrend_text,
)
from dashboard import state
from dashboard.report_panel import report_downloads
from data_sources.catalog import SECTORS

view = state.current_view()
if view is None:
    st.stop()
model, as_of = view.model, view.as_of
snapshot = model.snapshot(as_of)
series = state.load_all(state.data_dir())

title, action = st.columns([4, 1], vertical_alignment="bottom")
current = view.latest and not state.freshness().stale
week = "this week" if current else f"in the week to {day(snapshot.decision_date)}"
title.title(
    f"Is the market investable {week}?" if current else f"Was the market investable {week}?"
)
with action:
    report_downloads(model, series, as_of)
trade = day(snapshot.trade_date) if snapshot.trade_date is not None else "the next trading day"
st.caption(
    f"Decision on {decision_label(snapshot.decision_date)}, traded at the close of "
    f"**{trade}**." + ("" if view.latest else "  Historical view: data published by then only.")
)

# ---- the decision -------------------------------------------------------------------------
decision, composite, *category_columns = st.columns([1.3, 1.1, 1, 1, 1, 1])
with decision:
    st.markdown(f"### {'INVESTED' if snapshot.invested else 'CASH'}")
    state_badge(snapshot.invested, "Hold SPY", "Hold cash")
with composite:
    st.metric(
        "Composite",
        number(snapshot.composite),
        f"threshold {snapshot.invest_threshold:.2f}",
        delta_color="off",
        delta_arrow="off",
        help="Share of the available indicators that say invested.",
    )
    st.caption(f"{snapshot.available} of {snapshot.total} indicators available")
for column, (name, score) in zip(category_columns, snapshot.categories.items(), strict=True):
    used, size = snapshot.category_counts[name]
    column.metric(
        name, number(score), f"{used} of {size} available", delta_color="off", delta_arrow="off"
    )

# ---- what changed ---------------------------------------------------------------------------
previous = model.previous_decision_date(snapshot.decision_date)
left, right = st.columns([1.15, 1])
with left:
    st.subheader(f"What changed {week}")
    if previous is None:
        st.write("This is the first week of the history.")
    else:
        changes = model.changes(previous, snapshot.decision_date)
        before = model.composite.get(previous)
        st.caption(
            f"{day(previous)} → {day(snapshot.decision_date)}: composite "
            f"{number(before)} → {number(snapshot.composite)}"
        )
        if changes.empty:
            st.write("No indicator changed its vote.")
        else:

            def vote(value: float | None) -> str:
                return (
                    "unavailable"
                    if value is None or pd.isna(value)
                    else ("invested" if value == 1 else "cash")
                )

            st.dataframe(
                pd.DataFrame(
                    {
                        "Indicator": changes["name"],
                        "Category": changes["category"],
                        "Was": changes["before"].map(vote),
                        "Now": changes["after"].map(vote),
                        "Reading": changes["reading_after"].map(number),
                    }
                ),
                hide_index=True,
            )

# ---- regimes --------------------------------------------------------------------------------
with right:
    st.subheader("Market regime")
    index_frame = series.get("yahoo:^GSPC")
    if index_frame is None or index_frame.empty:
        index_frame = series.get("yahoo:SPY")
    close, _ = price_for_levels(index_frame)
    try:
        bull = bull_market_distance(close, as_of).loc[DEFAULT_BULL]
        uptrend = uptrend_distance(close, as_of)
        qualifying = uptrend[uptrend["qualifies"]]
        st.markdown("**Bull market** (20 % above the 155-day low)")
        state_badge(bool(bull["qualifies"]), "Bull market", "No bull market")
        st.caption(bull["text"] or bull["note"])
        st.markdown("**Investable uptrend** (any window)")
        state_badge(not qualifying.empty, "Investable uptrend", "No investable uptrend")
        if not qualifying.empty:
            st.caption("Qualifying windows: " + ", ".join(f"{d} days" for d in qualifying.index))
        elif uptrend["rise_gap"].notna().any():
            nearest = uptrend.loc[uptrend["rise_gap"].idxmax()]
            closest = uptrend_text(
                nearest.name,
                nearest["rise"],
                nearest["required_rise"],
                nearest["up_days"],
                nearest["required_up_days"],
            )
            st.caption(f"Closest: the {nearest.name}-day window, {closest}")
    except AnalyticsError as exc:
        st.info(f"Regimes unavailable: {exc}")

# ---- price against its 200-day average --------------------------------------------------------
st.subheader("SPY against its 200-day average")
try:
    spy, price_note = spy_total_return(series)
except AnalyticsError as exc:
    st.info(str(exc))
else:
    spy = spy.loc[:as_of]
    average = moving_average(spy)
    if average.notna().any():
        gap = spy.iloc[-1] / average.iloc[-1] - 1
        st.metric(close_label(price_note), f"{spy.iloc[-1]:,.2f}", f"{gap:+.1%} vs 200-day")
    shown = spy.loc[as_of - pd.DateOffset(years=2) :]
    averages = pd.DataFrame({"200-day average": average}).loc[shown.index]
    chart(
        price_figure(shown, averages, "SPY and its 200-day average", f"Yahoo Finance, {price_note}")
    )

# ---- sentiment gauge and sectors ----------------------------------------------------------------
gauge_column, sector_column = st.columns([1, 1.4])
with gauge_column:
    reading = model_gauge(model, as_of)
    if reading.date is None:
        st.info("The sentiment gauge needs at least a year of weekly readings.")
    else:
        chart(
            gauge_figure(
                reading.value,
                reading.band,
                "Sentiment gauge",
                f"{reading.summary(component_names(model))} vs their past 5 years",
                reading.date,
            )
        )
        st.caption(
            " · ".join(
                f"{label}: {value:.0f}"
                for label, value in reading.history.items()
                if value == value
            )
        )
with sector_column:
    closes = {}
    for symbol in SECTORS:
        frame = series.get(f"yahoo:{symbol}")
        if frame is not None and not frame.empty:
            closes[symbol] = frame["adj_close" if "adj_close" in frame else "close"]
    try:
        spy_close, _ = spy_total_return(series)
        table = relative_strength(closes, spy_close, as_of)
    except AnalyticsError as exc:
        st.info(f"Sector relative strength unavailable: {exc}")
    else:
        chart(
            sectors_figure(
                table,
                "relative_3M",
                "Sectors against SPY, last 3 months",
                "Yahoo Finance, sector SPDRs vs SPY, adjusted closes",
                table.attrs["as_of"],
            )
        )

# ---- freshness ---------------------------------------------------------------------------
with st.expander("Data freshness and unavailable indicators", expanded=not view.latest):
    rows = [
        {
            "Indicator": row.name,
            "Category": row.category,
            "Data to": day(row.last_observation),
            "Status": "available" if row.available else row.reason,
        }
        for row in snapshot.indicators
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
