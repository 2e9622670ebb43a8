"""Price levels where the market could find support or resistance (SPEC section 5).

All levels are computed from the closes on or before the as-of date ``t`` (``P = close(t)``);
every level knows its name, kind, value and distance = value / P − 1.

- **Daily averages** (kind ``moving_average``): SMA_n = mean of the last n closes, n = 50, 200.
- **Weekly averages** (kind ``moving_average``): the weekly close is the last close of each
  calendar week (Monday–Friday; the as-of week counts with its latest close, as a weekly chart
  shows it); WMA_n = mean of the last n weekly closes, n = 13, 26.
- **Fibonacci retracement** (kind ``fibonacci``) of the swing from A to B: level_r = B + r × (A − B)
  for r in 23.6, 38.2, 50, 61.8, 78.6 %. By default A and B are the highest and the lowest close
  of the last 126 trading days, in the order they happened (an up swing low → high gives
  levels below the high, a down swing high → low levels above the low). The user may anchor A and
  B by date (the close of that day) or by price.
- **Drawdown retracement** (kind ``drawdown``): H = highest close of the last 252 trading days
  (one year), L = lowest close after H; level_r = L + r × (H − L) for r in 38.2, 50, 61.8 %.
- **Trading channel** (kind ``channel``): least-squares line y = a + b·x through y = ln(close)
  over the last 126 trading days (x = 0 … n−1), s = standard deviation of the residuals
  (population, ddof = 0); mid = exp(a + b·x), upper/lower = exp(a + b·x ± 2s). The lower edge is
  an exit level.

Chart bars (what the Levels chart draws; the levels themselves use closes only):

- **OHLC bars** (:func:`ohlc_bars`): the series' open, high, low, close (and volume when the source
  has it); a day missing any of the four prices is left out. A source with closes only has no bars
  (the chart falls back to the close as a line and says why).
- **Weekly bars** (:func:`weekly_ohlc`): per calendar week (Monday–Sunday, as the weekly closes):
  open = first open, high = max high, low = min low, close = last close, volume = sum of volumes;
  indexed by the week's last trading day (a holiday week simply has fewer days).
- **Daily or weekly** (:func:`window_bars`): daily bars for a chart window of up to
  ``DAILY_BARS_MAX_MONTHS`` = 24 months, weekly bars beyond (thousands of daily candles are
  unreadable and slow). The close line follows the same rule with :func:`weekly_closes`.
- **Swing from a chart selection** (:func:`swing_in_selection`): of the bars dated inside the
  selection (both ends included; the selection's price range is ignored), the highest high and the
  lowest low (first occurrence of each), in the order they happened.

A series too short for a window gets a note ("not enough history for the 200-day average: needs
200 closes, found 150") instead of that level, never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analytics.errors import BadData, InvalidSetting, NotEnoughData

FIBONACCI_RATIOS = (0.236, 0.382, 0.5, 0.618, 0.786)
DRAWDOWN_RATIOS = (0.382, 0.5, 0.618)


@dataclass(frozen=True)
class LevelSettings:
    """Windows and ratios of the price levels (SPEC defaults)."""

    daily_averages: tuple[int, ...] = (50, 200)
    weekly_averages: tuple[int, ...] = (13, 26)
    swing_days: int = 126
    fibonacci_ratios: tuple[float, ...] = FIBONACCI_RATIOS
    drawdown_days: int = 252
    drawdown_ratios: tuple[float, ...] = DRAWDOWN_RATIOS
    channel_days: int = 126
    channel_width: float = 2.0

    def __post_init__(self) -> None:
        windows = {
            "daily average": (self.daily_averages, 1),
            "weekly average": (self.weekly_averages, 1),
            "swing": ((self.swing_days,), 2),
            "drawdown": ((self.drawdown_days,), 2),
            "channel": ((self.channel_days,), 3),
        }
        for what, (values, smallest) in windows.items():
            for value in values:
                if isinstance(value, bool) or not isinstance(value, int) or value < smallest:
                    raise InvalidSetting(
                        f"the {what} window must be a whole number ≥ {smallest}, got {value!r}"
                    )
        for what, ratios in (
            ("Fibonacci", self.fibonacci_ratios),
            ("drawdown", self.drawdown_ratios),
        ):
            for ratio in ratios:
                if not 0 < ratio < 1:
                    raise InvalidSetting(f"{what} ratios lie between 0 and 1, got {ratio!r}")
        if not self.channel_width > 0:
            raise InvalidSetting(f"the channel width must be positive, got {self.channel_width!r}")


@dataclass(frozen=True)
class Level:
    """One level: ``distance`` = value / price − 1 (−0.05 = 5 % below the price)."""

    name: str
    kind: str
    value: float
    distance: float


@dataclass(frozen=True)
class Anchor:
    """One end of a user-anchored swing: a date (its close is used) or a price (or both:
    the price at that date)."""

    date: pd.Timestamp | None = None
    price: float | None = None


@dataclass(frozen=True)
class Swing:
    """A move from ``start`` to ``end`` (dates may be ``None`` for price-only anchors)."""

    start_date: pd.Timestamp | None
    start_price: float
    end_date: pd.Timestamp | None
    end_price: float
    anchored: bool = False

    @property
    def direction(self) -> str:
        return "up" if self.end_price >= self.start_price else "down"


@dataclass(frozen=True)
class LevelSet:
    """Levels on the as-of date plus what is needed to draw them.

    ``averages``: daily index, one column per average ("50-day average", …), daily and weekly
    (weekly ones are stepped onto the trading days of their week). ``channel``: the channel
    window's dates, columns ``mid``, ``upper``, ``lower``. ``notes``: what could not be computed
    and why.
    """

    as_of: pd.Timestamp
    price: float
    levels: tuple[Level, ...]
    averages: pd.DataFrame
    channel: pd.DataFrame
    swing: Swing | None
    drawdown: Swing | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def supports(self) -> list[Level]:
        """Levels below the price, nearest first."""
        return sorted((lv for lv in self.levels if lv.value < self.price), key=lambda lv: -lv.value)

    def resistances(self) -> list[Level]:
        """Levels above the price, nearest first."""
        return sorted((lv for lv in self.levels if lv.value > self.price), key=lambda lv: lv.value)

    def to_frame(self) -> pd.DataFrame:
        """One row per level (columns name, kind, value, distance), highest value first."""
        table = pd.DataFrame(
            [(lv.name, lv.kind, lv.value, lv.distance) for lv in self.levels],
            columns=["name", "kind", "value", "distance"],
        )
        return table.sort_values("value", ascending=False, ignore_index=True)


def percent_label(ratio: float) -> str:
    """0.618 -> ``"61.8 %"``, 0.5 -> ``"50 %"``."""
    return f"{ratio * 100:.1f}".rstrip("0").rstrip(".") + " %"


def clean_closes(close: pd.Series, as_of: Any = None) -> pd.Series:
    """Float closes on or before ``as_of``, NaN dropped, sorted; ``ValueError`` for a
    non-date index or non-positive prices."""
    if not isinstance(close.index, pd.DatetimeIndex):
        raise BadData("the close series needs a DatetimeIndex")
    series = close.astype("float64").dropna().sort_index()
    if as_of is not None:
        series = series.loc[: pd.Timestamp(as_of)]
    bad = series[series <= 0]
    if not bad.empty:
        raise BadData(
            f"closes must be positive; found {bad.iloc[0]:g} on {bad.index[0].date().isoformat()}"
        )
    return series


def weekly_closes(close: pd.Series) -> pd.Series:
    """Last close of each calendar week, indexed by that close's date."""
    weeks = pd.DatetimeIndex(close.index).to_period("W-SUN")
    last_dates = close.index.to_series().groupby(weeks).max()
    return close.loc[pd.DatetimeIndex(last_dates.to_numpy())]


