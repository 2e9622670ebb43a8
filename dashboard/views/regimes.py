"""Regimes: bull-market and investable-uptrend bands over price, and the distance to each rule."""

from __future__ import annotations

from typing import cast

import pandas as pd
import streamlit as st

from analytics.errors import AnalyticsError
from analytics.levels import price_for_levels
from analytics.regimes import (
    BULL_DEFINITIONS,
    DEFAULT_BULL,
    bull_market_distance,
    bull_markets,
    investable_uptrend,
    sell_stop,
    uptrend_distance,
)
from components.figures import regimes_figure
from components.widgets import (
    chart,
    day,
    number,
    percent,
    state_badge,
    stop_delta,
    uptrend_text,
)
from dashboard import state
from dashboard.address import check_choice
from dashboard.labels import series_label

SYMBOLS = {"yahoo:^GSPC": "S&P 500 index", "yahoo:SPY": "SPY"}
BULL_NAMES = {
    "A": "A: 30 % above the 50-day low",
    "B": "B: 13 % above the 155-day low",
    "B_modified": "B-modified: 20 % above the 155-day low",
}
# The rule's short name (shown, and in the address as ?rule=) -> its definition.
RULES = {name.replace("_", "-"): name for name in BULL_DEFINITIONS}
DEFAULT_RULE = DEFAULT_BULL.replace("_", "-")
PERIODS = {"2 years": 2, "5 years": 5, "10 years": 10, "20 years": 20, "All": None}
DEFAULT_PERIOD = "5 years"

view = state.current_view()
if view is None:
    st.stop()
as_of = view.as_of
series = state.load_all(state.data_dir())
available = state.price_choices(series, SYMBOLS)

st.title("Regimes")
# Every control is in the address (?price=SPY&rule=A&span=10+years): a link reproduces the view.
by_label = {label: key for key, label in available.items()}
check_choice("price", list(by_label), next(iter(by_label)))
check_choice("rule", list(RULES), DEFAULT_RULE)
check_choice("span", list(PERIODS), DEFAULT_PERIOD)
controls = st.columns([1, 1.4, 1])
price = controls[0].selectbox("Price", list(by_label), key="price", bind="query-params")
symbol = by_label[price or next(iter(by_label))]
rule = controls[1].segmented_control(
    "Bull-market rule", list(RULES), default=DEFAULT_RULE, required=True, key="rule",
    bind="query-params", help="  \n".join(BULL_NAMES.values()),
)  # fmt: skip
definition = RULES[rule]
period = controls[2].selectbox(
    "Period", list(PERIODS), index=list(PERIODS).index(DEFAULT_PERIOD), key="span",
    bind="query-params",
)  # fmt: skip

close, price_note = price_for_levels(series[symbol])
close = close.loc[:as_of].dropna()
try:
    bull = bull_markets(close)[definition]
    uptrend = investable_uptrend(close)["any"]
    bull_now = bull_market_distance(close, as_of)
    uptrend_now = uptrend_distance(close, as_of)
except AnalyticsError as exc:
    st.info(f"Regimes unavailable: {exc}")
    st.stop()

years = PERIODS[period]
start = close.index[0] if years is None else as_of - pd.DateOffset(years=years)
chart(
    regimes_figure(
        close.loc[start:],
        bull.loc[start:],
        uptrend.loc[start:],
        f"{available[symbol]}: bull markets (shaded) and investable uptrends (bottom band)",
        f"{series_label(symbol)}, {price_note}",
        BULL_NAMES.get(definition, definition).split(":")[0] + " bull market",
    )
)

# One table under the other at full width: side by side, both hid their last columns. Static
# tables (st.table), not data grids: the grid's code is the heaviest part of a first view
# (issue #15); on a phone a wide table scrolls sideways instead of cutting its sentences.
with st.container():
    st.subheader(f"Bull market on {day(close.index[-1])}")
    state_badge(bool(bull_now.at[definition, "qualifies"]), "Bull market", "No bull market")
    st.table(
        pd.DataFrame(
            {
                "Rule": [BULL_NAMES.get(name, name) for name in bull_now.index],
                "Low in the window": [
                    f"{low:,.2f} on {day(date)}" if low == low else "—"
                    for low, date in zip(bull_now["low"], bull_now["low_date"], strict=True)
                ],
                "Now": [
                    text or note
                    for text, note in zip(bull_now["text"], bull_now["note"], strict=True)
                ],
                "Qualifies": ["yes" if q else "no" for q in bull_now["qualifies"]],
            }
        ),
        hide_index=True,
    )
with st.container():
    st.subheader("Investable uptrend")
    state_badge(bool(uptrend_now["qualifies"].any()), "Investable uptrend", "No uptrend")
    st.table(
        pd.DataFrame(
            {
                "Window": [f"{days} days" for days in uptrend_now.index],
                "Now": [
                    uptrend_text(
                        cast(int, days),
                        row.rise,
                        row.required_rise,
                        row.up_days,
                        row.required_up_days,
                    )
                    if not row.note
                    else row.note
                    for days, row in uptrend_now.iterrows()
                ],
                "Rise short by": [
                    percent(-gap, 1) if gap < 0 else "" for gap in uptrend_now["rise_gap"].fillna(0)
                ],
                "Qualifies": ["yes" if q else "no" for q in uptrend_now["qualifies"]],
            }
        ),
        hide_index=True,
    )

st.subheader("Trailing sell stop")
st.caption(
    "Our simple model: from the start of the latest investable uptrend, a stop 6 % below the "
    "highest close; a close at or below it sells everything, and each later day the uptrend "
    "holds buys back 10 %."
)
try:
    stops = sell_stop(close, as_of=as_of)
except AnalyticsError as exc:
    st.info(str(exc))
else:
    last = stops.iloc[-1]
    cols = st.columns(4)
    cols[0].metric("Since", day(stops.index[0]))
    cols[1].metric("Highest close", f"{last['highest']:,.2f}")
    stop_text, stop_colour = stop_delta(last["stop"], last["close"])
    cols[2].metric(
        "Stop", f"{last['stop']:,.2f}", stop_text, delta_color=stop_colour, delta_arrow="off"
    )
    cols[3].metric("Exposure", percent(last["exposure"], 0))
    actions = stops[stops["action"] != ""]
    if not actions.empty:
        days_box = st.expander(f"Stop and re-entry days ({len(actions)})", on_change="rerun")
        if days_box.open:  # lazy: closed, the table is neither built nor sent
            shown = actions[["close", "stop", "exposure", "action"]].iloc[::-1]
            days_box.dataframe(
                pd.DataFrame(
                    {
                        "Day": [day(date) for date in shown.index],
                        "Close": [number(v) for v in shown["close"]],
                        "Stop": [number(v) for v in shown["stop"]],
                        "Exposure": [percent(v, 0) for v in shown["exposure"]],
                        "Action": list(shown["action"]),
                    }
                ),
                hide_index=True,
            )
