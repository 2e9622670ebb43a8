"""The precomputed default model: a round trip equals a fresh evaluate, stale or foreign
artifacts are ignored, and the app's default view loads it instead of computing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.backtest import BacktestSettings, backtest_model
from analytics.gauge import daily_gauge_detail
from analytics.model import ModelSettings, evaluate
from dashboard import precompute as pre
from data_sources.folder import FolderSource
from data_sources.store import Store
from tests.dashboard.doubles import NetworkGuard

ROOT = Path(__file__).parents[2]
APP = str(ROOT / "dashboard" / "app.py")
FIXTURE = ROOT / "tests" / "fixtures" / "app"
AAII = ROOT / "tests" / "fixtures" / "data_sources" / "aaii_sentiment.csv"


@pytest.fixture()
def store(tmp_path) -> Store:
    chosen = Store(tmp_path / "store", providers={})
    chosen.import_folder(FIXTURE)
    return chosen


def test_round_trip_equals_a_fresh_evaluate(store) -> None:
    pre.precompute(store)
    loaded = pre.load_precomputed(store)
    assert loaded is not None
    model, backtests = loaded
    series = FolderSource(FIXTURE).load_many()
    fresh = evaluate(series, ModelSettings())
    pd.testing.assert_series_equal(model.composite, fresh.composite)
    pd.testing.assert_series_equal(model.invested, fresh.invested)
    pd.testing.assert_frame_equal(model.scores(), fresh.scores())
    pd.testing.assert_frame_equal(model.calendar, fresh.calendar)
    end = fresh.calendar.index[-1]
    assert end == pd.Timestamp("2024-06-28")
    expected = backtest_model(fresh, series, BacktestSettings(end=end))
    assert sorted(backtests) == sorted(expected)
    pd.testing.assert_series_equal(backtests["composite"].equity, expected["composite"].equity)
    assert backtests["composite"].stats == expected["composite"].stats
    snapshot = pre.read_precomputed(store).snapshot
    assert snapshot == fresh.snapshot()
    gauge = pre.read_precomputed(store).gauge
    expected_gauge = daily_gauge_detail(series, ModelSettings())
    pd.testing.assert_frame_equal(gauge.scores, expected_gauge.scores)
    assert repr(gauge.on()) == repr(expected_gauge.on())  # NaN scores: equal reprs, not ==


def test_an_artifact_of_other_code_is_ignored(store, monkeypatch) -> None:
    monkeypatch.setattr(pre, "code_version", lambda: "0123456789abcdef")
    pre.precompute(store)
    assert pre.load_precomputed(store) is not None
    monkeypatch.undo()
    assert pre.code_version() != "0123456789abcdef"
    assert store.read_artifact(pre.ARTIFACT_NAME) is not None
    assert pre.load_precomputed(store) is None


def test_other_format_generation_or_damage_is_ignored(store) -> None:
    pre.precompute(store)
    good = store.read_artifact(pre.ARTIFACT_NAME)
    generation = store.generation
    header, _, body = good.partition(b"\n")
    current_format = f'"format": {pre.FORMAT_VERSION}'.encode()
    later_format = f'"format": {pre.FORMAT_VERSION + 1}'.encode()
    assert current_format in header
    cases = {
        "format": header.replace(current_format, later_format) + b"\n" + body,
        "generation": good,  # written for this generation, read as the next one's
        "truncated": good[: len(good) // 2],
        "not json": b"\x80\x04garbage\nmore",
        "json list": b"[1, 2]\n" + body,
        "empty": b"",
    }
    for name, data in cases.items():
        read_as = generation + 1 if name == "generation" else generation
        assert pre.decode(data, read_as) is None, name
    assert pre.decode(good, generation) is not None


def test_the_next_generation_has_no_artifact_until_precomputed(store) -> None:
    pre.precompute(store)
    store.import_file("aaii:sentiment", AAII.read_bytes(), AAII.name)
    assert pre.load_precomputed(store) is None
    pre.precompute(store)
    assert pre.load_precomputed(store) is not None


def test_an_empty_store_is_left_alone(tmp_path) -> None:
    empty = Store(tmp_path / "empty", providers={})
    pre.precompute(empty)
    assert pre.load_precomputed(empty) is None
    assert empty.generation is None
    assert not (tmp_path / "empty").exists() or not any((tmp_path / "empty").rglob("*.pickle"))


def test_code_version_covers_the_analytics_sources() -> None:
    version = pre.code_version()
    assert len(version) == 16 and int(version, 16) >= 0
    assert version == pre.code_version()


# ---- the app loads the artifact ------------------------------------------------------------------


@pytest.fixture()
def app_over(monkeypatch, store):
    """Start the app on ``store`` (a store with artifacts); providers refuse and record."""
    monkeypatch.delenv("INVESTABLE_DATA_DIR", raising=False)
    monkeypatch.setenv("INVESTABLE_STORE", store.location)
    guard = NetworkGuard().install(monkeypatch)
    computed: list[str] = []
    real_evaluate, real_backtest = evaluate, backtest_model

    def counting_evaluate(*args, **kwargs):
        computed.append("evaluate")
        return real_evaluate(*args, **kwargs)

    def counting_backtest(*args, **kwargs):
        computed.append("backtest")
        return real_backtest(*args, **kwargs)

    monkeypatch.setattr("dashboard.state.evaluate", counting_evaluate)
    monkeypatch.setattr("dashboard.state.backtest_model", counting_backtest)
    from dashboard import overview_cache

    real_gauge = overview_cache.daily_gauge_detail

    def counting_gauge(*args, **kwargs):
        computed.append("gauge")
        return real_gauge(*args, **kwargs)

    monkeypatch.setattr(overview_cache, "daily_gauge_detail", counting_gauge)
    overview_cache._daily_gauge.clear()
    overview_cache._sentiment_panel.clear()

    def start(**query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=90)
        for name, value in query.items():
            at.query_params[name] = value
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    yield start, computed
    assert guard.calls == []


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_the_default_view_loads_instead_of_computing(app_over, store) -> None:
    start, computed = app_over
    pre.precompute(store)
    at = start()
    snapshot = pre.read_precomputed(store).snapshot
    assert _metric(at, "Composite") == f"{snapshot.composite:.2f}"
    at.switch_page("views/composite.py").run()
    assert not at.exception
    at.switch_page("views/indicators.py").run()
    assert not at.exception
    assert computed == []
    # another composite threshold (here from a shared link) changes only the decision: it is
    # derived from the precomputed indicators, not evaluated again, and decides as evaluate does
    other = start(threshold="0.45")
    assert other.slider(key="threshold").value == 0.45
    assert computed == []
    golden = evaluate(store.load_many(), ModelSettings(invest_threshold=0.45)).snapshot()
    assert _metric(other, "Composite") == f"{golden.composite:.2f}"
    texts = [m.value for m in other.markdown]
    assert f"### {'INVESTED' if golden.invested else 'CASH'}" in texts
    # another indicator threshold evaluates the indicators on demand
    other.session_state["thresholds"] = {"vix_trend": 10.0}
    other.run()
    assert computed == ["evaluate"]


def test_without_an_artifact_the_app_computes(app_over) -> None:
    start, computed = app_over
    at = start()
    assert "evaluate" in computed and "gauge" in computed
    assert _metric(at, "Composite") == f"{evaluate(store_series()).snapshot().composite:.2f}"


def store_series() -> dict[str, pd.DataFrame]:
    return FolderSource(FIXTURE).load_many()