def _level(name: str, kind: str, value: float, price: float) -> Level:
    return Level(name=name, kind=kind, value=float(value), distance=float(value) / price - 1.0)


def _not_enough(what: str, needed: int, found: int, unit: str = "closes") -> str:
    return f"not enough history for the {what}: needs {needed} {unit}, found {found}"


def _averages(
    close: pd.Series, price: float, settings: LevelSettings
) -> tuple[list[Level], pd.DataFrame, list[str]]:
    levels: list[Level] = []
    notes: list[str] = []
    drawn = pd.DataFrame(index=close.index)
    for days in settings.daily_averages:
        name = f"{days}-day average"
        sma = close.rolling(days, min_periods=days).mean()
        drawn[name] = sma
        if len(close) < days:
            notes.append(_not_enough(name, days, len(close)))
        else:
            levels.append(_level(name, "moving_average", sma.iloc[-1], price))
    weekly = weekly_closes(close)
    week_of_day = pd.DatetimeIndex(close.index).to_period("W-SUN")
    for weeks in settings.weekly_averages:
        name = f"{weeks}-week average"
        wma = weekly.rolling(weeks, min_periods=weeks).mean()
        drawn[name] = (
            pd.Series(wma.to_numpy(), index=pd.DatetimeIndex(weekly.index).to_period("W-SUN"))
            .reindex(week_of_day)
            .to_numpy()
        )
        if len(weekly) < weeks:
            notes.append(_not_enough(name, weeks, len(weekly), "weekly closes"))
        else:
            levels.append(_level(name, "moving_average", wma.iloc[-1], price))
    return levels, drawn, notes


