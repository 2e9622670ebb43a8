"""Performance statistics of a daily equity curve (SPEC section 4).

With daily equity ``E_0 … E_n`` on trading days ``t_0 … t_n`` and daily returns
``r_i = E_i / E_{i−1} − 1`` (``i ≥ 1``), excess returns ``x_i = r_i − f_i`` over the daily
risk-free return ``f_i`` (0 unless given):

- total return ``E_n / C − 1`` with ``C`` the starting capital (before any cost);
- CAGR ``(E_n / C) ^ (365.25 / (t_n − t_0 in days)) − 1``;
- annualised volatility ``std(r, ddof=1) · √252``;
- Sharpe ``mean(x) / std(x, ddof=1) · √252``;
- Sortino ``mean(x) / √mean(min(x, 0)²) · √252``;
- maximum drawdown ``min(E_i / max_{j≤i} E_j − 1)``, with the peak (last high before the
  trough), the trough, and the recovery (first close back at the peak's value, if any);
- time in market: the share of days that end holding SPY.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from analytics.errors import NotEnoughData

TRADING_DAYS = 252
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Drawdown:
    """The deepest fall from a high: depth (a negative fraction) and its dates."""

    depth: float
    peak: pd.Timestamp | None
    trough: pd.Timestamp | None
    recovery: pd.Timestamp | None


@dataclass(frozen=True)
class Stats:
    """Statistics of one equity curve; ratios are fractions (0.1 = 10 %)."""

    start: pd.Timestamp
    end: pd.Timestamp
    final_equity: float
    total_return: float
    cagr: float
    volatility: float
    sharpe: float
    sortino: float
    max_drawdown: Drawdown
    time_in_market: float
    trades: int
    win_share: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def max_drawdown(equity: np.ndarray, dates: pd.DatetimeIndex) -> Drawdown:
    """The deepest drawdown of ``equity`` and its peak, trough and recovery dates."""
    if len(equity) == 0:
        return Drawdown(0.0, None, None, None)
    running_high = np.maximum.accumulate(equity)
    depth = equity / running_high - 1.0
    trough = int(np.argmin(depth))
    if depth[trough] >= 0:
        return Drawdown(0.0, None, None, None)
    peak = int(np.flatnonzero(equity[: trough + 1] == running_high[trough])[-1])
    back = np.flatnonzero(equity[trough:] >= running_high[trough])
    recovery = dates[trough + int(back[0])] if len(back) else None
    return Drawdown(float(depth[trough]), dates[peak], dates[trough], recovery)


def compute_stats(
    equity: pd.Series,
    capital: float,
    invested: np.ndarray,
    trades: int,
    win_share: float | None,
    risk_free: np.ndarray | None = None,
) -> Stats:
    """Statistics of a daily ``equity`` curve (see the module docstring for the formulas).

    ``invested`` flags the days that end holding SPY; ``risk_free`` is the daily risk-free return
    aligned with ``equity`` (its first value is unused).
    """
    values = equity.to_numpy(dtype=float)
    dates = pd.DatetimeIndex(equity.index)
    if len(values) == 0:
        raise NotEnoughData("no prices in the backtest window")
    returns = values[1:] / values[:-1] - 1.0
    excess = returns - (risk_free[1:] if risk_free is not None else 0.0)
    days = (dates[-1] - dates[0]).days
    growth = values[-1] / capital
    cagr = growth ** (DAYS_PER_YEAR / days) - 1.0 if days > 0 and growth > 0 else float("nan")
    return Stats(
        start=dates[0],
        end=dates[-1],
        final_equity=float(values[-1]),
        total_return=float(growth - 1.0),
        cagr=float(cagr),
        volatility=_annualised_std(returns),
        sharpe=_ratio(excess, _std(excess)),
        sortino=_ratio(
            excess,
            float(np.sqrt(np.mean(np.minimum(excess, 0.0) ** 2))) if len(excess) else float("nan"),
        ),
        max_drawdown=max_drawdown(values, dates),
        time_in_market=float(np.mean(invested)) if len(invested) else 0.0,
        trades=trades,
        win_share=win_share,
    )


def compute_stats_rows(
    equity: np.ndarray,
    starts: np.ndarray,
    dates: pd.DatetimeIndex,
    capital: float,
    invested: np.ndarray,
    trades: list[int],
    win_shares: list[float | None],
    risk_free: np.ndarray | None = None,
) -> list[Stats]:
    """``compute_stats`` of many curves at once, with the same formulas (module docstring).

    ``equity`` and ``invested`` are (curves × days) arrays on ``dates``: row ``k`` runs from
    day ``starts[k]`` to the last day and must be flat before it (repeat its first day's
    values), so those days add zero returns and no new high; they are then left out of every
    count and sum. ``risk_free`` is the daily risk-free return on ``dates``. The results agree
    with ``compute_stats`` of each row's window to rounding (summation order).
    """
    rows, days = equity.shape
    starts = np.asarray(starts, dtype=np.int64)
    counts = days - 1 - starts  # returns per row; returns j < start (before it) are zero
    # Two work areas reused by every step (fresh large arrays cost more than the arithmetic):
    # ``first`` holds the returns, then the depth; ``second`` the centred values, then the highs.
    first, second = work_area("stats first", rows * days), work_area("stats second", rows * days)
    with np.errstate(invalid="ignore", divide="ignore"):
        returns = first[: rows * (days - 1)].reshape(rows, days - 1)
        np.divide(equity[:, 1:], equity[:, :-1], out=returns)
        returns -= 1.0
        return_mean, return_std = _row_mean_std(returns, counts, starts, second)
        if risk_free is not None and risk_free[1:].any():
            excess = returns - risk_free[None, 1:]
            excess[np.arange(days - 1)[None, :] < starts[:, None]] = 0.0
            excess_mean, excess_std = _row_mean_std(excess, counts, starts, second)
        else:
            excess, excess_mean, excess_std = returns, return_mean, return_std
        np.minimum(excess, 0.0, out=excess)
        downside = np.sqrt(np.einsum("ij,ij->i", excess, excess) / counts)
        running_high = _running_high(equity, second.reshape(rows, days))
        depth = np.divide(equity, running_high, out=first.reshape(rows, days))
    troughs = np.argmin(depth, axis=1)
    ends = dates.take(np.r_[starts, days - 1])  # each row's first day, then the last day
    day_numbers = market_days(ends)
    spans = day_numbers[-1] - day_numbers[:-1]
    final = equity[:, -1]
    growth = final / capital
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        cagr = np.where((spans > 0) & (growth > 0), growth ** (DAYS_PER_YEAR / spans) - 1.0, np.nan)
        sharpe = _row_ratios(excess_mean, excess_std, counts)
        sortino = _row_ratios(excess_mean, downside, counts)
    held = invested.sum(axis=1) - starts * invested[np.arange(rows), starts]
    columns = zip(
        starts.tolist(),
        final.tolist(),
        (growth - 1.0).tolist(),
        cagr.tolist(),
        (return_std * np.sqrt(TRADING_DAYS)).tolist(),
        sharpe.tolist(),
        sortino.tolist(),
        troughs.tolist(),
        (held / (days - starts)).tolist(),
        trades,
        win_shares,
        strict=True,
    )
    drawdowns = _row_drawdowns(equity, depth, running_high, troughs, dates)
    *start_dates, end = list(ends)  # boxed together: much quicker than one by one
    return [
        Stats(
            start=start_dates[k],
            end=end,
            final_equity=final_k,
            total_return=total_k,
            cagr=cagr_k,
            volatility=volatility_k,
            sharpe=sharpe_k,
            sortino=sortino_k,
            max_drawdown=drawdowns[k],
            time_in_market=in_market_k,
            trades=trades_k,
            win_share=win_k,
        )
        for k, (
            _, final_k, total_k, cagr_k, volatility_k, sharpe_k, sortino_k, _,
            in_market_k, trades_k, win_k,
        ) in enumerate(columns)
    ]  # fmt: skip


def _row_ratios(mean: np.ndarray, scale: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``mean / scale · √252``, NaN below two values or for a zero or NaN scale."""
    valid = (counts >= 2) & (scale != 0) & ~np.isnan(scale)
    return np.where(valid, mean / np.where(valid, scale, 1.0) * np.sqrt(TRADING_DAYS), np.nan)


