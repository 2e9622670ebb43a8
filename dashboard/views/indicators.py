"""Indicators: each of the 21 by category — a table of the category's readings, votes and rules,
then one indicator at a time (a tab each): its reading against the threshold, rule, source, and
the classic chart (backtest equity against buy and hold above the reading and its threshold).

One chart is drawn at a time (issue #15: a page as quick as a one-chart page): the tabs run
lazily, so only the open tab's indicator is backtested and drawn; the open tab is in the address
(``indicator=<name>``). The category section is a fragment: switching category or tab reruns
only it, on the model of the page's last run. Each backtest is cached under its own settings and
each chart per indicator, its own settings and the as-of date
(:func:`dashboard.state.indicator_settings`), so a new composite threshold reuses them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.backtest import BacktestResult
from analytics.model import CATEGORIES, IndicatorRow
from analytics.spec import UNITLESS
from components.figures import indicator_figure
from components.widgets import chart, day, number, state_badge
from dashboard import state
from dashboard.address import check_choice
from dashboard.labels import series_name
from dashboard.readings import drawn_reading

view = state.current_view()
if view is None:
    st.stop()
model, as_of = view.model, view.as_of
snapshot = model.snapshot(as_of)

st.title("Indicators")


def reading_text(row: IndicatorRow) -> str:
    """The reading as the page shows it: "27.50 %", "1.05", or "On"/"Off" for a calendar flag;
    "" when unavailable."""
    if not row.available or row.reading is None:
        return ""
    spec = model.indicators[row.id].spec
    if spec.unit == "flag":
        return spec.flag_text(row.reading).capitalize()
    unit = "" if row.unit in UNITLESS else f" {row.unit}"
    return f"{number(row.reading)}{unit}"


def vote_text(row: IndicatorRow) -> str:
    """ "Invested", "Cash" or "Unavailable" (no score this week)."""
    return "Unavailable" if row.score is None else ("Invested" if row.score == 1 else "Cash")


def summary(rows: list[IndicatorRow]) -> pd.DataFrame:
    """The category at a glance: one row per indicator, its reading, rule and vote."""
    return pd.DataFrame(
        {
            "Indicator": [row.name for row in rows],
            "Reading": [reading_text(row) or "—" for row in rows],
            "Invested when": [  # "above 0 %", "on": the header says "invested when"
                model.indicators[row.id]
                .spec.invested_text(row.threshold)
                .removeprefix("invested when ")
                for row in rows
            ],
            "Vote": [vote_text(row) for row in rows],
            "Data to": [day(row.last_observation) for row in rows],
        }
    )


def show(row: IndicatorRow, results: dict[str, BacktestResult]) -> None:
    spec = model.indicators[row.id].spec
    text, figure = st.columns([1, 2.4])
    with text:
        st.markdown(f"#### {row.name}")
        state_badge(None if row.score is None else row.score == 1)
        if row.available:
            st.metric(
                "Reading",
                reading_text(row),
                spec.invested_text(row.threshold),
                delta_color="off",
                delta_arrow="off",
            )
        else:
            st.warning(row.reason, icon=":material/warning:")
        st.markdown(f"**Rule.** {row.rule}")
        st.caption(spec.description)
        st.caption(
            f"{row.attribution}"
            + (f" ({series_name(row.source_key)})" if row.source_key else "")
            + ", data to "
            f"{day(row.last_observation)}; published {spec.release.describe()}."
        )
    with figure:
        result = results.get(row.id)
        if result is None:
            st.info(f"No backtest: {row.name} has no score on any date ({row.reason}).")
            return
        reading = drawn_reading(model.indicators[row.id], as_of)
        fig = state.figure(
            f"indicator-{row.id}",
            as_of,
            lambda: indicator_figure(
                result.equity,
                result.benchmark,
                result.position,
                reading,
                row.threshold,
                f"{row.name}: following it vs buy and hold",
                f"reading ({row.unit})",
                f"{row.attribution.removeprefix('Data: ')}; SPY adjusted closes (Yahoo Finance)",
                as_of,
            ),
            depends_on=state.indicator_settings(row.id),
        )
        chart(fig, key=f"chart-{row.id}")
        stats, bench = result.stats, result.benchmark_stats
        st.caption(
            f"CAGR {stats.cagr:.1%} vs {bench.cagr:.1%} buy and hold · max drawdown "
            f"{stats.max_drawdown.depth:.0%} vs {bench.max_drawdown.depth:.0%} · "
            f"{stats.time_in_market:.0%} of the time in SPY · {stats.trades} trades since "
            f"{day(result.equity.index[0])}"
        )


@st.fragment
def category_section() -> None:
    """The category control, its table and one indicator's tab (a switch reruns only this)."""
    check_choice("category", CATEGORIES, CATEGORIES[0])
    category = (
        st.segmented_control(
            "Category", CATEGORIES, default=CATEGORIES[0], key="category", bind="query-params"
        )
        or CATEGORIES[0]
    )
    rows = [row for row in snapshot.indicators if row.category == category]
    score = snapshot.categories[category]
    used, size = snapshot.category_counts[category]
    st.caption(
        f"{category}: score {number(score)} ({used} of {size} available) on "
        f"{day(snapshot.decision_date)}."
    )
    st.table(summary(rows), hide_index=True)
    names = [row.name for row in rows]
    check_choice("indicator", names, names[0])
    st.caption(
        "Each tab: following the indicator alone (100 % SPY when it says invested, cash "
        "otherwise, $10 + 0.02 % per trade) against buy and hold; the reading and its threshold "
        "below; weeks in cash shaded."
    )
    tabs = st.tabs(names, key="indicator", bind="query-params", on_change="rerun")
    for row, tab in zip(rows, tabs, strict=True):
        if tab.open:  # lazy: only the open tab is backtested and drawn
            with tab:
                show(row, state.backtests(as_of, ids=[row.id]))


category_section()
