"""``analytics.tearsheet``: golden values on a made-up two-year curve whose months are flat steps
(every month's return is read off the step values by hand), boundaries of every rule, and
empyrical-reloaded as an independent oracle for the monthly/yearly aggregates, the underwater
curve, the deepest drawdown and the rolling volatility."""

from __future__ import annotations

import empyrical
import numpy as np
import pandas as pd
import pytest

from analytics.stats import compute_stats
from analytics.tearsheet import (
    MONTHS,
    YEAR_COLUMN,
    drawdown_episodes,
    monthly_table,
    period_returns,
    rolling_return,
    rolling_volatility,
    tear_sheet,
    underwater,
    worst_drawdowns,
    yearly_table,
)

# Month → the equity of every business day of that month (the curve starts mid-January 2021).
STEPS = {
    "2021-01": 100.0,
    "2021-02": 110.0,
    "2021-03": 121.0,
    "2021-04": 96.8,  # −20 % from the March high
    "2021-05": 108.9,
    "2021-06": 121.0,  # back at the high on 2021-06-01
    "2021-07": 125.0,
    "2021-08": 130.0,
    "2021-09": 130.0,
    "2021-10": 135.0,
    "2021-11": 140.0,
    "2021-12": 150.0,
    "2022-01": 150.0,
    "2022-02": 142.5,  # −5 % from the January high, never recovered
    **{f"2022-{m:02d}": 147.0 for m in range(3, 13)},
}


def _curve() -> pd.Series:
    dates = pd.bdate_range("2021-01-15", "2022-12-30")
    equity = pd.Series(np.nan, index=dates)
    for month, value in STEPS.items():
        equity.loc[month] = value
    return equity


def _trading_days(start: str, end: str) -> int:
    return int(np.busday_count(start, end))


# ---- golden values on the step curve ------------------------------------------------------------


