"""AppTest of the Levels page over tests/fixtures/app: defaults valid at any date, tiny risks,
prices compared as shown, whole messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).parents[2]
APP = str(ROOT / "dashboard" / "app.py")
FIXTURE = ROOT / "tests" / "fixtures" / "app"


@pytest.fixture()
def levels_page(monkeypatch, tmp_path):
    """The Levels page on the fixture folder at an as-of date."""
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))

    def start(as_of: str | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=90)
        if as_of is not None:
            at.query_params["as_of"] = as_of
        at.run()
        if as_of is not None:
            at.date_input(key="as_of").set_value(dt.date.fromisoformat(as_of)).run()
        at.switch_page("views/levels.py").run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return start


def _close_on(as_of: str) -> float:
    prices = pd.read_csv(FIXTURE / "yahoo/SPY.csv", index_col="Date", parse_dates=True)
    return float(prices["Close"].loc[:as_of].iloc[-1])


def _number(at: AppTest, label: str):
    return next(n for n in at.number_input if n.label == label)


@pytest.mark.parametrize("as_of", ["2022-01-07", "2022-06-17", "2022-10-14", "2023-03-31"])
def test_defaults_are_valid_at_any_date(levels_page, as_of: str) -> None:
    at = levels_page(as_of)
    assert [e.value for e in at.error] == []
    close = _close_on(as_of)
    target, stop = _number(at, "Target").value, _number(at, "Stop").value
    assert stop <= round(close * 0.98, 2) + 1e-9 and target >= round(close * 1.02, 2) - 1e-9
    assert [m.label for m in at.metric][-4:] == ["Reward", "Risk", "Ratio", "Cash"]


def test_a_stop_entered_as_the_shown_price_is_no_downside(levels_page) -> None:
    at = levels_page("2023-03-31")
    shown = next(c.value for c in at.caption if c.value.startswith("Close "))
    price = float(shown.removeprefix("Close ").replace(",", ""))
    _number(at, "Stop").set_value(price).run()
    assert [e.value for e in at.error] == []
    assert any("no downside to the stop" in m.value for m in at.markdown)


def test_a_stop_above_the_price_says_exactly_what_is_wrong(levels_page) -> None:
    at = levels_page("2023-03-31")
    shown = next(c.value for c in at.caption if c.value.startswith("Close "))
    price = float(shown.removeprefix("Close ").replace(",", ""))
    _number(at, "Stop").set_value(round(price + 0.01, 2)).run()
    (error,) = [e.value for e in at.error]
    above = f"{price + 0.01:.2f}".rstrip("0").rstrip(".")
    below = f"{price:.2f}".rstrip("0").rstrip(".")
    assert error == (
        f"Check the target and stop: the stop {above} is above the entry price {below}; "
        "a stop must be at or below the entry price."
    )


def test_a_support_just_above_the_stop_shows_a_tiny_risk(levels_page) -> None:
    at = levels_page("2023-03-31")
    levels = at.dataframe[0].value  # the levels table, then the scenarios
    below = [
        float(v.replace(",", ""))
        for v, d in zip(levels["Value"], levels["From the close"], strict=True)
        if d.startswith("-") or d.startswith("−")
    ]
    assert below, levels
    level = max(below)
    _number(at, "Stop").set_value(round(level - 0.05, 2)).run()
    scenarios = at.dataframe[1].value
    ratios = dict(zip(scenarios["Entry"], scenarios["Ratio"], strict=True))
    assert ratios[f"{level:,.2f}"] == "risk under 0.1 %: ratio not meaningful"
