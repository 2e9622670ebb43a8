"""Levels & risk/reward: where the market could find support, and what an entry risks.

Every view setting lives in the address (``dashboard.levels_address`` lists the keys): each run
reads the address, checks it (a value that cannot be used is said in a warning, with what is
shown instead), puts the values into the widgets, and a widget's change writes the address back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from analytics.errors import AnalyticsError
from analytics.levels import (
    DAILY_BARS_MAX_MONTHS,
    Anchor,
    LevelSet,
    ohlc_bars,
    price_for_levels,
    price_levels,
    weekly_closes,
    window_bars,
)
from analytics.riskreward import (
    default_plan,
    default_positions,
    portfolio_risk_reward,
    risk_reward,
    scenarios,
)
from components.levels_figures import levels_figure
from components.price import PLOTLY_CONFIG
from components.widgets import day, money, percent
from dashboard import levels_address as address
from dashboard import state
from dashboard.editor_state import apply_edits
from dashboard.labels import series_label

SYMBOLS = {"yahoo:SPY": "SPY", "yahoo:^GSPC": "S&P 500 index"}
SWING_KEYS = ("swing", "swing_start", "swing_end")
PLAN_KEYS = ("target", "stop")
CHART_KEY = "levels_chart"
BARS_KEY = "_levels_bars"  # the drawn bars (high, low) and whether they are candles
SELECTION_NOTE_KEY = "_levels_selection_note"


def to_address(key: str, text: str | None) -> None:
    """Write one setting into the address (removed when it is the default, ``None``)."""
    if text is None:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = text


def forget(*keys: str) -> None:
    for key in keys:
        st.query_params.pop(key, None)


def remember_choice(key: str, default: str) -> Callable[[], None]:
    def write() -> None:
        value = st.session_state.get(key)
        to_address(key, None if value in (None, default) else str(value))

    return write


def remember_swing() -> None:
    """The anchors the swing widgets show, into the address."""
    mode = st.session_state.get("swing") or "auto"
    forget(*SWING_KEYS)
    if mode == "dates":
        start, end = st.session_state["swing_start_date"], st.session_state["swing_end_date"]
        swing = address.SwingAddress("dates", pd.Timestamp(start), pd.Timestamp(end))
    elif mode == "prices":
        start, end = st.session_state["swing_start_price"], st.session_state["swing_end_price"]
        swing = address.SwingAddress("prices", float(start), float(end))
    else:
        return
    st.query_params.update(address.swing_query(swing))


def remember_amount(key: str, defaults: dict[str, float]) -> Callable[[], None]:
    def write() -> None:
        value = st.session_state.get(key)
        if value is None or round(float(value), 2) == round(defaults[key], 2):
            to_address(key, None)
        else:
            to_address(key, address.number_text(float(value)))

    return write


def new_symbol() -> None:
    """Anchors and a plan are prices of one symbol: a new symbol starts from its defaults."""
    forget(*SWING_KEYS, *PLAN_KEYS)


def apply_selection() -> None:
    """A box drawn on the chart anchors the swing (``levels_address.selection_query``)."""
    event = st.session_state.get(CHART_KEY)
    boxes = event["selection"]["box"] if event else []
    drawn = st.session_state.get(BARS_KEY)
    if not boxes or drawn is None:
        return
    bars, candles = drawn
    try:
        query = address.selection_query(boxes[-1], bars, candles)
    except AnalyticsError as exc:
        st.session_state[SELECTION_NOTE_KEY] = f"The selection cannot anchor the swing: {exc}."
        return
    st.session_state.pop(SELECTION_NOTE_KEY, None)
    forget(*SWING_KEYS)
    st.query_params.update(query)


def warn(*warnings: str | None) -> None:
    for message in warnings:
        if message:
            st.warning(message, icon=":material/link_off:")


def swing_text(levels: LevelSet) -> str:
    swing = levels.swing
    if swing is None:
        return "none"
    start = f"{day(swing.start_date)} " if swing.start_date is not None else ""
    end = f"{day(swing.end_date)} " if swing.end_date is not None else ""
    return f"{start}{swing.start_price:,.2f} → {end}{swing.end_price:,.2f} ({swing.direction})"


view = state.current_view()
if view is None:
    st.stop()
as_of = view.as_of
series = state.load_all(state.data_dir())
available = state.price_choices(series, SYMBOLS)

st.title("Levels & risk/reward")
# The symbol's widget is bound to the address by its shown name (?symbol=SPY), Streamlit's rule.
names = {label: label for label in available.values()}
asked_symbol = address.check_choice(
    st.query_params.get("symbol"), names, next(iter(names)), "the price"
)
window_setting = address.check_choice(
    st.query_params.get("window"), address.WINDOWS, address.DEFAULT_WINDOW, "the chart window"
)
style_setting = address.check_choice(
    st.query_params.get("style"), address.STYLES, address.DEFAULT_STYLE, "the chart style"
)
warn(asked_symbol.warning, window_setting.warning, style_setting.warning)
st.session_state["window"] = window_setting.value
st.session_state["style"] = style_setting.value

controls = st.columns([1, 1, 1])
symbol = controls[0].selectbox(
    "Price",
    list(available),
    format_func=lambda key: available[key],
    key="symbol",
    bind="query-params",
    on_change=new_symbol,
)
window = controls[1].selectbox(
    "Chart",
    list(address.WINDOWS),
    format_func=lambda key: address.WINDOWS[key].capitalize(),
    key="window",
    on_change=remember_choice("window", address.DEFAULT_WINDOW),
)
style = controls[2].segmented_control(
    "Style",
    list(address.STYLES),
    format_func=lambda key: address.STYLES[key],
    key="style",
    required=True,
    on_change=remember_choice("style", address.DEFAULT_STYLE),
)

close, price_note = price_for_levels(series[symbol])
close = close.loc[:as_of].dropna()
if close.empty:
    st.error(f"No {available[symbol]} close on or before {day(as_of)}: nothing to draw levels on.")
    st.stop()

# ---- the Fibonacci anchors -----------------------------------------------------------------
try:
    automatic = price_levels(close, as_of)
except AnalyticsError as exc:
    st.error(f"Cannot compute levels: {exc}")
    st.stop()
first_day, last_day = close.index[0], close.index[-1]
swing_setting = address.check_swing(
    st.query_params.get("swing"),
    st.query_params.get("swing_start"),
    st.query_params.get("swing_end"),
    first_day,
    last_day,
)
warn(swing_setting.warning)
asked_swing = swing_setting.value
auto_swing = automatic.swing
default_dates: tuple[pd.Timestamp, pd.Timestamp] = (
    max(first_day, pd.Timestamp(last_day - pd.DateOffset(months=6))),
    last_day,
)
if auto_swing is not None and auto_swing.start_date is not None and auto_swing.end_date:
    default_dates = (auto_swing.start_date, auto_swing.end_date)
default_prices = (
    (auto_swing.start_price, auto_swing.end_price)
    if auto_swing is not None
    else (float(close.max()), float(close.min()))
)
dates = asked_swing.date_pair() or default_dates
prices = asked_swing.price_pair() or default_prices
st.session_state["swing"] = asked_swing.mode
st.session_state["swing_start_date"] = pd.Timestamp(dates[0]).date()
st.session_state["swing_end_date"] = pd.Timestamp(dates[1]).date()
st.session_state["swing_start_price"] = round(prices[0], 2)
st.session_state["swing_end_price"] = round(prices[1], 2)

with st.expander(
    f"Fibonacci swing: {address.AUTOMATIC.removeprefix('the ')}, by date, by price, or drag a "
    "box over the chart",
    expanded=asked_swing.mode != "auto",
):
    st.segmented_control(
        "Anchors",
        list(address.SWING_MODES),
        format_func=lambda key: address.SWING_MODES[key],
        key="swing",
        required=True,
        on_change=remember_swing,
    )
    anchor_columns = st.columns(2)
    bounds: dict[str, Any] = {"min_value": first_day.date(), "max_value": last_day.date()}
    if st.session_state["swing"] == "dates":
        anchor_columns[0].date_input(
            "Swing start", key="swing_start_date", on_change=remember_swing, format="YYYY-MM-DD",
            **bounds,
        )  # fmt: skip
        anchor_columns[1].date_input(
            "Swing end", key="swing_end_date", on_change=remember_swing, format="YYYY-MM-DD",
            **bounds,
        )  # fmt: skip
    elif st.session_state["swing"] == "prices":
        for column, label, key in (
            (anchor_columns[0], "Swing start price", "swing_start_price"),
            (anchor_columns[1], "Swing end price", "swing_end_price"),
        ):
            column.number_input(
                label, key=key, min_value=0.01, format="%.2f", on_change=remember_swing
            )
    st.caption(
        "Drag a box over the chart: its highest and lowest price become the swing, in the order "
        "they happened (candles: their highs and lows; the line: its closes)."
    )

anchors: tuple[Anchor, Anchor] | None = None
if asked_swing.mode == "dates":
    anchors = (Anchor(date=pd.Timestamp(dates[0])), Anchor(date=pd.Timestamp(dates[1])))
elif asked_swing.mode == "prices":
    anchors = (Anchor(price=prices[0]), Anchor(price=prices[1]))
levels = automatic
if anchors is not None:
    try:
        levels = price_levels(close, as_of, anchors=anchors)
    except AnalyticsError as exc:
        st.warning(
            f"The Fibonacci anchors of the address cannot be used: {exc}; showing "
            f"{address.AUTOMATIC} instead.",
            icon=":material/link_off:",
        )
for note in levels.notes:
    st.caption(f"Note: {note}")

# ---- the chart -----------------------------------------------------------------------------
months = address.WINDOW_MONTHS[window]
shown_from = close.index[0] if months is None else as_of - pd.DateOffset(months=months)
table = levels.to_frame()
name = available[symbol]
bars, no_bars = ohlc_bars(series[symbol].loc[:as_of])
drawn_bars: pd.DataFrame | None = None
frequency = "daily"
if style == "candles" and bars is None:
    st.caption(f"The chart shows the close as a line: {no_bars}, so candles cannot be drawn.")
elif style == "candles" and bars is not None:
    drawn_bars, frequency = window_bars(bars, shown_from, months)
line = close.loc[shown_from:]
if drawn_bars is None and (months is None or months > DAILY_BARS_MAX_MONTHS):
    line, frequency = weekly_closes(line), "weekly"  # the candles' rule, for the line too
what = f"{frequency} candles" if drawn_bars is not None else f"{frequency} closes"
fig = levels_figure(
    line,
    levels.averages.loc[shown_from:],
    levels.channel.loc[shown_from:],
    table,
    f"{name}: levels on {what}",
    f"{series_label(symbol)}, {price_note}",
    bars=drawn_bars,
    bar_name=f"{frequency.capitalize()} candles",
    daily_bars=frequency == "daily",
)
selectable = (
    drawn_bars[["high", "low"]]
    if drawn_bars is not None
    else pd.DataFrame({"high": line, "low": line})
)
st.session_state[BARS_KEY] = (selectable, drawn_bars is not None)
st.plotly_chart(
    fig,
    config=PLOTLY_CONFIG,
    key=CHART_KEY,
    theme=None,
    on_select=apply_selection,
    selection_mode=("box",),
)
selection_note = st.session_state.pop(SELECTION_NOTE_KEY, None)  # said once, after the drag
if selection_note:
    st.warning(selection_note)
st.caption(f"Fibonacci swing: {swing_text(levels)}.")

# Sections one under the other at full width: side by side, both tables were cut.
with st.container():
    st.subheader(f"Levels on {day(levels.as_of)}")
    st.caption(f"Close {levels.price:,.2f}")
    st.table(  # static tables, not data grids: quicker to draw (issue #15)
        pd.DataFrame(
            {
                "Level": table["name"],
                "Value": table["value"].map(lambda v: f"{v:,.2f}"),
                "From the close": table["distance"].map(lambda v: percent(v, signed=True)),
            }
        ),
        hide_index=True,
    )

with st.container():
    st.subheader("Risk/reward of buying now or at a support")
    # Defaults from the close on the as-of date: valid at any date (target above, stop below).
    default_target, default_stop = default_plan(
        levels.price,
        [level.value for level in levels.supports()],
        [level.value for level in levels.resistances()],
    )
    defaults = {"target": default_target, "stop": default_stop, "capital": 100_000.0}
    described = {
        "target": f"the default target {default_target:,.2f}",
        "stop": f"the default stop {default_stop:,.2f}",
        "capital": f"the default capital {money(100_000.0, 0)}",
    }
    for key in ("target", "stop", "capital"):
        checked = address.check_amount(
            st.query_params.get(key), f"the {key}", described[key], allow_zero=key == "capital"
        )
        warn(checked.warning)
        st.session_state[key] = checked.value if checked.value is not None else defaults[key]
    inputs = st.columns(3)
    target = inputs[0].number_input(
        "Target", key="target", min_value=0.0, format="%.2f",
        on_change=remember_amount("target", defaults),
    )  # fmt: skip
    stop = inputs[1].number_input(
        "Stop", key="stop", min_value=0.0, format="%.2f",
        on_change=remember_amount("stop", defaults),
    )  # fmt: skip
    capital = inputs[2].number_input(
        "Capital ($)", key="capital", min_value=0.0, step=10_000.0, format="%.0f",
        on_change=remember_amount("capital", defaults),
    )  # fmt: skip
    try:
        now = risk_reward(levels.price, target, stop, capital or None)
        table_rr = scenarios(levels.price, target, stop, levels.levels, capital or None)
    except AnalyticsError as exc:
        st.error(f"Check the target and stop: {exc}.")
    else:
        st.markdown(
            f"Buying now at **{now.price:,.2f}**: reward **{percent(now.reward, 2, True)}**, "
            f"risk **{percent(now.risk, 2, True)}**, ratio **{now.ratio_text}**."
        )
        st.table(
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
        )

PORTFOLIO_BASE = "portfolio_base"  # the table the editor's edits apply to
PORTFOLIO_KEPT = "portfolio_kept"  # the edited table, kept while the section is closed


def keep_portfolio() -> None:
    """When the portfolio section opens or closes: fold the editor's edits into its table and
    keep it (Streamlit forgets the editor's state while it is not drawn)."""
    edits = st.session_state.get("portfolio")
    base = st.session_state.get(PORTFOLIO_BASE)
    if isinstance(edits, dict) and isinstance(base, pd.DataFrame):
        st.session_state[PORTFOLIO_KEPT] = apply_edits(base, edits)


def portfolio_section() -> None:
    """Several positions: weights, entries, targets and stops in an editable table; the
    portfolio's reward, risk, ratio and cash."""
    st.caption(
        "Weights are shares of the portfolio (the rest is cash). Reward if every target is "
        "reached, risk if every stop is hit. Edit the table: add rows, change numbers."
    )
    # Derived from the as-of close and the default plan (not from the inputs above), so every
    # default row is valid at any date and edits survive a change of target or stop.
    base = st.session_state.get(
        PORTFOLIO_KEPT, default_positions(levels.price, default_target, default_stop, name)
    )
    st.session_state[PORTFOLIO_BASE] = base
    edited = st.data_editor(
        base,
        num_rows="dynamic",
        hide_index=True,
        key="portfolio",
        column_config={
            "position": st.column_config.TextColumn("Position"),
            "weight": st.column_config.NumberColumn(
                "Weight", min_value=0.0, max_value=1.0, step=0.05
            ),
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
        return
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


# Lazy (issue #15): the editable grid is the heaviest part of the page to draw, so it is drawn
# only while its section is open; the edits are kept while it is closed.
portfolio_box = st.expander(
    "Portfolio risk/reward: several positions in an editable table",
    key="portfolio_open",
    on_change=keep_portfolio,
    icon=":material/edit_note:",
)
if portfolio_box.open:
    with portfolio_box:
        portfolio_section()
