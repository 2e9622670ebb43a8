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
gauge rounded to a whole number; :data:`BANDS` and :func:`band` are their one home).

**Daily gauge** (:func:`daily_gauge`, :func:`daily_gauge_detail`): the same computation on every
NYSE session. Session d is read on a weekly clock whose weeks end on d's weekday (the model's
Friday clock on the last session of each week), so daily inputs enter at d's close, weekly and
monthly ones at their newest value published by d (masked once older than their maximum age),
and on every decision date of the model the daily gauge equals the weekly one. Lookbacks
(:func:`gauge_lookbacks`): the previous NYSE session, and the last session at or before 1 week,
1 month and 1 year earlier.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics.calendar import nyse_sessions
from analytics.catalog import CATALOG
from analytics.engine import clock_days, indicators_on_clock
from analytics.results import IndicatorResult, ModelResult
from analytics.spec import ModelSettings

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


# ---- the daily gauge (SPEC section 7: computed every NYSE session) ----------------------------

WEEK_ENDING: tuple[str, ...] = ("W-MON", "W-TUE", "W-WED", "W-THU", "W-SUN")
"""The weekly clock of each weekday, Monday to Friday: weeks ending on that weekday (pandas
period anchors). Friday's is the model's own Monday–Sunday week."""
MODEL_CLOCK = 4  # Friday's clock is the model's
LOOKAHEAD = pd.Timedelta(days=14)  # sessions past the data, so the last week's end is known
PREVIOUS_CLOSE = "Previous close"
Status = Literal["scored", "stale", "unavailable"]


@dataclass(frozen=True)
class ComponentReading:
    """One component on one session: its reading in display units (``unit`` from the catalog:
    "%", "points", "ratio", "index", "pp"), the date of the newest observation it used, its
    0–100 score and band, and ``status``: ``"scored"``, ``"stale"`` (a reading exists but its
    data is older than the maximum age: left out) or ``"unavailable"`` (no reading: no data, not
    enough history). ``reason`` says why it is not scored ("" when scored)."""

    id: str
    name: str
    unit: str
    reading: float
    observed: pd.Timestamp | None
    score: float
    band: str
    status: Status
    reason: str


@dataclass(frozen=True)
class Lookback:
    """The gauge on an earlier session: ``label`` ("Previous close", "1 week ago", …), the
    session, its value (NaN before the history starts) and its band."""

    label: str
    day: pd.Timestamp
    value: float
    band: str


@dataclass(frozen=True)
class GaugeDay:
    """The daily gauge on one session with its components and its lookbacks."""

    day: pd.Timestamp
    value: float
    band: str
    components: tuple[ComponentReading, ...]
    lookbacks: tuple[Lookback, ...]

    @property
    def available(self) -> int:
        return sum(c.status == "scored" for c in self.components)

    @property
    def total(self) -> int:
        return len(self.components)

    def summary(self) -> str:
        """``"7 of 8 readings (NAAIM exposure: stale)"``: the count, and the stale ones."""
        text = f"{self.available} of {self.total} readings"
        stale = [c.name for c in self.components if c.status == "stale"]
        return f"{text} ({', '.join(stale)}: stale)" if stale else text


@dataclass(frozen=True)
class DailyGauge:
    """The gauge on every NYSE session of the data (see :func:`daily_gauge_detail`).

    ``scores``: column ``score`` (the gauge) and one 0–100 column per component; ``readings``,
    ``observed``, ``status``, ``reasons``: per session and component, the smoothed reading, the
    date of the newest observation used, the status and the reason it is not scored."""

    scores: pd.DataFrame
    readings: pd.DataFrame
    observed: pd.DataFrame
    status: pd.DataFrame
    reasons: pd.DataFrame
    names: Mapping[str, str]
    units: Mapping[str, str]

    def on(self, day: pd.Timestamp | None = None) -> GaugeDay | None:
        """The gauge on the last session at or before ``day`` (default: the newest session);
        None when the history has no session by then. The value is NaN (band "") on a session
        where no component is scored."""
        index = pd.DatetimeIndex(self.scores.index)
        if day is not None:
            index = index[index <= pd.Timestamp(day)]
        if len(index) == 0:
            return None
        session = pd.Timestamp(index[-1])
        score = self.scores["score"]
        value = float(score.loc[session])
        cards = tuple(self._component(key, session) for key in self.names)
        return GaugeDay(session, value, band(value), cards, gauge_lookbacks(score, session))

    def _component(self, key: str, session: pd.Timestamp) -> ComponentReading:
        score = float(self.scores[key].loc[session])
        observed = pd.Series(self.observed[key]).loc[session]
        return ComponentReading(
            id=key,
            name=self.names[key],
            unit=self.units[key],
            reading=float(self.readings[key].loc[session]),
            observed=None if pd.isna(observed) else pd.Timestamp(observed),
            score=score,
            band=band(score),
            status=self.status[key].loc[session],
            reason=str(self.reasons[key].loc[session]),
        )


