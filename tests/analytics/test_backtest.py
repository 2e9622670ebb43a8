"""Backtests on a hand-made January 2024: golden values worked out by hand (Decimal arithmetic).

Trading days: 2 – 31 January 2024 without Monday 15 January (Martin Luther King Day), so the
week of 12 January trades on Tuesday 16 January. Costs: $10 commission and 0.02 % spread.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.backtest import (
    BacktestSettings,
    backtest_signal,
    prepare_market,
    tbill_rate,
)
from analytics.calendar import decision_calendar
from analytics.stats import compute_stats, max_drawdown

PRICES = {
    "2024-01-02": 98.0, "2024-01-03": 99.0, "2024-01-04": 99.5, "2024-01-05": 100.5,
    "2024-01-08": 100.0, "2024-01-09": 101.0, "2024-01-10": 102.0, "2024-01-11": 103.0,
    "2024-01-12": 104.0, "2024-01-16": 110.0, "2024-01-17": 111.0, "2024-01-18": 112.0,
    "2024-01-19": 113.0, "2024-01-22": 114.0, "2024-01-23": 115.0, "2024-01-24": 116.0,
    "2024-01-25": 117.0, "2024-01-26": 118.0, "2024-01-29": 119.0, "2024-01-30": 120.0,
    "2024-01-31": 121.0,
}  # fmt: skip
DECISIONS = pd.DatetimeIndex(["2024-01-05", "2024-01-12", "2024-01-19", "2024-01-26"])


@pytest.fixture()
def prices() -> pd.Series:
    return pd.Series(list(PRICES.values()), index=pd.DatetimeIndex(list(PRICES)), dtype=float)


@pytest.fixture()
def calendar(prices: pd.Series) -> pd.DataFrame:
    return decision_calendar(prices.index)


def run(prices, calendar, values, **settings):
    chosen = BacktestSettings(**settings)
    rate = None
    if settings.get("cash") == "tbill":
        rate = pd.Series([3.6], index=pd.DatetimeIndex(["2023-12-29"]))  # percent a year
    market = prepare_market(prices, chosen, rate)
    signal = pd.Series(values, index=DECISIONS, dtype=float)
    return backtest_signal(signal, calendar, market, chosen, name="test")


def test_the_calendar_trades_the_holiday_week_on_tuesday(calendar) -> None:
    assert list(calendar.index) == list(DECISIONS)
    assert calendar["trade_date"].dt.strftime("%a %d").tolist() == [
        "Mon 08",
        "Tue 16",
        "Mon 22",
        "Mon 29",
    ]


def test_a_signal_that_never_trades_keeps_the_capital(prices, calendar) -> None:
    result = run(prices, calendar, [0, 0, 0, 0])
    assert result.equity.index[0] == pd.Timestamp("2024-01-08")
    assert (result.equity == 100_000.0).all()
    assert result.trades.empty and result.stats.trades == 0
    assert result.stats.win_share is None
    assert result.stats.time_in_market == 0.0
    assert result.stats.total_return == 0.0
    assert result.stats.max_drawdown.depth == 0.0 and result.stats.max_drawdown.peak is None


def test_one_trade_in_and_out_to_the_cent(prices, calendar) -> None:
    """Buy Mon 8 Jan at 100, sell Tue 16 Jan (holiday-shifted Monday) at 110.

    shares = (100,000 − 10) / (100 × 1.0002) = 999.70005998800…
    equity 8 Jan = shares × 100 = 99,970.01; 12 Jan = shares × 104 = 103,968.81
    proceeds = shares × 110 × 0.9998 − 10 = 109,935.01 (pnl 9,935.01), then flat in cash.
    """
    result = run(prices, calendar, [1, 0, 0, 0])
    equity = result.equity.round(2)
    assert equity["2024-01-08"] == 99_970.01
    assert equity["2024-01-12"] == 103_968.81
    assert equity["2024-01-16"] == 109_935.01
    assert equity["2024-01-31"] == 109_935.01
    trade = result.trades.iloc[0]
    assert len(result.trades) == 1 and not trade["open"]
    assert trade["entry_date"] == pd.Timestamp("2024-01-08")
    assert trade["exit_date"] == pd.Timestamp("2024-01-16")
    assert trade["shares"] == pytest.approx(999.7000599880024, rel=1e-15)
    assert round(trade["pnl"], 2) == 9_935.01
    assert result.stats.win_share == 1.0
    assert result.stats.time_in_market == pytest.approx(5 / 17)  # 8–12 Jan of 17 days
    assert result.position["2024-01-12"] == 1.0 and result.position["2024-01-16"] == 0.0
    # buy and hold from the same day: the same shares, worth shares × 121 on 31 January
    assert round(result.benchmark.iloc[-1], 2) == 120_963.71
    assert result.benchmark.index[0] == pd.Timestamp("2024-01-08")


def test_unavailable_weeks_delay_the_start_then_hold_the_position(prices, calendar) -> None:
    """NaN first: start on 16 Jan (buy at 110); NaN on 19 Jan keeps SPY; sell 29 Jan at 119.

    shares = 99,990 / (110 × 1.0002) = 908.81823635…; proceeds = shares × 119 × 0.9998 − 10.
    """
    result = run(prices, calendar, [np.nan, 1, np.nan, 0])
    assert result.equity.index[0] == pd.Timestamp("2024-01-16")
    assert round(result.equity["2024-01-16"], 2) == 99_970.01
    assert round(result.equity["2024-01-29"], 2) == 108_117.74
    assert result.trades["exit_date"].tolist() == [pd.Timestamp("2024-01-29")]
    assert result.benchmark.index[0] == pd.Timestamp("2024-01-16")


def test_an_open_position_is_valued_after_the_costs_of_selling(prices, calendar) -> None:
    result = run(prices, calendar, [0, 0, 1, 1])  # buy Mon 22 Jan at 114, still held
    trade = result.trades.iloc[0]
    shares = 99_990 / (114 * 1.0002)
    assert bool(trade["open"]) and trade["exit_date"] == pd.Timestamp("2024-01-31")
    assert trade["proceeds"] == pytest.approx(shares * 121 * 0.9998 - 10, abs=1e-6)
    assert result.stats.trades == 1 and result.stats.win_share is None
    assert result.equity.iloc[-1] == pytest.approx(shares * 121, abs=1e-6)


def test_cash_at_the_tbill_rate_accrues_actual_360(prices, calendar) -> None:
    """3.6 % a year is 0.01 % a calendar day: 13 one-day gaps, one of 4 days (the holiday
    weekend), two of 3 days → 100,000 × 1.0001¹³ × 1.0004 × 1.0003² = 100,230.24."""
    result = run(prices, calendar, [0, 0, 0, 0], cash="tbill")
    assert round(result.equity.iloc[-1], 2) == 100_230.24
    assert result.stats.trades == 0


def test_tbill_rate_prefers_dtb3_and_fills_from_dgs3mo() -> None:
    dates = pd.DatetimeIndex(["2024-01-02", "2024-01-03", "2024-01-04"])
    series = {
        "fred:DTB3": pd.DataFrame({"value": [5.0, np.nan, np.nan]}, index=dates),
        "fred:DGS3MO": pd.DataFrame({"value": [5.5, 5.4, 5.3]}, index=dates),
    }
    rate, label = tbill_rate(series)
    assert rate.tolist() == [5.0, 5.4, 5.3]
    assert "DTB3" in label and "DGS3MO" in label
    assert tbill_rate({}) is None


def test_tbill_cash_without_a_rate_says_what_is_missing(prices) -> None:
    with pytest.raises(ValueError, match="fred:DTB3 or fred:DGS3MO"):
        prepare_market(prices, BacktestSettings(cash="tbill"), None)


def test_a_signal_never_available_is_a_clear_error(prices, calendar) -> None:
    with pytest.raises(ValueError, match="never available"):
        run(prices, calendar, [np.nan] * 4)


def test_start_and_end_bound_the_window(prices, calendar) -> None:
    result = run(
        prices,
        calendar,
        [1, 1, 1, 1],
        start=pd.Timestamp("2024-01-16"),
        end=pd.Timestamp("2024-01-26"),
    )
    assert result.equity.index[0] == pd.Timestamp("2024-01-16")
    assert result.equity.index[-1] == pd.Timestamp("2024-01-26")
    assert result.trades["entry_price"].tolist() == [110.0]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"capital": -5}, "capital must be a positive"),
        ({"capital": float("nan")}, "capital must be a positive"),
        ({"commission": -1}, "commission"),
        ({"spread": 0.5}, "spread must be a fraction"),
        ({"capital": 15}, "larger than two commissions"),
        ({"cash": "gold"}, "cash must be"),
        ({"start": pd.Timestamp("2024-02-01"), "end": pd.Timestamp("2024-01-01")}, "is after"),
    ],
)
def test_settings_reject_nonsense(settings, message) -> None:
    with pytest.raises(ValueError, match=message):
        BacktestSettings(**settings)


def test_statistics_by_hand() -> None:
    """Equity 100,000 → 110,000 → 99,000 → 118,800: returns +10 %, −10 %, +20 %.

    mean 1/15, sample sd √(0.07/3) → vol 2.4249, Sharpe 6.9282; downside √(0.01/3) →
    Sortino 18.3303; 731 days → CAGR 1.188^(365.25/731) − 1 = 8.989 %.
    """
    dates = pd.DatetimeIndex(["2020-01-01", "2021-01-01", "2021-06-01", "2022-01-01"])
    equity = pd.Series([100_000.0, 110_000.0, 99_000.0, 118_800.0], index=dates)
    stats = compute_stats(equity, 100_000.0, np.array([1, 1, 0, 1]), trades=2, win_share=0.5)
    assert stats.total_return == pytest.approx(0.188)
    assert stats.cagr == pytest.approx(0.0898899133, rel=1e-8)
    assert stats.volatility == pytest.approx(2.4248711306, rel=1e-9)
    assert stats.sharpe == pytest.approx(6.9282032303, rel=1e-9)
    assert stats.sortino == pytest.approx(18.3303027798, rel=1e-9)
    assert stats.time_in_market == 0.75
    dd = stats.max_drawdown
    assert dd.depth == pytest.approx(-0.1)
    assert (dd.peak, dd.trough, dd.recovery) == (dates[1], dates[2], dates[3])


def test_drawdown_dates_without_recovery_and_with_a_repeated_high() -> None:
    dates = pd.date_range("2024-01-01", periods=7, freq="D")
    equity = np.array([100, 120, 90, 120, 125, 125, 80], dtype=float)
    dd = max_drawdown(equity, dates)
    assert dd.depth == pytest.approx(-0.36)
    assert dd.peak == dates[5]  # the last close at the high before the trough
    assert dd.trough == dates[6] and dd.recovery is None


def test_stats_table_formats_both_sides() -> None:
    from analytics.stats import stats_table

    dates = pd.DatetimeIndex(["2020-01-01", "2021-01-01", "2021-06-01", "2022-01-01"])
    equity = pd.Series([100_000.0, 110_000.0, 99_000.0, 118_800.0], index=dates)
    strategy = compute_stats(equity, 100_000.0, np.array([1, 1, 0, 1]), trades=2, win_share=0.5)
    flat = pd.Series(100_000.0, index=dates)
    benchmark = compute_stats(flat, 100_000.0, np.ones(4), trades=1, win_share=None)
    table = stats_table(strategy, benchmark)
    assert table.loc["Total return"].tolist() == ["18.8%", "0.0%"]
    assert table.loc["Max drawdown"].tolist() == ["-10.0%", "0.0%"]
    assert table.loc["Drawdown peak"].tolist() == ["2021-01-01", "—"]
    assert table.loc["Drawdown trough"].tolist() == ["2021-06-01", "—"]
    assert table.loc["Sharpe", "Buy & hold SPY"] == "—"  # no variation: no ratio
    assert table.loc["Winning trades"].tolist() == ["50%", "—"]
