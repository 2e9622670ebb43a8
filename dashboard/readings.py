"""What an indicator chart may draw of a reading (no Streamlit).

Rule: a reading is drawn only for the weeks its input was available to the model
(``Indicator.available``); in the other weeks it is NaN, which Plotly leaves as a gap. A series
that stopped (the TED spread after 2022) or a monthly input past its staleness limit is then
not drawn flat up to today as if it were current.
"""

from __future__ import annotations

from typing import Protocol

import pandas as pd


class HasReading(Protocol):
    @property
    def reading(self) -> pd.Series: ...

    @property
    def available(self) -> pd.Series: ...


def drawn_reading(indicator: HasReading, as_of: pd.Timestamp) -> pd.Series:
    """``reading`` up to ``as_of``, NaN where ``available`` is not True, leading and trailing
    NaN trimmed only at the start (a gap at the end shows the input has gone stale)."""
    reading = indicator.reading.loc[:as_of]
    available = indicator.available.reindex(reading.index).fillna(False).astype(bool)
    shown = reading.where(available)
    first = shown.first_valid_index()
    return shown.loc[first:] if first is not None else shown.iloc[0:0]