def _close_on(close: pd.Series, date: pd.Timestamp) -> tuple[pd.Timestamp, float]:
    """The close on ``date`` or, if that was not a trading day, on the last day before it."""
    before = close.loc[:date]
    if before.empty:
        raise InvalidSetting(
            f"anchor date {date.date().isoformat()} is before the first close "
            f"({close.index[0].date().isoformat()})"
        )
    return before.index[-1], float(before.iloc[-1])


def resolve_anchor(close: pd.Series, anchor: Anchor) -> tuple[pd.Timestamp | None, float]:
    """(date, price) of an anchor; the price wins when both are given."""
    if anchor.date is None and anchor.price is None:
        raise InvalidSetting("an anchor needs a date or a price")
    date = None if anchor.date is None else pd.Timestamp(anchor.date)
    if date is not None and date > close.index[-1]:
        raise InvalidSetting(
            f"anchor date {date.date().isoformat()} is after the as-of date "
            f"{close.index[-1].date().isoformat()}"
        )
    if anchor.price is not None:
        price = float(anchor.price)
        if not math.isfinite(price) or price <= 0:
            raise InvalidSetting(f"anchor price must be a positive number, got {anchor.price!r}")
        return date, price
    assert date is not None
    return _close_on(close, date)


def first_date_of_max(values: pd.Series) -> pd.Timestamp:
    """The date of the first occurrence of the largest value (``idxmax`` as a Timestamp)."""
    return pd.Timestamp(pd.DatetimeIndex(values.index)[int(np.argmax(values.to_numpy()))])


def auto_swing(close: pd.Series, days: int) -> Swing | None:
    """Highest and lowest close of the last ``days`` closes, in the order they happened
    (the first occurrence of each); ``None`` when they are equal (no move)."""
    window = close.iloc[-days:]
    high_date, low_date = first_date_of_max(window), first_date_of_max(-window)
    high, low = float(window.loc[high_date]), float(window.loc[low_date])
    if high == low:
        return None
    if low_date < high_date:
        return Swing(low_date, low, high_date, high)
    return Swing(high_date, high, low_date, low)


def fibonacci_levels(swing: Swing, ratios: Sequence[float], price: float) -> list[Level]:
    """level_r = end + r × (start − end): the retracement of the move back towards its start."""
    return [
        _level(
            f"Fibonacci {percent_label(r)}",
            "fibonacci",
            swing.end_price + r * (swing.start_price - swing.end_price),
            price,
        )
        for r in ratios
    ]


def drawdown_swing(close: pd.Series, days: int) -> Swing | None:
    """Highest close H of the last ``days`` closes and the lowest close L after it; ``None``
    when H is the latest close (no decline yet)."""
    window = close.iloc[-days:]
    high_date = first_date_of_max(window)
    after = window.loc[high_date:].iloc[1:]
    if after.empty:
        return None
    low_date = first_date_of_max(-after)
    high, low = float(window.loc[high_date]), float(after.loc[low_date])
    if low >= high:
        return None
    return Swing(high_date, high, low_date, low)


