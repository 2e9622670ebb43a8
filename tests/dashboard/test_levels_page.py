"""AppTest of the Levels page over tests/fixtures/app: defaults valid at any date, tiny risks,
prices compared as shown, whole messages."""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.levels_address import selection_query

ROOT = Path(__file__).parents[2]
APP = str(ROOT / "dashboard" / "app.py")
FIXTURE = ROOT / "tests" / "fixtures" / "app"


@pytest.fixture()
def levels_page(monkeypatch, tmp_path):
    """The Levels page on the fixture folder at an as-of date."""
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))

    def start(as_of: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=90)
        for key, value in query.items():
            at.query_params[key] = value
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
    _open_portfolio(at)
    assert [e.value for e in at.error] == []
    assert [m.label for m in at.metric][-4:] == ["Reward", "Risk", "Ratio", "Cash"]


def _open_portfolio(at: AppTest) -> None:
    at.session_state["portfolio_open"] = True
    at.run()
    assert not at.exception, [e.message for e in at.exception]


def test_the_portfolio_editor_waits_closed_and_keeps_the_edited_rows(levels_page) -> None:
    """Closed, the portfolio section draws no editor (the page's heaviest part); opened, it
    starts from the rows kept when it was closed."""
    at = levels_page("2023-03-31")
    assert len(at.dataframe) == 0 and "Reward" not in [m.label for m in at.metric]
    _open_portfolio(at)
    assert len(at.dataframe) == 1  # the editor
    kept = pd.DataFrame(
        {
            "position": ["Index fund", "Bonds"],
            "weight": [0.5, 0.2],
            "entry": [100.0, 50.0],
            "target": [110.0, 55.0],
            "stop": [95.0, 49.0],
        }
    )
    at.session_state["portfolio_open"] = False
    at.run()
    at.session_state["portfolio_kept"] = kept
    _open_portfolio(at)
    metrics = {m.label: m.value for m in at.metric}
    # reward 0.5 * 10 % + 0.2 * 10 % = +7.00 %, risk 0.5 * -5 % + 0.2 * -2 % = -2.90 %
    assert (metrics["Reward"], metrics["Risk"], metrics["Cash"]) == ("+7.00 %", "-2.90 %", "30 %")


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
    levels = at.table[0].value  # the levels table, then the scenarios
    below = [
        float(v.replace(",", ""))
        for v, d in zip(levels["Value"], levels["From the close"], strict=True)
        if d.startswith("-") or d.startswith("−")
    ]
    assert below, levels
    level = max(below)
    _number(at, "Stop").set_value(round(level - 0.05, 2)).run()
    scenarios = at.table[1].value
    ratios = dict(zip(scenarios["Entry"], scenarios["Ratio"], strict=True))
    assert ratios[f"{level:,.2f}"] == "risk under 0.1 %: ratio not meaningful"


# ---- candles, anchors and the address (issue #13) ------------------------------------------


def _prices(as_of: str) -> pd.DataFrame:
    prices = pd.read_csv(FIXTURE / "yahoo/SPY.csv", index_col="Date", parse_dates=True)
    return prices.loc[:as_of]


def _chart(at: AppTest) -> dict:
    (chart,) = at.get("plotly_chart")
    return json.loads(chart.proto.spec)


def _traces(at: AppTest, kind: str) -> list[dict]:
    """The chart's traces of one type, Plotly's typed arrays ({"dtype", "bdata"}) decoded."""
    decoded = []
    for trace in _chart(at)["data"]:
        if trace["type"] == kind:
            decoded.append({key: _values(value) for key, value in trace.items()})
    return decoded


def _values(value):
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return value


def _warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if not w.value.startswith("Stale data")]


def _swing_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Fibonacci swing: "))


def _level(at: AppTest, name: str) -> str:
    levels = at.table[0].value
    return dict(zip(levels["Level"], levels["Value"], strict=True))[name]


def test_the_line_is_the_default_style(levels_page) -> None:
    at = levels_page("2023-03-31")
    assert _traces(at, "candlestick") == []
    assert _traces(at, "scatter")[0]["name"] == "Close"
    assert _chart(at)["layout"]["title"]["text"].startswith("SPY: levels on daily closes")
    assert len(_traces(at, "scatter")[0]["x"]) == len(_prices("2023-03-31").loc["2022-03-31":])


def test_the_line_beyond_two_years_draws_weekly_closes(levels_page) -> None:
    at = levels_page("2023-03-31", window="max")
    daily = _prices("2023-03-31")
    weeks = daily.groupby(daily.index.to_period("W-SUN"))
    line = _traces(at, "scatter")[0]
    assert line["name"] == "Close" and len(line["x"]) == weeks.ngroups == 117
    assert line["y"][0] == pytest.approx(daily.loc[:"2021-01-10", "Close"].iloc[-1])
    assert _chart(at)["layout"]["title"]["text"].startswith("SPY: levels on weekly closes")


