"""The weekly reading of each indicator, before smoothing (SPEC section 2), and the point-in-time
sampling they share (SPEC section 1).

For a decision date d, an input observation dated t is usable when its release date
(``Release.dates``) is on or before d; the input's value on d is that of the newest usable
observation (``searchsorted`` on the release dates, vectorised over all weeks at once).

Readings are in display units: percentages as percent (12.5 = 12.5 %), spreads in points or
percentage points. Weekly reading of a daily series = its newest value on the decision date (the
last of the week); the put/call ratio's = the mean of the week's daily ratios. 52-week averages
are means of the last 52 weekly readings; year-over-year changes of monthly data compare a month
with the same month a year earlier.

Every reading function has the signature ``(ctx, inputs, release) -> Reading``: ``inputs`` are
the series keys the engine resolved from the catalog entry (the one present key for entries with
alternatives, all of them otherwise), so each key is written once, in the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics.calendar import (
    bundled_fomc_statements,
    fomc_in_holding_week,
    in_best_six_months,
    in_buyback_blackout,
)
from analytics.releases import Release

FloatArray = npt.NDArray[np.float64]
DateArray = npt.NDArray[np.datetime64]
NAT = np.datetime64("NaT", "ns")
DAY = np.timedelta64(1, "D")
WEEKS_PER_YEAR = 52


@dataclass(frozen=True)
class Weekly:
    """An input sampled on the decision dates: value and date of the observation used."""

    values: FloatArray
    observed: DateArray  # datetime64[ns], NaT where nothing was usable yet


@dataclass(frozen=True)
class Reading:
    """An indicator's raw weekly reading before smoothing, with where it came from.

    ``first_usable`` is the first date a reading can exist (for the "no data before" reason);
    ``series_end`` the newest date in the input (to tell a discontinued series from a gap).
    """

    values: FloatArray
    observed: DateArray
    key: str | None
    first_usable: pd.Timestamp | None = None
    series_end: pd.Timestamp | None = None
    note: str = ""


class Context:
    """The week grid and the loaded series, shared by the reading functions."""

    def __init__(self, series: Mapping[str, pd.DataFrame], calendar: pd.DataFrame) -> None:
        self.series = series
        self.calendar = calendar
        self.weeks: DateArray = calendar.index.to_numpy(dtype="datetime64[ns]")
        self.trade_dates = pd.DatetimeIndex(calendar["trade_date"])

    def column(self, key: str, field: str) -> pd.Series:
        """The non-missing values of one column of a loaded series."""
        frame = self.series[key]
        if field not in frame.columns:
            raise KeyError(f"{key} has no {field!r} column (has {list(frame.columns)})")
        return frame[field].dropna()

    def sample(self, values: pd.Series, release: Release, at: DateArray | None = None) -> Weekly:
        """Point-in-time value of ``values`` on each date of ``at`` (default: decision dates)."""
        at = self.weeks if at is None else at
        clean = values.dropna()
        if clean.empty:
            return Weekly(np.full(len(at), np.nan), np.full(len(at), NAT))
        observed_dates = pd.DatetimeIndex(clean.index)
        usable = release.dates(observed_dates).to_numpy(dtype="datetime64[ns]")
        position = np.searchsorted(usable, at, side="right") - 1
        found = position >= 0
        safe = np.clip(position, 0, None)
        value = np.where(found, clean.to_numpy(dtype=float)[safe], np.nan)
        observed = np.where(found, observed_dates.to_numpy(dtype="datetime64[ns]")[safe], NAT)
        return Weekly(value, observed)

    def weekly_mean(self, values: pd.Series) -> Weekly:
        """Mean of each week's daily values (the 7 days ending on each decision date)."""
        clean = values.dropna()
        dates = pd.DatetimeIndex(clean.index).to_numpy(dtype="datetime64[ns]")
        week = np.searchsorted(self.weeks, dates, side="left")
        inside = week < len(self.weeks)
        inside[inside] &= (self.weeks[week[inside]] - dates[inside]) < 7 * DAY
        week, data, dates = week[inside], clean.to_numpy(dtype=float)[inside], dates[inside]
        count = np.bincount(week, minlength=len(self.weeks))
        total = np.bincount(week, weights=data, minlength=len(self.weeks))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        observed = np.full(len(self.weeks), NAT)
        observed[week] = dates  # dates are sorted, so the last write per week is the newest
        return Weekly(mean, observed)


ReadingFunction = Callable[[Context, tuple[str, ...], Release], Reading]


def rolling_mean(values: FloatArray, window: int) -> FloatArray:
    """Mean of the last ``window`` values; NaN unless all of them exist."""
    if window <= 1:
        return values
    mean = pd.Series(values).rolling(window, min_periods=window).mean()
    return mean.to_numpy(dtype=float)


def yoy_percent(values: pd.Series) -> pd.Series:
    """100 × (v_t / v_{t−1 year} − 1) for monthly data dated on the 1st of the month."""
    index = pd.DatetimeIndex(values.index)
    previous = values.reindex(index - pd.DateOffset(years=1)).to_numpy(dtype=float)
    return pd.Series(100.0 * (values.to_numpy(dtype=float) / previous - 1.0), index=index)


def _from_series(
    ctx: Context, key: str, values: pd.Series, release: Release, note: str = ""
) -> Reading:
    weekly = ctx.sample(values, release)
    clean = values.dropna()
    first = release.dates(pd.DatetimeIndex(clean.index[:1]))[0] if len(clean) else None
    frame = ctx.series[key]
    end = pd.Timestamp(frame.index.max()) if len(frame) else None
    return Reading(weekly.values, weekly.observed, key, first, end, note)


