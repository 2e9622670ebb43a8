"""Parse-time plausibility checks for the file series (live downloads and uploads alike).

Minimal and named so they can move into ``data_sources.validate`` once it exists:

* :func:`check_not_future`: no observation dated after today (``now`` normalised to midnight;
  today itself is allowed, tomorrow is not).
* :func:`check_value_range`: every value inside the series' possible range, bounds inclusive:
  AAII shares 0…100 (percent), NAAIM exposure −200…200, put/call ratio ≥ 0, margin debt ≥ 0.
"""

from __future__ import annotations

import math

import pandas as pd

from data_sources.errors import BadPayload

VALUE_RANGES: dict[str, tuple[float, float, str]] = {
    "aaii:sentiment": (0.0, 100.0, "an AAII survey share (percent)"),
    "naaim:exposure": (-200.0, 200.0, "a NAAIM exposure"),
    "cboe:total_put_call": (0.0, math.inf, "a put/call ratio"),
    "finra:margin_debt": (0.0, math.inf, "a margin debt balance (USD millions)"),
}


def _bounds(low: float, high: float) -> str:
    if math.isinf(high):
        return f"at least {low:g}"
    return f"between {low:g} and {high:g}"


def check_value_range(key: str, frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Raise :class:`BadPayload` naming the first value outside ``VALUE_RANGES[key]``."""
    if key not in VALUE_RANGES:
        return frame
    low, high, what = VALUE_RANGES[key]
    for column in frame.columns:
        values = frame[column]
        outside = values[(values < low) | (values > high)]
        if len(outside):
            day, value = outside.index[0], outside.iloc[0]
            raise BadPayload(
                f"{source}: {column} {value:g} on {day:%Y-%m-%d} cannot be {what}, which is "
                f"{_bounds(low, high)} ({len(outside)} such value(s)); is this the right file?"
            )
    return frame


def check_not_future(frame: pd.DataFrame, source: str, now: pd.Timestamp | None = None) -> None:
    """Raise :class:`BadPayload` when an observation is dated after today."""
    today = (now if now is not None else pd.Timestamp.now()).tz_localize(None).normalize()
    future = frame.index[frame.index > today]
    if len(future):
        raise BadPayload(
            f"{source}: {len(future)} row(s) are dated in the future (first {future[0]:%Y-%m-%d}, "
            f"today is {today:%Y-%m-%d}); correct the dates and load the file again"
        )


def check_plausible(
    key: str, frame: pd.DataFrame, source: str, now: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Both checks; returns ``frame`` unchanged when it passes."""
    check_not_future(frame, source, now)
    return check_value_range(key, frame, source)
