"""Pages never wait on the network: "data as of", the stale warning on NYSE sessions, no
provider call during any page run, and a write by another process seen on the next run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.freshness import is_stale, newest_market_close, sessions_between
from data_sources.store import Store
from tests.dashboard.doubles import NetworkGuard

ROOT = Path(__file__).parents[2]
APP = str(ROOT / "dashboard" / "app.py")
FIXTURE = ROOT / "tests" / "fixtures" / "app"
AAII = ROOT / "tests" / "fixtures" / "data_sources" / "aaii_sentiment.csv"
PAGES = ["overview", "indicators", "composite", "levels", "regimes", "data"]
LAST_CLOSE = "2024-06-28"  # the fixture's newest SPY close, a Friday


# ---- the rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "sessions"),
    [
        ("2024-06-28", 0),  # the same day
        ("2024-06-29", 0),  # Saturday
        ("2024-07-01", 0),  # Monday: Monday's close is not in yet
        ("2024-07-02", 1),  # 1 July
        ("2024-07-04", 3),  # 1, 2, 3 July
        ("2024-07-05", 3),  # 4 July is Independence Day
        ("2024-07-08", 4),  # + 5 July
    ],
)
def test_sessions_between_counts_nyse_sessions(today, sessions) -> None:
    assert sessions_between(LAST_CLOSE, today) == sessions
    assert is_stale(LAST_CLOSE, today) is (sessions > 3)


def test_sessions_follow_the_nyse_calendar() -> None:
    """Counted on the NYSE's published calendar: 2024 had 252 sessions (Friday 2023-12-29 to
    Thursday 2025-01-02 strictly between: all of 2024), 2022 had 251 (Juneteenth observed
    Monday 20 June 2022)."""
    assert sessions_between("2023-12-29", "2025-01-02") == 252
    assert sessions_between("2021-12-31", "2023-01-03") == 251
    # Good Friday to the Monday after Easter 2024: only that Monday is a session
    assert sessions_between("2024-03-28", "2024-04-02") == 1
    # Juneteenth did not close the market before 2022
    assert sessions_between("2021-06-18", "2021-06-22") == 1
    # One-off closures: the national day of mourning for President Carter (Thursday 2025-01-09)
    assert sessions_between("2025-01-07", "2025-01-13") == 2  # 8 and 10 January
    # Hurricane Sandy closed the exchange on 29 and 30 October 2012
    assert sessions_between("2012-10-26", "2012-11-01") == 1


def test_newest_market_close_reads_spy_or_the_index() -> None:
    spy, index = pd.Timestamp("2024-06-27"), pd.Timestamp("2024-06-28")
    # SPY is the model's clock: an index running on after SPY stopped is not newer data
    assert newest_market_close({"yahoo:SPY": spy, "yahoo:^GSPC": index}) == spy
    assert newest_market_close({"yahoo:^GSPC": index}) == index
    assert newest_market_close({"yahoo:SPY": spy, "fred:DGS10": index}) == spy
    assert newest_market_close({"fred:DGS10": index, "yahoo:SPY": None}) is None


# ---- on screen ---------------------------------------------------------------------------------


@pytest.fixture()
def folder_app(monkeypatch, tmp_path):
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))

    def start(today: str) -> AppTest:
        monkeypatch.setenv("INVESTABLE_TODAY", today)
        at = AppTest.from_file(APP, default_timeout=90)
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return start


def _sidebar_texts(at: AppTest) -> str:
    return "\n".join(c.value for c in at.sidebar.caption)


def test_a_fresh_store_shows_data_as_of_without_a_warning(folder_app) -> None:
    at = folder_app("2024-07-05")  # 3 sessions missing: not more than 3
    assert f"Data as of {LAST_CLOSE}" in _sidebar_texts(at)
    assert not any("Stale data" in w.value for w in at.warning)


def test_a_stale_store_shows_the_warning(folder_app) -> None:
    at = folder_app("2024-07-08")  # 4 sessions missing
    warnings = [w.value for w in at.sidebar.warning]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        f"Stale data: 4 NYSE sessions have passed since the newest close on {LAST_CLOSE}"
    )
    at.switch_page("views/data.py").run()
    assert "Data as of" in "\n".join(c.value for c in at.caption)


@pytest.fixture()
def filled_store(monkeypatch, tmp_path) -> Path:
    location = tmp_path / "store"
    Store(location, providers={}).import_folder(FIXTURE)
    monkeypatch.delenv("INVESTABLE_DATA_DIR", raising=False)
    monkeypatch.setenv("INVESTABLE_STORE", str(location))
    monkeypatch.setenv("INVESTABLE_TODAY", "2025-01-06")  # the fixture is months old
    return location


def test_no_page_calls_a_provider(filled_store, monkeypatch) -> None:
    """Providers (and any socket to another host) record and refuse; every page runs, with a
    stale store and auto-refresh off (the default); no call happens."""
    guard = NetworkGuard().install(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    for page in PAGES:
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.message for e in at.exception])
        assert at.title[0].value
    assert any("Stale data" in w.value for w in at.warning)
    assert guard.calls == []


def test_a_write_by_another_process_is_seen_on_the_next_run(filled_store, monkeypatch) -> None:
    """The caches are keyed by the store's generation: an import by the CLI (another writer)
    shows on the next run, with no time-to-live to wait out."""
    NetworkGuard().install(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("views/indicators.py").run()
    at.button_group(key="category").set_value("Sentiment").run()
    assert "aaii:sentiment not loaded" in "\n".join(w.value for w in at.warning)
    Store(filled_store, providers={}).import_file("aaii:sentiment", AAII.read_bytes(), AAII.name)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert "aaii:sentiment not loaded" not in "\n".join(w.value for w in at.warning)


def test_an_empty_store_becomes_a_model_on_the_next_run(monkeypatch, tmp_path) -> None:
    """After an import into an empty store the app no longer says "No model yet"."""
    location = tmp_path / "store"
    monkeypatch.delenv("INVESTABLE_DATA_DIR", raising=False)
    monkeypatch.setenv("INVESTABLE_STORE", str(location))
    NetworkGuard().install(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("views/overview.py").run()
    assert any("No model yet" in i.value for i in at.info)
    Store(location, providers={}).import_folder(FIXTURE)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not any("No model yet" in i.value for i in at.info)
    assert any(m.label == "Composite" for m in at.metric)