def _spy_adjusted(ctx: Context) -> tuple[pd.Series, str]:
    frame = ctx.series["yahoo:SPY"]
    if "adj_close" in frame.columns and frame["adj_close"].notna().any():
        return frame["adj_close"].dropna(), "dividend-adjusted close"
    return frame["close"].dropna(), "quoted close (the source has no adjusted close)"


def _spy_quoted(ctx: Context) -> tuple[pd.Series, str]:
    frame = ctx.series["yahoo:SPY"]
    if frame.attrs.get("adjusted"):
        return frame["close"].dropna(), "dividend-adjusted close (the source has no quoted close)"
    return frame["close"].dropna(), "quoted close"


def momentum(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """100 × (P_d / P_{d − 1 year} − 1) on SPY's adjusted closes (P as of each date)."""
    prices, label = _spy_adjusted(ctx)
    now = ctx.sample(prices, release)
    year_ago = pd.DatetimeIndex(ctx.weeks) - pd.DateOffset(years=1)
    then = ctx.sample(prices, release, at=year_ago.to_numpy(dtype="datetime64[ns]"))
    values = 100.0 * (now.values / then.values - 1.0)
    first = pd.Timestamp(prices.index[0]) + pd.DateOffset(years=1)
    end = pd.Timestamp(prices.index[-1])
    return Reading(values, now.observed, inputs[0], first, end, f"SPY {label}")


def trend(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """100 × (close / SMA200(close) − 1) on SPY's quoted closes, the SMA over 200 sessions."""
    close, label = _spy_quoted(ctx)
    distance = 100.0 * (close / close.rolling(200, min_periods=200).mean() - 1.0)
    return _from_series(ctx, inputs[0], distance, release, f"SPY {label}")


def seasonality(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """1 when the trade date is in November–April, else 0."""
    return Reading(in_best_six_months(ctx.trade_dates), ctx.weeks.copy(), None)


def buyback_blackout(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """1 when the trade date is within 35 days before a fourth Friday of Jan/Apr/Jul/Oct."""
    return Reading(in_buyback_blackout(ctx.trade_dates), ctx.weeks.copy(), None)


def fomc_drift(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """1 when a scheduled FOMC statement falls after the trade date, up to the next one.

    Reads the loaded ``calendar:fomc`` series when there is one, else the bundled calendar.
    """
    key = inputs[0]
    if key in ctx.series:
        statements, used, note = pd.DatetimeIndex(ctx.series[key].index), key, ""
    else:
        statements, used = bundled_fomc_statements(), None
        note = "FOMC dates shipped with the project"
    values = fomc_in_holding_week(ctx.trade_dates, statements)
    return Reading(values, ctx.weeks.copy(), used, note=note)


def yoy(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """Year-over-year % change of a monthly series: 100 × (v_M / v_(M−12) − 1)."""
    key = inputs[0]
    return _from_series(ctx, key, yoy_percent(ctx.column(key, "value")), release)


def level(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """The newest usable value of the series' ``value`` column."""
    return _from_series(ctx, inputs[0], ctx.column(inputs[0], "value"), release)


def aaii(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """Bullish % − bearish % of the newest survey."""
    frame = ctx.series[inputs[0]]
    spread = (frame["bullish"] - frame["bearish"]).dropna()
    return _from_series(ctx, inputs[0], spread, release)


def put_call(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """Mean of the week's daily total put/call ratios."""
    key = inputs[0]
    values = ctx.column(key, "value")
    weekly = ctx.weekly_mean(values)
    first = pd.Timestamp(values.index[0]) if len(values) else None
    end = pd.Timestamp(values.index.max()) if len(values) else None
    return Reading(weekly.values, weekly.observed, key, first, end)


def vix_trend(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """100 × (VIX_w / mean(VIX over the last 52 weekly readings, this one included) − 1)."""
    base = _from_series(ctx, inputs[0], ctx.column(inputs[0], "close"), release)
    values = 100.0 * (base.values / rolling_mean(base.values, WEEKS_PER_YEAR) - 1.0)
    first = _later(base.first_usable, WEEKS_PER_YEAR - 1)
    return Reading(values, base.observed, base.key, first, base.series_end)


def vix_curve(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """VIX close / VIX3M close on the days both exist (the newest such day of each week)."""
    vix, vix3m = (ctx.column(key, "close") for key in inputs)
    ratio = (vix / vix3m).dropna()
    return _from_series(ctx, inputs[-1], ratio, release)


def yield_curve(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """Weekly 10y−2y spread minus its weekly value 52 weeks earlier (pp)."""
    base = level(ctx, inputs, release)
    lag = min(WEEKS_PER_YEAR, len(base.values))
    earlier = np.r_[np.full(lag, np.nan), base.values[: len(base.values) - lag]]
    first = _later(base.first_usable, WEEKS_PER_YEAR)
    return Reading(base.values - earlier, base.observed, base.key, first, base.series_end)


def hy_spread(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """Weekly high-yield OAS minus the mean of its last 52 weekly readings, this one included."""
    base = level(ctx, inputs, release)
    values = base.values - rolling_mean(base.values, WEEKS_PER_YEAR)
    first = _later(base.first_usable, WEEKS_PER_YEAR - 1)
    return Reading(values, base.observed, base.key, first, base.series_end)


def unemployment(ctx: Context, inputs: tuple[str, ...], release: Release) -> Reading:
    """Unemployment rate minus the mean of the last 12 monthly rates (including this one)."""
    rate = ctx.column(inputs[0], "value")
    gap = rate - rate.rolling(12, min_periods=12).mean()
    return _from_series(ctx, inputs[0], gap, release)


def _later(start: pd.Timestamp | None, weeks: int) -> pd.Timestamp | None:
    return None if start is None else start + pd.Timedelta(weeks=weeks)
