"""``analytics.stats`` against empyrical-reloaded, an independent implementation (the way ``bt``
checks the backtests): volatility, Sharpe, Sortino, maximum drawdown, total return and CAGR.

empyrical annualises CAGR over ``len(returns) / annualization`` years; ours over calendar days /
365.25, so the oracle is called with ``annualization = n × 365.25 / days`` (the same years).
"""

from __future__ import annotations

import empyrical
import numpy as np
import pandas as pd
import pytest

from analytics.stats import compute_stats


def _equity(seed: int, days: int = 1500) -> pd.Series:
    rng = np.random.default_rng(seed)
    returns = rng.normal(0.0004, 0.012, days)
    returns[200:260] -= 0.01  # a deep drawdown in the middle
    dates = pd.bdate_range("2015-01-02", periods=days + 1)
    return pd.Series(100_000 * np.cumprod(np.r_[1.0, 1.0 + returns]), index=dates)


def _stats(equity: pd.Series, risk_free: np.ndarray | None = None):
    return compute_stats(equity, float(equity.iloc[0]), np.ones(len(equity)), 0, None, risk_free)


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_statistics_agree_with_empyrical(seed: int) -> None:
    equity = _equity(seed)
    returns = equity.pct_change().dropna()
    ours = _stats(equity)
    assert ours.volatility == pytest.approx(empyrical.annual_volatility(returns), rel=1e-12)
    assert ours.sharpe == pytest.approx(empyrical.sharpe_ratio(returns), rel=1e-12)
    assert ours.sortino == pytest.approx(empyrical.sortino_ratio(returns), rel=1e-12)
    assert ours.max_drawdown.depth == pytest.approx(empyrical.max_drawdown(returns), rel=1e-12)
    assert ours.total_return == pytest.approx(empyrical.cum_returns_final(returns), rel=1e-12)
    days = (equity.index[-1] - equity.index[0]).days
    years_as_periods = len(returns) * 365.25 / days
    expected_cagr = empyrical.annual_return(returns, annualization=years_as_periods)
    assert ours.cagr == pytest.approx(expected_cagr, rel=1e-12)


def test_excess_returns_over_a_daily_risk_free_rate_agree_with_empyrical() -> None:
    equity = _equity(3)
    returns = equity.pct_change().dropna()
    risk_free = np.r_[0.0, np.full(len(returns), 0.03 / 360)]  # 3 % a year, actual/360 per day
    ours = _stats(equity, risk_free)
    excess = returns - risk_free[1:]
    assert ours.sharpe == pytest.approx(empyrical.sharpe_ratio(excess), rel=1e-12)
    assert ours.sortino == pytest.approx(empyrical.sortino_ratio(excess), rel=1e-12)
    assert ours.sharpe == pytest.approx(
        empyrical.sharpe_ratio(returns, risk_free=0.03 / 360), rel=1e-12
    )


@pytest.mark.shared_data
def test_spy_buy_and_hold_agrees_with_empyrical(shared_source) -> None:
    from analytics.backtest import spy_total_return

    prices, _ = spy_total_return(shared_source.load_many(["yahoo:SPY"]))
    equity = 100_000 * prices / prices.iloc[0]
    returns = equity.pct_change().dropna()
    ours = _stats(equity)
    assert ours.volatility == pytest.approx(empyrical.annual_volatility(returns), rel=1e-10)
    assert ours.sharpe == pytest.approx(empyrical.sharpe_ratio(returns), rel=1e-10)
    assert ours.sortino == pytest.approx(empyrical.sortino_ratio(returns), rel=1e-10)
    assert ours.max_drawdown.depth == pytest.approx(empyrical.max_drawdown(returns), rel=1e-10)
    assert ours.max_drawdown.trough == pd.Timestamp("2009-03-09")
