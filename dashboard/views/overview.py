"""Overview: invested or cash this week, and why — at a glance."""

from __future__ import annotations

from typing import cast

import pandas as pd
import streamlit as st

from analytics.catalog import CATALOG
from analytics.errors import AnalyticsError
from analytics.gauge import ComponentReading
from analytics.levels import price_for_levels
from analytics.regimes import DEFAULT_BULL, bull_market_distance, uptrend_distance
from components.gauge import reading_text
from components.widgets import (
    chart,
    day,
    decision_label,
    number,
    state_badge,
    uptrend_text,
)
from dashboard import overview_cache, state
from dashboard.labels import series_label
from dashboard.report_panel import report_downloads

INPUTS = {spec.id: spec.inputs for spec in CATALOG}


def named(reason: str, component: str) -> str:
    """``reason`` with the component's series keys replaced by their names, as a sentence."""
    for key in sorted(INPUTS.get(component, ()), key=len, reverse=True):  # ^VIX3M before ^VIX
        reason = reason.replace(key, series_label(key))
    return f"{reason[:1].upper()}{reason[1:]}".rstrip(".") + "."


def component_card(card: ComponentReading) -> None:
    """One gauge component: its score and band, or why it is left out; its reading and date."""
    reading = reading_text(card.reading, card.unit)
    if card.status == "scored":
        st.metric(card.name, number(card.score, 0), card.band, delta_color="off", delta_arrow="off")
        st.caption(f"Reading {reading}, data of {day(card.observed)}.")
    elif card.status == "stale":
        st.metric(card.name, "Stale", "left out", delta_color="off", delta_arrow="off")
        st.caption(f"Last reading {reading}, data of {day(card.observed)}.")
        st.caption(named(card.reason, card.id))
    else:
        st.metric(card.name, "Unavailable", "left out", delta_color="off", delta_arrow="off")
        st.caption(named(card.reason, card.id))


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

            st.table(
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
        index_frame = series["yahoo:SPY"]  # the model's clock: present whenever a model is
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
            window = cast(int, uptrend["rise_gap"].idxmax())
            nearest = uptrend.loc[window].to_dict()
            closest = uptrend_text(
                window,
                nearest["rise"],
                nearest["required_rise"],
                nearest["up_days"],
                nearest["required_up_days"],
            )
            st.caption(f"Closest: the {window}-day window, {closest}")
    except AnalyticsError as exc:
        st.info(f"Regimes unavailable: {exc}")

# ---- price against its 200-day average --------------------------------------------------------
st.subheader("SPY against its 200-day average")
price = overview_cache.price_panel(series, as_of)
if isinstance(price, str):
    st.info(price)
else:
    if price.gap is not None:
        st.metric(price.label, f"{price.close:,.2f}", f"{price.gap:+.1%} vs 200-day")
    chart(price.figure)

# ---- sentiment gauge ----------------------------------------------------------------------------
st.subheader("Sentiment gauge")
gauge_day = None if view.latest else state.requested_as_of()
sentiment = overview_cache.sentiment_panel(series, model.settings, gauge_day)
if isinstance(sentiment, str):
    st.info(sentiment)
else:
    gauge = sentiment.reading
    st.caption(
        f"Computed every trading day from {gauge.summary()}, each scored 0–100 by where it "
        f"stands against its past 5 years (100 = greed). Shown for **{day(gauge.day)}**."
    )
    dial_column, lookback_column = st.columns([1, 1], vertical_alignment="center")
    with dial_column:
        chart(sentiment.dial)
    with lookback_column:
        for row in (gauge.lookbacks[:2], gauge.lookbacks[2:]):
            for column, lookback in zip(st.columns(2), row, strict=False):
                column.metric(
                    lookback.label,
                    number(lookback.value, 0),
                    lookback.band or "no reading",
                    delta_color="off",
                    delta_arrow="off",
                    help=f"The gauge at the close of {day(lookback.day)}.",
                )
    st.markdown("**The components**")
    per_row = 4
    cards = gauge.components
    for start in range(0, len(cards), per_row):
        for column, card in zip(st.columns(per_row), cards[start : start + per_row], strict=False):
            with column, st.container(border=True):
                component_card(card)
    chart(sentiment.history)

# ---- sectors --------------------------------------------------------------------------------
sectors = overview_cache.sector_panel(series, as_of)
if isinstance(sectors, str):
    st.info(sectors)
else:
    chart(sectors.figure)

# ---- freshness (lazy: closed, nothing in it is built or sent) ---------------------------------
freshness = st.expander(
    "Data freshness and unavailable indicators",
    expanded=not view.latest,
    key="freshness",
    on_change="rerun",
)
if freshness.open:
    rows = [
        {
            "Indicator": row.name,
            "Category": row.category,
            "Data to": day(row.last_observation),
            "Status": "available" if row.available else row.reason,
        }
        for row in snapshot.indicators
    ]
    freshness.table(pd.DataFrame(rows), hide_index=True)  # static: no data grid to load
