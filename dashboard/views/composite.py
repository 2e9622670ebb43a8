"""Composite: its history and the four categories against the threshold, its backtest, and the
tear sheet of the composite or any indicator's strategy against buy and hold (issue #13).

The period and the strategy picker are bound to the address (``?period=…&strategy=…``); the
backtests come from :func:`dashboard.state.backtests`, the tear sheets and CSV files from
:mod:`dashboard.tearsheet_cache`, the figures from :func:`dashboard.state.figure` (all cached).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.backtest import BacktestResult
from analytics.stats import stats_table
from components.figures import composite_figure, equity_figure
from components.tearsheet import (
    drawdown_rows,
    monthly_heatmap,
    rolling_figure,
    short_dates,
    underwater_figure,
    yearly_bars,
)
from components.widgets import chart, day, money, number
from dashboard import state, tearsheet_cache
from dashboard.address import check_choice

BACKTEST_SOURCE = "Investable backtest; SPY adjusted closes from Yahoo Finance"

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
    periods = ["All", "20 years", "10 years", "5 years"]
    check_choice("period", periods, "10 years")
    period = st.radio(
        "Period",
        periods,
        index=2,
        key="period",
        bind="query-params",
    )
    show_categories = st.toggle(
        "Show the four categories", value=False, key="categories", bind="query-params"
    )
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
backtests = state.backtests(as_of)
result = backtests.get("composite")
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
    shown = result  # equity_figure draws one point a week beyond 3 years (issue #15)
    chart(
        state.figure(
            "composite-equity",
            as_of,
            lambda: short_dates(
                equity_figure(
                    shown.equity,
                    shown.benchmark,
                    shown.position,
                    "Composite strategy vs buy and hold SPY",
                    BACKTEST_SOURCE,
                )
            ),
        )
    )
with table_column:
    table = stats_table(result.stats, result.benchmark_stats)
    table.loc["Final equity"] = [
        money(result.stats.final_equity, 0),
        money(result.benchmark_stats.final_equity, 0),
    ]
    st.table(table)

# The expanders below run lazily (on_change="rerun"): closed, nothing in them is built or sent.
trades_box = st.expander(f"Trades ({len(result.trades)})", key="trades", on_change="rerun")
if trades_box.open:
    trades = result.trades.copy()
    trades["return"] = trades["return"] * 100
    for column in ("cost", "proceeds", "pnl"):  # "-$1,892.33", as an adviser writes it
        trades[column] = trades[column].map(money)
    trades_box.dataframe(
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

weekly_box = st.expander("Composite and categories, week by week", key="weekly", on_change="rerun")
if weekly_box.open:
    history = model.categories.loc[:as_of].copy()
    history.insert(0, "Composite", model.composite.loc[:as_of])
    history["Available"] = model.available_count.loc[:as_of]
    history["Invested"] = model.invested.loc[:as_of]
    history.index = pd.Index(
        pd.DatetimeIndex(history.index).strftime("%Y-%m-%d"), name="Decision date"
    )
    weekly_box.dataframe(history.iloc[::-1])


def strategy_name(key: str) -> str:
    """ "Composite", or the indicator's name from the catalog (never its id)."""
    return "Composite" if key == "composite" else model.indicators[key].spec.name


def tear_sheet_section(key: str, picked: BacktestResult) -> None:
    """Downloads, monthly heatmap, yearly bars, underwater, worst drawdowns, rolling figures."""
    name = strategy_name(key)
    sheet = tearsheet_cache.sheet(key, as_of, picked)
    last = picked.equity.index[-1]
    st.caption(
        f"{name} against buy and hold SPY from {day(picked.equity.index[0])} to {day(last)}, "
        "with the costs above. Months and years compound the daily returns; the first month "
        "starts from the starting capital."
    )
    equity_column, trades_column = st.columns(2)
    with equity_column:
        st.download_button(
            "Download the equity curve (CSV)",
            tearsheet_cache.equity_csv(key, as_of, picked),
            file_name=tearsheet_cache.file_name(key, "equity", as_of),
            mime="text/csv",
            key=f"download-equity-{key}",
            icon=":material/download:",
        )
    with trades_column:
        st.download_button(
            f"Download the trades (CSV, {len(picked.trades)} round trips)",
            tearsheet_cache.trades_csv(key, as_of, picked),
            file_name=tearsheet_cache.file_name(key, "trades", as_of),
            mime="text/csv",
            key=f"download-trades-{key}",
            icon=":material/download:",
        )
    chart(
        state.figure(
            f"tearsheet-monthly-{key}",
            as_of,
            lambda: monthly_heatmap(
                sheet.monthly, f"{name}: monthly returns (%)", BACKTEST_SOURCE, last
            ),
        )
    )
    bars_column, water_column = st.columns(2)
    with bars_column:
        chart(
            state.figure(
                f"tearsheet-yearly-{key}",
                as_of,
                lambda: yearly_bars(
                    sheet.yearly, name, f"{name}: yearly returns",
                    BACKTEST_SOURCE, last,
                ),
            )
        )  # fmt: skip
    with water_column:
        chart(
            state.figure(
                f"tearsheet-underwater-{key}",
                as_of,
                lambda: underwater_figure(
                    sheet.underwater, name, f"{name}: drawdowns",
                    BACKTEST_SOURCE, last,
                ),
            )
        )  # fmt: skip
    st.markdown(f"**{name}: worst drawdowns**")
    if sheet.drawdowns.empty:
        st.caption("The strategy never closed below an earlier high.")
    else:
        st.dataframe(drawdown_rows(sheet.drawdowns), hide_index=True)
        st.caption(
            "Each fall from a high until the close is back at it, the deepest five first. "
            "Trading days run from the peak to the recovery (to the last day while not "
            "recovered); days to recover, from the trough."
        )
    with st.expander("Buy and hold SPY: worst drawdowns"):
        st.dataframe(drawdown_rows(sheet.benchmark_drawdowns), hide_index=True)
    chart(
        state.figure(
            f"tearsheet-rolling-{key}",
            as_of,
            lambda: rolling_figure(
                sheet.rolling, name, f"{name}: rolling 12 months",
                BACKTEST_SOURCE, last,
            ),
        )
    )  # fmt: skip


# Opened on demand (issue #15: five more charts); the address keeps it open (tearsheet=true),
# and one that names a strategy opens it.
check_choice("tearsheet", ["true", "false"], "the tear sheet closed")
sheet_box = st.expander(
    "Tear sheet: monthly and yearly returns, drawdowns, rolling 12 months, CSV downloads",
    expanded="strategy" in st.query_params,
    key="tearsheet",
    bind="query-params",
    icon=":material/table_chart:",
)
if sheet_box.open:
    with sheet_box:
        choices = list(backtests)  # the composite first, then every indicator with a backtest
        check_choice("strategy", [strategy_name(key) for key in choices], "Composite")
        picked_key = st.selectbox(
            "Strategy",
            choices,
            format_func=strategy_name,
            key="strategy",
            bind="query-params",
            help="The composite, or one indicator followed alone (100 % SPY when it says "
            "invested).",
        )
        tear_sheet_section(picked_key, backtests[picked_key])
