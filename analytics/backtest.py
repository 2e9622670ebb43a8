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

Many signals run in one vectorised pass (``backtest_signals``): the targets, the daily curves and
the statistics are (signals × days) arrays, and one loop walks the trades of every signal, so the
22 backtests of the model take a few milliseconds. The statistics are computed in the pass; each
result's curves and trades stay rows of the pass's arrays until first read
(``BacktestResult.equity`` and the others build their pandas object then, and keep it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

from analytics.errors import InvalidSetting, NotEnoughData
from analytics.results import ModelResult
from analytics.stats import Stats, compute_stats, compute_stats_rows

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


class _Rows:
    """The arrays of one ``backtest_signals`` pass, shared by its results, which wrap their own
    rows in pandas objects on first access (most callers read a few of the 22 results).

    ``equity`` holds the signals' rows, then one row per benchmark start; ``holds`` the signals'
    days in SPY; ``trades`` every signal's round trips one after another (``TRADE_COLUMNS``),
    signal ``k``'s being rows ``bounds[k]`` to ``bounds[k + 1]``. Each start day's index (a
    slice of ``dates``), each benchmark Series and the frame of all trades (each result's trades
    are a slice of it) are built once, when first needed, and shared by the results.
    """

    def __init__(
        self,
        dates: pd.DatetimeIndex,
        equity: np.ndarray,
        holds: np.ndarray,
        trades: dict[str, np.ndarray],
        bounds: list[int],
    ) -> None:
        self.dates, self.equity, self.holds = dates, equity, holds
        self.trades, self.bounds = trades, bounds
        self._windows: dict[int, pd.DatetimeIndex] = {}
        self._benchmarks: dict[int, pd.Series] = {}
        self._table: pd.DataFrame | None = None

    def __eq__(self, other: object) -> bool:
        """The same days, and the same arrays bit for bit (a NaN equals itself)."""
        if not isinstance(other, _Rows):
            return NotImplemented
        mine, theirs = [self.equity, self.holds], [other.equity, other.holds]
        mine += [self.trades[name] for name in TRADE_COLUMNS]
        theirs += [other.trades[name] for name in TRADE_COLUMNS]
        return (
            self.dates.equals(other.dates)
            and self.bounds == other.bounds
            and all(
                a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
                for a, b in zip(mine, theirs, strict=True)
            )
        )

    __hash__ = None  # type: ignore[assignment]  # mutable arrays: compared, never hashed

    def __getstate__(self) -> dict[str, object]:
        """Pickle the arrays only (the shared pandas objects are rebuilt when read)."""
        return {
            name: self.__dict__[name] for name in ("dates", "equity", "holds", "trades", "bounds")
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state, _windows={}, _benchmarks={}, _table=None)

    def window(self, first: int) -> pd.DatetimeIndex:
        """The trading days from day ``first`` to the end (one shared index per start)."""
        found = self._windows.get(first)
        if found is None:
            found = self._windows[first] = self.dates[first:]
        return found

    def curve(self, row: int, first: int, name: str) -> pd.Series:
        """Row ``row`` of the equity from day ``first`` on (a view, no copy)."""
        values = self.equity[row, first:]
        return pd.Series(values, index=self.window(first), name=name, copy=False)

    def benchmark(self, row: int, first: int) -> pd.Series:
        """The benchmark curve of row ``row`` (one Series shared by the results starting on
        ``first``)."""
        found = self._benchmarks.get(row)
        if found is None:
            found = self._benchmarks[row] = self.curve(row, first, "SPY")
        return found

    def position(self, row: int, first: int) -> pd.Series:
        """1.0 on the days of signal ``row`` that end in SPY, else 0.0, from day ``first`` on."""
        values = self.holds[row, first:].astype(float)
        return pd.Series(values, index=self.window(first), name="position", copy=False)

    def trade_table(self, row: int) -> pd.DataFrame:
        """Signal ``row``'s round trips (``TRADE_COLUMNS``), numbered from 0."""
        low, high = self.bounds[row], self.bounds[row + 1]
        if low == high:
            return pd.DataFrame({name: [] for name in TRADE_COLUMNS})
        if self._table is None:  # one frame of every signal's trades, sliced: quicker than many
            self._table = pd.DataFrame(self.trades)
        frame = self._table.iloc[low:high]
        frame.index = pd.RangeIndex(high - low)
        return frame


@dataclass(frozen=True)
class BacktestResult:
    """One backtest: daily curves, the trade list and the statistics of both sides.

    ``equity``, ``benchmark``, ``position`` and ``trades`` are pandas objects built from the
    pass's arrays on first access, then kept (``functools.cached_property``); ``rows`` holds
    those arrays, ``row`` and ``benchmark_row`` are this result's rows in them and ``first`` its
    first trade day (a position in the market's days). A pickle holds the arrays, not the
    pandas objects.
    """

    name: str
    stats: Stats
    benchmark_stats: Stats
    settings: BacktestSettings
    notes: tuple[str, ...]
    rows: _Rows = field(repr=False, compare=False)
    row: int = field(repr=False, compare=False)
    first: int = field(repr=False, compare=False)
    benchmark_row: int = field(repr=False, compare=False)

    @cached_property
    def equity(self) -> pd.Series:
        """The daily equity, from the first trade day (a view of the pass's array)."""
        return self.rows.curve(self.row, self.first, self.name)

    @cached_property
    def benchmark(self) -> pd.Series:
        """Buy and hold SPY from the same first trade day (named "SPY")."""
        return self.rows.benchmark(self.benchmark_row, self.first)

    @cached_property
    def position(self) -> pd.Series:
        """1.0 on the days that end holding SPY, else 0.0 (named "position")."""
        return self.rows.position(self.row, self.first)

    @cached_property
    def trades(self) -> pd.DataFrame:
        """The round trips (``TRADE_COLUMNS``), an open one last."""
        return self.rows.trade_table(self.row)

    def __getstate__(self) -> dict[str, object]:
        """Pickle the fields only: the pandas objects are rebuilt from ``rows`` when read."""
        return {name: self.__dict__[name] for name in self.__dataclass_fields__}


def spy_total_return(series: Mapping[str, pd.DataFrame]) -> tuple[pd.Series, str]:
    """SPY's dividend-adjusted close (or the quoted close when that is all there is) and a label."""
    frame = series.get("yahoo:SPY")
    if frame is None or frame.empty:
        raise NotEnoughData("backtests need yahoo:SPY prices; none are loaded")
    if "adj_close" in frame.columns:
        adjusted = frame["adj_close"]
        if not adjusted.hasnans:  # the usual file: nothing to drop
            return adjusted, "SPY dividend-adjusted close"
        if adjusted.notna().any():
            return adjusted.dropna(), "SPY dividend-adjusted close"
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
    """Align prices and the cash rate on the trading days within the settings' window: positive
    prices only, by date, the last of a repeated date."""
    values = prices.to_numpy(dtype=float)
    index = prices.index
    if (
        isinstance(index, pd.DatetimeIndex)
        and index.is_monotonic_increasing
        and index.is_unique
        and (values > 0).all()
    ):  # the usual series: sorted, unique and positive, nothing to filter (a quicker path)
        end = len(index) if settings.end is None else index.searchsorted(settings.end, "right")
        values, dates = values[:end], index[:end]
    else:
        prices = prices[prices.notna() & (prices > 0)].sort_index()
        prices = prices[~prices.index.duplicated(keep="last")]
        if settings.end is not None:
            prices = prices[prices.index <= settings.end]
        values, dates = prices.to_numpy(dtype=float), pd.DatetimeIndex(prices.index)
    if len(values) == 0:
        raise NotEnoughData("no prices in the backtest window")
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
        prices=values,
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
    ``schedule`` (from ``trade_schedule``) may be passed in to share the work between calls;
    ``benchmark`` is accepted for older callers and not needed (the benchmark is one row of the
    same vectorised pass). Many signals are quicker in one ``backtest_signals`` call.
    """
    del benchmark
    results = backtest_signals({name: signal}, calendar, market, settings, schedule)
    if name not in results:
        raise NotEnoughData("the signal is never available in the backtest window")
    return results[name]


def backtest_signals(
    signals: Mapping[str, pd.Series],
    calendar: pd.DataFrame,
    market: Market,
    settings: BacktestSettings,
    schedule: tuple[pd.DatetimeIndex, np.ndarray] | None = None,
) -> dict[str, BacktestResult]:
    """Backtest many weekly 0/1 signals in one vectorised pass (same rules as ``backtest_signal``).

    Signals never available inside the window are left out of the result. The targets, the
    daily curves and the statistics are (signals × days) arrays; only the trades are walked one
    by one, in a single loop over every signal's trades.
    """
    decisions, all_days = schedule or trade_schedule(calendar, market, settings)
    names = list(signals)
    values = _signal_rows(signals, decisions)
    available = ~np.isnan(values)
    usable = available.any(axis=1)
    names = [key for key, ok in zip(names, usable.tolist(), strict=True) if ok]
    if not names:
        return {}
    values, available = values[usable], available[usable]
    first_week = available.argmax(axis=1)
    weeks = np.arange(values.shape[1])
    last_known = np.maximum.accumulate(np.where(available, weeks, 0), axis=1)
    targets = np.take_along_axis(values, last_known, axis=1) > 0
    changes = np.diff(targets.astype(np.int8), axis=1, prepend=0) != 0
    event_rows, event_weeks = np.nonzero(changes)
    walk = _walk(
        all_days[event_weeks], targets[event_rows, event_weeks], event_rows,
        all_days[first_week], market, settings,
    )  # fmt: skip
    first_days = all_days[first_week]
    count = len(names)
    bench_starts, bench_of = np.unique(first_days, return_inverse=True)
    bench_shares = (settings.capital - settings.commission) / (
        market.prices[bench_starts] * (1 + settings.spread)
    )
    starts = np.r_[first_days, bench_starts]
    equity, holds = _curves(
        walk, event_rows, starts, np.r_[np.full(count, settings.capital), bench_shares],
        np.r_[np.zeros(count, dtype=bool), np.ones(len(bench_starts), dtype=bool)], market,
    )  # fmt: skip
    trade_counts = np.bincount(event_rows[walk.buys], minlength=count)
    trades, win_shares = _trade_columns(walk, event_rows, count, market, settings)
    stats = compute_stats_rows(
        equity,
        starts,
        market.dates,
        settings.capital,
        holds,
        trade_counts.tolist() + [1] * len(bench_starts),
        win_shares + [None] * len(bench_starts),
        market.risk_free,
    )
    bounds = np.r_[0, np.cumsum(trade_counts)].tolist()
    rows = _Rows(market.dates, equity, holds[:count], trades, bounds)
    notes = (market.price_note, market.cash_note)
    return {
        key: BacktestResult(
            name=key,
            stats=stats[k],
            benchmark_stats=stats[count + bench],
            settings=settings,
            notes=notes,
            rows=rows,
            row=k,
            first=first,
            benchmark_row=count + bench,
        )
        for k, (key, first, bench) in enumerate(
            zip(names, first_days.tolist(), bench_of.tolist(), strict=True)
        )
    }


def backtest_model(
    model: ModelResult,
    series: Mapping[str, pd.DataFrame],
    settings: BacktestSettings | None = None,
    ids: Iterable[str] | None = None,
) -> dict[str, BacktestResult]:
    """Backtest the composite and every indicator (or ``ids``) that has an available signal, all
    in one ``backtest_signals`` pass.

    Signals never available inside the window are left out of the result.
    """
    settings = settings or BacktestSettings()
    market = market_for(series, settings)
    wanted = list(ids) if ids is not None else ["composite", *model.indicators]
    signals = {key: model.signal(key) for key in wanted}
    return backtest_signals(signals, model.calendar, market, settings)


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


def _signal_rows(signals: Mapping[str, pd.Series], decisions: pd.DatetimeIndex) -> np.ndarray:
    """(signals × decisions) values; a decision date missing from a signal is NaN.

    The positions of the decisions are looked up once per distinct index (the model's signals
    share one or two), and signals on the same index are gathered in one step.
    """
    lookups: list[tuple[pd.Index, np.ndarray, np.ndarray]] = []  # index, found, positions
    members: dict[int, list[int]] = {}  # lookup number: the signals on that index
    columns = []
    for k, signal in enumerate(signals.values()):
        index = signal.index
        number = next((n for n, found in enumerate(lookups) if found[0] is index), None)
        if number is None:
            number = next((n for n, found in enumerate(lookups) if index.equals(found[0])), None)
        if number is None:
            positions = index.get_indexer(decisions)
            found = positions >= 0
            lookups.append((index, found, positions[found]))
            number = len(lookups) - 1
        members.setdefault(number, []).append(k)
        columns.append(signal.to_numpy(dtype=float))
    rows = np.full((len(columns), len(decisions)), np.nan)
    for number, keys in members.items():
        _, found, positions = lookups[number]
        if len(keys) == len(columns):
            rows[:, found] = np.vstack(columns)[:, positions]
        else:
            for k in keys:
                rows[k, found] = columns[k][positions]
    return rows


@dataclass(frozen=True)
class _Walk:
    """Every signal's trades, in order: per event, the amount held after it (shares after a
    buy, cash after a sell) and the cash spent (buys); ``buys`` flags the buy events."""

    days: np.ndarray
    buys: np.ndarray
    amounts: np.ndarray
    spent: np.ndarray


def _walk(
    event_days: np.ndarray,
    event_buys: np.ndarray,
    event_rows: np.ndarray,
    first_days: np.ndarray,
    market: Market,
    settings: BacktestSettings,
) -> _Walk:
    """Walk the trades of every signal (events sorted by signal, then day) in one loop.

    Buy with cash ``K`` grown since the last sale: ``q = (K − c) / (p · (1 + s))``;
    sell: ``K = q · p · (1 − s) − c``. Each signal starts in cash with the capital.
    """
    c, s = settings.commission, settings.spread
    day_prices = market.prices[event_days]
    buy_costs = (day_prices * (1 + s)).tolist()  # p · (1 + s), elementwise as in the loop
    growth = market.cash_growth.tolist() if market.risk_free.any() else None
    starts = first_days.tolist()
    amounts = [0.0] * len(event_days)
    spent = [0.0] * len(event_days)
    row, cash, cash_day, shares = -1, 0.0, 0, 0.0
    sell_share = 1 - s
    events = zip(
        event_days.tolist(), event_buys.tolist(), event_rows.tolist(), day_prices.tolist(),
        buy_costs, strict=True,
    )  # fmt: skip
    for i, (day, buy, signal_row, price, buy_cost) in enumerate(events):
        if signal_row != row:
            row, cash, cash_day = signal_row, settings.capital, starts[signal_row]
        if buy:
            if growth is not None:  # else the growth ratio is exactly 1
                cash *= growth[day] / growth[cash_day]
            shares = (cash - c) / buy_cost
            spent[i] = cash
            amounts[i] = shares
        else:
            cash = shares * price * sell_share - c
            cash_day = day
            amounts[i] = cash
    return _Walk(event_days, event_buys, np.asarray(amounts), np.asarray(spent))


def _curves(
    walk: _Walk,
    event_rows: np.ndarray,
    starts: np.ndarray,
    start_amounts: np.ndarray,
    start_holds: np.ndarray,
    market: Market,
) -> tuple[np.ndarray, np.ndarray]:
    """Daily equity and holding flags (rows × days) of every signal and benchmark.

    Row ``k`` begins on day ``starts[k]`` holding ``start_amounts[k]`` (cash, or shares when
    ``start_holds[k]``: a buy-and-hold benchmark, whose row has no trades); the walk's trades
    (``event_rows`` index the first rows) begin the next segments. A day holds the amount of its
    latest segment: ``q · p_t`` in SPY, else ``K · G_t / G_start`` with ``G`` the cash growth.
    Before its start a row repeats its first day (flat), the layout ``compute_stats_rows``
    expects. The segments are repeated into one (rows × days) array and priced in place.
    """
    count, days = len(starts), len(market.dates)
    seg_rows = np.r_[np.arange(count), event_rows]
    seg_days = np.r_[starts, walk.days]
    seg_is_start = np.r_[np.ones(count, dtype=bool), np.zeros(len(walk.days), dtype=bool)]
    order = np.lexsort((~seg_is_start, seg_days, seg_rows))  # a start before a same-day trade
    seg_amounts = np.r_[start_amounts, walk.amounts][order]
    seg_holds = np.r_[start_holds, walk.buys][order]
    seg_starts = seg_days[order]
    rows_in_order = seg_rows[order]
    begins = np.where(seg_is_start[order], 0, seg_starts)  # a first segment covers the days before
    last_of_row = np.r_[rows_in_order[1:] != rows_in_order[:-1], True]
    lengths = np.where(last_of_row, days, np.r_[seg_starts[1:], days]) - begins
    # A row's segments cover its days one after another, so the rows laid end to end are each
    # segment's amount repeated over its length (a start and a trade on the same day: length 0).
    equity: np.ndarray = np.repeat(seg_amounts, lengths).reshape(count, days)  # results view it
    holds: np.ndarray = np.repeat(seg_holds, lengths).reshape(count, days)
    if market.risk_free.any():
        growth = market.cash_growth
        start_growth = np.repeat(growth[seg_starts], lengths).reshape(count, days)
        factor = np.where(holds, market.prices, growth[None, :] / start_growth)
        np.multiply(equity, factor, out=equity)
    else:  # cash earns nothing (G_t / G_start = 1): only the days in SPY change
        np.multiply(equity, market.prices, out=equity, where=holds)
    for row, start in enumerate(starts.tolist()):
        equity[row, :start] = equity[row, start]
        holds[row, :start] = holds[row, start]
    return equity, holds


def _trade_columns(
    walk: _Walk,
    event_rows: np.ndarray,
    count: int,
    market: Market,
    settings: BacktestSettings,
) -> tuple[dict[str, np.ndarray], list[float | None]]:
    """Every signal's round trips as ``TRADE_COLUMNS`` arrays (signal by signal, in order) and
    each signal's share of winning closed trades.

    A buy is closed by the next event of the same signal (always a sell); an open one is valued
    at the last close after the costs of selling.
    """
    buys = np.flatnonzero(walk.buys)
    following = np.minimum(buys + 1, len(walk.days) - 1)
    closed = (buys + 1 < len(walk.days)) & (event_rows[following] == event_rows[buys])
    closed &= ~walk.buys[following]
    last = len(market.dates) - 1
    shares, cost = walk.amounts[buys], walk.spent[buys]
    exit_days = np.where(closed, walk.days[following], last)
    open_value = shares * market.prices[last] * (1 - settings.spread) - settings.commission
    proceeds = np.where(closed, walk.amounts[following], open_value)
    entry_days = walk.days[buys]
    pnl = proceeds - cost
    days = market.dates.to_numpy()  # datetime64 columns from numpy: quicker than the index
    columns = {
        "entry_date": days[entry_days],
        "entry_price": market.prices[entry_days],
        "exit_date": days[exit_days],
        "exit_price": market.prices[exit_days],
        "shares": shares,
        "cost": cost,
        "proceeds": proceeds,
        "pnl": pnl,
        "return": proceeds / cost - 1,
        "open": ~closed,
    }
    trade_rows = event_rows[buys]
    closed_counts = np.bincount(trade_rows[closed], minlength=count).tolist()
    won_counts = np.bincount(trade_rows[closed & (pnl > 0)], minlength=count).tolist()
    win_shares: list[float | None] = [
        won / closed_count if closed_count else None
        for won, closed_count in zip(won_counts, closed_counts, strict=True)
    ]
    return columns, win_shares


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
