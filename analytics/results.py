"""What the model computes: every indicator's weekly history, the composite, and the as-of view.

Results are whole series indexed by decision date; :meth:`ModelResult.snapshot` gives the rows
of one date. The results are shared between sessions by the app's cache: treat them as
read-only (copy a series before changing it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analytics.errors import NotEnoughData
from analytics.spec import CATEGORIES, IndicatorSpec, ModelSettings


@dataclass(frozen=True)
class IndicatorResult:
    """An indicator's full weekly history, indexed by decision date.

    ``reading`` is the (smoothed) value compared with ``threshold``; ``score`` is 1.0/0.0 and NaN
    where the indicator is unavailable; ``reason`` is "" when available; ``last_observation`` is
    the date of the newest input observation usable on that decision date; ``source_key`` is the
    series key actually used.
    """

    spec: IndicatorSpec
    reading: pd.Series
    score: pd.Series
    available: pd.Series
    reason: pd.Series
    last_observation: pd.Series
    threshold: float
    source_key: str | None
    note: str = ""


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator on one decision date (a snapshot row)."""

    id: str
    name: str
    category: str
    reading: float | None
    threshold: float
    score: float | None
    available: bool
    reason: str
    last_observation: pd.Timestamp | None
    rule: str
    unit: str
    attribution: str
    source_key: str | None