def trading_channel(close: pd.Series, days: int, width: float) -> pd.DataFrame:
    """Least-squares channel through ln(close) of the last ``days`` closes (module docstring)."""
    window = close.iloc[-days:]
    x = np.arange(len(window), dtype="float64")
    y = np.log(window.to_numpy())
    slope, intercept = np.polyfit(x, y, 1)
    fitted = intercept + slope * x
    spread = float(np.std(y - fitted))
    return pd.DataFrame(
        {
            "mid": np.exp(fitted),
            "upper": np.exp(fitted + width * spread),
            "lower": np.exp(fitted - width * spread),
        },
        index=window.index,
    )


def price_levels(
    close: pd.Series,
    as_of: Any = None,
    settings: LevelSettings | None = None,
    anchors: tuple[Anchor, Anchor] | None = None,
) -> LevelSet:
    """All levels of ``close`` (the quoted close) on ``as_of`` (default: the last close).

    ``anchors`` = (start, end) of a user-set Fibonacci swing; without it the swing is detected
    from the last ``settings.swing_days`` closes. Raises ``ValueError`` only when there is no
    close at all on or before ``as_of``, a close is not positive, or an anchor is invalid;
    a window the history is too short for becomes a note.
    """
    settings = settings or LevelSettings()
    series = clean_closes(close, as_of)
    if series.empty:
        when = "" if as_of is None else f" on or before {pd.Timestamp(as_of).date().isoformat()}"
        raise NotEnoughData(f"no close{when}: the series has no data to compute levels from")
    price = float(series.iloc[-1])
    levels, averages, notes = _averages(series, price, settings)

    swing: Swing | None = None
    if anchors is not None:
        (start_date, start_price), (end_date, end_price) = (
            resolve_anchor(series, anchors[0]),
            resolve_anchor(series, anchors[1]),
        )
        if start_price == end_price:
            raise InvalidSetting(
                "the two anchors have the same price: there is no swing to retrace"
            )
        if start_date is not None and end_date is not None and end_date < start_date:
            raise InvalidSetting("the swing's end anchor is dated before its start anchor")
        swing = Swing(start_date, start_price, end_date, end_price, anchored=True)
    elif len(series) < settings.swing_days:
        notes.append(_not_enough("Fibonacci swing", settings.swing_days, len(series)))
    else:
        swing = auto_swing(series, settings.swing_days)
        if swing is None:
            notes.append("no Fibonacci levels: the closes did not move over the swing window")
    if swing is not None:
        levels.extend(fibonacci_levels(swing, settings.fibonacci_ratios, price))

    drawdown: Swing | None = None
    if len(series) < settings.drawdown_days:
        notes.append(_not_enough("drawdown retracement", settings.drawdown_days, len(series)))
    else:
        drawdown = drawdown_swing(series, settings.drawdown_days)
        if drawdown is None:
            notes.append("no drawdown retracement: the latest close is the one-year high")
        else:
            for r in settings.drawdown_ratios:
                value = drawdown.end_price + r * (drawdown.start_price - drawdown.end_price)
                name = f"Drawdown {percent_label(r)} retracement"
                levels.append(_level(name, "drawdown", value, price))

    channel = pd.DataFrame(columns=["mid", "upper", "lower"], dtype="float64")
    if len(series) < settings.channel_days:
        notes.append(_not_enough("trading channel", settings.channel_days, len(series)))
    else:
        channel = trading_channel(series, settings.channel_days, settings.channel_width)
        last = channel.iloc[-1]
        levels.append(_level("Channel upper edge", "channel", last["upper"], price))
        levels.append(_level("Channel middle", "channel", last["mid"], price))
        levels.append(_level("Channel lower edge", "channel", last["lower"], price))

    return LevelSet(
        as_of=series.index[-1],
        price=price,
        levels=tuple(levels),
        averages=averages,
        channel=channel,
        swing=swing,
        drawdown=drawdown,
        notes=tuple(notes),
    )


def price_for_levels(frame: pd.DataFrame) -> tuple[pd.Series, str]:
    """The close to draw levels on, and which price it is.

    Levels use the quoted close (SPEC section 1); a frame whose close is already dividend-adjusted
    (``attrs["adjusted"]``) has no quoted close, so its adjusted close is used and said so.
    """
    if "close" not in frame.columns:
        raise BadData("the series has no close column to compute price levels from")
    if frame.attrs.get("adjusted"):
        return frame["close"], "dividend-adjusted close (the source has no quoted close)"
    return frame["close"], "quoted close"


