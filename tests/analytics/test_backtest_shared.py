"""Backtests over the reference data: ``bt`` cross-check, an independent buy-and-hold, the CLI."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time

import pandas as pd
import pytest

from analytics.backtest import BacktestSettings, backtest_model, backtest_signal, market_for
from analytics.model import evaluate

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def loaded(shared_source):
    series = shared_source.load_many()
    return series, evaluate(series)


@pytest.mark.parametrize(
    ("indicator", "start", "end"),
    [
        ("composite", "2019-06-01", "2021-12-31"),  # short: the 2020 crash and rebound
        ("composite", None, None),  # long: 1993 to the latest date
        ("trend", None, None),
    ],
)
def test_equity_matches_bt_to_the_cent(loaded, indicator, start, end) -> None:
    pytest.importorskip("bt", reason="bt is a dev dependency: uv run --extra dev pytest")
    from benchmarks.bt_reference import bt_equity

    series, model = loaded
    settings = BacktestSettings(
        start=pd.Timestamp(start) if start else None, end=pd.Timestamp(end) if end else None
    )
    market = market_for(series, settings)
    signal = model.signal(indicator)
    began = time.perf_counter()
    ours = backtest_signal(signal, model.calendar, market, settings).equity
    ours_seconds = time.perf_counter() - began
    began = time.perf_counter()
    theirs = bt_equity(signal, model.calendar, market, settings)
    bt_seconds = time.perf_counter() - began
    assert ours.index.equals(theirs.index)
    assert len(ours) > 500
    worst = (ours - theirs).abs().max()
    # within a cent per $100,000 of equity
    assert worst <= 0.01 * ours.max() / 100_000
    print(
        f"{indicator} {len(ours)} days: max gap ${worst:.2e}; ours {ours_seconds * 1e3:.1f} ms,"
        f" bt {bt_seconds * 1e3:.0f} ms ({bt_seconds / ours_seconds:,.0f}x)"
    )


def test_buy_and_hold_matches_the_raw_file(loaded, shared_data_dir) -> None:
    """99,990 / (p₀ × 1.0002) shares bought at the first trade date's close, worth them × p_end."""
    with open(shared_data_dir / "yahoo/SPY_adjusted.csv", newline="") as handle:
        closes = {row["Date"]: float(row["Close"]) for row in csv.DictReader(handle)}
    series, model = loaded
    result = backtest_model(model, series, ids=["composite"])["composite"]
    first = result.benchmark.index[0].date().isoformat()
    last = max(closes)
    assert first == "1993-02-01"  # trade date of the first decision date, Fri 29 Jan 1993
    expected = 99_990 / (closes[first] * 1.0002) * closes[last]
    assert result.benchmark_stats.final_equity == pytest.approx(expected, abs=0.005)


def test_every_available_indicator_and_the_composite_are_backtested(loaded) -> None:
    series, model = loaded
    results = backtest_model(model, series)
    never = {key for key in model.indicators if model.signal(key).notna().sum() == 0}
    assert never == {"ism_pmi"}  # no ISM series in the reference data
    assert set(results) == {"composite", *model.indicators} - never
    for key, result in results.items():
        signal = model.signal(key).dropna()
        first_trade = model.calendar.at[signal.index[0], "trade_date"]
        assert result.equity.index[0] == result.benchmark.index[0] == first_trade
        buys = int(((signal > 0) & ~(signal.shift(fill_value=0) > 0)).sum())
        assert result.stats.trades == buys  # each switch from cash (or the start) into SPY


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "backtest", *args], capture_output=True, text=True
    )


def test_cli_json_and_table(shared_data_dir) -> None:
    done = _cli(
        "--data-dir",
        str(shared_data_dir),
        "--indicator",
        "trend",
        "--start",
        "2020-01-01",
        "--cash",
        "tbill",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["start"] == "2020-01-06" and data["settings"]["cash"] == "tbill"
    assert set(data["strategy"]) >= {
        "total_return",
        "cagr",
        "volatility",
        "sharpe",
        "sortino",
        "max_drawdown",
        "time_in_market",
        "trades",
        "win_share",
    }
    assert data["strategy"]["trades"] == len(data["trades"])
    table = _cli("--data-dir", str(shared_data_dir), "--indicator", "composite")
    assert table.returncode == 0 and "Buy & hold SPY" in table.stdout and "CAGR" in table.stdout


def test_cli_errors_are_one_line_with_exit_code_2(shared_data_dir) -> None:
    unknown = _cli("--data-dir", str(shared_data_dir), "--indicator", "nope")
    assert unknown.returncode == 2 and "unknown indicator 'nope'" in unknown.stderr
    never = _cli("--data-dir", str(shared_data_dir), "--indicator", "ism_pmi")
    assert never.returncode == 2 and "nothing to backtest" in never.stderr
    bad = _cli("--data-dir", str(shared_data_dir), "--spread", "3")
    assert bad.returncode == 2 and "spread must be a fraction" in bad.stderr
    assert "Traceback" not in unknown.stderr + never.stderr + bad.stderr
