"""Race the 22 backtests (21 indicators + the composite) against vectorbt, in one call each.

uv run --extra dev --extra bench python benchmarks/bench_backtest.py [DATA_DIR] [--runs N]

DATA_DIR is a manifest folder (default: the store). The series are loaded and the model
evaluated once; then, alternating in the same run, N times each (median printed):

- ours: ``backtest_model`` (every signal with an available week, one ``backtest_signals``
  pass: daily equity, positions, trades and statistics of each signal and its benchmark, the
  curves and trades as arrays that each result wraps in pandas objects on first access);
- ours, all read: the same, then every result's ``equity``, ``benchmark``, ``position`` and
  ``trades`` read (all 22 results' pandas objects built; the app reads a few of them);
- vectorbt: ``Portfolio.from_signals`` over the same (days × signals) entries and exits, with
  the same costs, then ``value()`` (the daily equity of every column).

The costs map one to one: vectorbt buys with all the cash ``K`` at ``p · (1 + slippage)`` after a
fixed fee, ``q = (K − fixed_fees) / (p · (1 + s))``, and sells at ``p · (1 − s)`` less the fee,
which are our rules (cash earning nothing). The script checks the two equities agree and prints
the largest gap in dollars. A signal never available (ism_pmi without ISM data) is left out of
both. Without vectorbt installed it times ours only.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.backtest import (
    BacktestResult,
    BacktestSettings,
    backtest_model,
    market_for,
    trade_schedule,
)
from analytics.model import evaluate
from analytics.results import ModelResult


def _vectorbt_inputs(
    model: ModelResult, series: dict[str, pd.DataFrame], settings: BacktestSettings
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame, list[str]]:
    """Close prices and boolean entries/exits (days × signals) of the signals we backtest."""
    market = market_for(series, settings)
    decisions, days = trade_schedule(model.calendar, market, settings)
    entries, exits, names = {}, {}, []
    for key in ["composite", *model.indicators]:
        values = model.signal(key).reindex(decisions)
        if values.isna().all():
            continue
        first = int(np.flatnonzero(values.notna().to_numpy())[0])
        targets = (values.iloc[first:].ffill().to_numpy() > 0).astype(int)
        change = np.diff(np.r_[0, targets])
        entry = np.zeros(len(market.dates), dtype=bool)
        exit_ = np.zeros(len(market.dates), dtype=bool)
        entry[days[first:][change == 1]] = True
        exit_[days[first:][change == -1]] = True
        entries[key], exits[key] = entry, exit_
        names.append(key)
    close = pd.Series(market.prices, index=market.dates, name="SPY")
    return (
        close,
        pd.DataFrame(entries, index=market.dates),
        pd.DataFrame(exits, index=market.dates),
        names,
    )


def _vectorbt_run(
    close: pd.Series, entries: pd.DataFrame, exits: pd.DataFrame, settings: BacktestSettings
) -> pd.DataFrame:
    import vectorbt as vbt

    portfolio = vbt.Portfolio.from_signals(
        close,
        entries,
        exits,
        size=np.inf,
        init_cash=settings.capital,
        fees=0.0,
        fixed_fees=settings.commission,
        slippage=settings.spread,
        direction="longonly",
        freq="1D",
    )
    value: pd.DataFrame = portfolio.value()
    return value


def _gap(ours: dict[str, BacktestResult], theirs: pd.DataFrame) -> tuple[float, float]:
    """Largest gap in dollars and relative to the equity, over every signal and day."""
    worst_dollars = worst_relative = 0.0
    for key, result in ours.items():
        their = theirs[key].reindex(result.equity.index)
        gap = (result.equity - their).abs()
        worst_dollars = max(worst_dollars, float(gap.max()))
        worst_relative = max(worst_relative, float((gap / result.equity).max()))
    return worst_dollars, worst_relative


def _read_all(results: dict[str, BacktestResult]) -> None:
    """Read every result's pandas objects (each is built on its first access)."""
    for result in results.values():
        _ = result.equity, result.benchmark, result.position, result.trades


def _time(function: Callable[[], Any]) -> tuple[float, float]:
    """Wall and CPU seconds of one call (CPU time is steadier on a shared machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def _report(name: str, times: list[tuple[float, float]]) -> tuple[float, float]:
    walls, cpus = [t[0] * 1000 for t in times], [t[1] * 1000 for t in times]
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(
        f"{name}: wall median {wall:.1f} ms (best {min(walls):.1f}), "
        f"CPU median {cpu:.1f} ms over {len(times)} runs"
    )
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help="a manifest folder (default: the store)")
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each (default 15)")
    args = parser.parse_args()
    from data_sources.folder import FolderSource
    from data_sources.store import Store

    source = FolderSource(args.data) if args.data else Store()
    series = source.load_many()
    model = evaluate(series)
    settings = BacktestSettings()
    ours = backtest_model(model, series, settings)  # warm-up
    first, last = ours["composite"].equity.index[[0, -1]]
    print(
        f"{len(ours)} backtests (composite + indicators with a signal), {first.date()} to "
        f"{last.date()}, ${settings.capital:,.0f}, ${settings.commission:.2f} commission, "
        f"{settings.spread:.2%} spread"
    )
    have_vectorbt = importlib.util.find_spec("vectorbt") is not None
    if have_vectorbt:
        close, entries, exits, names = _vectorbt_inputs(model, series, settings)
        assert sorted(names) == sorted(ours), "not the same signals"
        theirs = _vectorbt_run(close, entries, exits, settings)  # warm-up (numba compiles)
        dollars, relative = _gap(ours, theirs)
        print(f"equity, ours vs vectorbt: largest gap ${dollars:.2e} ({relative:.1e} of equity)")
    our_times, read_times, their_times = [], [], []
    for _ in range(args.runs):
        our_times.append(_time(lambda: backtest_model(model, series, settings)))
        read_times.append(_time(lambda: _read_all(backtest_model(model, series, settings))))
        if have_vectorbt:
            their_times.append(_time(lambda: _vectorbt_run(close, entries, exits, settings)))
    ours_ms = _report("ours (curves, trades, stats)", our_times)
    read_ms = _report("ours, every result's pandas objects read", read_times)
    if not have_vectorbt:
        print("vectorbt is not installed (uv run --extra bench …): no comparison")
        return
    theirs_ms = _report("vectorbt from_signals + value()", their_times)
    print(
        f"ratio ours / vectorbt: wall {ours_ms[0] / theirs_ms[0]:.2f}, "
        f"CPU {ours_ms[1] / theirs_ms[1]:.2f}; all read: wall {read_ms[0] / theirs_ms[0]:.2f}, "
        f"CPU {read_ms[1] / theirs_ms[1]:.2f}"
    )


if __name__ == "__main__":
    main()