_WORK_AREAS = threading.local()


def work_area(name: str, size: int, dtype: type = np.float64) -> np.ndarray:
    """A flat array of ``size`` values (contents undefined), kept per thread and ``name``
    between calls: the page faults of fresh multi-megabyte arrays cost more than the arithmetic
    done in them. It grows to the largest size asked; whoever fills it returns nothing that
    refers to it (results are copied out)."""
    areas: dict[str, np.ndarray] = _WORK_AREAS.__dict__.setdefault("areas", {})
    area = areas.get(name)
    if area is None or area.size < size or area.dtype != dtype:
        area = areas[name] = np.empty(size, dtype)
    return area[:size]


HIGH_BLOCK = 24  # days per block of the running maximum (about the quickest on 8,000 days)


def _running_high(equity: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``max_{j≤i} E_j`` along each row (a view of a work area, or of ``out``).

    ``np.maximum.accumulate`` runs one value after the other along each row; here each row is
    cut into blocks of ``HIGH_BLOCK`` days (the last one padded with the row's last value), the
    running maximum within every block of every row advances one step per vectorised call, and
    each block then takes the maximum with the highs of the blocks before it. The maximum picks
    one of its inputs, so the highs are exactly those of the plain running maximum.
    """
    rows, days = equity.shape
    blocks = -(-days // HIGH_BLOCK)
    if blocks < 2 or equity.dtype != np.float64:
        return np.maximum.accumulate(equity, axis=1, out=out)
    area = work_area("stats highs", rows * blocks * HIGH_BLOCK)
    highs = area.reshape(rows, blocks, HIGH_BLOCK)
    flat = area.reshape(rows, blocks * HIGH_BLOCK)
    flat[:, :days] = equity
    flat[:, days:] = equity[:, -1:]
    previous = highs[:, :, 0]
    for step in range(1, HIGH_BLOCK):
        current = highs[:, :, step]
        np.maximum(previous, current, out=current)
        previous = current
    before = np.maximum.accumulate(highs[:, :-1, -1], axis=1)  # the high before each block
    np.maximum(before[:, :, None], highs[:, 1:], out=highs[:, 1:])
    return flat[:, :days]


def _row_mean_std(
    values: np.ndarray, counts: np.ndarray, starts: np.ndarray, work: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample standard deviation (ddof 1; NaN below two values) of each row's values
    from ``starts`` on, the ``starts`` values before being zero:
    ``Σ_valid (x − m)² = Σ_all (x − m)² − starts · m²``. ``work`` (at least ``values.size``
    long) holds the centred values."""
    with np.errstate(invalid="ignore", divide="ignore"):
        means = values.sum(axis=1) / counts
        centred = np.subtract(values, means[:, None], out=work[: values.size].reshape(values.shape))
        squares = np.einsum("ij,ij->i", centred, centred) - starts * means**2
        spread = np.sqrt(np.maximum(squares, 0.0) / np.maximum(counts - 1, 1))
        return means, np.where(counts > 1, spread, np.nan)


def market_days(dates: pd.DatetimeIndex) -> np.ndarray:
    """Whole days since the epoch of each date (any datetime64 unit)."""
    return dates.to_numpy().astype("datetime64[D]").astype(np.int64)


def _row_drawdowns(
    equity: np.ndarray,
    ratio: np.ndarray,
    running_high: np.ndarray,
    troughs: np.ndarray,
    dates: pd.DatetimeIndex,
) -> list[Drawdown]:
    """``max_drawdown`` of each row, given ``ratio = E / running high`` and its minima."""
    found: list[tuple[int, float, int, int, int]] = []  # row, depth, peak, trough, recovery
    for row, trough in enumerate(troughs.tolist()):
        depth = float(ratio[row, trough]) - 1.0
        if not depth < 0:
            continue
        values, high = equity[row], running_high[row, trough]
        peak = trough - int(np.argmax(values[trough::-1] == high))
        above = values[trough:] >= high
        back = int(np.argmax(above))
        found.append((row, depth, peak, trough, trough + back if above[back] else -1))
    drawdowns = [Drawdown(0.0, None, None, None)] * len(troughs)
    if not found:
        return drawdowns
    days = np.array([[peak, trough, max(recovery, 0)] for _, _, peak, trough, recovery in found])
    boxed = list(dates.take(days.ravel()))  # boxed together: much quicker than one by one
    for number, (row, depth, _, _, recovery) in enumerate(found):
        peak_day, trough_day, back_day = boxed[3 * number : 3 * number + 3]
        drawdowns[row] = Drawdown(depth, peak_day, trough_day, back_day if recovery >= 0 else None)
    return drawdowns


def _std(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")


def _annualised_std(values: np.ndarray) -> float:
    return _std(values) * float(np.sqrt(TRADING_DAYS))


def _ratio(excess: np.ndarray, scale: float) -> float:
    if len(excess) < 2 or not scale or np.isnan(scale):
        return float("nan")
    return float(np.mean(excess) / scale * np.sqrt(TRADING_DAYS))


STAT_LABELS: dict[str, str] = {
    "total_return": "Total return",
    "cagr": "CAGR",
    "volatility": "Volatility (ann.)",
    "sharpe": "Sharpe",
    "sortino": "Sortino",
    "max_drawdown": "Max drawdown",
    "drawdown_peak": "Drawdown peak",
    "drawdown_trough": "Drawdown trough",
    "time_in_market": "Time in market",
    "trades": "Trades",
    "win_share": "Winning trades",
}


def stats_table(strategy: Stats, benchmark: Stats) -> pd.DataFrame:
    """Strategy and benchmark side by side, formatted for display (rows = statistics)."""

    def column(stats: Stats) -> list[str]:
        dd = stats.max_drawdown
        peak = "—" if dd.peak is None else f"{dd.peak.date()}"
        trough = "—" if dd.trough is None else f"{dd.trough.date()}"
        return [
            f"{stats.total_return:,.1%}",
            f"{stats.cagr:.2%}",
            f"{stats.volatility:.1%}",
            _fmt(stats.sharpe),
            _fmt(stats.sortino),
            f"{dd.depth:.1%}",
            peak,
            trough,
            f"{stats.time_in_market:.0%}",
            f"{stats.trades}",
            "—" if stats.win_share is None else f"{stats.win_share:.0%}",
        ]

    return pd.DataFrame(
        {"Strategy": column(strategy), "Buy & hold SPY": column(benchmark)},
        index=list(STAT_LABELS.values()),
    )


def _fmt(value: float) -> str:
    return "—" if value != value else f"{value:.2f}"