def weekday_clock(sessions: pd.DatetimeIndex, last: pd.Timestamp, weekday: int) -> pd.DataFrame:
    """The weekly decision clock whose weeks end on ``weekday`` (0 = Monday … 4 = Friday).

    Same rule as :func:`analytics.calendar.decision_calendar`: the decision date is the last
    session of each such week up to ``last``, the trade date the next session (``sessions`` must
    run past ``last`` far enough to hold it). Friday's clock is the model's clock.
    """
    week = sessions.to_period(WEEK_ENDING[weekday])
    is_last_of_week = np.r_[week[1:] != week[:-1], True]
    decisions = sessions[is_last_of_week & (sessions <= last)]
    trade = sessions[sessions.searchsorted(decisions, side="right")]
    return pd.DataFrame(
        {"trade_date": pd.DatetimeIndex(trade)},
        index=pd.DatetimeIndex(decisions, name="decision_date"),
    )


def clock_of_session(sessions: pd.DatetimeIndex) -> npt.NDArray[np.int64]:
    """Which weekday's clock reads each session: the model's (Friday's, 4) on the last session
    of each Monday–Sunday week, so that the daily gauge equals the weekly one on every decision
    date (Thursday before Good Friday included); the session's own weekday otherwise.

    ``sessions`` must run past the week of interest (the last one counts as a week's last)."""
    week = sessions.to_period(WEEK_ENDING[MODEL_CLOCK])
    is_last_of_week = np.r_[week[1:] != week[:-1], True]
    weekday = np.asarray(sessions.day_of_week, dtype=np.int64)
    return np.where(is_last_of_week, MODEL_CLOCK, weekday)


def daily_gauge_detail(
    series: Mapping[str, pd.DataFrame],
    settings: ModelSettings | None = None,
    components: Mapping[str, int] = GAUGE_COMPONENTS,
    window: int = 260,
    min_periods: int = 52,
) -> DailyGauge:
    """The gauge and its components on every NYSE session from the first to the last day of
    SPY's (else the S&P 500 index's) prices.

    Each session d is read on a weekly clock whose weeks end on d's weekday (the model's own
    Friday clock on the last session of a week, see :func:`clock_of_session`). On that clock
    every component is exactly the model's indicator reading (:mod:`analytics.engine`): inputs
    published by d only, daily inputs at their close on d, weekly and monthly ones at their
    newest published value, the 4-week smoothing over d, d−7, d−14, d−21 (each the last session
    of its week), 52-week averages over that clock's weeks; a reading whose newest observation is
    more than its maximum age old on d (age = maximum still counts) is stale and masked. Scores
    are :func:`component_scores` on that clock (percentile rank among the trailing ``window``
    weekly readings, ``min_periods`` needed), so::

        gauge(d) = mean of the available score_c(d)     (NaN when none is)

    and on every model decision date the daily gauge equals the weekly :func:`gauge_as_of`.
    Five clocks are computed (one per weekday), each vectorised over all its weeks.
    Raises ``NotEnoughData`` without SPY or ^GSPC prices.
    """
    settings = settings or ModelSettings()
    known = {spec.id: spec for spec in CATALOG}
    specs = tuple(known[key] for key in components if key in known)  # in ``components``' order
    days = clock_days(series)
    first, last = days.min().normalize(), days.max().normalize()
    every = nyse_sessions(first, last + LOOKAHEAD)
    sessions = every[every <= last]
    clock = clock_of_session(every)[: len(sessions)]  # the sessions ahead close the last week
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in _PARTS}
    for weekday in range(5):
        wanted = sessions[clock == weekday]
        if len(wanted) == 0:
            continue
        calendar = weekday_clock(every, last, weekday)
        results = indicators_on_clock(series, calendar, settings, specs)
        frames = _clock_frames(results, calendar, settings, components, window, min_periods)
        for name, frame in frames.items():
            parts[name].append(frame.loc[wanted])
    joined = {name: pd.concat(frames).sort_index() for name, frames in parts.items()}
    keys = [spec.id for spec in specs]
    scores = joined["scores"][keys]
    scores.insert(0, "score", scores.mean(axis=1, skipna=True))
    return DailyGauge(
        scores=scores,
        readings=joined["readings"][keys],
        observed=joined["observed"][keys],
        status=joined["status"][keys],
        reasons=joined["reasons"][keys],
        names={spec.id: spec.name for spec in specs},
        units={spec.id: spec.unit for spec in specs},
    )


