"""AppTest of every page over the small fixture folder (tests/fixtures/app), and the app on an
empty local store: the Data page's instructions, and the background refresh (providers built to
the store's ``download`` protocol answering from the fixture, or offline)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.model import evaluate
from data_sources.folder import FolderSource
from tests.dashboard.doubles import (
    FixtureProvider,
    NetworkGuard,
    OfflineProvider,
    install_providers,
)

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
    parts += [table.value.to_string() for table in at.table]
    return "\n".join(parts)


def _open_indicator(at: AppTest, category: str, name: str) -> None:
    """The Indicators page on ``category`` with the tab of ``name`` open."""
    at.button_group(key="category").set_value(category).run()
    at.session_state["indicator"] = name
    at.run()
    assert not at.exception, [e.message for e in at.exception]


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
    assert _metric(app, "SPY close (dividend-adjusted)") == f"{raw.iloc[-1]:,.2f}"
    gap = raw.iloc[-1] / raw.iloc[-200:].mean() - 1
    assert (
        next(m.delta for m in app.metric if m.label == "SPY close (dividend-adjusted)")
        == f"{gap:+.1%} vs 200-day"
    )
    assert "2024-06-28" in _texts(app)
    assert len(app.get("plotly_chart")) >= 3


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_an_exception(app, page) -> None:
    app.switch_page(f"views/{page}.py").run()
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
    app.switch_page("views/composite.py").run()
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
    lower.switch_page("views/composite.py").run()
    assert "above **0.45**" in _texts(lower)


def test_indicator_categories_switch_what_is_shown(app) -> None:
    app.switch_page("views/indicators.py").run()
    technicals = _texts(app)
    assert "12-month momentum" in technicals and "VIX trend" not in technicals
    app.button_group(key="category").set_value("Sentiment").run()
    sentiment = _texts(app)
    assert "VIX trend" in sentiment and "12-month momentum" not in sentiment
    # an indicator without data says why instead of drawing a chart
    assert "aaii:sentiment not loaded" in "\n".join(w.value for w in app.warning)


def test_levels_reject_a_stop_above_the_price(app) -> None:
    app.switch_page("views/levels.py").run()
    price = pd.read_csv(FIXTURE / "yahoo/SPY.csv")["Close"].iloc[-1]
    stop = next(n for n in app.number_input if n.label == "Stop")
    stop.set_value(round(price * 1.05, 2)).run()
    assert not app.exception
    assert any("stop" in e.value for e in app.error)


def test_costs_from_the_settings_reach_the_backtest(app) -> None:
    app.switch_page("views/data.py").run()
    commission = next(n for n in app.number_input if n.label == "Commission ($)")
    commission.set_value(25.0)
    app.button(key="FormSubmitter:settings-Apply").click().run()
    assert not app.exception
    app.switch_page("views/composite.py").run()
    assert "$25.00 commission" in _texts(app)


# ---- an empty store, and the background refresh -------------------------------------------------


def _empty_store_app(monkeypatch, tmp_path, providers=None) -> AppTest:
    monkeypatch.delenv("INVESTABLE_DATA_DIR", raising=False)
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))
    if providers is None:
        NetworkGuard().install(monkeypatch)
    else:
        install_providers(monkeypatch, providers)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _wait_for_refresh(timeout: float = 60) -> None:
    from dashboard import state

    assert state.refresher().wait(timeout)


def test_an_empty_store_opens_on_the_data_page_with_what_to_do(monkeypatch, tmp_path) -> None:
    guard = NetworkGuard().install(monkeypatch)
    at = _empty_store_app(monkeypatch, tmp_path, providers=None)
    assert at.title[0].value == "Data"
    assert any("holds no data yet" in i.value for i in at.info)
    commands = "\n".join(c.value for c in at.code)
    for command in (
        "investable refresh",
        "investable import --from DIR",
        "investable import-file --series",
    ):
        assert command in commands
    assert any(b.label == "Refresh now" for b in at.button)
    assert [t.label for t in at.tabs] == ["Refresh", "Load a file", "History", "Alerts", "Settings"]
    for page in PAGES[:-1]:  # the model pages say where to load data, and do not fetch
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, [e.message for e in at.exception]
    assert guard.calls == []
    assert not Path(tmp_path / "store" / "series").exists()


def test_refresh_runs_in_the_background_and_lands_for_the_next_run(monkeypatch, tmp_path) -> None:
    providers = {"yahoo": FixtureProvider("yahoo"), "fred": FixtureProvider("fred")}
    at = _empty_store_app(monkeypatch, tmp_path, providers)
    next(b for b in at.button if b.label == "Refresh now").click().run()
    assert not at.exception, [e.message for e in at.exception]
    _wait_for_refresh()
    at.run()  # the polling fragment's next look: the job has landed
    assert not at.exception, [e.message for e in at.exception]
    held = FolderSource(FIXTURE).keys()
    expected = sorted(k for k in held if k.startswith(("yahoo:", "fred:")))
    assert len(expected) == 7  # SPY, XLK, XLE, ^VIX and 3 FRED series; no other provider
    landed = "\n".join(s.value for s in at.success)
    assert "7 series updated" in landed, landed
    from data_sources.store import Store

    assert sorted(Store(tmp_path / "store", providers={}).keys()) == expected
    history = next(d.value for d in at.dataframe if "Generation" in d.value.columns)
    # 15 Yahoo and 30 FRED live series asked; the fixture holds 7 of them
    assert history[["Generation", "Kind", "Series updated", "Failed"]].values.tolist() == [
        [1, "refresh", 7, 45 - 7]
    ]
    assert any("No alert channels are set" in m.value for m in at.markdown)
    at.switch_page("views/overview.py").run()
    raw = pd.read_csv(FIXTURE / "yahoo/SPY.csv")["Adj Close"]
    assert _metric(at, "SPY close (dividend-adjusted)") == f"{raw.iloc[-1]:,.2f}"


def test_an_offline_refresh_is_remembered_with_back_off(monkeypatch, tmp_path) -> None:
    offline = OfflineProvider("yahoo")
    at = _empty_store_app(monkeypatch, tmp_path, {"yahoo": offline})
    next(b for b in at.button if b.label == "Refresh now").click().run()
    _wait_for_refresh()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    errors = "\n".join(e.value for e in at.error)
    assert "failed; the store keeps what it had" in errors
    assert "The last refresh, under a minute ago, failed" in errors
    assert "wait 5 minutes more" in errors
    assert "Live sources are unreachable" in "\n".join(c.value for c in at.code)
    # a new tab with auto-refresh on does not retry during the back-off
    monkeypatch.setenv("INVESTABLE_AUTO_REFRESH", "1")
    other = AppTest.from_file(APP, default_timeout=90)
    other.run()
    _wait_for_refresh()
    assert offline.calls == 1
    assert not Path(tmp_path / "store" / "series").exists()


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="kaleido needs chromium")
def test_weekly_report_in_one_action(app) -> None:
    button = next(b for b in app.button if b.label == "Weekly report")
    button.click().run()
    assert not app.exception, [e.message for e in app.exception]
    download = app.get("download_button")
    assert [d.proto.label for d in download] == ["HTML", "PDF"]  # tests/dashboard/test_report_panel


def test_publication_lag_setting_moves_what_the_model_may_use(app) -> None:
    """Unemployment defaults to the first Friday of M+1: on 2024-06-28 May's rate (out 7 June)
    is the latest. Published three months later, March's is the latest (out 7 June)."""
    app.switch_page("views/indicators.py").run()
    _open_indicator(app, "Macro", "Unemployment trend")
    assert "FRED (Unemployment rate), data to 2024-05-01" in _texts(app)
    app.switch_page("views/data.py").run()
    months = next(n for n in app.number_input if n.label == "Unemployment trend: months after M")
    months.set_value(3)
    app.button(key="FormSubmitter:settings-Apply").click().run()
    assert not app.exception, [e.message for e in app.exception]
    app.switch_page("views/indicators.py").run()
    _open_indicator(app, "Macro", "Unemployment trend")
    assert "FRED (Unemployment rate), data to 2024-03-01" in _texts(app)


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


def test_the_freshness_table_is_built_only_when_open(open_app, model) -> None:
    """The latest week keeps "Data freshness" closed (nothing in it built or sent); a past week
    opens it: a static table of all 21 indicators (issue #15: no data grid on the Overview)."""
    latest = open_app()
    assert not [t for t in latest.table if "Status" in t.value.columns]
    past = open_app(as_of="2023-04-02")
    (table,) = [t.value for t in past.table if "Status" in t.value.columns]
    snapshot = model.snapshot("2023-04-02")
    assert table["Indicator"].tolist() == [row.name for row in snapshot.indicators]
    assert len(table) == 21 and not past.dataframe
