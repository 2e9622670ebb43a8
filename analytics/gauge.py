"""Sentiment gauge: one 0–100 number for fear and greed (SPEC section 7).

Each component is one of the model's weekly, point-in-time indicator readings (so the gauge
inherits the publication lags and the 4-week smoothing). A component's *score* on a week is its
percentile rank among its own readings over the trailing ``window`` weeks (at least
``min_periods``), oriented so that 100 is greed::

    score_c(t) = 100 × rank_pct(reading_c(t) within reading_c[t-window+1 … t])    (greed-up)
    score_c(t) = 100 − that                                                       (fear-up)

    gauge(t) = mean of the available score_c(t)

A component counts only while its indicator is *available* under the model's own rule (the
newest usable observation at most ``max_age_days`` old, see :mod:`analytics.engine`): a stale
reading is masked before ranking, so it neither scores nor is counted ("7 of 8 readings").

Bands: Extreme Fear 0–24, Fear 25–44, Neutral 45–55, Greed 56–75, Extreme Greed 76–100 (on the
gauge rounded to a whole number).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.results import ModelResult

# indicator id -> +1 when a higher reading means more greed, -1 when it means more fear
GAUGE_COMPONENTS: Mapping[str, int] = {
    "momentum": +1,  # 12-month total return
    "trend": +1,  # distance above the 200-day average
    "aaii": +1,  # bull-bear spread
    "naaim": +1,  # active managers' equity exposure
    "put_call": -1,  # more puts bought = fear
    "vix_trend": -1,  # VIX above its 52-week average = fear
    "vix_curve": -1,  # VIX / VIX3M near or above 1 = fear
    "hy_spread": -1,  # junk spreads above their average = fear
}

BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 24, "Extreme Fear"),
    (25, 44, "Fear"),
    (45, 55, "Neutral"),
    (56, 75, "Greed"),
    (76, 100, "Extreme Greed"),
)

LOOKBACKS: Mapping[str, pd.DateOffset] = {
    "1 week ago": pd.DateOffset(weeks=1),
    "1 month ago": pd.DateOffset(months=1),
    "1 year ago": pd.DateOffset(years=1),
}


def band(value: float) -> str:
    """The band name of a gauge value, e.g. ``band(50) == "Neutral"``; NaN -> ``""``."""
    if value is None or np.isnan(value):
        return ""
    whole = int(np.clip(np.floor(value + 0.5), 0, 100))
    return next(name for low, high, name in BANDS if low <= whole <= high)


def component_scores(
    readings: pd.DataFrame,
    components: Mapping[str, int] = GAUGE_COMPONENTS,
    window: int = 260,
    min_periods: int = 52,
) -> pd.DataFrame:
    """0–100 score per component (columns) per week (rows), NaN where a reading is missing or
    has fewer than ``min_periods`` readings of history. Components absent from ``readings`` are
    left out. The rank of the newest value counts ties as their average position."""
    scores = {}
    for column, direction in components.items():
        if column not in readings.columns:
            continue
        series = readings[column].astype("float64")
        valid = series.dropna()
        ranked = valid.rolling(window, min_periods=min_periods).rank(pct=True) * 100.0
        ranked = ranked.reindex(series.index)
        scores[column] = ranked if direction > 0 else 100.0 - ranked
    return pd.DataFrame(scores, index=readings.index)


def sentiment_gauge(
    readings: pd.DataFrame,
    components: Mapping[str, int] = GAUGE_COMPONENTS,
    window: int = 260,
    min_periods: int = 52,
) -> pd.Series:
    """Weekly gauge history: the mean of the available component scores (NaN when none is)."""
    scores = component_scores(readings, components, window, min_periods)
    return scores.mean(axis=1, skipna=True)


@dataclass(frozen=True)
class GaugeReading:
    """The gauge on one date, its band, its components, and its value at the lookbacks.

    ``left_out`` maps each component that has a reading on ``date`` but is not counted (stale)
    to why, e.g. ``{"naaim": "data 183 days old"}``."""

    date: pd.Timestamp | None
    value: float
    band: str
    components: pd.Series
    history: Mapping[str, float]
    available: int
    total: int
    left_out: Mapping[str, str] = field(default_factory=dict)

    def summary(self, names: Mapping[str, str] | None = None) -> str:
        """``"7 of 8 readings (NAAIM exposure: data 183 days old)"``; ``names`` maps ids to
        display names (ids are shown where a name is missing)."""
        text = f"{self.available} of {self.total} readings"
        if not self.left_out:
            return text
        names = names or {}
        why = "; ".join(f"{names.get(key, key)}: {reason}" for key, reason in self.left_out.items())
        return f"{text} ({why})"


def _age_reason(last_observation: pd.Timestamp | None, date: pd.Timestamp) -> str:
    """``"data 183 days old"`` (days from the newest observation to ``date``), or ``"stale"``."""
    if last_observation is None:
        return "stale"
    days = int((date - last_observation) / pd.Timedelta(days=1))
    return f"data {days} days old"


def gauge_as_of(
    readings: pd.DataFrame,
    as_of: pd.Timestamp | None = None,
    available: pd.DataFrame | None = None,
    last_observation: pd.DataFrame | None = None,
) -> GaugeReading:
    """The gauge on the last week at or before ``as_of`` (default: the last week), with its value
    1 week, 1 month and 1 year earlier (each the last week at or before that date).

    ``available`` (same rows/columns as ``readings``, True/False) is the model's availability;
    a reading where it is False is masked before scoring (missing columns count as available).
    ``last_observation`` (dates) lets ``left_out`` say how old a masked reading's data is."""
    masked = readings
    if available is not None:
        usable = available.reindex(index=readings.index, columns=readings.columns)
        masked = readings.where(usable.fillna(True).astype(bool))
    scores = component_scores(masked)
    gauge = scores.mean(axis=1, skipna=True).dropna()
    total = len(scores.columns)
    if as_of is not None:
        gauge = gauge.loc[: pd.Timestamp(as_of)]
    if gauge.empty:
        return GaugeReading(None, float("nan"), "", pd.Series(dtype=float), {}, 0, total)
    date = gauge.index[-1]
    history = {}
    for label, offset in LOOKBACKS.items():
        earlier = gauge.loc[: date - offset]
        history[label] = float(earlier.iloc[-1]) if len(earlier) else float("nan")
    components = scores.loc[date].dropna()
    value = float(gauge.iloc[-1])
    left_out = {}
    had_reading = readings.loc[date].notna()
    still_there = masked.loc[date].notna()
    for key in scores.columns:
        if bool(had_reading[key]) and not bool(still_there[key]):
            last: pd.Timestamp | None = None
            if last_observation is not None and key in last_observation.columns:
                observed = last_observation[key].get(date)
                last = None if observed is None or pd.isna(observed) else pd.Timestamp(observed)
            left_out[key] = _age_reason(last, date)
    return GaugeReading(
        date, value, band(value), components, history, len(components), total, left_out
    )


def model_gauge(model: ModelResult, as_of: pd.Timestamp | None = None) -> GaugeReading:
    """:func:`gauge_as_of` over a model's readings, with its availability and data dates."""
    available = pd.DataFrame({key: r.available for key, r in model.indicators.items()})
    last = pd.DataFrame({key: r.last_observation for key, r in model.indicators.items()})
    return gauge_as_of(model.readings(), as_of, available, last)


def component_names(model: ModelResult) -> dict[str, str]:
    """Indicator id -> display name, for :meth:`GaugeReading.summary`."""
    return {key: result.spec.name for key, result in model.indicators.items()}
