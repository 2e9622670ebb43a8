"""The default-settings model, computed once per store generation and stored beside the data.

A refresh (the CLI's, the app's background refresher, the scheduled job) calls
:func:`precompute` after it commits; an app replica's first view then loads the result with
:func:`load_precomputed` instead of computing 21 indicators over the whole history. Only the
default settings are stored (``ModelSettings()`` and ``BacktestSettings(end=<latest decision
date>)``); any other setting computes on demand. No Streamlit here.

Artifact ``ARTIFACT_NAME`` of a generation, bytes::

    {"format": 2, "code": "<code version>", "generation": <g>, "end": "<YYYY-MM-DD>"}\\n
    <pickle of {"model": ModelResult, "backtests": {id: BacktestResult}, "snapshot": Snapshot,
                "gauge": DailyGauge | None}>

The first line is read before anything is unpickled; an artifact whose format, code version or
generation differs from the running app's is ignored (the caller computes instead). The code
version is a SHA-256 over the source of ``analytics/`` (and its bundled data) and this module,
so any change to the model's code makes older artifacts stale. Artifacts are unpickled, so they
are exactly as trusted as the store that holds them (the same writer wrote the data).
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from analytics.backtest import BacktestResult, BacktestSettings, backtest_model
from analytics.errors import AnalyticsError, NotEnoughData
from analytics.gauge import DailyGauge, daily_gauge_detail
from analytics.model import ModelResult, ModelSettings, Snapshot, evaluate

ARTIFACT_NAME = "model-default.pickle"
FORMAT_VERSION = 2  # 2: the daily sentiment gauge added
_ROOT = Path(__file__).resolve().parents[1]


class ArtifactStore(Protocol):
    """The part of the store contract precompute needs."""

    @property
    def generation(self) -> int | None: ...

    def load_many(self) -> dict[str, pd.DataFrame]: ...

    def read_artifact(self, name: str, generation: int | None = None) -> bytes | None: ...

    def write_artifact(self, name: str, data: bytes, generation: int) -> None: ...


@dataclass(frozen=True)
class Precomputed:
    """What a precompute stores: the default model, its backtests to ``end``, the snapshot, and
    the daily sentiment gauge under the default publication rules (None when it cannot be
    computed: the Overview then says why, computing it itself)."""

    model: ModelResult
    backtests: dict[str, BacktestResult]
    snapshot: Snapshot
    end: pd.Timestamp
    generation: int
    gauge: DailyGauge | None = None


@cache
def code_version() -> str:
    """SHA-256 (first 16 hex digits) of the model's code: ``analytics/**`` and this file."""
    digest = hashlib.sha256()
    files = sorted((_ROOT / "analytics").rglob("*.py")) + sorted(
        (_ROOT / "analytics" / "data").glob("*.csv")
    )
    for path in [*files, Path(__file__).resolve()]:
        digest.update(path.relative_to(_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_gauge(series: dict[str, pd.DataFrame]) -> DailyGauge | None:
    """The daily sentiment gauge under the default publication rules, or None when the data
    cannot make one (the Overview computes it then, and says why)."""
    try:
        return daily_gauge_detail(series, ModelSettings())
    except AnalyticsError:
        return None


def compute_default(
    series: dict[str, pd.DataFrame],
) -> tuple[ModelResult, dict[str, BacktestResult], Snapshot]:
    """The default model, its backtests to the latest decision date, and the latest snapshot.

    Raises ``NotEnoughData`` when the series hold no prices to decide on (as :func:`evaluate`
    does) or no complete week yet.
    """
    model = evaluate(series, ModelSettings())
    if len(model.calendar) == 0:
        raise NotEnoughData("the data holds no complete week of prices")
    end = model.calendar.index[-1]
    try:
        backtests = backtest_model(model, series, BacktestSettings(end=end))
    except NotEnoughData:  # no SPY prices for the simulation: the model alone is still worth it
        backtests = {}
    return model, backtests, model.snapshot()


def encode(result: Precomputed) -> bytes:
    """Header line + pickle (see the module docstring)."""
    header = {
        "format": FORMAT_VERSION,
        "code": code_version(),
        "generation": result.generation,
        "end": f"{result.end:%Y-%m-%d}",
    }
    body = {
        "model": result.model,
        "backtests": result.backtests,
        "snapshot": result.snapshot,
        "gauge": result.gauge,
    }
    return json.dumps(header).encode() + b"\n" + pickle.dumps(body, pickle.HIGHEST_PROTOCOL)


def decode(data: bytes, generation: int | None) -> Precomputed | None:
    """The artifact's content, or None when it is damaged or not for this code and generation."""
    line, _, body = data.partition(b"\n")
    try:
        header = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(header, dict):
        return None
    current = (FORMAT_VERSION, code_version(), generation)
    if (header.get("format"), header.get("code"), header.get("generation")) != current:
        return None
    try:
        content: dict[str, Any] = pickle.loads(body)
        return Precomputed(
            model=content["model"],
            backtests=content["backtests"],
            snapshot=content["snapshot"],
            end=pd.Timestamp(header["end"]),
            generation=int(header["generation"]),
            gauge=content["gauge"],
        )
    except Exception:  # a truncated or foreign pickle: compute instead
        return None


def precompute(target: ArtifactStore) -> None:
    """Compute the default model for the store's current generation and store it as an artifact.

    Does nothing for an empty store or when the data holds no complete week of prices; skips
    the write when the generation moved while it computed (the next refresh precomputes that
    one).
    """
    generation = target.generation
    if generation is None:
        return
    series = target.load_many()
    try:
        model, backtests, snapshot = compute_default(series)
    except NotEnoughData:
        return
    gauge = default_gauge(series)
    if target.generation != generation:
        return
    result = Precomputed(model, backtests, snapshot, model.calendar.index[-1], generation, gauge)
    target.write_artifact(ARTIFACT_NAME, encode(result), generation)


def read_precomputed(target: ArtifactStore) -> Precomputed | None:
    """Everything precomputed for the store's current generation, or None (compute instead)."""
    generation = target.generation
    if generation is None:
        return None
    data = target.read_artifact(ARTIFACT_NAME, generation)
    return None if data is None else decode(data, generation)


def load_precomputed(store: ArtifactStore) -> tuple[ModelResult, dict[str, BacktestResult]] | None:
    """The default model and its backtests (to its latest decision date) for the store's current
    generation, or None when there is no usable artifact."""
    found = read_precomputed(store)
    return None if found is None else (found.model, found.backtests)
