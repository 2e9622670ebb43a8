"""AppTest of every page over the small fixture folder (tests/fixtures/app), and the first start
of the app on an empty local store (providers' fetch replaced by fixture payloads, or failing)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.model import evaluate
from data_sources.errors import SourceUnavailable
from data_sources.folder import FolderSource
from data_sources.providers.fred import FredProvider
from data_sources.providers.yahoo import YahooProvider

ROOT = Path(__file__).parents[2]
APP = str(ROOT / "dashboard" / "app.py")
FIXTURE = ROOT / "tests" / "fixtures" / "app"
PAGES = ["indicators", "composite", "levels", "regimes", "data"]


@pytest.fixture()
def open_app(monkeypatch, tmp_path):
    """Start the app on the fixture folder, with the given URL query parameters."""
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))

    def start(**query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=90)
        for name, value in query.items():
            at.query_params[name] = value
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return start


@pytest.fixture()
def app(open_app) -> AppTest:
    return open_app()


@pytest.fixture(scope="module")
def model():
    return evaluate(FolderSource(FIXTURE).load_many())


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(parts)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_overview_shows_the_decision_and_the_numbers(app, model) -> None:
    snapshot = model.snapshot()
    assert _metric(app, "Composite") == f"{snapshot.composite:.2f}"
    assert ("INVESTED" if snapshot.invested else "CASH") in _texts(app)
    for name, score in snapshot.categories.items():
        assert _metric(app, name) == ("—" if score is None else f"{score:.2f}")
    # SPY against its 200-day average, recomputed from the CSV
    raw = pd.read_csv(FIXTURE / "yahoo/SPY.csv")["Adj Close"]
    assert _metric(app, "SPY close") == f"{raw.iloc[-1]:,.2f}"
    gap = raw.iloc[-1] / raw.iloc[-200:].mean() - 1
    assert next(m.delta for m in app.metric if m.label == "SPY close") == f"{gap:+.1%} vs 200-day"
    assert "2024-06-28" in _texts(app)
    assert len(app.get("plotly_chart")) >= 3


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_an_exception(app, page) -> None:
    app.switch_page(f"pages/{page}.py").run()
    assert not app.exception, [e.message for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    assert app.title[0].value


def test_as_of_widget_turns_the_app_into_a_past_week(app, model) -> None:
    app.date_input(key="as_of").set_value(dt.date(2023, 3, 31)).run()
    snapshot = model.snapshot("2023-03-31")
    assert snapshot.decision_date == pd.Timestamp("2023-03-31")
    assert _metric(app, "Composite") == f"{snapshot.composite:.2f}"
    assert "2023-03-31" in _texts(app)
    assert "Historical view" in _texts(app)
    app.switch_page("pages/composite.py").run()
    assert "On 2023-03-31" in _texts(app)


def test_the_address_reproduces_a_view(open_app, model) -> None:
    """?as_of=…&threshold=… (a shared link) sets the sidebar and every number with it."""
    assert model.snapshot("2023-04-02").composite == 0.5
    default = open_app(as_of="2023-04-02")  # a Sunday: the Friday before is shown
    assert default.date_input(key="as_of").value == dt.date(2023, 4, 2)
    assert "2023-03-31" in _texts(default)
    assert "CASH" in _texts(default)  # 0.50 is not above 0.60
    lower = open_app(as_of="2023-04-02", threshold="0.45")
    assert lower.slider(key="threshold").value == 0.45
    assert "INVESTED" in _texts(lower)
    assert "threshold 0.45" in [m.delta for m in lower.metric if m.label == "Composite"]
    lower.switch_page("pages/composite.py").run()
    assert "above **0.45**" in _texts(lower)


def test_indicator_categories_switch_what_is_shown(app) -> None:
    app.switch_page("pages/indicators.py").run()
    technicals = _texts(app)
    assert "12-month momentum" in technicals and "VIX trend" not in technicals
    app.button_group(key="category").set_value("Sentiment").run()
    sentiment = _texts(app)
    assert "VIX trend" in sentiment and "12-month momentum" not in sentiment
    # an indicator without data says why instead of drawing a chart
    assert "aaii:sentiment not loaded" in "\n".join(w.value for w in app.warning)


def test_levels_reject_a_stop_above_the_price(app) -> None:
    app.switch_page("pages/levels.py").run()
    price = pd.read_csv(FIXTURE / "yahoo/SPY.csv")["Close"].iloc[-1]
    stop = next(n for n in app.number_input if n.label == "Stop")
    stop.set_value(round(price * 1.05, 2)).run()
    assert not app.exception
    assert any("stop" in e.value for e in app.error)


def test_costs_from_the_settings_reach_the_backtest(app) -> None:
    app.switch_page("pages/data.py").run()
    commission = next(n for n in app.number_input if n.label == "Commission ($)")
    commission.set_value(25.0)
    app.button(key="FormSubmitter:settings-Apply").click().run()
    assert not app.exception
    app.switch_page("pages/composite.py").run()
    assert "$25.00 commission" in _texts(app)


# ---- first start on an empty store --------------------------------------------------------------


def _spy_download() -> pd.DataFrame:
    """What yf.download(group_by="ticker") returns for SPY: (ticker, field) columns."""
    raw = pd.read_csv(FIXTURE / "yahoo/SPY.csv", index_col="Date", parse_dates=True)
    raw.columns = pd.MultiIndex.from_product([["SPY"], raw.columns])
    return raw


class FixtureYahoo(YahooProvider):
    def fetch(self, request, timeout):
        return _spy_download()


class FixtureFred(FredProvider):
    def fetch(self, request, timeout):
        return {
            sid: (FIXTURE / f"fred/{sid}.csv").read_bytes()
            for sid in request.symbols
            if (FIXTURE / f"fred/{sid}.csv").exists()
        }

    def parse(self, payload, keys):
        return super().parse(payload, [k for k in keys if k.split(":")[1] in payload])


class Offline(FixtureYahoo):
    def fetch(self, request, timeout):
        raise SourceUnavailable("Yahoo Finance is unreachable: no network")


def _first_start(monkeypatch, tmp_path, providers) -> AppTest:
    monkeypatch.delenv("INVESTABLE_DATA_DIR", raising=False)
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))
    monkeypatch.setattr("data_sources.store.default_providers", lambda fred_key=None: providers)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    return at


def test_first_start_fills_an_empty_store_with_progress(monkeypatch, tmp_path) -> None:
    at = _first_start(monkeypatch, tmp_path, {"yahoo": FixtureYahoo(), "fred": FixtureFred()})
    assert not at.exception, [e.message for e in at.exception]
    assert any("First start" in i.value for i in at.info)
    status = at.main.children[1]
    assert type(status).__name__ == "Status"
    # SPY and 3 FRED series arrive; the other sources have no provider in this test
    assert status.label.startswith("4 series updated"), status.label
    assert status.children[0].type == "progress"
    progress_lines = _texts(at)
    assert "yahoo: 1 of" in progress_lines and "fred: 3 of" in progress_lines
    from data_sources.store import Store

    stored = Store(tmp_path / "store", providers={}).keys()
    assert sorted(stored) == ["fred:DTB3", "fred:T10Y2Y", "fred:UNRATE", "yahoo:SPY"]
    raw = pd.read_csv(FIXTURE / "yahoo/SPY.csv")["Adj Close"]
    assert _metric(at, "SPY close") == f"{raw.iloc[-1]:,.2f}"


def test_first_start_offline_explains_without_a_traceback(monkeypatch, tmp_path) -> None:
    at = _first_start(monkeypatch, tmp_path, {"yahoo": Offline()})
    assert not at.exception, [e.message for e in at.exception]
    warnings = "\n".join(w.value for w in at.warning)
    assert "Live sources are unreachable" in warnings and "import --from" in warnings
    assert any("Load data on the **Data** page" in i.value for i in at.info)
    at.switch_page("pages/data.py").run()
    assert not at.exception


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="kaleido needs chromium")
def test_weekly_report_in_one_action(app) -> None:
    button = next(b for b in app.button if b.label == "Weekly report")
    button.click().run()
    assert not app.exception, [e.message for e in app.exception]
    download = app.get("download_button")
    assert len(download) == 1


def test_publication_lag_setting_moves_what_the_model_may_use(app) -> None:
    """Unemployment defaults to the first Friday of M+1: on 2024-06-28 May's rate (out 7 June)
    is the latest. Published three months later, March's is the latest (out 7 June)."""
    app.switch_page("pages/indicators.py").run()
    app.button_group(key="category").set_value("Macro").run()
    assert "FRED (fred:UNRATE), data to 2024-05-01" in _texts(app)
    app.switch_page("pages/data.py").run()
    months = next(n for n in app.number_input if n.label == "Unemployment trend: months after M")
    months.set_value(3)
    app.button(key="FormSubmitter:settings-Apply").click().run()
    assert not app.exception, [e.message for e in app.exception]
    app.switch_page("pages/indicators.py").run()
    app.button_group(key="category").set_value("Macro").run()
    assert "FRED (fred:UNRATE), data to 2024-03-01" in _texts(app)


def test_log_axes_get_at_least_three_round_ticks() -> None:
    import plotly.graph_objects as go

    from components.figures import log_axis

    for low, high, expected in [
        (100_000, 3_000_000, [1e5, 2e5, 5e5, 1e6, 2e6]),
        (2237, 4300, [2500, 3000, 4000]),
        (3577, 4800, [3750, 4000, 4250, 4500, 4750]),  # even steps of 250
    ]:
        fig = go.Figure()
        log_axis(fig, [low, high])
        ticks = [t for t in fig.layout.yaxis.tickvals if low <= t <= high]
        assert ticks == [t for t in expected if low <= t <= high], (low, high, ticks)
        assert len(ticks) >= 3