OHLC_COLUMNS = ("open", "high", "low", "close")
DAILY_BARS_MAX_MONTHS = 24


def ohlc_bars(frame: pd.DataFrame) -> tuple[pd.DataFrame | None, str]:
    """The frame's OHLC bars (columns open, high, low, close, and volume when the source has it),
    or ``None`` and the reason in words when the source has no open, high and low prices.

    Days missing any of the four prices are left out; volume is kept only when the source has a
    volume column with at least one positive value.
    """
    missing = [column for column in OHLC_COLUMNS if column not in frame.columns]
    if missing:
        return None, "the source has only closes for this series, no open, high and low prices"
    bars = frame.loc[:, list(OHLC_COLUMNS)].astype("float64").dropna().sort_index()
    if bars.empty:
        return None, "the source has no day with open, high, low and close prices"
    if "volume" in frame.columns:
        volume = frame["volume"].astype("float64").reindex(bars.index)
        if bool((volume > 0).any()):
            bars["volume"] = volume.fillna(0.0)
    return bars, ""


def weekly_ohlc(bars: pd.DataFrame) -> pd.DataFrame:
    """Weekly bars of daily ``bars`` (module docstring): first open, max high, min low, last
    close, summed volume per Monday–Sunday week, indexed by the week's last trading day."""
    if bars.empty:
        return bars.copy()
    dates = pd.DatetimeIndex(bars.index)
    weeks = dates.to_period("W-SUN")
    grouped = bars.groupby(weeks)
    weekly = pd.DataFrame(
        {
            "open": grouped["open"].first(),
            "high": grouped["high"].max(),
            "low": grouped["low"].min(),
            "close": grouped["close"].last(),
        }
    )
    if "volume" in bars.columns:
        weekly["volume"] = grouped["volume"].sum()
    last_days = dates.to_series(index=dates).groupby(weeks).max()
    weekly.index = pd.DatetimeIndex(last_days.reindex(weekly.index).to_numpy())
    return weekly


def window_bars(
    bars: pd.DataFrame, start: pd.Timestamp, months: int | None
) -> tuple[pd.DataFrame, str]:
    """The bars a chart window shows and their frequency (``"daily"`` or ``"weekly"``).

    ``months`` is the window's length (``None``: the whole history). Up to
    ``DAILY_BARS_MAX_MONTHS`` months: the daily bars dated on or after ``start``. Beyond:
    weekly bars of the whole history whose week ends on or after ``start`` (the first week is
    whole, never cut at ``start``).
    """
    if months is not None and months <= DAILY_BARS_MAX_MONTHS:
        return bars.loc[pd.Timestamp(start) :], "daily"
    weekly = weekly_ohlc(bars)
    return weekly.loc[pd.Timestamp(start) :], "weekly"


def swing_in_selection(bars: pd.DataFrame, first: Any, last: Any) -> Swing:
    """The swing a chart selection picks (module docstring): of the bars dated from ``first``
    to ``last`` (both included, in either order), the highest ``high`` and the lowest ``low``, in
    the order they happened. Raises ``InvalidSetting`` when the selection holds no bar, or its
    high and low fall on the same bar (the order of the move is then unknown)."""
    start, end = sorted((pd.Timestamp(first), pd.Timestamp(last)))
    inside = bars.sort_index().loc[start:end]
    if inside.empty:
        raise InvalidSetting(
            f"the selection from {start.date().isoformat()} to {end.date().isoformat()} "
            "holds no price bars; select a stretch of the chart with prices"
        )
    high_date, low_date = first_date_of_max(inside["high"]), first_date_of_max(-inside["low"])
    high, low = float(inside["high"].loc[high_date]), float(inside["low"].loc[low_date])
    if high_date == low_date:
        raise InvalidSetting(
            f"the highest and the lowest price of the selection are on the same bar "
            f"({high_date.date().isoformat()}); select a wider stretch of the chart"
        )
    if low_date < high_date:
        return Swing(low_date, low, high_date, high, anchored=True)
    return Swing(high_date, high, low_date, low, anchored=True)
