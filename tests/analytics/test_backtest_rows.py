"""Many signals in one vectorised pass give each signal's own backtest, and the statistics of
many rows equal ``compute_stats`` of each row's window.

The reference for each signal is an independent day-by-day walk written here (no arrays), on a
hand-made market with a holiday, signals starting on different weeks and a gap of unknown weeks.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from analytics.backtest import (
    TRADE_COLUMNS,
    BacktestSettings,
    backtest_signal,
    backtest_signals,
    prepare_market,
)
from analytics.calendar import decision_calendar
from analytics.stats import compute_stats, compute_stats_rows

DAYS = pd.bdate_range("2024-01-01", "2024-06-28").drop(pd.Timestamp("2024-02-19"))
PRICES = pd.Series(100 + 10 * np.sin(np.arange(len(DAYS)) / 7.0) + np.arange(len(DAYS)) / 5, DAYS)


def _walk(signal: pd.Series, calendar: pd.DataFrame, settings: BacktestSettings) -> pd.Series:
    """Day-by-day reference: trade at the trade date's close, hold until the next change."""
    trades = {}
    position = None
    for decision, value in signal.items():
        if decision not in calendar.index or pd.isna(value):
            continue
        target = float(value) > 0
        if position is None or target != position:
            trades[calendar.at[decision, "trade_date"]] = target
        position = target
    start = min(calendar.at[d, "trade_date"] for d, v in signal.items() if pd.notna(v))
    cash, shares, values = settings.capital, 0.0, {}
    c, s = settings.commission, settings.spread
    for day, price in PRICES[PRICES.index >= start].items():
        if day in trades and trades[day] and shares == 0:
            shares, cash = (cash - c) / (price * (1 + s)), 0.0
        elif day in trades and not trades[day] and shares > 0:
            cash, shares = shares * price * (1 - s) - c, 0.0
        values[day] = shares * price if shares else cash
    return pd.Series(values)


def _same(left: dict, right: dict) -> bool:
    """Equal, a NaN equal to a NaN (the Sharpe of a curve that never moves)."""
    return all(left[k] == right[k] or (left[k] != left[k] and right[k] != right[k]) for k in left)


@pytest.fixture()
def setup():
    calendar = decision_calendar(DAYS)
    decisions = calendar.index
    rng = np.random.default_rng(7)
    signals = {
        "always": pd.Series(1.0, index=decisions),
        "never": pd.Series(0.0, index=decisions),
        "late": pd.Series(rng.integers(0, 2, len(decisions)), index=decisions, dtype=float),
        "gappy": pd.Series(rng.integers(0, 2, len(decisions)), index=decisions, dtype=float),
        "unknown": pd.Series(np.nan, index=decisions),
    }
    signals["late"].iloc[:6] = np.nan
    signals["gappy"].iloc[[3, 4, 9]] = np.nan
    return calendar, signals


def test_one_pass_equals_each_signal_alone_and_a_day_by_day_walk(setup) -> None:
    calendar, signals = setup
    settings = BacktestSettings()
    market = prepare_market(PRICES, settings)
    together = backtest_signals(signals, calendar, market, settings)
    assert list(together) == ["always", "never", "late", "gappy"]  # "unknown" left out
    for key, result in together.items():
        alone = backtest_signal(signals[key], calendar, market, settings, name=key)
        pd.testing.assert_series_equal(result.equity, alone.equity)
        pd.testing.assert_frame_equal(result.trades, alone.trades)
        assert _same(result.stats.to_dict(), alone.stats.to_dict())
        reference = _walk(signals[key], calendar, settings)
        assert result.equity.index.equals(reference.index)
        assert np.abs(result.equity.to_numpy() - reference.to_numpy()).max() < 1e-8
    assert together["never"].stats.trades == 0 and together["never"].trades.empty
    assert together["never"].equity.eq(100_000).all()
    assert together["late"].equity.index[0] > together["always"].equity.index[0]


