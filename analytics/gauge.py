"""Sentiment gauge: one 0–100 number for fear and greed (SPEC section 7).

Each component is one of the model's weekly, point-in-time indicator readings (so the gauge
inherits the publication lags and the 4-week smoothing). A component's *score* on a week is its
percentile rank among its own readings over the trailing ``window`` weeks (at least
``min_periods``), oriented so that 100 is greed::

    score_c(t) = 100 × rank_pct(reading_c(t) within reading_c[t-window+1 … t])    (greed-up)
    score_c(t) = 100 − that                                                       (fear-up)

    gauge(t) = mean of the available score_c(t)

Bands: Extreme Fear 0–24, Fear 25–44, Neutral 45–55, Greed 56–75, Extreme Greed 76–100 (on the
gauge rounded to a whole number).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

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
    """The gauge on one date, its band, its components, and its value at the lookbacks."""

    date: pd.Timestamp | None
    value: float
    band: str
    components: pd.Series
    history: Mapping[str, float]
    available: int
    total: int


def gauge_as_of(readings: pd.DataFrame, as_of: pd.Timestamp | None = None) -> GaugeReading:
    """The gauge on the last week at or before ``as_of`` (default: the last week), with its value
    1 week, 1 month and 1 year earlier (each the last week at or before that date)."""
    scores = component_scores(readings)
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
    return GaugeReading(date, value, band(value), components, history, len(components), total)
