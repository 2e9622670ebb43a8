"""The results :mod:`dashboard.state` caches as shared objects (the loaded series, the model, the
backtests and the figures) are one object shared by every session of the process, so no page may
change them. This test records every cached object a page receives, with a deep copy (figures:
their JSON) taken the first time it is seen (for backtests: when computed or taken from the
precomputed artifact, before any page holds them), runs every page under two views, and asserts
that each object still equals its copy afterwards."""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from plotly.graph_objects import Figure
from streamlit.testing.v1 import AppTest

from dashboard import overview_cache, state

ROOT = Path(__file__).parents[2]
APP = str(ROOT / "dashboard" / "app.py")
FIXTURE = ROOT / "tests" / "fixtures" / "app"
PAGES = ["overview", "indicators", "composite", "levels", "regimes", "data"]


def differences(before: Any, after: Any, path: str = "result") -> list[str]:
    """Where ``after`` differs from ``before``: pandas objects exactly (values, index, dtypes,
    names), dataclasses field by field, mappings and sequences item by item, NaN equal to NaN."""
    if isinstance(before, pd.DataFrame | pd.Series):
        try:
            if isinstance(before, pd.DataFrame):
                pd.testing.assert_frame_equal(before, after, check_exact=True)
            else:
                pd.testing.assert_series_equal(before, after, check_exact=True)
        except AssertionError as exc:
            return [f"{path}: {str(exc).splitlines()[0]}"]
        return []
    if dataclasses.is_dataclass(before) and not isinstance(before, type):
        names = [item.name for item in dataclasses.fields(before)]
        names += [  # built on first access (a backtest's curves and trades)
            name
            for name, value in vars(type(before)).items()
            if isinstance(value, functools.cached_property)
        ]
        return [
            found
            for name in names
            for found in differences(getattr(before, name), getattr(after, name), f"{path}.{name}")
        ]
    if isinstance(before, dict):
        if set(before) != set(after):
            return [f"{path}: keys {sorted(before)} became {sorted(after)}"]
        return [
            found for k in before for found in differences(before[k], after[k], f"{path}[{k!r}]")
        ]
    if isinstance(before, list | tuple) and len(before) == len(after):
        return [
            found
            for i, (a, b) in enumerate(zip(before, after, strict=True))
            for found in differences(a, b, f"{path}[{i}]")
        ]
    if isinstance(before, float) and isinstance(after, float) and math.isnan(before):
        return [] if math.isnan(after) else [f"{path}: nan became {after!r}"]
    return [] if before == after else [f"{path}: {before!r} became {after!r}"]


class Recorder:
    """Wraps a cached function of :mod:`dashboard.state`; keeps each distinct object it returned
    with a snapshot taken when the object was first returned (before any page held it)."""

    def __init__(self, cached: Any, snapshot: Callable[[Any], Any]) -> None:
        self.cached = cached
        self.snapshot = snapshot
        self.seen: dict[int, tuple[Any, Any]] = {}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = self.cached(*args, **kwargs)
        if id(result) not in self.seen:
            self.seen[id(result)] = (result, self.snapshot(result))
        return result

    def clear(self) -> None:
        self.cached.clear()

    def changes(self, compare: Callable[[Any, Any], list[str]]) -> list[str]:
        return [found for result, taken in self.seen.values() for found in compare(taken, result)]


def _figure_json(figure: Figure) -> str:
    return str(figure.to_json())


def _figure_changes(taken: str, figure: Figure) -> list[str]:
    return [] if _figure_json(figure) == taken else [f"figure {figure.layout.title.text!r}"]


def _panel_snapshot(panel: Any) -> Any:
    """A panel of the Overview with its figures as JSON (a message ``str`` as it is)."""
    if isinstance(panel, str):
        return panel
    return {
        name: _figure_json(value) if isinstance(value, Figure) else copy.deepcopy(value)
        for name, value in vars(panel).items()
    }


def _panel_changes(taken: Any, panel: Any) -> list[str]:
    return differences(taken, _panel_snapshot(panel), f"panel {type(panel).__name__}")


def test_the_comparison_finds_a_changed_cell_index_or_nan() -> None:
    frame = pd.DataFrame(
        {"a": [1.0, float("nan")]}, index=pd.to_datetime(["2024-01-05", "2024-01-12"])
    )
    assert differences(frame, frame.copy()) == []
    changed = frame.copy()
    changed.iloc[0, 0] = 1.0000001
    assert differences({"k": frame}, {"k": changed}) != []
    filled = frame.fillna(0.0)
    assert differences(frame, filled) != []
    moved = frame.copy()
    moved.index = pd.to_datetime(["2024-01-05", "2024-01-19"])
    assert differences(frame, moved) != []
    assert differences((float("nan"), 1), (float("nan"), 1)) == []
    assert differences((float("nan"),), (0.0,)) == ["result[0]: nan became 0.0"]


@pytest.fixture()
def recorders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, Recorder]]:
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))
    state.forget_data()
    found = {
        "series": Recorder(state._load_all, copy.deepcopy),
        "model": Recorder(state._model, copy.deepcopy),
        "backtests": Recorder(state._compute_backtests, copy.deepcopy),
        "figures": Recorder(state._figure, _figure_json),
    }
    panels = {
        name: Recorder(getattr(overview_cache, name), _panel_snapshot)
        for name in ("_price_panel", "_sentiment_panel", "_sector_panel")
    }
    panels["_daily_gauge"] = Recorder(overview_cache._daily_gauge, copy.deepcopy)
    for name, recorder in panels.items():
        monkeypatch.setattr(overview_cache, name, recorder)
        found[name] = recorder
    monkeypatch.setattr(state, "_load_all", found["series"])
    monkeypatch.setattr(state, "_model", found["model"])
    monkeypatch.setattr(state, "_compute_backtests", found["backtests"])
    monkeypatch.setattr(state, "_figure", found["figures"])
    yield found
    state.forget_data()


def test_no_page_changes_the_shared_model_backtests_or_figures(
    recorders: dict[str, Recorder],
) -> None:
    latest = AppTest.from_file(APP, default_timeout=120)
    earlier = AppTest.from_file(APP, default_timeout=120)
    earlier.query_params["as_of"] = "2024-03-15"
    earlier.query_params["threshold"] = "0.5"
    for at in (latest, earlier):
        at.run()
        for page in PAGES:
            at.switch_page(f"views/{page}.py").run()
            assert not at.exception, (page, [e.message for e in at.exception])
        at.switch_page("views/overview.py").run()  # the first page again, on cached results
    assert len(recorders["model"].seen) == 2  # default and 0.5 threshold
    assert len(recorders["series"].seen) == 1  # one shared set of frames, not a copy per call
    assert recorders["backtests"].seen
    assert recorders["figures"].seen
    changes = recorders["model"].changes(differences) + recorders["backtests"].changes(differences)
    changes += recorders["series"].changes(differences)
    changes += recorders["figures"].changes(_figure_changes)
    for name in ("_price_panel", "_sentiment_panel", "_sector_panel"):
        assert recorders[name].seen, name
        changes += recorders[name].changes(_panel_changes)
    changes += recorders["_daily_gauge"].changes(differences)
    assert changes == []