@dataclass(frozen=True)
class Snapshot:
    """The model's view on one decision date."""

    as_of: pd.Timestamp
    decision_date: pd.Timestamp
    trade_date: pd.Timestamp | None
    composite: float | None
    invested: bool
    available: int
    total: int
    invest_threshold: float
    categories: dict[str, float | None]
    category_counts: dict[str, tuple[int, int]]
    indicators: tuple[IndicatorRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``python -m dashboard snapshot``."""
        return {
            "as_of": self.as_of,
            "decision_date": self.decision_date,
            "trade_date": self.trade_date,
            "composite": self.composite,
            "invested": self.invested,
            "available": self.available,
            "total": self.total,
            "invest_threshold": self.invest_threshold,
            "categories": self.categories,
            "indicators": [
                {
                    "id": row.id,
                    "name": row.name,
                    "category": row.category,
                    "reading": row.reading,
                    "threshold": row.threshold,
                    "score": row.score,
                    "available": row.available,
                    "reason": row.reason,
                    "last_observation": row.last_observation,
                }
                for row in self.indicators
            ],
        }


def _float_or_none(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def _timestamp_or_none(value: Any) -> pd.Timestamp | None:
    return None if pd.isna(value) else pd.Timestamp(value)


@dataclass(frozen=True)
class ModelResult:
    """Everything the model computes, for every decision date.

    ``calendar``: index ``decision_date`` (last NYSE session of each week the data reaches),
    column ``trade_date`` (the next NYSE session, known in advance from the exchange calendar).
    ``composite`` and ``categories`` are means of the available scores; ``available_count`` is how
    many indicators were available; ``invested`` is ``composite > settings.invest_threshold``.
    """

    calendar: pd.DataFrame
    indicators: dict[str, IndicatorResult]
    composite: pd.Series
    categories: pd.DataFrame
    category_counts: pd.DataFrame
    available_count: pd.Series
    total: int
    invested: pd.Series
    settings: ModelSettings

    def scores(self) -> pd.DataFrame:
        """Decision dates × indicator ids: 1.0, 0.0 or NaN (unavailable)."""
        return pd.DataFrame({key: result.score for key, result in self.indicators.items()})

    def readings(self) -> pd.DataFrame:
        """Decision dates × indicator ids: the readings compared with the thresholds."""
        return pd.DataFrame({key: result.reading for key, result in self.indicators.items()})

    def decision_date(self, as_of: Any = None) -> pd.Timestamp:
        """The last decision date on or before ``as_of`` (default: the latest)."""
        dates = pd.DatetimeIndex(self.calendar.index)
        if len(dates) == 0:
            raise NotEnoughData("the model has no complete week of prices to decide on")
        if as_of is None:
            return pd.Timestamp(dates[-1])
        stamp = pd.Timestamp(as_of)
        position = int(dates.searchsorted(stamp, side="right")) - 1
        if position < 0:
            raise NotEnoughData(
                f"{stamp.date()} is before the first decision date {dates[0].date()}"
            )
        return pd.Timestamp(dates[position])

    def snapshot(self, as_of: Any = None) -> Snapshot:
        """The model's view on the last decision date on or before ``as_of``."""
        date = self.decision_date(as_of)
        trade = self.calendar.at[date, "trade_date"]
        rows = []
        for result in self.indicators.values():
            spec = result.spec
            last = result.last_observation.at[date]
            rows.append(
                IndicatorRow(
                    id=spec.id,
                    name=spec.name,
                    category=spec.category,
                    reading=_float_or_none(result.reading.at[date]),
                    threshold=result.threshold,
                    score=_float_or_none(result.score.at[date]),
                    available=bool(result.available.at[date]),
                    reason=str(result.reason.at[date]),
                    last_observation=_timestamp_or_none(last),
                    rule=spec.rule_for(result.threshold),
                    unit=spec.unit,
                    attribution=spec.attribution,
                    source_key=result.source_key,
                )
            )
        counts = self.category_counts.loc[date, list(CATEGORIES)].to_numpy(dtype=int).tolist()
        return Snapshot(
            as_of=pd.Timestamp(as_of) if as_of is not None else date,
            decision_date=date,
            trade_date=_timestamp_or_none(trade),
            composite=_float_or_none(self.composite.at[date]),
            invested=bool(self.invested.at[date]),
            available=int(self.available_count.at[date]),  # type: ignore[arg-type]
            total=self.total,
            invest_threshold=self.settings.invest_threshold,
            categories={
                name: _float_or_none(self.categories.at[date, name]) for name in CATEGORIES
            },
            category_counts={
                name: (count, self._category_size(name))
                for name, count in zip(CATEGORIES, counts, strict=True)
            },
            indicators=tuple(rows),
        )

    def _category_size(self, category: str) -> int:
        return sum(1 for r in self.indicators.values() if r.spec.category == category)

    def changes(self, start: Any, end: Any) -> pd.DataFrame:
        """Indicators whose score differs between two decision dates (``start`` → ``end``).

        Each date is mapped to the last decision date on or before it. A change from or to
        "unavailable" counts. Columns: ``id``, ``name``, ``category``, ``before``, ``after``,
        ``reading_before``, ``reading_after``.
        """
        first, last = self.decision_date(start), self.decision_date(end)
        rows = []
        for key, result in self.indicators.items():
            before = _float_or_none(result.score.at[first])
            after = _float_or_none(result.score.at[last])
            if before != after:
                rows.append(
                    {
                        "id": key,
                        "name": result.spec.name,
                        "category": result.spec.category,
                        "before": before,
                        "after": after,
                        "reading_before": _float_or_none(result.reading.at[first]),
                        "reading_after": _float_or_none(result.reading.at[last]),
                    }
                )
        columns = ["id", "name", "category", "before", "after", "reading_before", "reading_after"]
        return pd.DataFrame(rows, columns=columns)

    def previous_decision_date(self, date: pd.Timestamp) -> pd.Timestamp | None:
        """The decision date before ``date`` (None for the first)."""
        dates = pd.DatetimeIndex(self.calendar.index)
        position = int(dates.searchsorted(pd.Timestamp(date), side="left"))
        return None if position == 0 else pd.Timestamp(dates[position - 1])

    def signal(self, indicator: str) -> pd.Series:
        """A 0/1 weekly signal (NaN = unavailable) for an indicator id or ``"composite"``."""
        if indicator == "composite":
            signal = self.invested.astype(float)
            return signal.where(self.composite.notna())
        if indicator not in self.indicators:
            known = ", ".join(["composite", *self.indicators])
            raise KeyError(f"unknown indicator {indicator!r}; known: {known}")
        return self.indicators[indicator].score


__all__ = ["IndicatorResult", "IndicatorRow", "ModelResult", "Snapshot"]
