"""Backtests of 0/1 weekly signals: 100 % SPY when 1, 100 % cash when 0 (SPEC section 4).

The rules, with capital ``C``, commission ``c`` (dollars) and spread ``s`` (a fraction):

- The signal of decision date ``d_i`` is traded at the close of its trade date ``t_i`` (the
  Monday close, or the first trading day after a holiday) and held until ``t_{i+1}``.
- The backtest starts at the first trade date whose signal is available, in cash with ``C``.
  A later unavailable week (NaN) keeps the position.
- Buy with cash ``K`` at price ``p``: fractional shares ``q = (K − c) / (p · (1 + s))``.
  Sell ``q`` shares: cash ``q · p · (1 − s) − c``. Prices are dividend-adjusted closes.
- Equity each close: ``q · p_t`` when invested, else the cash, which earns nothing
  (``cash="zero"``) or the 3-month T-bill rate (``cash="tbill"``), actual/360 on the rate known
  the day before: ``K_t = K_{t−1} · (1 + r_{t−1} / 100 · (t − (t−1)) / 360)``.
- The benchmark buys SPY with ``C`` at the same first trade date (paying the same costs) and holds.

A trade is one round trip (buy, then sell); a position still open at the end is marked at the
last close after the costs of selling, and counts in ``trades`` but not in the winning share.

The simulation loops only over the trades; the daily curves are filled with array operations, so
the 22 backtests of the model take milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from analytics.errors import InvalidSetting, NotEnoughData
from analytics.results import ModelResult
from analytics.stats import Stats, compute_stats

CashMode = Literal["zero", "tbill"]
TBILL_KEYS = ("fred:DTB3", "fred:DGS3MO")
TRADE_COLUMNS = [
    "entry_date",
    "entry_price",
    "exit_date",
    "exit_price",
    "shares",
    "cost",
    "proceeds",
    "pnl",
    "return",
    "open",
]


@dataclass(frozen=True)
class BacktestSettings:
    """Costs, capital and cash rate of a backtest; ``start``/``end`` bound the trade dates."""

    capital: float = 100_000.0
    commission: float = 10.0
    spread: float = 0.0002
    cash: CashMode = "zero"
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None

    def __post_init__(self) -> None:
        checks = [
            (np.isfinite(self.capital) and self.capital > 0, "capital must be a positive amount"),
            (
                np.isfinite(self.commission) and self.commission >= 0,
                "commission must be zero or a positive amount of dollars",
            ),
            (
                np.isfinite(self.spread) and 0 <= self.spread < 0.05,
                "spread must be a fraction between 0 and 0.05 (0.0002 = 0.02 %)",
            ),
            (
                self.capital > 2 * self.commission,
                "capital must be larger than two commissions (a buy and a sell)",
            ),
            (self.cash in ("zero", "tbill"), "cash must be 'zero' or 'tbill'"),
        ]
        for ok, message in checks:
            if not ok:
                raise InvalidSetting(message)
        if self.start is not None and self.end is not None and self.start > self.end:
            raise InvalidSetting(f"start {self.start.date()} is after end {self.end.date()}")


@dataclass(frozen=True)
class Market:
    """Daily prices and cash growth, prepared once and shared by many backtests.

    ``cash_growth[t]`` is the growth of one dollar of cash from the first day to day ``t``;
    ``risk_free[t]`` the cash return from day ``t − 1`` to ``t`` (0 when cash earns nothing).
    """

    dates: pd.DatetimeIndex
    prices: np.ndarray
    cash_growth: np.ndarray
    risk_free: np.ndarray
    price_note: str
    cash_note: str


@dataclass(frozen=True)
class BacktestResult:
    """One backtest: daily curves, the trade list and the statistics of both sides."""

    name: str
    equity: pd.Series
    benchmark: pd.Series
    position: pd.Series
    trades: pd.DataFrame
    stats: Stats
    benchmark_stats: Stats
    settings: BacktestSettings
    notes: tuple[str, ...] = field(default=())


def spy_total_return(series: Mapping[str, pd.DataFrame]) -> tuple[pd.Series, str]:
    """SPY's dividend-adjusted close (or the quoted close when that is all there is) and a label."""
    frame = series.get("yahoo:SPY")
    if frame is None or frame.empty:
        raise NotEnoughData("backtests need yahoo:SPY prices; none are loaded")
    if "adj_close" in frame.columns and frame["adj_close"].notna().any():
        return frame["adj_close"].dropna(), "SPY dividend-adjusted close"
    return frame["close"].dropna(), "SPY quoted close (no adjusted close in the source)"


def tbill_rate(series: Mapping[str, pd.DataFrame]) -> tuple[pd.Series, str] | None:
    """The 3-month T-bill rate in percent: FRED DTB3, with DGS3MO filling its gaps."""
    found = [(key, series[key]["value"].dropna()) for key in TBILL_KEYS if key in series]
    found = [(key, values) for key, values in found if len(values)]
    if not found:
        return None
    rate = found[0][1]
    for _, values in found[1:]:
        rate = rate.combine_first(values)
    return rate.sort_index(), "3-month T-bill (" + ", then ".join(k for k, _ in found) + ")"


