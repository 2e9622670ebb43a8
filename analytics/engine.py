"""Compute every indicator on the weekly, point-in-time clock, and the composite (SPEC 1–3).

For a decision date d, an input observation dated t is usable when its release date
(``Release.dates``) is on or before d; the input's value on d is that of the newest usable
observation (``searchsorted`` on the release dates, vectorised over all weeks at once).

Readings are in display units: percentages as percent (12.5 = 12.5 %), spreads in points or
percentage points. Weekly reading of a daily series = its newest value on the decision date (the
last of the week); the put/call ratio's = the mean of the week's daily ratios. Smoothing =
the mean of the last ``smoothing_weeks`` weekly readings (all of them needed). 52-week averages
are means of the last 52 weekly readings; year-over-year changes of monthly data compare a month
with the same month a year earlier.

An indicator is unavailable on a date when its reading cannot be formed (no data yet, not enough
history) or when its newest usable observation is older than its maximum age; the reason says
which. Composite and category scores are the mean of the available 0/1 scores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.calendar import (
    bundled_fomc_statements,
    decision_calendar,
    expected_trade_dates,
    fomc_in_holding_week,
    in_best_six_months,
    in_buyback_blackout,
)
from analytics.catalog import CATALOG, DISCONTINUED, MISSING_INPUT_HINTS
from analytics.model import (
    CATEGORIES,
    IndicatorResult,
    IndicatorSpec,
    ModelResult,
    ModelSettings,
)
from analytics.releases import Release

NAT = np.datetime64("NaT", "ns")
DAY = np.timedelta64(1, "D")
CLOCK_KEYS = ("yahoo:SPY", "yahoo:^GSPC")


@dataclass(frozen=True)
class Weekly:
    """An input sampled on the decision dates: value and date of the observation used."""

    values: np.ndarray
    observed: np.ndarray  # datetime64[ns], NaT where nothing was usable yet


@dataclass(frozen=True)
class Reading:
    """An indicator's raw weekly reading before smoothing, with where it came from."""

    values: np.ndarray
    observed: np.ndarray
    key: str | None
    first_usable: pd.Timestamp | None = None
    series_end: pd.Timestamp | None = None
    note: str = ""


class Context:
    """The week grid and the loaded series, shared by the reading functions."""

    def __init__(self, series: Mapping[str, pd.DataFrame], calendar: pd.DataFrame) -> None:
        self.series = series
        self.calendar = calendar
        self.weeks = calendar.index.to_numpy(dtype="datetime64[ns]")
        self.trade_dates = expected_trade_dates(calendar)

    def column(self, key: str, field: str) -> pd.Series:
        frame = self.series[key]
        if field not in frame.columns:
            raise KeyError(f"{key} has no {field!r} column (has {list(frame.columns)})")
        return frame[field].dropna()

    def sample(self, values: pd.Series, release: Release, at: np.ndarray | None = None) -> Weekly:
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
        """Mean of each week's daily values (the week ending on each decision date)."""
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