def test_signals_on_different_indexes_each_equal_their_own_backtest(setup) -> None:
    calendar, signals = setup
    settings = BacktestSettings()
    market = prepare_market(PRICES, settings)
    gappy = signals["gappy"]
    mixed = {
        "always": signals["always"],
        "shorter": gappy.iloc[5:],  # another index: its first weeks are missing
        "copied": gappy.copy(deep=True).set_axis(pd.DatetimeIndex(list(gappy.index))),  # equal
        "late": signals["late"],
    }
    together = backtest_signals(mixed, calendar, market, settings)
    assert list(together) == list(mixed)
    for key, result in together.items():
        alone = backtest_signal(mixed[key], calendar, market, settings, name=key)
        pd.testing.assert_series_equal(result.equity, alone.equity)
        pd.testing.assert_frame_equal(result.trades, alone.trades)
    assert together["shorter"].equity.index[0] > together["copied"].equity.index[0]
    pd.testing.assert_series_equal(
        together["copied"].equity,
        backtest_signal(gappy, calendar, market, settings, "copied").equity,
    )


def test_the_benchmark_starts_with_each_signal(setup) -> None:
    calendar, signals = setup
    settings = BacktestSettings()
    market = prepare_market(PRICES, settings)
    results = backtest_signals(signals, calendar, market, settings)
    late = results["late"]
    first = PRICES.index.get_loc(late.equity.index[0])
    shares = 99_990 / (PRICES.iloc[first] * 1.0002)
    assert late.benchmark.iloc[-1] == pytest.approx(shares * PRICES.iloc[-1], abs=1e-9)
    assert late.benchmark_stats.start == late.equity.index[0]


def test_curves_are_built_once_and_the_benchmark_is_shared(setup) -> None:
    calendar, signals = setup
    settings = BacktestSettings()
    results = backtest_signals(signals, calendar, prepare_market(PRICES, settings), settings)
    always, never, late = results["always"], results["never"], results["late"]
    assert always.equity is always.equity and always.trades is always.trades
    assert always.benchmark is never.benchmark  # same first day: one Series
    assert late.benchmark is not always.benchmark
    assert always.benchmark.name == "SPY" and always.position.name == "position"
    assert always.equity.name == "always" and set(always.position.unique()) <= {0.0, 1.0}
    assert list(always.trades.columns) == TRADE_COLUMNS
    assert always.trades.index.equals(pd.RangeIndex(len(always.trades)))
    assert list(never.trades.columns) == TRADE_COLUMNS and never.trades.empty


def test_results_survive_a_pickle_round_trip(setup) -> None:
    calendar, signals = setup
    settings = BacktestSettings()
    results = backtest_signals(signals, calendar, prepare_market(PRICES, settings), settings)
    assert len(results["gappy"].equity)  # built before pickling: not stored twice
    back = pickle.loads(pickle.dumps(results))
    assert "equity" not in back["gappy"].__dict__
    for key, result in results.items():
        again = back[key]
        pd.testing.assert_series_equal(again.equity, result.equity)
        pd.testing.assert_series_equal(again.benchmark, result.benchmark)
        pd.testing.assert_series_equal(again.position, result.position)
        pd.testing.assert_frame_equal(again.trades, result.trades)
        assert _same(again.stats.to_dict(), result.stats.to_dict())
        assert (again.name, again.settings, again.notes) == (key, settings, result.notes)
    assert back["always"].benchmark is back["never"].benchmark


@pytest.mark.parametrize("cash", [False, True])
def test_stats_rows_equal_compute_stats_of_each_window(cash) -> None:
    rng = np.random.default_rng(3)
    dates = pd.bdate_range("2020-01-01", periods=300)
    starts = np.array([0, 17, 150])
    curves = 1000 * np.cumprod(1 + rng.normal(0, 0.01, (3, 300)), axis=1)
    invested = rng.integers(0, 2, (3, 300)).astype(bool)
    risk_free = np.r_[0.0, np.full(299, 0.0001)] if cash else None
    flat = curves.copy()
    held = invested.copy()
    for row, start in enumerate(starts):  # the layout compute_stats_rows expects
        flat[row, :start] = flat[row, start]
        held[row, :start] = held[row, start]
    rows = compute_stats_rows(flat, starts, dates, 1000.0, held, [1, 2, 3], [None, 0.5, 1.0],
                              risk_free)  # fmt: skip
    for row, start in enumerate(starts):
        alone = compute_stats(
            pd.Series(curves[row, start:], index=dates[start:]),
            1000.0,
            invested[row, start:].astype(float),
            [1, 2, 3][row],
            [None, 0.5, 1.0][row],
            None if risk_free is None else risk_free[start:],
        )
        got = rows[row].to_dict()
        for name, value in alone.to_dict().items():
            if isinstance(value, float):
                assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name
            else:
                assert got[name] == value, name
