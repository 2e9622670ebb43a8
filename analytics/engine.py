"""Compute every indicator on the weekly, point-in-time clock, and the composite (SPEC 1–3).

Each catalog entry's ``read`` gives its weekly reading (:mod:`analytics.readings`); here it is
smoothed (the mean of the last ``smoothing_weeks`` weekly readings, all of them needed), checked
for age and compared with the threshold in force.

An indicator is unavailable on a date when its reading cannot be formed (no data yet, not enough
history) or when its newest usable observation is older than its maximum age (age > maximum is
stale; age = maximum is still usable); the reason says which. Composite and category scores are
the mean of the available 0/1 scores; invested when the composite is strictly above the
threshold.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics.calendar import decision_calendar
from analytics.catalog import CATALOG
from analytics.errors import InvalidSetting, NotEnoughData
from analytics.readings import DAY, Context, FloatArray, Reading, rolling_mean
from analytics.results import IndicatorResult, ModelResult
from analytics.spec import CATEGORIES, COMPARE, IndicatorSpec, ModelSettings

BoolArray = npt.NDArray[np.bool_]
CLOCK_KEYS = ("yahoo:SPY", "yahoo:^GSPC")


def _date(value: np.datetime64 | pd.Timestamp | None) -> str:
    return "" if value is None or pd.isna(value) else str(pd.Timestamp(value).date())


def _reasons(
    spec: IndicatorSpec,
    reading: Reading,
    values: FloatArray,
    age_days: FloatArray,
    max_age: int,
) -> tuple[BoolArray, npt.NDArray[np.object_]]:
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
    for position in np.flatnonzero(stale):
        observed = reading.observed[position]
        at_end = reading.series_end is not None and pd.Timestamp(observed) >= (
            reading.series_end - pd.Timedelta(days=max_age)
        )
        if spec.discontinued and at_end:
            reason[position] = spec.discontinued
        else:
            reason[position] = (
                f"newest {key} observation ({_date(observed)}) is "
                f"{int(age_days[position])} days old; the limit is {max_age} days"
            )
    return available, reason


def _unavailable(
    spec: IndicatorSpec, reason: str, threshold: float, index: pd.DatetimeIndex
) -> IndicatorResult:
    nothing = np.full(len(index), np.nan)
    return IndicatorResult(
        spec=spec,
        reading=pd.Series(nothing, index=index, name=spec.id),
        score=pd.Series(nothing, index=index, name=spec.id),
        available=pd.Series(False, index=index, name=spec.id),
        reason=pd.Series(reason, index=index, name=spec.id, dtype=object),
        last_observation=pd.Series(pd.NaT, index=index, name=spec.id, dtype="datetime64[ns]"),
        threshold=threshold,
        source_key=None,
    )


def _indicator(
    ctx: Context, spec: IndicatorSpec, settings: ModelSettings, index: pd.DatetimeIndex
) -> IndicatorResult:
    threshold = settings.threshold(spec)
    loaded = {key: None for key, frame in ctx.series.items() if len(frame)}
    missing = spec.missing_inputs(loaded)
    if missing is not None:
        return _unavailable(spec, missing, threshold, index)
    raw = spec.read(ctx, spec.resolved_inputs(loaded), settings.release(spec))
    threshold = settings.threshold(spec, raw.key)
    values = rolling_mean(raw.values, spec.smoothing_weeks)
    if spec.is_calendar:
        available = np.ones(len(values), dtype=bool)
        reason = np.full(len(values), "", dtype=object)
    else:
        age_days = (ctx.weeks - raw.observed) / DAY
        available, reason = _reasons(spec, raw, values, age_days, settings.max_age(spec))
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


def _mean_of_available(scores: FloatArray) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Row means over non-NaN entries, and their count (NaN mean where none)."""
    count = np.sum(~np.isnan(scores), axis=1)
    total = np.nansum(scores, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return mean, count


def clock_days(series: Mapping[str, pd.DataFrame]) -> pd.DatetimeIndex:
    """The days in the data that span the clock: SPY's, else the S&P 500 index's."""
    for key in CLOCK_KEYS:
        if key in series and len(series[key]):
            return pd.DatetimeIndex(series[key].index)
    raise NotEnoughData("the weekly clock needs yahoo:SPY or yahoo:^GSPC prices; neither is loaded")


def indicators_on_clock(
    series: Mapping[str, pd.DataFrame],
    calendar: pd.DataFrame,
    settings: ModelSettings,
    catalog: tuple[IndicatorSpec, ...] = CATALOG,
) -> dict[str, IndicatorResult]:
    """Every entry of ``catalog`` on the clock ``calendar`` (decision dates as the index, column
    ``trade_date``), under the same rules as :func:`evaluate`. The sentiment gauge uses it to
    read the indicators on weeks that end on other weekdays than Friday."""
    ctx = Context(series, calendar)
    index = pd.DatetimeIndex(calendar.index)
    return {spec.id: _indicator(ctx, spec, settings, index) for spec in catalog}


def evaluate(
    series: Mapping[str, pd.DataFrame],
    settings: ModelSettings | None = None,
    catalog: tuple[IndicatorSpec, ...] = CATALOG,
) -> ModelResult:
    """Every indicator's weekly history, the category scores and the composite.

    Raises ``NotEnoughData`` without SPY or ^GSPC prices, ``InvalidSetting`` for a composite
    threshold outside 0..1.
    """
    settings = settings or ModelSettings()
    if not 0.0 <= settings.invest_threshold <= 1.0:
        raise InvalidSetting(
            f"the composite threshold must be between 0 and 1 (got {settings.invest_threshold})"
        )
    calendar = decision_calendar(clock_days(series))
    index = pd.DatetimeIndex(calendar.index)
    results = indicators_on_clock(series, calendar, settings, catalog)
    scores = np.column_stack([r.score.to_numpy(dtype=float) for r in results.values()])
    composite, count = _mean_of_available(scores)
    categories: dict[str, FloatArray] = {}
    counts: dict[str, npt.NDArray[np.intp]] = {}
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


__all__ = ["clock_days", "evaluate", "indicators_on_clock"]
