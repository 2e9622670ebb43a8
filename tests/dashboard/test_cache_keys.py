"""Cache keys hold only what a result depends on: a new composite threshold recomputes only the
composite's backtest, a changed indicator threshold that indicator's and the composite's, and
each result still equals a fresh computation with the same settings. The pages' imports leave
out the network clients of refreshes and alerts."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st

from analytics.backtest import BacktestSettings, backtest_model
from analytics.catalog import CATALOG
from analytics.model import ModelSettings, evaluate
from dashboard import state
from dashboard.keyed_cache import KeyedCache
from data_sources.folder import FolderSource

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "app"


@pytest.fixture()
def computed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[list[str]]]:
    """The ids of every ``backtest_model`` call the app makes, one list per call."""
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))
    state.forget_data()
    for key in ("threshold", "thresholds"):
        st.session_state.pop(key, None)
    calls: list[list[str]] = []

    def recording(model: Any, series: Any, settings: Any, ids: Any = None) -> Any:
        calls.append(list(ids))
        return backtest_model(model, series, settings, ids=ids)

    monkeypatch.setattr(state, "backtest_model", recording)
    yield calls
    for key in ("threshold", "thresholds"):
        st.session_state.pop(key, None)
    state.forget_data()


def fresh(settings: ModelSettings, end: pd.Timestamp) -> dict[str, Any]:
    series = FolderSource(FIXTURE).load_many()
    return backtest_model(evaluate(series, settings), series, BacktestSettings(end=end))


def test_a_new_threshold_recomputes_only_what_depends_on_it(computed: list[list[str]]) -> None:
    end = state.model().calendar.index[-1]
    first = state.backtests(end)
    assert computed == [["composite", *(spec.id for spec in CATALOG)]]  # one call for all
    assert "vix_trend" in first and len(first) > 3

    st.session_state["threshold"] = 0.5
    second = state.backtests(end)
    assert computed[1] == ["composite"]
    assert all(second[k] is first[k] for k in first if k != "composite")
    golden = fresh(ModelSettings(invest_threshold=0.5), end)["composite"]
    pd.testing.assert_series_equal(second["composite"].equity, golden.equity)
    assert not second["composite"].equity.equals(first["composite"].equity)

    st.session_state["thresholds"] = {"vix_trend": 10.0}
    third = state.backtests(end)
    assert sorted(computed[2]) == ["composite", "vix_trend"]
    assert all(third[k] is first[k] for k in first if k not in ("composite", "vix_trend"))
    golden_vix = fresh(ModelSettings(thresholds={"vix_trend": 10.0}), end)["vix_trend"]
    pd.testing.assert_series_equal(third["vix_trend"].equity, golden_vix.equity)
    assert not third["vix_trend"].equity.equals(first["vix_trend"].equity)

    st.session_state["threshold"] = 0.6
    st.session_state["thresholds"] = {}
    again = state.backtests(end)
    assert len(computed) == 3  # every result was still cached
    assert all(again[k] is first[k] for k in first)
    assert list(again) == list(first)  # composite first, then the catalog's order

    earlier = state.model().calendar.index[-10]
    state.backtests(earlier)
    assert sorted(computed[3]) == sorted(computed[0])  # a new as-of date: every backtest


def test_an_indicator_figure_key_ignores_the_composite_threshold(
    computed: list[list[str]],
) -> None:
    before = state.indicator_settings("put_call")
    st.session_state["threshold"] = 0.5
    assert state.indicator_settings("put_call") == before
    st.session_state["thresholds"] = {"vix_trend": 1.0}
    assert state.indicator_settings("put_call") == before
    st.session_state["thresholds"] = {"put_call": 1.0}
    assert state.indicator_settings("put_call") != before


def test_the_cache_drops_the_least_recently_used() -> None:
    cache: KeyedCache[int] = KeyedCache(2)
    cache.store({"a": 1, "b": 2})
    assert cache.lookup(["a", "z"]) == {"a": 1}  # "a" used: "b" is now the oldest
    cache.store({"c": 3})
    assert cache.lookup(["a", "b", "c"]) == {"a": 1, "c": 3}
    assert len(cache) == 2
    cache.clear()
    assert len(cache) == 0
    with pytest.raises(ValueError, match="at least one"):
        KeyedCache(0)


PAGE_IMPORTS = """
import os, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=120).run()
assert not at.exception, [e.message for e in at.exception]
at.switch_page("views/indicators.py").run()
assert not at.exception, [e.message for e in at.exception]
print(" ".join(sorted(m for m in {names!r} if m in sys.modules)))
"""


def test_overview_and_indicators_import_no_refresh_or_alert_client(tmp_path: Path) -> None:
    names = ["yfinance", "requests", "curl_cffi", "dashboard.alerts.channels", "dashboard.alerts"]
    code = PAGE_IMPORTS.format(app=str(ROOT / "dashboard" / "app.py"), names=names)
    env = {
        **__import__("os").environ,
        "INVESTABLE_DATA_DIR": str(FIXTURE),
        "INVESTABLE_STORE": str(tmp_path / "store"),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1:] in ([], [""])


def test_a_page_backtests_only_the_ids_it_shows(computed: list[list[str]]) -> None:
    end = state.model().calendar.index[-1]
    shown = state.backtests(end, ids=["trend", "fomc_drift", "aaii"])
    assert computed == [["trend", "fomc_drift", "aaii"]]
    assert list(shown) == ["trend", "fomc_drift"]  # the fixture has no AAII survey
    every = state.backtests(end)
    assert "aaii" not in computed[1] and "trend" not in computed[1]
    assert computed[1][0] == "composite" and every["trend"] is shown["trend"]
    with pytest.raises(KeyError, match="unknown backtest 'nope'"):
        state.backtests(end, ids=["nope"])


def _assert_same_model(found: Any, golden: Any) -> None:
    pd.testing.assert_series_equal(found.invested, golden.invested)
    pd.testing.assert_series_equal(found.composite, golden.composite)
    pd.testing.assert_frame_equal(found.categories, golden.categories)
    assert found.settings == golden.settings
    assert found.snapshot() == golden.snapshot()


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.65, 0.9])
def test_a_new_composite_threshold_derives_the_model_without_evaluating_again(
    computed: list[list[str]], monkeypatch: pytest.MonkeyPatch, threshold: float
) -> None:
    default = state.model()
    evaluations: list[ModelSettings] = []
    real = state.evaluate

    def counting(series: Any, settings: Any = None) -> Any:
        evaluations.append(settings)
        return real(series, settings)

    monkeypatch.setattr(state, "evaluate", counting)
    st.session_state["threshold"] = threshold
    derived = state.model()
    assert evaluations == []  # the 21 indicators are not evaluated again
    assert derived.indicators is default.indicators  # shared, not copied
    series = FolderSource(FIXTURE).load_many()
    _assert_same_model(derived, evaluate(series, ModelSettings(invest_threshold=threshold)))
    assert default.settings.invest_threshold == state.DEFAULT_INVEST_THRESHOLD  # base untouched


def test_a_composite_threshold_at_the_composite_stays_cash() -> None:
    """Invested only when the composite is strictly above the threshold (the boundary)."""
    series = FolderSource(FIXTURE).load_many()
    base = evaluate(series, ModelSettings())
    at = float(base.composite.dropna().iloc[-1])
    derived = state.with_invest_threshold(base, at)
    assert not bool(derived.invested.iloc[-1])
    _assert_same_model(derived, evaluate(series, ModelSettings(invest_threshold=at)))
    below = state.with_invest_threshold(base, at - 1e-9)
    assert bool(below.invested.iloc[-1])


@pytest.mark.parametrize("threshold", [-0.01, 1.01])
def test_a_composite_threshold_outside_0_to_1_is_refused_as_evaluate_refuses_it(
    threshold: float,
) -> None:
    from analytics.errors import InvalidSetting

    base = evaluate(FolderSource(FIXTURE).load_many(), ModelSettings())
    with pytest.raises(InvalidSetting, match="between 0 and 1") as derived:
        state.with_invest_threshold(base, threshold)
    with pytest.raises(InvalidSetting) as golden:
        evaluate(FolderSource(FIXTURE).load_many(), ModelSettings(invest_threshold=threshold))
    assert str(derived.value) == str(golden.value)


def test_the_app_reads_parquet_with_the_system_allocator() -> None:
    """pyarrow's default pool kept ~35 MiB of freed read buffers resident (issue #15)."""
    import pyarrow

    assert pyarrow.default_memory_pool().backend_name == "system"
