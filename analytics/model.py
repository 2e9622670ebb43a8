"""The composite model's public names in one place (SPEC sections 1–3).

Types live in :mod:`analytics.spec` (catalog entries, settings) and :mod:`analytics.results`
(results, snapshot); the computation in :mod:`analytics.engine`. This module re-exports them so
callers import one module; nothing below it imports it, so there is no import cycle.
"""

from __future__ import annotations

from analytics.engine import evaluate
from analytics.results import IndicatorResult, IndicatorRow, ModelResult, Snapshot
from analytics.spec import CATEGORIES, Comparison, IndicatorSpec, ModelSettings

__all__ = [
    "CATEGORIES",
    "Comparison",
    "IndicatorResult",
    "IndicatorRow",
    "IndicatorSpec",
    "ModelResult",
    "ModelSettings",
    "Snapshot",
    "evaluate",
]
