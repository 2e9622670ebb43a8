"""Levels & risk/reward: where the market could find support, and what an entry risks."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.errors import AnalyticsError
from analytics.levels import Anchor, price_for_levels, price_levels
from analytics.riskreward import (
    default_plan,
    default_positions,
    portfolio_risk_reward,
    risk_reward,
    scenarios,
)
from components.figures import levels_figure
from components.widgets import chart, day, money, percent
from dashboard import state
from dashboard.labels import series_label

SYMBOLS = {"yahoo:SPY": "SPY", "yahoo:^GSPC": "S&P 500 index"}
WINDOWS = {"6 months": 6, "1 year": 12, "2 years": 24, "5 years": 60}

view = state.current_view()
if view is None:
    st.stop()
as_of = view.as_of
series = state.load_all(state.data_dir())
available = state.price_choices(series, SYMBOLS)

st.title("Levels & risk/reward")
controls = st.columns([1, 1, 2])
symbol = controls[0].selectbox(
    "Price", list(available), format_func=available.get, key="symbol", bind="query-params"
)
window = controls[1].selectbox("Chart", list(WINDOWS), index=1, key="window")
close, price_note = price_for_levels(series[symbol])
close = close.loc[:as_of].dropna()

with st.expander("Anchor the Fibonacci swing yourself (default: the last 6 months' high and low)"):
    anchored = st.checkbox("Use my anchors")
    anchor_columns = st.columns(2)
    start = anchor_columns[0].date_input(
        "Swing start", value=(as_of - pd.DateOffset(months=6)).date(), max_value=as_of.date()
    )
    end = anchor_columns[1].date_input("Swing end", value=as_of.date(), max_value=as_of.date())
anchors = (Anchor(date=pd.Timestamp(start)), Anchor(date=pd.Timestamp(end))) if anchored else None

try:
    levels = price_levels(close, as_of, anchors=anchors)
except AnalyticsError as exc:
    st.error(f"Cannot compute levels: {exc}")
    st.stop()
for note in levels.notes:
    st.caption(f"Note: {note}")

shown_from = as_of - pd.DateOffset(months=WINDOWS[window])
table = levels.to_frame()
chart(
    levels_figure(
        close.loc[shown_from:],
        levels.averages.loc[shown_from:],
        levels.channel.loc[shown_from:],
        table,
        f"{available[symbol]}: averages, retracements and trading channel",
        f"{series_label(symbol)}, {price_note}",
    )
)

# Sections one under the other at full width: side by side, both tables were cut.
with st.container():
    st.subheader(f"Levels on {day(levels.as_of)}")
    st.caption(f"Close {levels.price:,.2f}")
    st.dataframe(
        pd.DataFrame(
            {
                "Level": table["name"],
                "Value": table["value"].map(lambda v: f"{v:,.2f}"),
                "From the close": table["distance"].map(lambda v: percent(v, signed=True)),
            }
        ),
        hide_index=True,
        height=35 * (len(table) + 1) + 3,
    )

with st.container():
    st.subheader("Risk/reward of buying now or at a support")
    # Defaults from the close on the as-of date: valid at any date (target above, stop below).
    default_target, default_stop = default_plan(
        levels.price,
        [level.value for level in levels.supports()],
        [level.value for level in levels.resistances()],
    )
    inputs = st.columns(3)
    target = inputs[0].number_input("Target", value=default_target, min_value=0.0, format="%.2f")
    stop = inputs[1].number_input("Stop", value=default_stop, min_value=0.0, format="%.2f")
    capital = inputs[2].number_input(
        "Capital ($)", value=100_000.0, min_value=0.0, step=10_000.0, format="%.0f"
    )
    try:
        now = risk_reward(levels.price, target, stop, capital or None)
        table_rr = scenarios(levels.price, target, stop, levels, capital or None)
    except AnalyticsError as exc:
        st.error(f"Check the target and stop: {exc}.")
    else:
        st.markdown(
            f"Buying now at **{now.price:,.2f}**: reward **{percent(now.reward, 2, True)}**, "
            f"risk **{percent(now.risk, 2, True)}**, ratio **{now.ratio_text}**."
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "Scenario": table_rr["scenario"],
                    "Entry": table_rr["entry"].map(lambda v: f"{v:,.2f}"),
                    "Reward": table_rr["reward"].map(lambda v: percent(v, 2, True)),
                    "Risk": table_rr["risk"].map(lambda v: percent(v, 2, True)),
                    "Ratio": table_rr["ratio_text"],
                    "Reward $": table_rr["reward_dollars"].map(lambda v: money(v, 0)),
                    "Risk $": table_rr["risk_dollars"].map(lambda v: money(v, 0)),
                    "Note": table_rr["note"],
                }
            ).loc[:, lambda frame: [c for c in frame if c != "Note" or frame[c].ne("").any()]],
            hide_index=True,
            height=35 * (len(table_rr) + 1) + 3,
            column_config={"Ratio": st.column_config.TextColumn("Ratio", width="medium")},
        )

st.subheader("Portfolio risk/reward")
st.caption(
    "Weights are shares of the portfolio (the rest is cash). Reward if every target is reached, "
    "risk if every stop is hit. Edit the table: add rows, change numbers."
)
# Derived from the as-of close and the default plan (not from the inputs above), so every
# default row is valid at any date and edits survive a change of target or stop.
default_portfolio = default_positions(levels.price, default_target, default_stop, available[symbol])
edited = st.data_editor(
    default_portfolio,
    num_rows="dynamic",
    hide_index=True,
    key="portfolio",
    column_config={
        "position": st.column_config.TextColumn("Position"),
        "weight": st.column_config.NumberColumn("Weight", min_value=0.0, max_value=1.0, step=0.05),
        "entry": st.column_config.NumberColumn("Entry", format="%.2f"),
        "target": st.column_config.NumberColumn("Target", format="%.2f"),
        "stop": st.column_config.NumberColumn("Stop", format="%.2f"),
    },
)
positions = edited.dropna(how="all")
positions = positions.set_index(positions["position"].fillna("").astype(str)).drop(
    columns="position"
)
try:
    portfolio = portfolio_risk_reward(positions, capital or None)
except AnalyticsError as exc:
    st.error(f"Check the portfolio: {exc}.")
else:
    cols = st.columns(4)
    cols[0].metric("Reward", percent(portfolio.reward, 2, True))
    cols[1].metric("Risk", percent(portfolio.risk, 2, True))
    cols[2].metric("Ratio", portfolio.ratio_text)
    cols[3].metric("Cash", percent(portfolio.cash_weight, 0))
    if portfolio.reward_dollars is not None:
        st.caption(
            f"On {money(capital, 0)}: {money(portfolio.reward_dollars, 0)} if every target is "
            f"reached, {money(portfolio.risk_dollars, 0)} if every stop is hit.".replace(
                "$", "\\$"
            )  # literal dollars, not LaTeX
        )
