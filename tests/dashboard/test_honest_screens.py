"""Honest screens (issue 13): names instead of series ids, whole dates, money as an adviser
writes it, no negative ages, the real weekday of the decision, "this week" only when it is,
the dividend-adjusted close said so, and the viewer toolbar."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.widgets import close_label, decision_label, money, uptrend_text
from dashboard.freshness import days_old
from dashboard.labels import provider_short, series_label, series_name
from data_sources.folder import FolderSource
from data_sources.registry import UPLOADS
from tests.dashboard.doubles import NetworkGuard

ROOT = Path(__file__).parents[2]
APP = str(ROOT / "dashboard" / "app.py")
FIXTURE = ROOT / "tests" / "fixtures" / "app"
RAW_ID = re.compile(r"\b(yahoo|fred|aaii|naaim|cboe|finra|shiller):[A-Za-z^_]")


# ---- the formatting rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (-1892.33, 2, "-$1,892.33"),
        (1892.335, 2, "$1,892.34"),  # 1892.335 is stored as 1892.33500000000003638
        (0.0, 2, "$0.00"),
        (-0.004, 2, "-$0.00"),
        (-1_234_567.0, 0, "-$1,234,567"),
        (None, 2, "—"),
        (float("nan"), 2, "—"),
    ],
)
def test_money_puts_the_sign_before_the_dollar(value, digits, shown) -> None:
    assert money(value, digits) == shown


def test_decision_label_says_the_real_weekday() -> None:
    assert decision_label(pd.Timestamp("2018-03-29")) == "Thursday close **2018-03-29**"
    assert decision_label(pd.Timestamp("2024-06-28")) == "Friday close **2024-06-28**"


def test_close_label_says_dividend_adjusted_only_when_it_is() -> None:
    assert close_label("SPY dividend-adjusted close") == "SPY close (dividend-adjusted)"
    assert close_label("SPY quoted close (no adjusted close in the source)") == "SPY close"


@pytest.mark.parametrize(
    ("last", "today", "age"),
    [
        ("2024-06-28", "2024-06-28", 0),
        ("2024-06-28", "2024-06-29", 1),
        ("2024-07-12", "2024-06-28", 0),  # ahead of today: 0, never -14
        ("2024-06-28 00:00", "2024-12-18 15:30", 173),
        (None, "2024-06-28", None),
    ],
)
def test_days_old_is_never_negative(last, today, age) -> None:
    assert days_old(last, today) == age


def test_names_come_from_the_catalog_and_the_registry() -> None:
    assert series_name("fred:UNRATE") == "Unemployment rate"
    assert series_label("fred:UNRATE") == "Unemployment rate (FRED)"
    assert series_label("naaim:exposure") == "NAAIM exposure index (NAAIM)"
    assert series_label("yahoo:SPY") == "SPDR S&P 500 ETF (Yahoo Finance)"
    assert provider_short("cboe") == "CBOE"
    assert series_name("yahoo:NOTACATALOGUED") == "NOTACATALOGUED"  # unknown: its symbol
    assert series_label("calendar:fomc") == "FOMC meeting calendar (Federal Reserve)"


def test_the_viewer_toolbar_hides_deploy_and_the_developer_menu() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "viewer"


# ---- on screen ---------------------------------------------------------------------------------


@pytest.fixture()
def start(monkeypatch, tmp_path):
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("INVESTABLE_TODAY", "2024-07-01")

    def run(page: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=90)
        for name, value in query.items():
            at.query_params[name] = value
        at.run()
        if page is not None:
            at.switch_page(f"views/{page}.py").run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return run


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [t.value for t in at.title] + [s.value for s in at.subheader]
    return "\n".join(parts)


def test_the_data_page_names_series_and_shows_no_ids_times_or_negative_ages(start) -> None:
    at = start("data")
    table = at.dataframe[0].value
    keys = FolderSource(FIXTURE).keys()
    assert list(table["Series"]) == [series_name(key) for key in keys]
    assert "Unemployment rate" in set(table["Series"])
    cells = table.astype(str).to_numpy().ravel()
    assert not any(RAW_ID.search(cell) for cell in cells)
    assert not any("00:00:00" in cell for cell in cells)
    ages = table["Days old"].dropna()
    assert (ages >= 0).all()


def test_the_upload_list_comes_from_the_registry(monkeypatch, tmp_path) -> None:
    guard = NetworkGuard().install(monkeypatch)
    monkeypatch.delenv("INVESTABLE_DATA_DIR", raising=False)
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()  # an empty store opens on the Data page
    assert not at.exception, [e.message for e in at.exception]
    series = at.selectbox[0]
    assert series.options == [series_label(key) for key in UPLOADS]
    assert not any(RAW_ID.search(option) for option in series.options)
    assert "AAII investor sentiment survey (AAII)" in series.options
    caption = "\n".join(c.value for c in at.caption)
    assert "https://www.aaii.com/sentimentsurvey/sent_results" in caption
    assert guard.calls == []


def test_the_decision_before_good_friday_is_on_thursday(start) -> None:
    at = start(as_of="2024-03-29")  # Good Friday 2024: the week's last session is Thursday
    assert "Decision on Thursday close **2024-03-28**" in _texts(at)
    assert "Friday close **2024-03-28**" not in _texts(at)


def test_this_week_only_for_the_latest_fresh_data(start, monkeypatch) -> None:
    at = start()
    assert at.title[0].value == "Is the market investable this week?"
    monkeypatch.setenv("INVESTABLE_TODAY", "2024-12-18")  # 173 days after the last close
    old = start()
    assert old.title[0].value == "Was the market investable in the week to 2024-06-28?"
    assert "this week" not in _texts(old)
    past = start(as_of="2023-04-02")
    assert past.title[0].value == "Was the market investable in the week to 2023-03-31?"


def test_screens_show_no_series_ids_and_money_with_the_sign_first(start) -> None:
    for page in ("overview", "indicators", "composite", "levels", "regimes"):
        at = start(page)
        assert not RAW_ID.search(_texts(at)), page
        assert "$-" not in _texts(at), page
        for frame in [*at.dataframe, *at.table]:  # data grids and static tables
            # text cells and row labels are shown as they are (date columns get a DateColumn
            # format; a datetime index would show its 00:00:00)
            cells = [cell for cell in frame.value.to_numpy().ravel() if isinstance(cell, str)]
            cells += [str(label) for label in frame.value.index]
            assert not any("$-" in cell or "00:00:00" in cell for cell in cells), page


def test_uptrend_text_counts_up_days_of_the_window() -> None:
    assert uptrend_text(15, 0.12, 0.03, 11, 10) == (
        "+12.0 % (3 % needed), 11 up days of 15 (10 needed)"
    )
    assert uptrend_text(10, -0.004, 0.09, 4, 7) == "-0.4 % (9 % needed), 4 up days of 10 (7 needed)"


def test_a_reading_is_drawn_only_while_its_input_was_available() -> None:
    """The TED spread (discontinued 2022-01-21) was drawn flat to today: the model carries its
    last reading on, with ``available`` False. Drawn: NaN (a gap) in those weeks."""
    from types import SimpleNamespace

    from dashboard.readings import drawn_reading

    weeks = pd.date_range("2022-01-07", periods=6, freq="W-FRI")
    indicator = SimpleNamespace(
        reading=pd.Series([float("nan"), 0.2, 0.3, 0.3, 0.3, 0.3], index=weeks),
        available=pd.Series([False, True, True, False, False, False], index=weeks),
    )
    drawn = drawn_reading(indicator, weeks[-2])
    assert list(drawn.index) == list(weeks[1:5])  # from the first drawn week to as-of
    assert drawn.tolist()[:2] == [0.2, 0.3]
    assert drawn.iloc[2:].isna().all()  # carried on while unavailable: a gap, not a line
    never = SimpleNamespace(reading=indicator.reading, available=indicator.available & False)
    assert drawn_reading(never, weeks[-1]).empty