_PARTS = ("scores", "readings", "observed", "status", "reasons")


def _clock_frames(
    results: Mapping[str, IndicatorResult],
    calendar: pd.DataFrame,
    settings: ModelSettings,
    components: Mapping[str, int],
    window: int,
    min_periods: int,
) -> dict[str, pd.DataFrame]:
    """Scores, readings, data dates, status and reasons of the components on one clock."""
    index = pd.DatetimeIndex(calendar.index)
    readings = pd.DataFrame({key: r.reading for key, r in results.items()}, index=index)
    available = pd.DataFrame({key: r.available for key, r in results.items()}, index=index)
    observed = pd.DataFrame({key: r.last_observation for key, r in results.items()}, index=index)
    scores = component_scores(readings.where(available), components, window, min_periods)
    dates = index.to_numpy(dtype="datetime64[ns]")[:, None]
    age = (dates - observed.to_numpy(dtype="datetime64[ns]")) / np.timedelta64(1, "D")
    max_age = np.array([settings.max_age(r.spec) for r in results.values()])
    with np.errstate(invalid="ignore"):
        stale = ~available & (age > max_age)  # the engine's rule: age > maximum is stale
    scored = scores.notna()
    status = pd.DataFrame("unavailable", index=index, columns=readings.columns, dtype=object)
    status = status.mask(stale, "stale").mask(scored, "scored")
    reasons = pd.DataFrame({key: r.reason for key, r in results.items()}, index=index)
    reasons = reasons.where(~scored, "")
    short = available & ~scored  # available, but not yet min_periods readings to rank against
    reasons = reasons.mask(short, f"fewer than {min_periods} weekly readings to rank against yet")
    return {
        "scores": scores,
        "readings": readings,
        "observed": observed,
        "status": status,
        "reasons": reasons,
    }


def daily_gauge(
    series: Mapping[str, pd.DataFrame],
    settings: ModelSettings | None = None,
    components: Mapping[str, int] = GAUGE_COMPONENTS,
    window: int = 260,
    min_periods: int = 52,
) -> pd.DataFrame:
    """The gauge on every NYSE session: column ``score`` and one 0–100 column per component
    (NaN where a component is not scored). See :func:`daily_gauge_detail` for the rules."""
    return daily_gauge_detail(series, settings, components, window, min_periods).scores


def gauge_lookbacks(score: pd.Series, day: pd.Timestamp) -> tuple[Lookback, ...]:
    """The gauge at the previous close (the NYSE session before ``day``) and 1 week, 1 month and
    1 year before ``day`` (each the last NYSE session at or before ``day`` minus the offset: a
    holiday or weekend falls back to the session before it). The value is NaN where ``score``
    has none on that session."""
    day = pd.Timestamp(day).normalize()
    targets = {PREVIOUS_CLOSE: day - pd.Timedelta(days=1)}
    targets.update({label: day - offset for label, offset in LOOKBACKS.items()})
    sessions = nyse_sessions(min(targets.values()) - LOOKAHEAD, day)
    lookbacks = []
    for label, target in targets.items():
        position = int(sessions.searchsorted(target, side="right")) - 1
        session = pd.Timestamp(sessions[position])
        value = float(score.get(session, float("nan")))
        lookbacks.append(Lookback(label, session, value, band(value)))
    return tuple(lookbacks)