def test_monthly_table_of_the_step_curve() -> None:
    table = monthly_table(_curve(), capital=100.0)
    assert list(table.columns) == [*MONTHS, YEAR_COLUMN]
    assert list(table.index) == [2021, 2022]
    expected_2021 = [
        0.0,  # the partial January: 100 against the capital of 100
        0.1,
        0.1,
        -0.2,
        0.125,
        121 / 108.9 - 1,
        125 / 121 - 1,
        0.04,
        0.0,
        135 / 130 - 1,
        140 / 135 - 1,
        150 / 140 - 1,
        0.5,
    ]
    expected_2022 = [0.0, -0.05, 147 / 142.5 - 1, *[0.0] * 9, 147 / 150 - 1]
    np.testing.assert_allclose(table.loc[2021].to_numpy(), expected_2021, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(table.loc[2022].to_numpy(), expected_2022, rtol=1e-12, atol=1e-15)


def test_the_years_compound_to_the_total_return_of_the_statistics() -> None:
    equity = _curve()
    capital = 104.0  # a start before costs: the first month pays them
    table = monthly_table(equity, capital)
    stats = compute_stats(equity, capital, np.ones(len(equity)), 0, None)
    assert table.loc[2021, "Jan"] == pytest.approx(100 / 104 - 1, rel=1e-12)
    assert np.prod(1 + table[YEAR_COLUMN]) - 1 == pytest.approx(stats.total_return, rel=1e-12)
    months = table[list(MONTHS)].to_numpy()
    assert np.nanprod(1 + months) - 1 == pytest.approx(stats.total_return, rel=1e-12)


def test_a_partial_first_month_without_capital_starts_at_the_first_close() -> None:
    equity = _curve()
    equity.loc["2021-01-20":"2021-01-31"] = 105.0  # mid-month rise after the first close
    table = monthly_table(equity)
    assert table.loc[2021, "Jan"] == pytest.approx(0.05, rel=1e-12)
    assert table.loc[2021, "Feb"] == pytest.approx(110 / 105 - 1, rel=1e-12)


def test_months_outside_the_curve_are_empty() -> None:
    table = monthly_table(_curve().loc[:"2021-05-14"])
    assert table.loc[2021, ["Jun", "Dec"]].isna().all()
    assert table.loc[2021, "May"] == pytest.approx(0.125, rel=1e-12)  # the partial last month


def test_yearly_table_against_a_benchmark() -> None:
    equity = _curve()
    benchmark = pd.Series(
        np.where(equity.index.year == 2021, 90.0, 99.0), index=equity.index
    )  # flat years: all of 2021 at 90, all of 2022 at 99
    table = yearly_table(equity, benchmark, capital=100.0)
    assert list(table.columns) == ["strategy", "benchmark"]
    np.testing.assert_allclose(table["strategy"], [0.5, -0.02], rtol=1e-12)
    np.testing.assert_allclose(table["benchmark"], [-0.1, 0.1], rtol=1e-12)


def test_underwater_of_the_step_curve() -> None:
    water = underwater(_curve())
    assert water.loc["2021-03-31"] == 0.0
    assert water.loc["2021-04-01"] == pytest.approx(-0.2, rel=1e-12)
    assert water.loc["2021-05-14"] == pytest.approx(108.9 / 121 - 1, rel=1e-12)
    assert water.loc["2021-06-01"] == 0.0
    assert water.loc["2022-12-30"] == pytest.approx(-0.02, rel=1e-12)
    assert water.max() == 0.0


def test_worst_drawdowns_of_the_step_curve() -> None:
    table = worst_drawdowns(_curve())
    assert list(table.index) == [1, 2]
    first, second = table.loc[1], table.loc[2]
    assert first["peak"] == pd.Timestamp("2021-03-31")  # the last close at the high
    assert first["trough"] == pd.Timestamp("2021-04-01")
    assert first["recovery"] == pd.Timestamp("2021-06-01")
    assert first["depth"] == pytest.approx(-0.2, rel=1e-12)
    assert first["length"] == 44 == _trading_days("2021-03-31", "2021-06-01")  # 1 + 22 + 21
    assert first["recovery_days"] == 43
    assert second["peak"] == pd.Timestamp("2022-01-31")
    assert second["trough"] == pd.Timestamp("2022-02-01")
    assert pd.isna(second["recovery"])
    assert second["depth"] == pytest.approx(-0.05, rel=1e-12)
    assert second["length"] == _trading_days("2022-01-31", "2022-12-30")  # to the last day
    assert pd.isna(second["recovery_days"])


def test_the_first_row_is_the_maximum_drawdown_of_the_statistics() -> None:
    equity = _curve()
    deepest = compute_stats(equity, 100.0, np.ones(len(equity)), 0, None).max_drawdown
    first = worst_drawdowns(equity).loc[1]
    assert (first["peak"], first["trough"], first["recovery"]) == (
        deepest.peak,
        deepest.trough,
        deepest.recovery,
    )
    assert first["depth"] == deepest.depth


def test_only_the_top_episodes_deepest_first() -> None:
    dates = pd.bdate_range("2024-01-01", periods=13)
    # five dips: −10 %, −30 %, −20 %, −30 % (a tie: the earlier first), −5 %
    values = [100, 90, 100, 70, 100, 80, 100, 70, 100, 95, 100, 100, 101]
    table = worst_drawdowns(pd.Series(values, index=dates, dtype=float), top=3)
    assert list(table["depth"].round(12)) == [-0.3, -0.3, -0.2]
    assert list(table["trough"]) == [dates[3], dates[7], dates[5]]
    assert len(drawdown_episodes(pd.Series(values, index=dates, dtype=float))) == 5


# ---- boundaries ---------------------------------------------------------------------------------


def test_a_drawdown_that_recovers_exactly_on_the_last_day() -> None:
    dates = pd.bdate_range("2024-03-04", periods=6)
    equity = pd.Series([100, 104, 98, 91, 99, 104], index=dates, dtype=float)
    (row,) = worst_drawdowns(equity).itertuples()
    assert row.peak == dates[1] and row.trough == dates[3] and row.recovery == dates[5]
    assert row.depth == pytest.approx(91 / 104 - 1, rel=1e-12)
    assert (row.length, row.recovery_days) == (4, 2)


def test_a_drawdown_one_cent_short_of_recovering_on_the_last_day() -> None:
    dates = pd.bdate_range("2024-03-04", periods=6)
    equity = pd.Series([100, 104, 98, 91, 99, 103.99], index=dates, dtype=float)
    (row,) = worst_drawdowns(equity).itertuples()
    assert pd.isna(row.recovery) and pd.isna(row.recovery_days)
    assert row.length == 4  # peak to the last day


def test_no_drawdown_at_all() -> None:
    dates = pd.bdate_range("2024-01-01", periods=300)
    equity = pd.Series(np.linspace(100, 130, 300), index=dates)
    table = worst_drawdowns(equity)
    assert table.empty
    assert list(table.columns) == ["peak", "trough", "recovery", "depth", "length", "recovery_days"]
    assert (underwater(equity) == 0).all()
    flat = pd.Series(100.0, index=dates)  # equal closes are not below the high
    assert worst_drawdowns(flat).empty


def test_a_drawdown_from_the_first_day_and_a_new_high_the_next_day() -> None:
    dates = pd.bdate_range("2024-01-01", periods=3)
    table = worst_drawdowns(pd.Series([100.0, 99.0, 100.5], index=dates))
    assert table.loc[1, "peak"] == dates[0] and table.loc[1, "recovery"] == dates[2]
    assert (table.loc[1, "length"], table.loc[1, "recovery_days"]) == (2, 1)


def test_rolling_window_boundaries() -> None:
    equity = _curve()
    returns = rolling_return(equity)
    assert returns.iloc[:252].isna().all() and not np.isnan(returns.iloc[252])
    assert returns.iloc[252] == pytest.approx(equity.iloc[252] / equity.iloc[0] - 1, rel=1e-12)
    year_ago = equity.index[-1] - pd.offsets.BDay(252)
    assert year_ago == pd.Timestamp("2022-01-12") and equity.loc[year_ago] == 150.0
    assert returns.iloc[-1] == pytest.approx(147 / 150 - 1, rel=1e-12)
    volatility = rolling_volatility(equity)
    assert volatility.iloc[:252].isna().all() and not np.isnan(volatility.iloc[252])
    # the last window (252 daily returns) holds two moves among 250 flat days: −5 % and +3.16 %
    a, b = -0.05, 147 / 142.5 - 1
    mean = (a + b) / 252
    expected = np.sqrt((a**2 + b**2 - 252 * mean**2) / 251) * np.sqrt(252)
    assert volatility.iloc[-1] == pytest.approx(expected, rel=1e-12)


def test_empty_and_one_day_curves() -> None:
    empty = pd.Series([], dtype=float, index=pd.DatetimeIndex([]))
    assert period_returns(empty, "M").empty
    assert worst_drawdowns(empty).empty
    one = pd.Series([100.0], index=pd.DatetimeIndex(["2024-05-31"]))
    table = monthly_table(one, capital=100.0)
    assert table.loc[2024, "May"] == 0.0 and table.loc[2024, YEAR_COLUMN] == 0.0


def test_tear_sheet_bundles_both_sides() -> None:
    equity = _curve()
    benchmark = equity * 0.99 + 2.0
    sheet = tear_sheet(equity, benchmark, capital=100.0)
    pd.testing.assert_frame_equal(sheet.monthly, monthly_table(equity, 100.0))
    assert list(sheet.underwater.columns) == ["strategy", "benchmark"]
    assert list(sheet.rolling.columns) == [
        "return_strategy",
        "return_benchmark",
        "volatility_strategy",
        "volatility_benchmark",
    ]
    pd.testing.assert_frame_equal(sheet.benchmark_drawdowns, worst_drawdowns(benchmark))


# ---- empyrical-reloaded as the oracle -----------------------------------------------------------


def _random_equity(seed: int, start: str = "2015-01-14", days: int = 1500) -> pd.Series:
    rng = np.random.default_rng(seed)
    returns = rng.normal(0.0004, 0.012, days)
    returns[200:260] -= 0.01  # a deep drawdown in the middle
    dates = pd.bdate_range(start, periods=days + 1)
    return pd.Series(100_000 * np.cumprod(np.r_[1.0, 1.0 + returns]), index=dates)


@pytest.mark.parametrize(
    ("seed", "start"), [(1, "2015-01-14"), (7, "2016-02-01"), (42, "2019-11-29")]
)
def test_aggregates_agree_with_empyrical(seed: int, start: str) -> None:
    equity = _random_equity(seed, start)
    returns = equity.pct_change().dropna()
    monthly = empyrical.aggregate_returns(returns, "monthly")
    table = monthly_table(equity)
    ours = table[list(MONTHS)].stack().dropna()
    expected = {(year, MONTHS[month - 1]): value for (year, month), value in monthly.items()}
    first = (equity.index[0].year, MONTHS[equity.index[0].month - 1])
    if first not in expected:  # the curve starts on a month's last day: no return that month
        assert ours[first] == 0.0
        ours = ours.drop(first)
    assert len(ours) == len(monthly)
    for key, value in ours.items():
        assert value == pytest.approx(expected[key], rel=1e-10, abs=1e-14)
    yearly = empyrical.aggregate_returns(returns, "yearly")
    np.testing.assert_allclose(table[YEAR_COLUMN].to_numpy(), yearly.to_numpy(), rtol=1e-10)
    both = yearly_table(equity, equity * 2.0, None)
    np.testing.assert_allclose(both["benchmark"].to_numpy(), yearly.to_numpy(), rtol=1e-10)


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_drawdowns_agree_with_empyrical(seed: int) -> None:
    equity = _random_equity(seed)
    returns = equity.pct_change().dropna()
    wealth = empyrical.cum_returns(returns, starting_value=float(equity.iloc[0]))
    expected = wealth / wealth.cummax() - 1
    np.testing.assert_allclose(underwater(equity).iloc[1:], expected, rtol=1e-10, atol=1e-12)
    first = worst_drawdowns(equity).loc[1]
    assert first["depth"] == pytest.approx(empyrical.max_drawdown(returns), rel=1e-10)
    assert first["trough"] == expected.idxmin()
    episodes = drawdown_episodes(equity)
    assert (episodes["depth"] < 0).all()
    assert episodes["depth"].min() == first["depth"]


@pytest.mark.parametrize("seed", [3, 11])
def test_rolling_volatility_agrees_with_empyrical(seed: int) -> None:
    equity = _random_equity(seed, days=700)
    returns = equity.pct_change().dropna()
    expected = empyrical.roll_annual_volatility(returns, window=252)
    ours = rolling_volatility(equity).dropna()
    assert len(ours) == len(expected) == 700 - 251
    np.testing.assert_allclose(ours.to_numpy(), np.asarray(expected), rtol=1e-9)
