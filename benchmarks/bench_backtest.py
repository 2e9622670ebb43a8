"""Time the 22 backtests (every indicator with a signal, and the composite) over the store
(or a manifest folder), and one full-history backtest through ``bt`` for scale.

uv run --extra dev python benchmarks/bench_backtest.py [DATA_DIR]   (default: the store)

The series are loaded and the model evaluated once; only the backtests are timed. Prints the
median and best of repeated runs in milliseconds.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time

from analytics.backtest import BacktestSettings, backtest_model, backtest_signal, market_for
from analytics.model import evaluate
from data_sources.folder import FolderSource
from data_sources.store import Store

RUNS = 30


def _timed(function, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    source = FolderSource(sys.argv[1]) if len(sys.argv) > 1 else Store()
    series = source.load_many()
    model = evaluate(series)
    settings = BacktestSettings()
    backtest_model(model, series, settings)  # warm-up
    times, results = _timed(lambda: backtest_model(model, series, settings), RUNS)
    composite = results["composite"]
    print(
        f"{len(results)} backtests (composite + indicators with a signal), "
        f"{composite.equity.index[0].date()} to {composite.equity.index[-1].date()}: "
        f"median {statistics.median(times) * 1000:.1f} ms, best {min(times) * 1000:.1f} ms "
        f"over {RUNS} runs"
    )
    market = market_for(series, settings)
    signal = model.signal("composite")
    ours, _ = _timed(lambda: backtest_signal(signal, model.calendar, market, settings), RUNS)
    print(f"one backtest (composite): median {statistics.median(ours) * 1000:.2f} ms")
    if importlib.util.find_spec("bt") is None:
        print("bt is not installed (uv run --extra dev …): no comparison")
        return
    from bt_reference import bt_equity  # beside this script

    theirs, _ = _timed(lambda: bt_equity(signal, model.calendar, market, settings), 3)
    ratio = statistics.median(theirs) / statistics.median(ours)
    print(
        f"the same backtest in bt: median {statistics.median(theirs) * 1000:.0f} ms "
        f"over 3 runs, {ratio:,.0f}x slower"
    )


if __name__ == "__main__":
    main()
