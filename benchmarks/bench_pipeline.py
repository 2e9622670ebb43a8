"""Time the model pipeline warm from the store and the Indicators page's reruns (server side).

uv run --extra dev python benchmarks/bench_pipeline.py DATA_DIR

DATA_DIR is a manifest folder (``docs/manifest.md``) or the ``INVESTABLE_SHARED_DATA``
environment variable. It is imported once into a temporary store (no network) and precomputed
as a refresh would.

Pipeline, warm (every cache already filled once, as on a running server):

- ``load``: :func:`dashboard.state._load_all` for the store's generation, a cache hit;
- ``evaluate``: the 21 indicators and the composite over the whole history (a new setting);
- ``backtests, all``: the composite's and every indicator's backtest (``backtest_model``);
- ``backtests, new threshold``: what a new composite threshold recomputes in the app: every
  backtest through :func:`dashboard.state.backtests` with the threshold changed (cache keys
  that hold only what a result depends on recompute only the composite's).

Indicators page reruns, one ``AppTest`` session (the server's share of a rerun; the browser's
drawing is not counted): a new composite threshold, a first switch to a category (its figures
built), a switch back to a category seen before, and a new as-of date.

Prints a table of medians in milliseconds, wall clock and the process's CPU time (every thread;
steadier than the wall clock on a busy machine); no assertion (timings depend on the machine).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7


Timing = tuple[float, float]  # (wall ms, CPU ms of the process, every thread)


def _timed_ms(action: Callable[[], object]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def _median(timings: list[Timing]) -> Timing:
    return statistics.median(t[0] for t in timings), statistics.median(t[1] for t in timings)


def _median_ms(action: Callable[[], object], runs: int = RUNS) -> Timing:
    return _median([_timed_ms(action) for _ in range(runs)])


def _sum(*timings: Timing) -> Timing:
    return sum(t[0] for t in timings), sum(t[1] for t in timings)


def _pipeline(rows: list[tuple[str, Timing]]) -> None:
    """Rows for the warm pipeline (the caches of :mod:`dashboard.state` run outside a server)."""
    from analytics.backtest import BacktestSettings, backtest_model
    from analytics.model import ModelSettings, evaluate
    from dashboard import state

    generation = state.begin_run(None)
    state._load_all(None, generation)  # fill the cache once
    load = _median_ms(lambda: state._load_all(None, generation))
    series = state._load_all(None, generation)
    settings = ModelSettings(invest_threshold=0.5)
    evaluate_ms = _median_ms(lambda: evaluate(series, settings))
    model = evaluate(series, settings)
    end = model.calendar.index[-1]
    every = _median_ms(lambda: backtest_model(model, series, BacktestSettings(end=end)))
    rows += [
        ("pipeline: load (warm cache)", load),
        ("pipeline: evaluate", evaluate_ms),
        ("pipeline: backtests, all 22", every),
        ("pipeline: total, everything recomputed", _sum(load, evaluate_ms, every)),
    ]
    thresholds = iter([0.31 + 0.01 * i for i in range(RUNS * 2)])

    def new_threshold() -> None:
        import streamlit as st

        st.session_state["threshold"] = next(thresholds)
        state.load_all()
        state.model()
        state.backtests(end)

    state.backtests(end)  # the default threshold's, as the first view leaves them
    app = _median_ms(new_threshold)
    rows.append(("pipeline in the app: new threshold (state.model + state.backtests)", app))


def _page(rows: list[tuple[str, Timing]]) -> None:
    from streamlit.testing.v1 import AppTest

    at: Any = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("views/indicators.py").run()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    rows.append(("Indicators: plain rerun, nothing changed", _median_ms(at.run)))
    values = iter([0.35, 0.40, 0.45, 0.50, 0.55, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90])
    rows.append(
        (
            "Indicators: rerun after a new threshold",
            _median_ms(lambda: at.slider(key="threshold").set_value(next(values)).run(), 5),
        )
    )
    at.slider(key="threshold").set_value(0.60).run()
    firsts = [
        _timed_ms(lambda c=c: at.button_group(key="category").set_value(c).run())  # type: ignore[misc]
        for c in ("Sentiment", "Rates", "Macro")
    ]
    rows.append(("Indicators: first switch to a category", _median(firsts)))
    again = [
        _timed_ms(lambda c=c: at.button_group(key="category").set_value(c).run())  # type: ignore[misc]
        for c in ("Technicals", "Sentiment", "Rates", "Macro", "Technicals", "Sentiment")
    ]
    rows.append(("Indicators: switch to a category seen before", _median(again)))
    dates = iter(["2024-03-15", "2023-06-16", "2022-09-16", "2021-12-17", "2020-06-19"])
    rows.append(
        (
            "Indicators: rerun after a new as-of date",
            _median_ms(lambda: at.date_input(key="as_of").set_value(next(dates)).run(), 5),
        )
    )
    assert not at.exception, [e.message for e in at.exception]


def main() -> None:
    given = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("INVESTABLE_SHARED_DATA")
    if not given or not (Path(given) / "manifest.toml").is_file():
        raise SystemExit("usage: bench_pipeline.py DATA_DIR  (a folder with a manifest.toml)")
    sys.path.insert(0, str(ROOT))
    from dashboard.precompute import precompute
    from data_sources.store import Store

    rows: list[tuple[str, Timing]] = []
    with tempfile.TemporaryDirectory() as location:
        os.environ.pop("INVESTABLE_DATA_DIR", None)
        os.environ["INVESTABLE_STORE"] = location
        os.environ.setdefault("INVESTABLE_TODAY", "2026-01-02")
        store = Store(location, providers={})
        store.import_folder(Path(given))
        precompute(store)
        _pipeline(rows)
        _page(rows)
    width = max(len(name) for name, _ in rows)
    print(f"{'what':<{width}} | wall ms | CPU ms   (medians)")
    print(f"{'-' * width}-|---------|--------")
    for name, (wall, cpu) in rows:
        print(f"{name:<{width}} | {wall:7.1f} | {cpu:7.1f}")


if __name__ == "__main__":
    main()
