"""The tear sheet and its downloads, computed once per backtest (``st.cache_data``).

Keyed like :func:`dashboard.state.figure`: the data folder, the store generation, every model
and cost setting, the as-of date and the strategy's id; the backtest itself comes from
:func:`dashboard.state.backtests` (cached there) and is passed in unhashed. A refresh that lands
changes the generation, so the next run computes the new data's tear sheet.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.backtest import BacktestResult
from analytics.tearsheet import TearSheet, equity_frame, tear_sheet
from dashboard import state


def settings_key() -> tuple[object, ...]:
    """Everything besides the as-of date that changes a backtest (as ``state.figure`` keys)."""
    return (
        state.data_dir(),
        state.generation(),
        state.threshold_overrides(),
        state.invest_threshold(),
        state.release_overrides(),
        state.backtest_costs(),
    )


@st.cache_data(max_entries=64, show_spinner=False)
def _sheet(
    settings: tuple[object, ...], as_of: pd.Timestamp, key: str, _result: BacktestResult
) -> TearSheet:
    return tear_sheet(_result.equity, _result.benchmark, _result.settings.capital)


@st.cache_data(max_entries=64, show_spinner=False)
def _equity_csv(
    settings: tuple[object, ...], as_of: pd.Timestamp, key: str, _result: BacktestResult
) -> bytes:
    frame = equity_frame(_result.equity, _result.benchmark)
    return frame.to_csv(index=False).encode()


@st.cache_data(max_entries=64, show_spinner=False)
def _trades_csv(
    settings: tuple[object, ...], as_of: pd.Timestamp, key: str, _result: BacktestResult
) -> bytes:
    trades = _result.trades.copy()
    for column in ("entry_date", "exit_date"):
        trades[column] = pd.DatetimeIndex(trades[column]).strftime("%Y-%m-%d")
    return trades.to_csv(index=False).encode()


def sheet(key: str, as_of: pd.Timestamp, result: BacktestResult) -> TearSheet:
    """The tear sheet of ``result`` (the backtest of ``key`` up to ``as_of``)."""
    return _sheet(settings_key(), as_of, key, result)


def equity_csv(key: str, as_of: pd.Timestamp, result: BacktestResult) -> bytes:
    """CSV (UTF-8) of ``date,strategy,buy_and_hold``: every trading day of the backtest."""
    return _equity_csv(settings_key(), as_of, key, result)


def trades_csv(key: str, as_of: pd.Timestamp, result: BacktestResult) -> bytes:
    """CSV (UTF-8) of the round trips, the backtest's columns, dates as YYYY-MM-DD."""
    return _trades_csv(settings_key(), as_of, key, result)


def file_name(key: str, what: str, as_of: pd.Timestamp) -> str:
    """``investable-<strategy id>-<what>-<YYYY-MM-DD>.csv``."""
    return f"investable-{key}-{what}-{pd.Timestamp(as_of):%Y-%m-%d}.csv"
