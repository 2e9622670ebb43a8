"""The same backtest run through ``bt`` (an established backtester), for cross-checks.

``bt`` rebalances to 100 % SPY or 0 % on the trade dates where the signal changes; its commission
function charges ``c + s · |q| · p`` per order, which is exactly our buy rule
``q = (K − c) / (p · (1 + s))`` and sell rule ``q · p · (1 − s) − c`` with fractional shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.backtest import BacktestSettings, Market, trade_days


def bt_equity(
    signal: pd.Series, calendar: pd.DataFrame, market: Market, settings: BacktestSettings
) -> pd.Series:
    """Daily dollar value of the strategy according to ``bt`` (cash earning nothing)."""
    import bt

    decisions, days = trade_days(calendar, market, settings)
    values = signal.reindex(decisions)
    first = int(np.flatnonzero(values.notna().to_numpy())[0])
    targets = (values.iloc[first:].ffill().to_numpy() > 0).astype(float)
    trade_dates = market.dates[days[first:]]
    changed = np.diff(np.r_[0.0, targets]) != 0
    weights = pd.DataFrame({"SPY": targets[changed]}, index=trade_dates[changed])
    start = days[first]
    prices = pd.DataFrame({"SPY": market.prices[start:]}, index=market.dates[start:])
    strategy = bt.Strategy("signal", [bt.algos.WeighTarget(weights), bt.algos.Rebalance()])
    commission, spread = settings.commission, settings.spread
    test = bt.Backtest(
        strategy,
        prices,
        initial_capital=settings.capital,
        commissions=lambda quantity, price: commission + spread * abs(quantity) * price,
        integer_positions=False,
        progress_bar=False,
    )
    result = bt.run(test)
    return result.backtests["signal"].strategy.values.reindex(prices.index)
