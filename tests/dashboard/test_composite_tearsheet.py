"""AppTest of the tear sheet on the Composite page over tests/fixtures/app: the heatmap and the
worst-drawdowns table for the composite and for an indicator (by name), the first drawdown
against one computed here with pandas, the CSV downloads parsed back, and the address."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from analytics.backtest import BacktestSettings, backtest_model
from analytics.model import evaluate
from data_sources.folder import FolderSource

ROOT = Path(__file__).parents[2]
APP = str(ROOT / "dashboard" / "app.py")
FIXTURE = ROOT / "tests" / "fixtures" / "app"
MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class RecordingStorage(MemoryMediaFileStorage):
    """The AppTest's media storage, kept so a test can read a download button's bytes."""

    made: ClassVar[list[RecordingStorage]] = []

    def __init__(self, endpoint: str) -> None:
        super().__init__(endpoint)
        RecordingStorage.made.append(self)


@pytest.fixture(scope="module")
def backtests():
    """Every backtest of the fixture up to its last decision date, as the page runs it."""
    series = FolderSource(FIXTURE).load_many()
    model = evaluate(series)
    end = model.calendar.index[-1]
    return backtest_model(model, series, BacktestSettings(end=end)), end


@pytest.fixture()
def composite_page(monkeypatch, tmp_path):
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    RecordingStorage.made.clear()

    def start(**query: str) -> AppTest:
        """The Composite page, its tear sheet open unless the query says otherwise."""
        at = AppTest.from_file(APP, default_timeout=90)
        for name, value in ({"tearsheet": "true"} | query).items():
            at.query_params[name] = value
        at.run()
        at.switch_page("views/composite.py").run()
        assert not at.exception, [e.message for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        return at

    return start


def _figures(at: AppTest) -> dict[str, dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    titles = [spec["layout"]["title"]["text"].split("<br><sup>")[0] for spec in specs]
    return {title.replace("<br>", " "): spec for title, spec in zip(titles, specs, strict=True)}


def _first_drawdown(equity: pd.Series) -> dict[str, str]:
    """The deepest fall from a running high, computed here: peak = the last close at the high
    before the trough, recovery = the first close back at that high."""
    high = equity.cummax()
    depth = equity / high - 1
    trough = depth.idxmin()
    peak = equity.loc[:trough][equity.loc[:trough] == high.loc[trough]].index[-1]
    back = equity.loc[trough:][equity.loc[trough:] >= equity.loc[peak]]
    recovered = back.index[0].strftime("%Y-%m-%d") if len(back) else "not recovered"
    return {
        "Peak": peak.strftime("%Y-%m-%d"),
        "Trough": trough.strftime("%Y-%m-%d"),
        "Recovered": recovered,
        "Depth": f"{depth.min() * 100:.1f} %",
        "Trading days": str(
            (equity.index.get_loc(back.index[0]) if len(back) else len(equity) - 1)
            - equity.index.get_loc(peak)
        ),
    }


def _drawdown_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Days to recover" in d.value.columns)


def _download(at: AppTest, label_start: str) -> tuple[str, bytes]:
    button = next(b for b in at.get("download_button") if b.proto.label.startswith(label_start))
    name = button.proto.url.rsplit("/", 1)[-1]
    for storage in reversed(RecordingStorage.made):
        try:
            found = storage.get_file(name)
        except MediaFileStorageError:  # a file of another run's storage
            continue
        return str(found.filename), found.content
    raise AssertionError(f"no media file {name}")


def _check_tear_sheet(at: AppTest, name: str, equity: pd.Series) -> None:
    figures = _figures(at)
    heatmap = figures[f"{name}: monthly returns (%)"]
    months, year = heatmap["data"]
    assert months["type"] == year["type"] == "heatmap"
    assert months["x"] == MONTH_NAMES and year["x"] == ["Year"]
    # the newest year on top: its total is the last close over the year's first reference
    last_year = equity.index[-1].year
    assert months["y"][-1] == str(last_year)  # drawn on top
    before = equity.loc[: f"{last_year - 1}-12-31"]
    total = equity.iloc[-1] / before.iloc[-1] - 1
    assert year["text"][-1] == [f"{total * 100:.1f}"]
    # the last month: its last close over the previous month's last close
    month_end = equity.groupby(equity.index.to_period("M")).last()
    last_month = month_end.iloc[-1] / month_end.iloc[-2] - 1
    assert months["text"][-1][equity.index[-1].month - 1] == f"{last_month * 100:.1f}"
    for title in ("yearly returns", "drawdowns", "rolling 12 months"):
        assert f"{name}: {title}" in figures
    expected = _first_drawdown(equity)
    first = _drawdown_table(at).iloc[0]
    assert {column: str(first[column]) for column in expected} == expected


def test_the_composite_tear_sheet(composite_page, backtests) -> None:
    results, _ = backtests
    at = composite_page()
    assert at.selectbox(key="strategy").value == "composite"
    assert at.selectbox(key="strategy").options[0] == "Composite"
    _check_tear_sheet(at, "Composite", results["composite"].equity)


def test_an_indicator_by_its_name(composite_page, backtests) -> None:
    results, _ = backtests
    at = composite_page()
    assert "12-month momentum" in at.selectbox(key="strategy").options
    assert "momentum" not in at.selectbox(key="strategy").options  # names, not ids
    at.selectbox(key="strategy").set_value("momentum").run()
    assert not at.exception, [e.message for e in at.exception]
    _check_tear_sheet(at, "12-month momentum", results["momentum"].equity)


def test_the_equity_download_parses_back_to_the_curves(composite_page, backtests) -> None:
    results, end = backtests
    at = composite_page()
    name, content = _download(at, "Download the equity curve")
    assert name == f"investable-composite-equity-{end:%Y-%m-%d}.csv"
    frame = pd.read_csv(io.BytesIO(content), parse_dates=["date"], index_col="date")
    result = results["composite"]
    assert list(frame.columns) == ["strategy", "buy_and_hold"]
    assert list(frame.index) == list(result.equity.index)
    np.testing.assert_array_equal(frame["strategy"].to_numpy(), result.equity.to_numpy())
    np.testing.assert_array_equal(frame["buy_and_hold"].to_numpy(), result.benchmark.to_numpy())


def test_the_trades_download(composite_page, backtests) -> None:
    results, end = backtests
    at = composite_page(strategy="200-day trend")
    name, content = _download(at, "Download the trades")
    assert name == f"investable-trend-trades-{end:%Y-%m-%d}.csv"
    frame = pd.read_csv(io.BytesIO(content))
    trades = results["trend"].trades
    assert len(frame) == len(trades) > 0
    assert list(frame["entry_date"]) == [f"{d:%Y-%m-%d}" for d in trades["entry_date"]]
    np.testing.assert_array_equal(frame["pnl"].to_numpy(), trades["pnl"].to_numpy())


def test_the_address_picks_the_strategy_and_the_period(composite_page) -> None:
    at = composite_page(strategy="200-day trend", period="All")
    assert at.selectbox(key="strategy").value == "trend"
    assert at.radio(key="period").value == "All"
    assert "200-day trend: monthly returns (%)" in _figures(at)


def test_the_equity_chart_has_one_point_a_week(composite_page, backtests) -> None:
    results, _ = backtests
    at = composite_page()
    spec = _figures(at)["Composite strategy vs buy and hold SPY"]
    strategy = spec["data"][0]
    equity = results["composite"].equity
    weeks = equity.index.to_period("W-FRI")
    expected = equity.groupby(weeks).tail(1).index  # each week's last day (figures.weekly_points)
    assert strategy["x"] == [f"{d:%Y-%m-%d}" for d in expected]
    assert len(strategy["x"]) < len(equity) / 4


@pytest.fixture()
def sheet_calls(monkeypatch) -> list[int]:
    """One entry per tear sheet computed (the cache emptied first)."""
    from dashboard import tearsheet_cache

    tearsheet_cache._sheet.clear()
    calls: list[int] = []
    real = tearsheet_cache.tear_sheet

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(tearsheet_cache, "tear_sheet", counted)
    return calls


def test_the_tear_sheet_is_computed_once_per_backtest(composite_page, sheet_calls) -> None:
    calls = sheet_calls
    at = composite_page()
    assert len(calls) == 1
    at.run()
    at.radio(key="period").set_value("All").run()  # the period redraws the composite only
    assert len(calls) == 1
    at.selectbox(key="strategy").set_value("trend").run()
    assert len(calls) == 2
    at.selectbox(key="strategy").set_value("composite").run()
    assert len(calls) == 2


def test_the_tear_sheet_waits_closed_until_asked(composite_page, sheet_calls) -> None:
    """Closed, the tear sheet is neither computed nor drawn (two charts on the page); the
    address opens it (tearsheet=true, or a strategy named), and a value it cannot take is said."""
    calls = sheet_calls
    closed = composite_page(tearsheet="false")
    assert calls == [] and len(closed.get("plotly_chart")) == 2
    assert [e.label for e in closed.expander][-1].startswith("Tear sheet")
    named = composite_page(tearsheet="false", strategy="Composite")
    assert len(named.get("plotly_chart")) == 2  # tearsheet=false wins over the strategy
    by_strategy = AppTest.from_file(APP, default_timeout=90)
    by_strategy.query_params["strategy"] = "Composite"
    by_strategy.run()
    by_strategy.switch_page("views/composite.py").run()
    assert len(by_strategy.get("plotly_chart")) == 6 and calls == [1]
    wrong = composite_page(tearsheet="maybe")
    warnings = [w.value.replace("\\", "") for w in wrong.warning]
    assert (
        "The address asks for tearsheet=maybe, which is not one of true or false; showing the "
        "tear sheet closed." in warnings
    )
    assert len(wrong.get("plotly_chart")) == 2
