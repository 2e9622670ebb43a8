"""Composite: its history and the four categories against the threshold, and its backtest."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.stats import stats_table
from components.figures import composite_figure, equity_figure
from components.widgets import chart, day, money, number
from dashboard import state

view = state.current_view()
if view is None:
    st.stop()
model, as_of = view.model, view.as_of
snapshot = model.snapshot(as_of)

st.title("Composite")
st.caption(
    f"The composite is the share of the available indicators that say invested; the model holds "
    f"SPY while it is above **{model.settings.invest_threshold:.2f}** (change it in the sidebar; "
    f"the address keeps it). On {day(snapshot.decision_date)}: {number(snapshot.composite)} → "
    f"{'invested' if snapshot.invested else 'cash'}."
)

left, right = st.columns([3, 1])
with right:
    period = st.radio("Period", ["All", "20 years", "10 years", "5 years"], index=2, key="period")
    show_categories = st.toggle("Show the four categories", value=False)
years = {"All": None, "20 years": 20, "10 years": 10, "5 years": 5}[period]
start = None if years is None else as_of - pd.DateOffset(years=years)
composite = model.composite.loc[start:as_of]
categories = model.categories.loc[start:as_of]
with left:
    chart(
        composite_figure(
            composite,
            categories,
            model.settings.invest_threshold,
            "Composite and category scores",
            "Investable model over Yahoo Finance, FRED, AAII, NAAIM, CBOE, FINRA, Shiller data",
            as_of,
            show_categories,
        )
    )

st.subheader("Following the composite")
result = state.backtests(as_of).get("composite")
if result is None:
    st.info("No composite backtest: no week has an available composite.")
    st.stop()
costs = result.settings
cost_note = (
    f"From {day(result.equity.index[0])} to {day(result.equity.index[-1])}: "
    f"{money(costs.capital, 0)} start, {money(costs.commission)} commission + "
    f"{costs.spread:.2%} spread per trade, {result.notes[1]}; {result.notes[0]}. Costs are set "
    "on the Data page."
)
st.caption(cost_note.replace("$", "\\$"))  # literal dollars, not LaTeX
chart_column, table_column = st.columns([1.7, 1])
with chart_column:
    chart(
        equity_figure(
            result.equity,
            result.benchmark,
            result.position,
            "Composite strategy vs buy and hold SPY",
            "Investable backtest; SPY adjusted closes from Yahoo Finance",
        )
    )
with table_column:
    table = stats_table(result.stats, result.benchmark_stats)
    table.loc["Final equity"] = [
        money(result.stats.final_equity, 0),
        money(result.benchmark_stats.final_equity, 0),
    ]
    st.dataframe(table, height=35 * (len(table) + 1) + 3)

with st.expander(f"Trades ({len(result.trades)})"):
    trades = result.trades.copy()
    trades["return"] = trades["return"] * 100
    for column in ("cost", "proceeds", "pnl"):  # "-$1,892.33", as an adviser writes it
        trades[column] = trades[column].map(money)
    st.dataframe(
        trades,
        hide_index=True,
        column_config={
            "entry_date": st.column_config.DateColumn("Bought", format="YYYY-MM-DD"),
            "exit_date": st.column_config.DateColumn("Sold", format="YYYY-MM-DD"),
            "entry_price": st.column_config.NumberColumn("Buy price", format="%.2f"),
            "exit_price": st.column_config.NumberColumn("Sell price", format="%.2f"),
            "shares": st.column_config.NumberColumn("Shares", format="%.2f"),
            "cost": st.column_config.TextColumn("Paid"),
            "proceeds": st.column_config.TextColumn("Received"),
            "pnl": st.column_config.TextColumn("Gain"),
            "return": st.column_config.NumberColumn("Return", format="%.1f %%"),
            "open": st.column_config.CheckboxColumn("Still open"),
        },
    )

with st.expander("Composite and categories, week by week"):
    history = model.categories.loc[:as_of].copy()
    history.insert(0, "Composite", model.composite.loc[:as_of])
    history["Available"] = model.available_count.loc[:as_of]
    history["Invested"] = model.invested.loc[:as_of]
    history.index = pd.Index(history.index.strftime("%Y-%m-%d"), name="Decision date")
    st.dataframe(history.iloc[::-1])