def test_candles_up_to_two_years_are_daily_with_volume(levels_page) -> None:
    at = levels_page("2023-03-31", style="candles", window="6m")
    expected = _prices("2023-03-31").loc["2022-09-30":]  # six months before 2023-03-31
    (candles,) = _traces(at, "candlestick")
    assert len(candles["x"]) == len(expected) == 124
    assert candles["open"][0] == pytest.approx(expected["Open"].iloc[0])
    assert candles["high"][-1] == pytest.approx(expected["High"].iloc[-1])
    (volume,) = _traces(at, "bar")
    assert volume["y"] == pytest.approx(expected["Volume"].to_list())
    assert _chart(at)["layout"]["title"]["text"].startswith("SPY: levels on daily candles")
    legend = _chart(at)["layout"]["legend"]
    assert legend["yanchor"] == "top" and legend["y"] < 0  # under the chart, not over the title


def test_candles_beyond_two_years_are_weekly(levels_page) -> None:
    at = levels_page("2023-03-31", style="candles", window="5y")
    daily = _prices("2023-03-31")
    weeks = daily.groupby(daily.index.to_period("W-SUN"))
    (candles,) = _traces(at, "candlestick")
    assert len(candles["x"]) == weeks.ngroups == 117
    assert candles["high"][0] == pytest.approx(daily.loc[:"2021-01-10", "High"].max())
    (volume,) = _traces(at, "bar")
    assert volume["y"][0] == pytest.approx(daily.loc[:"2021-01-10", "Volume"].sum())
    assert _chart(at)["layout"]["title"]["text"].startswith("SPY: levels on weekly candles")


def test_a_close_only_source_draws_the_line_and_says_why(monkeypatch, tmp_path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    closes = pd.read_csv(FIXTURE / "yahoo/SPY.csv", usecols=["Date", "Close"])
    (folder / "fred").mkdir(exist_ok=True)
    closes.assign(SP500=closes["Close"] * 10).rename(columns={"Date": "observation_date"})[
        ["observation_date", "SP500"]
    ].to_csv(folder / "fred/SP500.csv", index=False)  # FRED's CSV layout
    with (folder / "manifest.toml").open("a") as manifest:
        manifest.write(
            '\n[[series."yahoo:^GSPC"]]\nfile = "fred/SP500.csv"\ndate = "observation_date"\n'
            'fields = { close = "SP500" }\nfrequency = "D"\n'
        )
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(folder))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(
        {"style": "candles", "swing": "prices", "swing_start": "300", "swing_end": "350"}
    )
    at.query_params["target"] = "400"
    at.run()
    at.switch_page("views/levels.py").run()
    assert _swing_caption(at) == "Fibonacci swing: 300.00 → 350.00 (up)."
    at.selectbox(key="symbol").set_value("yahoo:^GSPC").run()  # AppTest seeds no bound widget
    assert not at.exception, [e.message for e in at.exception]
    assert at.segmented_control(key="style").value == "candles"
    # anchors and a plan are prices of SPY: a new symbol starts from its own defaults
    assert set(at.query_params) == {"style"}
    assert _swing_caption(at) != "Fibonacci swing: 300.00 → 350.00 (up)."
    assert _traces(at, "candlestick") == []
    assert (
        "The chart shows the close as a line: the source has only closes for this series, no "
        "open, high and low prices, so candles cannot be drawn."
    ) in [c.value for c in at.caption]


def test_anchor_dates_from_the_address_round_trip(levels_page) -> None:
    at = levels_page("2023-03-31", swing="dates", swing_start="2022-06-16", swing_end="2022-08-16")
    assert _warnings(at) == []
    closes = _prices("2023-03-31")["Close"]
    start, end = closes["2022-06-16"], closes["2022-08-16"]
    direction = "up" if end >= start else "down"
    assert _swing_caption(at) == (
        f"Fibonacci swing: 2022-06-16 {start:,.2f} → 2022-08-16 {end:,.2f} ({direction})."
    )
    assert _level(at, "Fibonacci 61.8 %") == f"{end + 0.618 * (start - end):,.2f}"
    assert at.date_input(key="swing_start_date").value == dt.date(2022, 6, 16)
    at.date_input(key="swing_end_date").set_value(dt.date(2022, 8, 1)).run()
    assert at.query_params["swing_end"] in ("2022-08-01", ["2022-08-01"])
    assert _swing_caption(at).startswith("Fibonacci swing: 2022-06-16")
    assert "2022-08-01" in _swing_caption(at)


def test_anchor_prices_from_the_address_round_trip(levels_page) -> None:
    at = levels_page("2023-03-31", swing="prices", swing_start="300", swing_end="350.5")
    assert _warnings(at) == []
    assert _swing_caption(at) == "Fibonacci swing: 300.00 → 350.50 (up)."
    assert _level(at, "Fibonacci 50 %") == "325.25"
    at.number_input(key="swing_start_price").set_value(310.0).run()
    assert at.query_params["swing_start"] in ("310", ["310"])
    assert _level(at, "Fibonacci 50 %") == "330.25"


