"""How a fetched or imported frame joins what the store holds: the one home of these rules.

**Price series** (the frame has ``adj_close``): Yahoo rebases the whole dividend-adjusted
history after every dividend (``adj = close × Π(1 − dividend / previous close)`` over the later
dividends) and the quoted close after a split, so old and new rows cannot be spliced. The new
payload **replaces the stored series whole** when it covers the stored range: every stored date
is present in it (hence its first date ≤ the stored first date). Otherwise it is refused
(:class:`PriceHistoryShrunk`) and the stored bytes stay as they are.

**Other series**: stored rows are kept; the last ``REVISION_WINDOW`` stored observations take
the payload's values where it has them (FRED revises recent months); rows after the last stored
date are appended; older stored values are never rewritten or dropped.

Either way a payload lacking a column the store holds is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_sources.errors import BadPayload

REVISION_WINDOW = 3


class PriceHistoryShrunk(BadPayload):
    """A price payload does not cover the stored range, so it cannot replace it."""


@dataclass(frozen=True)
class Merged:
    """The frame to store, rows added (dates not stored before), rows revised (stored dates
    whose values changed), and a note for the report (empty when there is nothing to say)."""

    frame: pd.DataFrame
    added: int
    revised: int
    note: str = ""


def is_price(frame: pd.DataFrame) -> bool:
    return "adj_close" in frame.columns


def changed_rows(old: pd.DataFrame, new: pd.DataFrame) -> int:
    """Rows of ``old`` whose values differ in ``new`` (same dates; NaN equals NaN)."""
    common = old.index.intersection(new.index)
    if not len(common):
        return 0
    a = old.loc[common].to_numpy(dtype="float64")
    b = new.loc[common, list(old.columns)].to_numpy(dtype="float64")
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    return int((~same.all(axis=1)).sum())


def merge(
    key: str, stored: pd.DataFrame | None, fetched: pd.DataFrame, source: str = "the payload"
) -> Merged:
    """Join ``fetched`` to ``stored`` by the rules above; raises :class:`BadPayload`."""
    if stored is None or stored.empty:
        return Merged(fetched, len(fetched), 0)
    missing = [c for c in stored.columns if c not in fetched.columns]
    if missing:
        raise BadPayload(
            f"{key}: {source} lacks column(s) {', '.join(missing)} that the store holds"
        )
    if is_price(stored) or is_price(fetched):
        return _replace_prices(key, stored, fetched, source)
    return _revise_and_append(stored, fetched[stored.columns])


def _replace_prices(key: str, stored: pd.DataFrame, fetched: pd.DataFrame, source: str) -> Merged:
    lost = stored.index.difference(fetched.index)
    if len(lost):
        raise PriceHistoryShrunk(
            f"{key}: {source} lacks {len(lost)} stored date(s) (first {lost[0].date()}; it "
            f"covers {fetched.index[0].date()} to {fetched.index[-1].date()}, the store "
            f"{stored.index[0].date()} to {stored.index[-1].date()}). Adjusted prices cannot be "
            "spliced, so the stored series is kept."
        )
    columns = list(stored.columns) + [c for c in fetched.columns if c not in stored.columns]
    frame = fetched[columns].copy()
    frame.attrs = dict(fetched.attrs)  # "adjusted" (close itself adjusted) is the payload's
    revised = changed_rows(stored, frame)
    note = f"replaced whole ({revised} stored rows rebased)" if revised else ""
    return Merged(frame, len(frame) - len(stored), revised, note)


def _revise_and_append(stored: pd.DataFrame, fetched: pd.DataFrame) -> Merged:
    revisable = stored.index[-REVISION_WINDOW:]
    revised = stored.copy()
    overlap = fetched.index.intersection(revisable)
    revised.loc[overlap] = fetched.loc[overlap].combine_first(stored.loc[overlap])
    newer = fetched[fetched.index > stored.index[-1]]
    frame = pd.concat([revised, newer]) if len(newer) else revised
    frame.attrs = dict(stored.attrs)
    return Merged(frame, len(newer), changed_rows(stored, revised))
