"""The model's state on its latest decision week, as a small JSON document per generation.

An alert compares two of these: the previous generation's and the new one's. A state holds the
decision (``invested`` ⇔ composite > threshold), the composite, the category scores, every
indicator's vote (1 invested, 0 cash, None unavailable), the investable uptrend (any window) and
the bull market (``B_modified``: 20 % above the 155-day low) on the last close on or before the
decision date, the sentiment gauge and its band, and the series whose latest update failed
("stale": the store keeps serving their older data).

Each generation's state is stored as the artifact ``STATE_ARTIFACT`` when alerts run for it; a
generation without one is rebuilt from its precomputed model (``dashboard.precompute``), with the
regimes read from the current prices up to that generation's decision date and ``stale`` unknown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from analytics.gauge import gauge_as_of
from analytics.levels import price_for_levels
from analytics.model import ModelResult
from analytics.regimes import DEFAULT_BULL, bull_market_distance, uptrend_distance

STATE_ARTIFACT = "alerts/state.json"
STATE_FORMAT = 1
INDEX_KEYS = ("yahoo:^GSPC", "yahoo:SPY")


@dataclass(frozen=True)
class ModelState:
    """The model on one decision date (see the module docstring). ``stale`` is None when
    unknown (a state rebuilt without that generation's store status)."""

    generation: int
    as_of: str
    invested: bool
    composite: float | None
    threshold: float
    categories: dict[str, float | None]
    votes: dict[str, float | None]
    names: dict[str, str]
    uptrend: bool | None
    bull_market: bool | None
    gauge: float | None
    gauge_band: str
    stale: tuple[str, ...] | None = None
    total: int = 0
    available: int = 0

    def to_json(self) -> bytes:
        document = {"format": STATE_FORMAT, **asdict(self)}
        document["stale"] = None if self.stale is None else list(self.stale)
        return json.dumps(document, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> ModelState | None:
        """The state in ``data``, or None when it is damaged or of another format."""
        try:
            document = json.loads(data)
            if not isinstance(document, dict) or document.pop("format", None) != STATE_FORMAT:
                return None
            stale = document.get("stale")
            document["stale"] = None if stale is None else tuple(stale)
            return cls(**document)
        except (ValueError, TypeError):
            return None


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 6)


def index_close(series: Mapping[str, pd.DataFrame]) -> pd.Series | None:
    """The S&P 500 close (SPY when the index is absent), as the Overview page reads it."""
    for key in INDEX_KEYS:
        frame = series.get(key)
        if frame is not None and not frame.empty:
            close, _ = price_for_levels(frame)
            return close
    return None


def regimes_on(
    series: Mapping[str, pd.DataFrame], as_of: pd.Timestamp
) -> tuple[bool | None, bool | None]:
    """(investable uptrend in any window, bull market ``B_modified``) on the last close on or
    before ``as_of``; None where the prices cannot say."""
    close = index_close(series)
    if close is None:
        return None, None
    try:
        uptrend = bool(uptrend_distance(close, as_of)["qualifies"].any())
        bull = bool(bull_market_distance(close, as_of).loc[DEFAULT_BULL, "qualifies"])
    except ValueError:
        return None, None
    return uptrend, bull


def model_state(
    model: ModelResult,
    series: Mapping[str, pd.DataFrame],
    generation: int,
    stale: tuple[str, ...] | None,
) -> ModelState:
    """The state of ``model`` on its latest decision date (regimes from ``series``)."""
    snapshot = model.snapshot()
    date = snapshot.decision_date
    gauge = gauge_as_of(model.readings(), date)
    uptrend, bull = regimes_on(series, date)
    return ModelState(
        generation=generation,
        as_of=date.date().isoformat(),
        invested=snapshot.invested,
        composite=_number(snapshot.composite),
        threshold=float(snapshot.invest_threshold),
        categories={name: _number(score) for name, score in snapshot.categories.items()},
        votes={row.id: _number(row.score) for row in snapshot.indicators},
        names={row.id: row.name for row in snapshot.indicators},
        uptrend=uptrend,
        bull_market=bull,
        gauge=_number(gauge.value),
        gauge_band=gauge.band,
        stale=None if stale is None else tuple(sorted(stale)),
        total=snapshot.total,
        available=snapshot.available,
    )