def test_the_automatic_swing_leaves_the_address_clean(levels_page) -> None:
    at = levels_page("2023-03-31", swing="dates", swing_start="2022-06-16", swing_end="2022-08-16")
    at.segmented_control(key="swing").set_value("auto").run()
    assert not {"swing", "swing_start", "swing_end"} & set(at.query_params)
    assert at.segmented_control(key="style").set_value("candles").run()
    assert at.query_params["style"] in ("candles", ["candles"])
    at.selectbox(key="window").set_value("2y").run()
    assert at.query_params["window"] in ("2y", ["2y"])
    at.number_input(key="target").set_value(400.0).run()
    assert at.query_params["target"] in ("400", ["400"])


AUTOMATIC = "the automatic swing (the last 126 trading days' high and low)"


@pytest.mark.parametrize(
    ("query", "warning"),
    [
        (
            {"window": "7y"},
            "The address asks for the chart window “7y”, which is not one of 6m (6 months), "
            "1y (1 year), 2y (2 years), 5y (5 years), 10y (10 years), max (all the history); "
            "showing 1 year instead.",
        ),
        (
            {"style": "bars"},
            "The address asks for the chart style “bars”, which is not one of line (Line), "
            "candles (Candles); showing Line instead.",
        ),
        (
            {"swing": "dates", "swing_start": "2030-01-01", "swing_end": "2022-08-16"},
            "The address asks for the swing start “2030-01-01”, which is not a date (YYYY-MM-DD) "
            f"from 2021-01-04 to 2023-03-31; showing {AUTOMATIC} instead.",
        ),
        (
            {"swing": "prices", "swing_start": "300", "swing_end": "abc"},
            f"The address asks for the swing end “abc”, which is not a number above 0; showing "
            f"{AUTOMATIC} instead.",
        ),
        (
            {"swing": "dates", "swing_start": "2022-06-16"},
            "The address asks for Fibonacci anchors by date but gives no swing end; showing "
            f"{AUTOMATIC} instead.",
        ),
        (
            {"swing": "dates", "swing_start": "2022-08-16", "swing_end": "2022-06-16"},
            "The Fibonacci anchors of the address cannot be used: the swing's end anchor is "
            f"dated before its start anchor; showing {AUTOMATIC} instead.",
        ),
        (
            {"swing": "prices", "swing_start": "300", "swing_end": "300"},
            "The Fibonacci anchors of the address cannot be used: the two anchors have the same "
            f"price: there is no swing to retrace; showing {AUTOMATIC} instead.",
        ),
        (
            {"symbol": "yahoo:QQQ"},
            "The address asks for the price “yahoo:QQQ”, which is not one of SPY; showing SPY "
            "instead.",
        ),
        (
            {"capital": "-1"},
            "The address asks for the capital “-1”, which is not a number of 0 or more; showing "
            "the default capital $100,000 instead.",
        ),
    ],
)
def test_an_unusable_address_value_is_warned_not_replaced_silently(
    levels_page, query: dict[str, str], warning: str
) -> None:
    automatic = _swing_caption(levels_page("2023-03-31"))
    at = levels_page("2023-03-31", **query)
    assert _warnings(at) == [warning]
    if "swing" in query:
        assert _swing_caption(at) == automatic
    assert [e.value for e in at.error] == []


def test_an_unusable_target_names_the_default_shown(levels_page) -> None:
    at = levels_page("2023-03-31", target="-5")
    target = _number(at, "Target").value
    assert _warnings(at) == [
        f"The address asks for the target “-5”, which is not a number above 0; showing the "
        f"default target {target:,.2f} instead."
    ]


def test_a_chart_selection_anchors_the_swing_through_the_address(levels_page) -> None:
    """The page's box-selection callback hands the box to ``selection_query``; its address
    values then drive the page like a shared link."""
    daily = _prices("2023-03-31")
    bars = daily.rename(columns=str.lower)[["high", "low"]]
    box = {"xref": "x", "yref": "y", "x": ["2022-05-31 14:00", "2022-09-02 09:30"], "y": [1, 2]}
    inside = bars.loc["2022-06-01":"2022-09-02"]
    high_day, low_day = inside["high"].idxmax(), inside["low"].idxmin()
    query = selection_query(box, bars, candles=True)
    first, second = sorted([(high_day, inside["high"].max()), (low_day, inside["low"].min())])
    assert query == {
        "swing": "prices",
        "swing_start": f"{first[1]:.2f}".rstrip("0").rstrip("."),
        "swing_end": f"{second[1]:.2f}".rstrip("0").rstrip("."),
    }
    at = levels_page("2023-03-31", **query)
    assert _warnings(at) == []
    assert _swing_caption(at) == (
        f"Fibonacci swing: {float(query['swing_start']):,.2f} → "
        f"{float(query['swing_end']):,.2f} ({'up' if second[1] > first[1] else 'down'})."
    )
    line = selection_query(box, daily.assign(high=daily["Close"], low=daily["Close"]), False)
    closes = daily.loc["2022-06-01":"2022-09-02", "Close"]
    ends = sorted([closes.idxmax(), closes.idxmin()])
    assert line == {
        "swing": "dates",
        "swing_start": f"{ends[0]:%Y-%m-%d}",
        "swing_end": f"{ends[1]:%Y-%m-%d}",
    }