def prepare_market(
    prices: pd.Series,
    settings: BacktestSettings,
    rate: pd.Series | None = None,
    price_note: str = "SPY",
) -> Market:
    """Align prices and the cash rate on the trading days within the settings' window."""
    prices = prices[prices.notna() & (prices > 0)].sort_index()
    prices = prices[~prices.index.duplicated(keep="last")]
    if settings.end is not None:
        prices = prices[prices.index <= settings.end]
    if prices.empty:
        raise NotEnoughData("no prices in the backtest window")
    dates = pd.DatetimeIndex(prices.index)
    risk_free = np.zeros(len(dates))
    cash_note = "cash earns 0 %"
    if settings.cash == "tbill":
        if rate is None or rate.dropna().empty:
            raise NotEnoughData(
                "cash at the T-bill rate needs fred:DTB3 or fred:DGS3MO; neither is loaded"
            )
        known = rate.dropna().reindex(dates, method="ffill").to_numpy(dtype=float)
        previous = np.r_[np.nan, known[:-1]]
        gap_days = np.r_[0, np.diff(dates.to_numpy()).astype("timedelta64[D]").astype(float)]
        risk_free = np.nan_to_num(previous / 100.0 * gap_days / 360.0)
        cash_note = "cash earns the 3-month T-bill rate (actual/360)"
    return Market(
        dates=dates,
        prices=prices.to_numpy(dtype=float),
        cash_growth=np.cumprod(1.0 + risk_free),
        risk_free=risk_free,
        price_note=price_note,
        cash_note=cash_note,
    )


def backtest_signal(
    signal: pd.Series,
    calendar: pd.DataFrame,
    market: Market,
    settings: BacktestSettings,
    name: str = "signal",
    schedule: tuple[pd.DatetimeIndex, np.ndarray] | None = None,
    benchmark: tuple[pd.Series, Stats] | None = None,
) -> BacktestResult:
    """Follow a weekly 0/1 ``signal`` (index: decision dates; NaN = unavailable).

    ``calendar`` maps decision dates (index) to ``trade_date``. See the module docstring.
    ``schedule`` (from ``trade_schedule``) and ``benchmark`` may be passed in to share the work
    between many signals.
    """
    decisions, all_days = schedule or trade_schedule(calendar, market, settings)
    days, targets = _schedule(signal, decisions, all_days)
    first = int(days[0])
    window = slice(first, len(market.dates))
    changes = np.flatnonzero(np.diff(np.r_[0.0, targets]) != 0)
    event_days, event_targets = days[changes], targets[changes]

    amounts, trades = _simulate(event_days, event_targets, first, market, settings)
    starts = np.r_[first, event_days]
    holds_spy = np.r_[0.0, event_targets] == 1
    day_numbers = np.arange(first, len(market.dates))
    segment = np.searchsorted(starts, day_numbers, side="right") - 1
    growth = market.cash_growth
    equity = np.where(
        holds_spy[segment],
        amounts[segment] * market.prices[day_numbers],
        amounts[segment] * growth[day_numbers] / growth[starts[segment]],
    )
    position = holds_spy[segment].astype(float)

    dates = market.dates[window]
    trade_frame = _trade_frame(trades, market, settings)
    closed_pnl = trade_frame["pnl"].to_numpy()[~trade_frame["open"].to_numpy(dtype=bool)]
    win_share = float(np.mean(closed_pnl > 0)) if len(closed_pnl) else None
    risk_free = market.risk_free[window]
    equity_series = pd.Series(equity, index=dates, name=name)
    stats = compute_stats(
        equity_series, settings.capital, position, len(trade_frame), win_share, risk_free
    )
    if benchmark is None or benchmark[0].index[0] != dates[0]:
        benchmark = buy_and_hold(first, market, settings)
    return BacktestResult(
        name=name,
        equity=equity_series,
        benchmark=benchmark[0],
        position=pd.Series(position, index=dates, name="position"),
        trades=trade_frame,
        stats=stats,
        benchmark_stats=benchmark[1],
        settings=settings,
        notes=(market.price_note, market.cash_note),
    )


def backtest_model(
    model: ModelResult,
    series: Mapping[str, pd.DataFrame],
    settings: BacktestSettings | None = None,
    ids: Iterable[str] | None = None,
) -> dict[str, BacktestResult]:
    """Backtest the composite and every indicator (or ``ids``) that has an available signal.

    Signals never available inside the window are left out of the result.
    """
    settings = settings or BacktestSettings()
    market = market_for(series, settings)
    wanted = list(ids) if ids is not None else ["composite", *model.indicators]
    schedule = trade_schedule(model.calendar, market, settings)
    results: dict[str, BacktestResult] = {}
    benchmark = None
    for key in wanted:
        signal = model.signal(key)
        if signal.reindex(schedule[0]).notna().any():
            result = backtest_signal(
                signal, model.calendar, market, settings, key, schedule, benchmark
            )
            benchmark = (result.benchmark, result.benchmark_stats)
            results[key] = result
    return results


