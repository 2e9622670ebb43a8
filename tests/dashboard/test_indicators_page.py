"""The Indicators page: a table of the category's readings and votes, then one indicator at a time
(a tab each, run lazily: only the open tab is backtested and drawn), its rule stated with the
threshold in force."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.model import evaluate
from data_sources.folder import FolderSource

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "app"


@pytest.fixture()
def open_indicators(monkeypatch, tmp_path):
    """The Indicators page on the fixture folder, opened with the given address parameters."""
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))

    def start(**query: str) -> AppTest:
        app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=90).run()
        for name, value in query.items():
            app.query_params[name] = value
        app.switch_page("views/indicators.py").run()
        assert not app.exception, [e.message for e in app.exception]
        return app

    return start


def open_tab(app: AppTest, category: str, name: str) -> None:
    app.button_group(key="category").set_value(category).run()
    app.session_state["indicator"] = name
    app.run()
    assert not app.exception, [e.message for e in app.exception]


def address_warnings(app: AppTest) -> list[str]:
    shown = [w.value.replace("\\", "") for w in app.warning]  # Markdown escapes dropped
    return [text for text in shown if text.startswith("The address asks")]


def rules(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown if m.value.startswith("**Rule.**"))


def test_the_rule_text_follows_the_users_threshold(open_indicators) -> None:
    app = open_indicators()
    open_tab(app, "Sentiment", "Put/call ratio")
    assert rules(app) == "**Rule.** Cash when the put/call ratio is below 0.9 (complacency)"
    app.switch_page("views/data.py").run()
    put_call = next(n for n in app.number_input if n.label == "Put/call ratio (ratio)")
    put_call.set_value(1.0)
    app.button(key="FormSubmitter:settings-Apply").click().run()
    assert not app.exception, [e.message for e in app.exception]
    app.switch_page("views/indicators.py").run()
    open_tab(app, "Sentiment", "Put/call ratio")
    assert rules(app) == "**Rule.** Cash when the put/call ratio is below 1 (complacency)"
    table = app.table[0].value.set_index("Indicator")
    assert table.loc["Put/call ratio", "Invested when"] == "at or above 1"


def test_calendar_rules_read_on_or_off(open_indicators) -> None:
    """The fixture's latest decision falls in summer: seasonality is off (so cash), and each
    calendar flag reads On or Off, never "0.00 / invested when at or above 1"."""
    app = open_indicators()
    table = app.table[0].value.set_index("Indicator")
    calendar = table[table["Invested when"].isin(["on", "off"])]
    assert len(calendar) == 3 and set(calendar["Reading"]) <= {"On", "Off"}
    assert calendar.loc["Best six months", ["Reading", "Invested when", "Vote"]].tolist() == [
        "Off",
        "on",
        "Cash",
    ]
    assert not table["Invested when"].str.contains("above 1|below 0").any()
    open_tab(app, "Technicals", "Best six months")
    assert [(m.value, m.proto.delta) for m in app.metric if m.label == "Reading"] == [
        ("Off", "invested when on")
    ]


def test_the_table_holds_every_indicator_of_the_category_and_its_vote(open_indicators) -> None:
    model = evaluate(FolderSource(FIXTURE).load_many())
    snapshot = model.snapshot(model.composite.index[-1])
    app = open_indicators(category="Sentiment")
    table = app.table[0].value
    rows = [row for row in snapshot.indicators if row.category == "Sentiment"]
    assert table["Indicator"].tolist() == [row.name for row in rows]
    expected = [
        "Unavailable" if row.score is None else ("Invested" if row.score == 1 else "Cash")
        for row in rows
    ]
    assert table["Vote"].tolist() == expected
    assert "Unavailable" in expected and "—" in table["Reading"].tolist()  # AAII not loaded


def test_one_chart_is_drawn_the_open_tabs(open_indicators) -> None:
    app = open_indicators()
    charts = app.get("plotly_chart")
    assert len(charts) == 1
    first = app.table[0].value["Indicator"].iloc[0]
    assert first in charts[0].proto.spec  # its title names the indicator
    open_tab(app, "Technicals", "Best six months")
    charts = app.get("plotly_chart")
    assert len(charts) == 1 and "Best six months: following it" in charts[0].proto.spec


def test_the_address_opens_an_indicators_tab(open_indicators) -> None:
    app = open_indicators(category="Sentiment", indicator="Put/call ratio")
    assert address_warnings(app) == []
    assert rules(app) == "**Rule.** Cash when the put/call ratio is below 0.9 (complacency)"


def test_an_indicator_not_in_the_category_is_named_and_the_first_shown(open_indicators) -> None:
    app = open_indicators(category="Sentiment", indicator="Best six months")
    (warning,) = address_warnings(app)
    assert warning.startswith("The address asks for indicator=Best six months, which is not one of")
    assert warning.endswith("; showing AAII bull-bear spread.")
    assert "indicator" not in app.query_params
    assert [m.value for m in app.markdown if m.value.startswith("#### ")] == [
        "#### AAII bull-bear spread"
    ]
