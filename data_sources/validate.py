"""Checks a payload passes before anything is stored (refreshes and uploads alike).

:func:`check_update` runs every rule below; each rule is a small function that raises
:class:`~data_sources.errors.Rejected` (a ``BadPayload``) with a message a user understands.
Per-series facts (bounds, totals, whether a download is the full history) live on the
:class:`~data_sources.catalog.LiveSeries` entries; series outside the catalog get the generic
rules only.

Rules, with their boundaries:

* **Dates in order** (:func:`check_dates`, for parsers on the payload's raw dates): increasing
  or decreasing (NAAIM publishes newest first); a date out of order is rejected. A date
  repeated on consecutive rows is not out of order: its values decide (next rule). Missing
  dates (NaT) are ignored. The message names the first step against the payload's main
  direction (the majority of steps; on a tie, the first step's).
* **One row per date** (:func:`one_row_per_date`, the one home of the duplicate rule, used by
  every parser): a date repeated with values that differ only by rounding (per column, the
  spread ``max - min`` is at most ``DUPLICATE_TOLERANCE`` = 0.005, half a cent, AND at most
  ``DUPLICATE_RELATIVE`` = 0.1 % of the larger magnitude; a missing value agrees with any) is one
  observation, its first known value per column kept; any other repeat is rejected. NAAIM's own
  file repeats 2006-07-05 as 19.444… and 19.44: one row; a 0.50 % spread repeated as 0.505 %
  is two different values.
* **Not empty**: at least one row.
* **Numbers** (:func:`check_numeric`): every column numeric; none infinite; each column with
  bounds has at least one number.
* **No future** (:func:`check_not_future`): the last date may be at most one day after
  ``now`` (``date <= now.normalize() + 1 day``; time zones), so 9999-12-31 is rejected. An
  event calendar (a ``calendar:`` key such as ``calendar:fomc``, or a frame without columns)
  lists scheduled events and is exempt.
* **Physical bounds** (:func:`check_bounds`): every known value of a bounded column lies in its
  :class:`~data_sources.catalog.Bounds`; NaN is a missing value, not a violation.
* **Totals** (:func:`check_total`): where all columns of a :class:`Total` are known,
  ``|sum - total| <= tolerance``.
* **Units** (:func:`check_units`): on the dates both hold (else the last/first
  ``UNIT_WINDOW`` observations), ``median(|fetched|) / median(|stored|)`` must lie in
  ``[1/UNIT_FACTOR, UNIT_FACTOR]`` per shared column (``volume`` excepted); UNRATE 4.3 → 0.043
  (a factor of 100) is rejected, a factor of exactly 20 passes.
* **Not stale** (:func:`check_not_stale`): the payload's last date must not be before the
  stored last date (equal passes).
* **Keeps history** (:func:`check_keeps_history`, full-history sources only): at most
  ``EARLY_ROWS_ALLOWED`` stored rows may lie before the payload's first date, and the payload
  must hold at least ``MIN_COVERAGE`` × the stored row count within the stored date range.
  Price series (a frame with ``adj_close``) are exempt here: they replace the stored series
  whole, and ``data_sources.merge`` refuses one that lacks any stored date (a stricter rule,
  with its own message).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from data_sources.catalog import LIVE_BY_KEY, Bounds, Total
from data_sources.errors import Rejected
from data_sources.merge import is_price

FUTURE_GRACE = pd.Timedelta(days=1)
UNIT_FACTOR = 20.0
UNIT_WINDOW = 20
EARLY_ROWS_ALLOWED = 5
MIN_COVERAGE = 0.9
UNIT_FREE_COLUMNS = ("volume",)
DUPLICATE_TOLERANCE = 0.005
DUPLICATE_RELATIVE = 0.001
EVENT_CALENDAR_PREFIX = "calendar:"


def _day(stamp: pd.Timestamp) -> str:
    return str(pd.Timestamp(stamp).strftime("%Y-%m-%d"))


def check_dates(raw_dates: Iterable[object], *, source: str = "payload") -> None:
    """Raw payload dates, in the payload's order: increasing or decreasing, a date repeated on
    consecutive rows allowed (:func:`one_row_per_date` judges its values); raises
    :class:`Rejected` naming the first date out of order."""
    index = pd.DatetimeIndex(pd.to_datetime(pd.Index(list(raw_dates)), errors="coerce"))
    index = index[~np.asarray(index.isna())]
    if len(index) < 2:
        return
    steps = np.diff(index.asi8)
    if (steps >= 0).all() or (steps <= 0).all():
        return
    ups, downs = int((steps > 0).sum()), int((steps < 0).sum())
    moving = steps[steps != 0]
    ascending = ups > downs if ups != downs else bool(moving[0] > 0)
    wrong = np.flatnonzero(steps < 0 if ascending else steps > 0)[0]
    raise Rejected(
        f"{source}: dates are out of order ({_day(index[wrong + 1])} follows {_day(index[wrong])})"
    )


def one_row_per_date(frame: pd.DataFrame, *, source: str = "payload") -> pd.DataFrame:
    """``frame`` with one row per date, in its order of first appearance.

    Rule: the rows of a repeated date agree when, per column over their known values (a missing
    value agrees with any), ``max - min <= DUPLICATE_TOLERANCE`` and ``max - min <=
    DUPLICATE_RELATIVE * max(|max|, |min|)``; they are then one observation: per column the
    first known value. Rows that disagree raise
    :class:`Rejected` naming the first such date, its values, and how many dates conflict."""
    repeated = frame.index.duplicated(keep=False)
    if not repeated.any():
        return frame
    groups = frame[repeated].groupby(level=0, sort=False)
    high, low = groups.max(), groups.min()
    spread = high - low
    scale = np.maximum(high.abs(), low.abs())
    differs = (spread > DUPLICATE_TOLERANCE + 1e-9) | (spread > DUPLICATE_RELATIVE * scale + 1e-12)
    conflicting = differs.any(axis=1)
    conflicting = conflicting[conflicting]
    if len(conflicting):
        day = conflicting.index[0]
        rows = frame.loc[[day]]
        values = ", ".join(f"{value:g}" for value in rows.iloc[:, 0])
        raise Rejected(
            f"{source}: the date {_day(day)} appears {len(rows)} times with different values "
            f"({values}); {len(conflicting)} date(s) conflict. Keep one row per date"
        )
    attrs = dict(frame.attrs)
    collapsed = frame.groupby(level=0, sort=False, dropna=False).first()
    collapsed.index.name = frame.index.name
    collapsed.attrs = attrs
    return collapsed


def check_not_empty(frame: pd.DataFrame, *, source: str) -> None:
    if len(frame.index) == 0:
        raise Rejected(f"{source}: the payload has no rows")


def check_numeric(frame: pd.DataFrame, *, source: str, required: Iterable[str] = ()) -> None:
    """Every column numeric and finite; every ``required`` column present with a number."""
    for column in frame.columns:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            text = values[pd.to_numeric(values, errors="coerce").isna() & values.notna()]
            example = f" (e.g. {str(text.iloc[0])[:20]!r})" if len(text) else ""
            raise Rejected(f"{source}: column {column!r} is not numeric{example}")
        infinite = np.isinf(values.to_numpy(dtype="float64"))
        if infinite.any():
            at = frame.index[np.flatnonzero(infinite)[0]]
            raise Rejected(f"{source}: column {column!r} is infinite on {_day(at)}")
    for column in required:
        if column not in frame.columns:
            raise Rejected(f"{source}: the column {column!r} is missing")
        if frame[column].notna().sum() == 0:
            raise Rejected(f"{source}: the column {column!r} has no numbers")


def check_not_future(index: pd.DatetimeIndex, now: pd.Timestamp, *, source: str) -> None:
    """The last date is at most ``now.normalize() + 1 day``."""
    if len(index) == 0:
        return
    limit = pd.Timestamp(now).tz_localize(None).normalize() + FUTURE_GRACE
    last = index.max()
    if last > limit:
        raise Rejected(
            f"{source}: the payload has dates in the future (up to {_day(last)}; "
            f"today is {_day(pd.Timestamp(now))})"
        )


def _outside(values: pd.Series, bounds: Bounds) -> pd.Series:
    bad = pd.Series(False, index=values.index)
    if bounds.low is not None:
        bad |= values <= bounds.low if bounds.low_open else values < bounds.low
    if bounds.high is not None:
        bad |= values >= bounds.high if bounds.high_open else values > bounds.high
    return bad & values.notna()


def check_bounds(frame: pd.DataFrame, bounds: Mapping[str, Bounds], *, source: str) -> None:
    """Every known value of a bounded column inside its bounds."""
    for column, limits in bounds.items():
        if column not in frame.columns:
            continue
        bad = _outside(frame[column], limits)
        if bad.any():
            at = frame.index[bad.to_numpy()][0]
            value = frame[column][bad].iloc[0]
            raise Rejected(
                f"{source}: {column} is {value:g} on {_day(at)}, outside its possible range "
                f"({limits.describe()}; {int(bad.sum())} such rows)"
            )


def check_total(frame: pd.DataFrame, total: Total, *, source: str) -> None:
    """Where every column of ``total`` is known, ``|sum - total.total| <= total.tolerance``."""
    columns = [c for c in total.columns if c in frame.columns]
    if len(columns) != len(total.columns):
        return
    known = frame[columns].dropna()
    sums = known.sum(axis=1)
    bad = (sums - total.total).abs() > total.tolerance
    if bad.any():
        at = known.index[bad.to_numpy()][0]
        raise Rejected(
            f"{source}: {' + '.join(columns)} add up to {sums[bad].iloc[0]:g} on {_day(at)}, "
            f"not {total.total:g} (± {total.tolerance:g}; {int(bad.sum())} such rows)"
        )


def _median_abs(values: pd.Series) -> float:
    return float(values.abs().median())


def check_units(
    fetched: pd.DataFrame, stored: pd.DataFrame, *, source: str, factor: float = UNIT_FACTOR
) -> None:
    """``median(|fetched|) / median(|stored|)`` within ``[1/factor, factor]`` per shared column,
    on the dates both hold (else the stored last and fetched first ``UNIT_WINDOW`` rows)."""
    overlap = fetched.index.intersection(stored.index)
    for column in fetched.columns.intersection(stored.columns):
        if column in UNIT_FREE_COLUMNS:
            continue
        if len(overlap):
            new, old = fetched.loc[overlap, column], stored.loc[overlap, column]
        else:
            new = fetched[column].dropna().iloc[:UNIT_WINDOW]
            old = stored[column].dropna().iloc[-UNIT_WINDOW:]
        new_median, old_median = _median_abs(new), _median_abs(old)
        if not (np.isfinite(new_median) and np.isfinite(old_median)):
            continue
        if new_median == 0 or old_median == 0:
            continue
        ratio = new_median / old_median
        if ratio > factor or ratio < 1 / factor:
            size = f"{ratio:.3g} times larger" if ratio > 1 else f"{1 / ratio:.3g} times smaller"
            raise Rejected(
                f"{source}: {column} values are about {size} than the stored ones "
                f"(median {new_median:.4g} against {old_median:.4g}): a change of units?"
            )


def check_not_stale(fetched: pd.DataFrame, stored: pd.DataFrame, *, source: str) -> None:
    """The payload may not end before the stored series does."""
    if len(fetched.index) and len(stored.index) and fetched.index[-1] < stored.index[-1]:
        raise Rejected(
            f"{source}: the payload ends {_day(fetched.index[-1])}, before what is stored "
            f"({_day(stored.index[-1])}): an old copy of the data"
        )


def check_keeps_history(
    fetched: pd.DataFrame,
    stored: pd.DataFrame,
    *,
    source: str,
    early_rows_allowed: int = EARLY_ROWS_ALLOWED,
    min_coverage: float = MIN_COVERAGE,
) -> None:
    """For a full-history download: it starts no more than ``early_rows_allowed`` stored rows
    late, and holds at least ``min_coverage`` × the stored rows within the stored range."""
    if not len(fetched.index) or not len(stored.index):
        return
    earlier = int((stored.index < fetched.index[0]).sum())
    if earlier > early_rows_allowed:
        raise Rejected(
            f"{source}: the payload starts {_day(fetched.index[0])}, but the store holds "
            f"{earlier} earlier rows from {_day(stored.index[0])}: it lost history"
        )
    inside = fetched.index[(fetched.index >= stored.index[0]) & (fetched.index <= stored.index[-1])]
    if len(inside) < min_coverage * len(stored.index):
        raise Rejected(
            f"{source}: the payload has {len(inside)} rows where the store holds "
            f"{len(stored.index)}: it lost history"
        )


def check_update(
    key: str,
    fetched: pd.DataFrame,
    stored: pd.DataFrame | None,
    *,
    now: pd.Timestamp | None = None,
    full_history: bool | None = None,
    source: str | None = None,
) -> None:
    """Every rule above for ``fetched`` (a series frame) against ``stored`` (None: nothing
    stored). ``full_history`` overrides the catalog's (pass False for a partial upload);
    ``source`` names the payload in messages (default: ``key``; an upload passes its file
    name). Raises :class:`Rejected`; returns None when the payload may be stored."""
    live = LIVE_BY_KEY.get(key)
    source = source or key
    bounds = live.bounds_by_column if live else {}
    now = pd.Timestamp.now() if now is None else pd.Timestamp(now)
    check_not_empty(fetched, source=source)
    check_dates(fetched.index, source=source)
    one_row_per_date(fetched, source=source)
    check_numeric(fetched, source=source, required=_required(bounds))
    if not is_event_calendar(key, fetched):
        check_not_future(pd.DatetimeIndex(fetched.index), now, source=source)
    check_bounds(fetched, bounds, source=source)
    if live and live.total:
        check_total(fetched, live.total, source=source)
    if stored is None or stored.empty:
        return
    check_not_stale(fetched, stored, source=source)
    check_units(fetched, stored, source=source)
    if full_history is None:
        full_history = live.full_history if live else False
    if full_history and not (is_price(fetched) or is_price(stored)):
        check_keeps_history(fetched, stored, source=source)


def is_event_calendar(key: str, frame: pd.DataFrame) -> bool:
    """A list of scheduled events (``calendar:fomc``): future dates are its point."""
    return key.startswith(EVENT_CALENDAR_PREFIX) or len(frame.columns) == 0


def _required(bounds: Mapping[str, Bounds]) -> tuple[str, ...]:
    """Columns a series cannot do without: ``close`` for prices, else every bounded column
    other than the optional price fields."""
    if "close" in bounds:
        return ("close",)
    return tuple(bounds)