def market_for(series: Mapping[str, pd.DataFrame], settings: BacktestSettings) -> Market:
    """The Market of loaded series: SPY's adjusted close and, if asked, the T-bill rate."""
    prices, note = spy_total_return(series)
    rate = tbill_rate(series) if settings.cash == "tbill" else None
    return prepare_market(prices, settings, rate[0] if rate else None, note)


def trade_schedule(
    calendar: pd.DataFrame, market: Market, settings: BacktestSettings
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """The decision dates that trade inside the window, and their trade days' positions in
    ``market.dates`` (computed once per model, shared by every signal)."""
    trade_dates = pd.DatetimeIndex(calendar["trade_date"])
    keep = ~np.asarray(trade_dates.isna()) & np.asarray(trade_dates <= market.dates[-1])
    if settings.start is not None:
        keep &= trade_dates >= settings.start
    days = market.dates.searchsorted(trade_dates[keep], side="left")
    return pd.DatetimeIndex(calendar.index[keep]), days


# The former name, kept for callers outside analytics (benchmarks/bt_reference.py).
trade_days = trade_schedule


def _schedule(
    signal: pd.Series, decisions: pd.DatetimeIndex, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Trade-day positions from the first available signal on, and the target (0/1) of each."""
    values = signal.reindex(decisions).to_numpy(dtype=float)
    available = np.flatnonzero(~np.isnan(values))
    if len(available) == 0:
        raise NotEnoughData("the signal is never available in the backtest window")
    values = values[available[0] :]
    missing = np.isnan(values)
    if missing.any():
        last_known = np.maximum.accumulate(np.where(missing, 0, np.arange(len(values))))
        values = values[last_known]
    return days[available[0] :], (values > 0).astype(float)


def _simulate(
    event_days: np.ndarray,
    event_targets: np.ndarray,
    first: int,
    market: Market,
    settings: BacktestSettings,
) -> tuple[np.ndarray, list[tuple[int, float, float, int | None, float | None]]]:
    """Walk the trades: the amount (cash or shares) held from the start and after each trade.

    Returns the amounts and the round trips as (entry day, shares, cost, exit day, proceeds).
    """
    c, s = settings.commission, settings.spread
    prices, growth = market.prices, market.cash_growth
    cash, cash_day, shares = settings.capital, first, 0.0
    amounts = [cash]
    trades: list[tuple[int, float, float, int | None, float | None]] = []
    for day, target in zip(event_days.tolist(), event_targets.tolist(), strict=True):
        if target == 1:
            cash *= growth[day] / growth[cash_day]
            shares = (cash - c) / (prices[day] * (1 + s))
            trades.append((day, shares, cash, None, None))
            amounts.append(shares)
        else:
            cash, cash_day = shares * prices[day] * (1 - s) - c, day
            entry_day, held, cost, _, _ = trades[-1]
            trades[-1] = (entry_day, held, cost, day, cash)
            amounts.append(cash)
    return np.asarray(amounts, dtype=float), trades


def _trade_frame(
    trades: list[tuple[int, float, float, int | None, float | None]],
    market: Market,
    settings: BacktestSettings,
) -> pd.DataFrame:
    """Round trips; an open one is valued at the last close after the costs of selling."""
    if not trades:
        return pd.DataFrame({name: [] for name in TRADE_COLUMNS})
    last = len(market.dates) - 1
    entry, shares, cost, exit_day, proceeds = (list(column) for column in zip(*trades, strict=True))
    is_open = np.array([day is None for day in exit_day])
    if is_open[-1]:
        exit_day[-1] = last
        proceeds[-1] = shares[-1] * market.prices[last] * (1 - settings.spread)
        proceeds[-1] -= settings.commission
    entry_days, exit_days = np.asarray(entry), np.asarray(exit_day, dtype=int)
    cost_array, proceeds_array = np.asarray(cost), np.asarray(proceeds, dtype=float)
    return pd.DataFrame(
        {
            "entry_date": market.dates[entry_days],
            "entry_price": market.prices[entry_days],
            "exit_date": market.dates[exit_days],
            "exit_price": market.prices[exit_days],
            "shares": np.asarray(shares),
            "cost": cost_array,
            "proceeds": proceeds_array,
            "pnl": proceeds_array - cost_array,
            "return": proceeds_array / cost_array - 1,
            "open": is_open,
        }
    )


def buy_and_hold(first: int, market: Market, settings: BacktestSettings) -> tuple[pd.Series, Stats]:
    """The benchmark: all the capital in SPY at the close of day ``first`` (costs paid), held."""
    shares = (settings.capital - settings.commission) / (
        market.prices[first] * (1 + settings.spread)
    )
    equity = pd.Series(shares * market.prices[first:], index=market.dates[first:], name="SPY")
    stats = compute_stats(
        equity,
        settings.capital,
        np.ones(len(equity)),
        trades=1,
        win_share=None,
        risk_free=market.risk_free[first:],
    )
    return equity, stats
