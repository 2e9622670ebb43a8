"""Tear sheet of a daily equity curve against buy and hold (issue #13): frames, no drawing.

With daily equity ``E_0 … E_n`` on trading days ``t_0 … t_n`` and ``E_{−1}`` the value before
the first close (the starting capital ``C`` when given, else ``E_0``):

- **period returns** (months, years): ``E_last(p) / E_last(p−1) − 1``, where ``E_last(p)`` is
  the last close of period ``p`` and the period before the first one ends at ``E_{−1}``. This
  equals compounding the daily returns ``r_i = E_i / E_{i−1} − 1`` of the period
  (``∏(1 + r_i) − 1``), so a partial first or last month covers only its own days, and the
  years compound to the total return of :mod:`analytics.stats` (``E_n / C − 1``);
- **underwater**: ``u_i = E_i / max_{j≤i} E_j − 1`` (0 at a new high, negative below it);
- **drawdown episodes**: each run of days with ``u_i < 0``. Its peak, trough, recovery and depth
  are those of :func:`analytics.stats.max_drawdown` on the episode (peak = the last high before
  the trough, recovery = the first close back at the peak's value, or none while still under
  water). Length = trading days from the peak to the recovery (to the last day when not
  recovered); days to recover = trading days from the trough to the recovery (none when not
  recovered). The worst ``top`` episodes by depth, deepest first (ties: the earlier first);
- **rolling window** of ``w`` trading days (252 = 12 months): return ``E_i / E_{i−w} − 1`` and
  annualised volatility ``std(r_{i−w+1} … r_i, ddof=1) · √252``, the statistic of
  :mod:`analytics.stats` over a moving window; undefined (NaN) for the first ``w`` days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.stats import TRADING_DAYS, max_drawdown

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
YEAR_COLUMN = "Year"
SIDES = ("strategy", "benchmark")
DRAWDOWN_COLUMNS = ["peak", "trough", "recovery", "depth", "length", "recovery_days"]
TOP_DRAWDOWNS = 5


@dataclass(frozen=True)
class TearSheet:
    """The tables of one strategy against buy and hold (fractions: 0.1 = 10 %).

    ``monthly``: years × ``MONTHS`` + ``YEAR_COLUMN`` (the strategy's); ``yearly``: years ×
    ``SIDES``; ``underwater``: days × ``SIDES``; ``drawdowns`` and ``benchmark_drawdowns``: the
    worst episodes (``DRAWDOWN_COLUMNS``); ``rolling``: days × ``return_<side>`` and
    ``volatility_<side>``.
    """

    monthly: pd.DataFrame
    yearly: pd.DataFrame
    underwater: pd.DataFrame
    drawdowns: pd.DataFrame
    benchmark_drawdowns: pd.DataFrame
    rolling: pd.DataFrame


def _clean(equity: pd.Series) -> pd.Series:
    values = equity.astype(float)
    values.index = pd.DatetimeIndex(equity.index)
    return values.sort_index()


def period_returns(equity: pd.Series, freq: str, capital: float | None = None) -> pd.Series:
    """Returns per calendar period (``"M"`` months, ``"Y"`` years), indexed by ``pd.Period``:
    ``E_last(p) / E_last(p−1) − 1`` with ``E_{−1} = capital`` (default ``E_0``)."""
    equity = _clean(equity)
    if equity.empty:
        return pd.Series(dtype=float, index=pd.PeriodIndex([], freq=freq))
    periods = pd.DatetimeIndex(equity.index).to_period(freq)
    closes = equity.groupby(periods).last()
    before = float(equity.iloc[0]) if capital is None else float(capital)
    previous = np.r_[before, closes.to_numpy()[:-1]]
    return pd.Series(closes.to_numpy() / previous - 1.0, index=closes.index, name=equity.name)


def monthly_table(equity: pd.Series, capital: float | None = None) -> pd.DataFrame:
    """Years (rows, ascending) × months ``Jan … Dec`` and ``Year`` (the year's return); months
    outside the curve are NaN."""
    months = period_returns(equity, "M", capital)
    years = period_returns(equity, "Y", capital)
    stamps = pd.PeriodIndex(months.index)
    grid = pd.Series(months.to_numpy(), index=[stamps.year, stamps.month]).unstack()
    table = grid.reindex(index=pd.PeriodIndex(years.index).year, columns=range(1, 13)).set_axis(
        list(MONTHS), axis=1
    )
    table[YEAR_COLUMN] = years.to_numpy()
    table.index.name = "year"
    return table


def yearly_table(
    equity: pd.Series, benchmark: pd.Series, capital: float | None = None
) -> pd.DataFrame:
    """Each year's return of the strategy and of buy and hold (rows: years ascending)."""
    frame = pd.DataFrame(
        {
            "strategy": period_returns(equity, "Y", capital),
            "benchmark": period_returns(benchmark, "Y", capital),
        }
    )
    frame.index = pd.Index(pd.PeriodIndex(frame.index).year, name="year")
    return frame


def underwater(equity: pd.Series) -> pd.Series:
    """``E_i / max_{j≤i} E_j − 1`` for every day."""
    equity = _clean(equity)
    water: pd.Series = equity / equity.cummax() - 1.0
    water.name = equity.name
    return water


def drawdown_episodes(equity: pd.Series) -> pd.DataFrame:
    """Every drawdown episode in date order (``DRAWDOWN_COLUMNS``; see the module docstring)."""
    equity = _clean(equity)
    values = equity.to_numpy()
    dates = pd.DatetimeIndex(equity.index)
    below = (underwater(equity).to_numpy() < 0).astype(int)
    edges = np.diff(np.r_[0, below, 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # ends: exclusive
    rows = []
    last = len(values) - 1
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        window = slice(start - 1, min(end + 1, len(values)))  # the peak to the recovery
        episode = max_drawdown(values[window], dates[window])
        peak_day = start - 1
        trough_day = peak_day + int(np.argmin(values[window]))  # = episode.trough
        recovered = episode.recovery is not None
        end_day = end if recovered else last
        rows.append(
            {
                "peak": episode.peak,
                "trough": episode.trough,
                "recovery": episode.recovery if recovered else pd.NaT,
                "depth": episode.depth,
                "length": end_day - peak_day,
                "recovery_days": end - trough_day if recovered else None,
            }
        )
    frame = pd.DataFrame(rows, columns=DRAWDOWN_COLUMNS)
    frame["recovery"] = pd.to_datetime(frame["recovery"])
    frame["recovery_days"] = frame["recovery_days"].astype("Int64")
    frame["length"] = frame["length"].astype(int)
    return frame


def worst_drawdowns(equity: pd.Series, top: int = TOP_DRAWDOWNS) -> pd.DataFrame:
    """The ``top`` deepest episodes, deepest first (ties: the earlier first), numbered 1…."""
    episodes = drawdown_episodes(equity)
    worst = episodes.sort_values(["depth", "peak"], kind="stable").head(top)
    worst.index = pd.RangeIndex(1, len(worst) + 1, name="rank")
    return worst


def rolling_return(equity: pd.Series, window: int = TRADING_DAYS) -> pd.Series:
    """``E_i / E_{i−window} − 1`` (NaN for the first ``window`` days)."""
    equity = _clean(equity)
    return equity / equity.shift(window) - 1.0


def rolling_volatility(equity: pd.Series, window: int = TRADING_DAYS) -> pd.Series:
    """``std(r_{i−window+1} … r_i, ddof=1) · √252`` (NaN for the first ``window`` days)."""
    equity = _clean(equity)
    returns = equity / equity.shift(1) - 1.0
    return returns.rolling(window, min_periods=window).std(ddof=1) * float(np.sqrt(TRADING_DAYS))


def tear_sheet(
    equity: pd.Series,
    benchmark: pd.Series,
    capital: float | None = None,
    top: int = TOP_DRAWDOWNS,
    window: int = TRADING_DAYS,
) -> TearSheet:
    """Every table of the tear sheet for ``equity`` against ``benchmark`` (same days)."""
    sides = {"strategy": _clean(equity), "benchmark": _clean(benchmark)}
    rolling = pd.DataFrame(
        {
            **{f"return_{side}": rolling_return(curve, window) for side, curve in sides.items()},
            **{
                f"volatility_{side}": rolling_volatility(curve, window)
                for side, curve in sides.items()
            },
        }
    )
    return TearSheet(
        monthly=monthly_table(sides["strategy"], capital),
        yearly=yearly_table(sides["strategy"], sides["benchmark"], capital),
        underwater=pd.DataFrame({side: underwater(curve) for side, curve in sides.items()}),
        drawdowns=worst_drawdowns(sides["strategy"], top),
        benchmark_drawdowns=worst_drawdowns(sides["benchmark"], top),
        rolling=rolling,
    )


EQUITY_COLUMNS = ["date", "strategy", "buy_and_hold"]


def equity_frame(equity: pd.Series, benchmark: pd.Series) -> pd.DataFrame:
    """The two daily curves side by side for a download: ``date`` (YYYY-MM-DD), ``strategy``,
    ``buy_and_hold`` (the benchmark reindexed on the strategy's days)."""
    equity = _clean(equity)
    dates = pd.DatetimeIndex(equity.index)
    return pd.DataFrame(
        {
            "date": dates.strftime("%Y-%m-%d"),
            "strategy": equity.to_numpy(),
            "buy_and_hold": _clean(benchmark).reindex(dates).to_numpy(),
        },
        columns=EQUITY_COLUMNS,
    )