def _rolling_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` values; NaN unless all of them exist."""
    if window <= 1:
        return values
    return pd.Series(values).rolling(window, min_periods=window).mean().to_numpy()


def _yoy_percent(values: pd.Series) -> pd.Series:
    """100 × (v_t / v_{t−1 year} − 1) for monthly data dated on the 1st of the month."""
    previous = values.reindex(values.index - pd.DateOffset(years=1)).to_numpy()
    return pd.Series(100.0 * (values.to_numpy() / previous - 1.0), index=values.index)


def _from_series(
    ctx: Context, key: str, values: pd.Series, release: Release, note: str = ""
) -> Reading:
    weekly = ctx.sample(values, release)
    clean = values.dropna()
    first = release.dates(pd.DatetimeIndex(clean.index[:1]))[0] if len(clean) else None
    end = ctx.series[key].index.max() if len(ctx.series[key]) else None
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


def momentum(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """100 × (P_d / P_{d − 1 year} − 1) on adjusted closes (P as of each date)."""
    prices, label = _spy_adjusted(ctx)
    now = ctx.sample(prices, release)
    year_ago = pd.DatetimeIndex(ctx.weeks) - pd.DateOffset(years=1)
    then = ctx.sample(prices, release, at=year_ago.to_numpy(dtype="datetime64[ns]"))
    values = 100.0 * (now.values / then.values - 1.0)
    first = prices.index[0] + pd.DateOffset(years=1)
    return Reading(values, now.observed, "yahoo:SPY", first, prices.index[-1], f"SPY {label}")


def trend(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """100 × (close / SMA200(close) − 1), the SMA over the last 200 trading days."""
    close, label = _spy_quoted(ctx)
    distance = 100.0 * (close / close.rolling(200, min_periods=200).mean() - 1.0)
    return _from_series(ctx, "yahoo:SPY", distance, release, f"SPY {label}")


def seasonality(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """1 when the trade date is in November–April."""
    return Reading(in_best_six_months(ctx.trade_dates), ctx.weeks.copy(), None)


def buyback_blackout(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """1 when the trade date is within 35 days before a fourth Friday of Jan/Apr/Jul/Oct."""
    return Reading(in_buyback_blackout(ctx.trade_dates), ctx.weeks.copy(), None)


def fomc_drift(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """1 when a scheduled FOMC statement falls after the trade date, up to the next one."""
    if "calendar:fomc" in ctx.series:
        statements, key, note = ctx.series["calendar:fomc"].index, "calendar:fomc", ""
    else:
        statements, key = bundled_fomc_statements(), None
        note = "FOMC dates shipped with the project"
    values = fomc_in_holding_week(ctx.trade_dates, pd.DatetimeIndex(statements))
    return Reading(values, ctx.weeks.copy(), key, note=note)


def _yoy(key: str) -> Callable[[Context, IndicatorSpec, Release], Reading]:
    def reading(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
        return _from_series(ctx, key, _yoy_percent(ctx.column(key, "value")), release)

    reading.__doc__ = f"Year-over-year % change of {key}: 100 × (v_M / v_(M−12) − 1)."
    return reading


def _level(key: str, field: str = "value") -> Callable[[Context, IndicatorSpec, Release], Reading]:
    def reading(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
        return _from_series(ctx, key, ctx.column(key, field), release)

    reading.__doc__ = f"The newest usable value of {key}."
    return reading


def aaii(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """Bullish % − bearish % of the newest survey."""
    frame = ctx.series["aaii:sentiment"]
    spread = (frame["bullish"] - frame["bearish"]).dropna()
    return _from_series(ctx, "aaii:sentiment", spread, release)


def put_call(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """Mean of the week's daily total put/call ratios."""
    key = "cboe:total_put_call"
    values = ctx.column(key, "value")
    weekly = ctx.weekly_mean(values)
    first = values.index[0] if len(values) else None
    return Reading(weekly.values, weekly.observed, key, first, values.index.max())


def vix_trend(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """100 × (VIX_w / mean(VIX over the last 52 weekly readings) − 1)."""
    base = _level("yahoo:^VIX", "close")(ctx, spec, release)
    average = _rolling_mean(base.values, 52)
    values = 100.0 * (base.values / average - 1.0)
    first = None if base.first_usable is None else base.first_usable + pd.Timedelta(weeks=51)
    return Reading(values, base.observed, base.key, first, base.series_end)


def vix_curve(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """VIX close / VIX3M close on the days both exist."""
    vix = ctx.column("yahoo:^VIX", "close")
    vix3m = ctx.column("yahoo:^VIX3M", "close")
    ratio = (vix / vix3m).dropna()
    return _from_series(ctx, "yahoo:^VIX3M", ratio, release)


def yield_curve(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """Weekly 10y−2y spread minus its weekly value 52 weeks earlier (pp)."""
    base = _level("fred:T10Y2Y")(ctx, spec, release)
    earlier = np.r_[np.full(min(52, len(base.values)), np.nan), base.values[:-52]]
    first = None if base.first_usable is None else base.first_usable + pd.Timedelta(weeks=52)
    return Reading(base.values - earlier, base.observed, base.key, first, base.series_end)


def hy_spread(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """Weekly high-yield OAS minus the mean of its last 52 weekly readings (pp)."""
    base = _level("fred:BAMLH0A0HYM2")(ctx, spec, release)
    values = base.values - _rolling_mean(base.values, 52)
    first = None if base.first_usable is None else base.first_usable + pd.Timedelta(weeks=51)
    return Reading(values, base.observed, base.key, first, base.series_end)


def unemployment(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """Unemployment rate minus the mean of the last 12 monthly rates (including this one)."""
    rate = ctx.column("fred:UNRATE", "value")
    gap = rate - rate.rolling(12, min_periods=12).mean()
    return _from_series(ctx, "fred:UNRATE", gap, release)


def ism_pmi(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """The PMI level (or the Philadelphia Fed diffusion index), whichever input is present."""
    key = next(k for k in spec.inputs if k in ctx.series)
    return _level(key)(ctx, spec, release)


def housing(ctx: Context, spec: IndicatorSpec, release: Release) -> Reading:
    """Year-over-year % change of the first Case-Shiller index present (10-city, else 20)."""
    key = next(k for k in spec.inputs if k in ctx.series)
    return _yoy(key)(ctx, spec, release)


READINGS: dict[str, Callable[[Context, IndicatorSpec, Release], Reading]] = {
    "momentum": momentum,
    "trend": trend,
    "seasonality": seasonality,
    "buyback_blackout": buyback_blackout,
    "fomc_drift": fomc_drift,
    "margin_debt": _yoy("finra:margin_debt"),
    "aaii": aaii,
    "put_call": put_call,
    "vix_trend": vix_trend,
    "vix_curve": vix_curve,
    "naaim": _level("naaim:exposure"),
    "yield_curve": yield_curve,
    "hy_spread": hy_spread,
    "ted_spread": _level("fred:TEDRATE"),
    "financial_conditions": _level("fred:NFCI"),
    "industrial_production": _yoy("fred:INDPRO"),
    "retail_sales": _yoy("fred:RRSFS"),
    "unemployment": unemployment,
    "ism_pmi": ism_pmi,
    "housing": housing,
    "eps": _yoy("shiller:earnings"),
}

COMPARE: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">": np.greater,
    ">=": np.greater_equal,
    "<": np.less,
    "<=": np.less_equal,
}


def _missing_inputs(spec: IndicatorSpec, series: Mapping[str, pd.DataFrame]) -> str | None:
    """A reason when the indicator cannot be computed at all from the loaded series."""
    if spec.id == "fomc_drift":
        return None
    present = [key for key in spec.inputs if key in series and len(series[key])]
    if spec.alternatives:
        if present:
            return None
        return MISSING_INPUT_HINTS.get(spec.id, f"none of {', '.join(spec.inputs)} is loaded")
    missing = [key for key in spec.inputs if key not in present]
    if not missing:
        return None
    return f"{', '.join(missing)} not loaded"


def _date(value: np.datetime64 | pd.Timestamp | None) -> str:
    return "" if value is None or pd.isna(value) else str(pd.Timestamp(value).date())


def _reasons(
    reading: Reading,
    values: np.ndarray,
    age_days: np.ndarray,
    max_age: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(available, reason) per week for a data-driven indicator."""
    no_data = np.isnat(reading.observed)
    stale = ~no_data & (age_days > max_age)
    short = ~no_data & ~stale & np.isnan(values)
    available = ~(no_data | stale | short)
    reason = np.full(len(values), "", dtype=object)
    key = reading.key or "input"
    if no_data.any():
        since = f" before {_date(reading.first_usable)}" if reading.first_usable else ""
        reason[no_data] = f"no {key} data{since}"
    if short.any():
        reason[short] = f"not enough {key} history yet for this reading"
    if stale.any():
        ended = DISCONTINUED.get(key)
        for position in np.flatnonzero(stale):
            observed = reading.observed[position]
            at_end = reading.series_end is not None and pd.Timestamp(observed) >= (
                reading.series_end - pd.Timedelta(days=max_age)
            )
            if ended and at_end:
                reason[position] = ended
            else:
                reason[position] = (
                    f"newest {key} observation ({_date(observed)}) is "
                    f"{int(age_days[position])} days old; the limit is {max_age} days"
                )
    return available, reason


def _indicator(
    ctx: Context, spec: IndicatorSpec, settings: ModelSettings, index: pd.DatetimeIndex
) -> IndicatorResult:
    threshold = settings.threshold(spec)
    missing = _missing_inputs(spec, ctx.series)
    if missing is not None:
        nothing = np.full(len(index), np.nan)
        return IndicatorResult(
            spec=spec,
            reading=pd.Series(nothing, index=index, name=spec.id),
            score=pd.Series(nothing, index=index, name=spec.id),
            available=pd.Series(False, index=index, name=spec.id),
            reason=pd.Series(missing, index=index, name=spec.id, dtype=object),
            last_observation=pd.Series(pd.NaT, index=index, name=spec.id, dtype="datetime64[ns]"),
            threshold=threshold,
            source_key=None,
        )
    release = settings.release(spec)
    raw = READINGS[spec.id](ctx, spec, release)
    if raw.key in spec.input_thresholds and spec.id not in settings.thresholds:
        threshold = spec.input_thresholds[raw.key]
    values = _rolling_mean(raw.values, spec.smoothing_weeks)
    if spec.is_calendar:
        available = np.ones(len(values), dtype=bool)
        reason = np.full(len(values), "", dtype=object)
    else:
        age_days = (ctx.weeks - raw.observed) / DAY
        available, reason = _reasons(raw, values, age_days, settings.max_age(spec))
    with np.errstate(invalid="ignore"):
        score = np.where(available, COMPARE[spec.invested_when](values, threshold), np.nan)
    return IndicatorResult(
        spec=spec,
        reading=pd.Series(values, index=index, name=spec.id),
        score=pd.Series(score.astype(float), index=index, name=spec.id),
        available=pd.Series(available, index=index, name=spec.id),
        reason=pd.Series(reason, index=index, name=spec.id, dtype=object),
        last_observation=pd.Series(raw.observed, index=index, name=spec.id),
        threshold=threshold,
        source_key=raw.key,
        note=raw.note,
    )


def _mean_of_available(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row means over non-NaN entries, and their count (NaN mean where none)."""
    count = np.sum(~np.isnan(scores), axis=1)
    total = np.nansum(scores, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return mean, count


def trading_days(series: Mapping[str, pd.DataFrame]) -> pd.DatetimeIndex:
    """The trading days that drive the clock: SPY's, else the S&P 500 index's."""
    for key in CLOCK_KEYS:
        if key in series and len(series[key]):
            return pd.DatetimeIndex(series[key].index)
    raise ValueError("the weekly clock needs yahoo:SPY or yahoo:^GSPC prices; neither is loaded")


def evaluate(
    series: Mapping[str, pd.DataFrame],
    settings: ModelSettings | None = None,
    catalog: tuple[IndicatorSpec, ...] = CATALOG,
) -> ModelResult:
    """Every indicator's weekly history, the category scores and the composite."""
    settings = settings or ModelSettings()
    if not 0.0 <= settings.invest_threshold <= 1.0:
        raise ValueError(
            f"the composite threshold must be between 0 and 1 (got {settings.invest_threshold})"
        )
    calendar = decision_calendar(trading_days(series))
    ctx = Context(series, calendar)
    index = calendar.index
    results = {spec.id: _indicator(ctx, spec, settings, index) for spec in catalog}
    scores = np.column_stack([r.score.to_numpy() for r in results.values()])
    composite, count = _mean_of_available(scores)
    categories, counts = {}, {}
    for category in CATEGORIES:
        columns = [i for i, spec in enumerate(catalog) if spec.category == category]
        categories[category], counts[category] = _mean_of_available(scores[:, columns])
    composite_series = pd.Series(composite, index=index, name="composite")
    return ModelResult(
        calendar=calendar,
        indicators=results,
        composite=composite_series,
        categories=pd.DataFrame(categories, index=index),
        category_counts=pd.DataFrame(counts, index=index),
        available_count=pd.Series(count, index=index, name="available"),
        total=len(catalog),
        invested=(composite_series > settings.invest_threshold).rename("invested"),
        settings=settings,
    )
