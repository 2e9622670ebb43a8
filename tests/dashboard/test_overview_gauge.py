"""AppTest of the Overview's daily sentiment gauge: a card per component with its score and band
(or why it is left out), the lookbacks, the history chart, an as-of day between Fridays, and the
caches that the composite threshold must not invalidate.

The folder is the app fixture (tests/fixtures/app: SPY and VIX, 2021-01-04 … 2024-06-28) plus a
NAAIM file in NAAIM's real download format (newest first, m/d/Y dates, Thursdays) that ends on
2024-03-28, so NAAIM exposure is stale (91 days old against a 21-day limit) by the newest day.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.gauge import daily_gauge_detail
from components.gauge import reading_text
from dashboard import overview_cache
from data_sources.folder import FolderSource

ROOT = Path(__file__).parents[2]
APP = str(ROOT / "dashboard" / "app.py")
FIXTURE = ROOT / "tests" / "fixtures" / "app"
NAAIM_END = pd.Timestamp("2024-03-28")
NAAIM_MANIFEST = """
[[series."naaim:exposure"]]
file = "sentiment/naaim.csv"
date = "Date"
date_format = "%m/%d/%Y"
fields = { value = "naaim" }
frequency = "W"
"""
COMPONENT_NAMES = [
    "12-month momentum",
    "200-day trend",
    "AAII bull-bear spread",
    "NAAIM exposure",
    "Put/call ratio",
    "VIX trend",
    "VIX term structure",
    "High-yield spread",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("overview") / "data"
    shutil.copytree(FIXTURE, root)
    thursdays = pd.date_range("2021-01-07", NAAIM_END, freq="W-THU")
    values = 60 + 25 * np.sin(np.arange(len(thursdays)) / 9)
    lines = [f"{d.month}/{d.day}/{d.year},{v:.2f}" for d, v in zip(thursdays, values, strict=True)]
    (root / "sentiment").mkdir()
    (root / "sentiment" / "naaim.csv").write_text("Date,naaim\n" + "\n".join(lines[::-1]) + "\n")
    with (root / "manifest.toml").open("a") as manifest:
        manifest.write(NAAIM_MANIFEST)
    return root


@pytest.fixture(scope="module")
def detail(folder):
    return daily_gauge_detail(FolderSource(folder).load_many())


@pytest.fixture()
def open_app(monkeypatch, tmp_path, folder):
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(folder))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))

    def start(**query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        for name, value in query.items():
            at.query_params[name] = value
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return start


def _metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def _captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def _chart(at: AppTest, title: str) -> dict:
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        if spec["layout"]["title"]["text"].startswith(title):
            return spec
    raise AssertionError(f"no chart titled {title!r}")


def _array(values: list | dict) -> np.ndarray:
    """A Plotly JSON array: a list, or a typed array ``{"dtype": "f8", "bdata": base64}``."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def test_cards_for_every_component(open_app, detail) -> None:
    at = open_app()
    metrics = _metrics(at)
    expected = detail.on()
    assert expected.day == pd.Timestamp("2024-06-28")
    for card in expected.components:
        assert card.name in metrics, card.name
    assert [c.name for c in expected.components] == COMPONENT_NAMES
    captions = _captions(at)
    scored = [c for c in expected.components if c.status == "scored"]
    assert {c.id for c in scored} == {"momentum", "trend", "vix_trend"}
    for card in scored:
        assert metrics[card.name] == (f"{card.score:.0f}", card.band)
        assert card.band in {"Extreme Fear", "Fear", "Neutral", "Greed", "Extreme Greed"}
        assert f"Reading {reading_text(card.reading, card.unit)}, data of 2024-06-28." in captions
    # inputs not loaded: unavailable, with the input's name (not its key)
    assert metrics["Put/call ratio"] == ("Unavailable", "left out")
    assert "CBOE total put/call ratio (CBOE) not loaded." in captions
    assert "cboe:" not in captions
    assert "3 of 8 readings (NAAIM exposure: stale)" in captions


def test_stale_component_is_shown_as_stale_not_scored(open_app, detail) -> None:
    at = open_app()
    assert _metrics(at)["NAAIM exposure"] == ("Stale", "left out")
    naaim = next(c for c in detail.on().components if c.id == "naaim")
    assert naaim.status == "stale" and np.isnan(naaim.score)
    captions = _captions(at)
    assert f"Last reading {naaim.reading:.1f}, data of 2024-03-28." in captions
    assert "is 92 days old; the limit is 21 days." in captions  # 2024-03-28 -> 2024-06-28
    # the gauge is the mean of the three scored components only
    scored = [c.score for c in detail.on().components if c.status == "scored"]
    dial = _chart(at, "Sentiment gauge<br>")
    assert dial["data"][0]["value"] == round(float(np.mean(scored)))
    source = " ".join(a["text"] for a in dial["layout"]["annotations"]).replace("<br>", " ")
    assert (
        "Source: Yahoo Finance, CBOE via Yahoo Finance; 3 of 8 readings (NAAIM exposure: "
        "stale), each ranked against its past 5 years"
    ) in source


def test_lookback_metrics(open_app, detail) -> None:
    at = open_app()
    metrics = _metrics(at)
    lookbacks = detail.on().lookbacks
    days = [x.day for x in lookbacks]
    # the previous session, then the sessions 1 week, 1 month and 1 year before 2024-06-28
    expected = ("2024-06-27", "2024-06-21", "2024-05-28", "2023-06-28")
    assert days == [pd.Timestamp(d) for d in expected]
    score = detail.scores["score"]
    for lookback in lookbacks:
        value = score.loc[lookback.day]
        assert metrics[lookback.label] == (f"{value:.0f}", lookback.band)
    helps = {m.label: m.proto.help for m in at.metric}
    assert helps["1 year ago"] == "The gauge at the close of 2023-06-28."


def test_history_chart_with_one_set_of_band_shapes(open_app, detail) -> None:
    at = open_app()
    spec = _chart(at, "Sentiment gauge, every trading day")
    assert len(spec["data"]) == 1  # the gauge line only: bands are shapes, not traces
    line = spec["data"][0]
    history = detail.scores["score"].dropna()
    assert len(line["x"]) == len(history)
    assert line["x"][-1].startswith("2024-06-28")
    assert _array(line["y"]) == pytest.approx(history.round(1).to_numpy())
    shapes = spec["layout"]["shapes"]
    assert [(s["y0"], s["y1"]) for s in shapes] == [
        (0, 24.5),
        (24.5, 44.5),
        (44.5, 55.5),
        (55.5, 75.5),
        (75.5, 100),
    ]
    assert {s["xref"] for s in shapes} == {"paper"}


def test_as_of_between_fridays_shows_that_day(open_app, detail) -> None:
    at = open_app(as_of="2024-03-13")  # a Wednesday: the model's week is 2024-03-08
    assert "Decision on Friday close **2024-03-08**" in _captions(at)
    expected = detail.on(pd.Timestamp("2024-03-13"))
    assert "Shown for **2024-03-13**." in _captions(at)
    assert _chart(at, "Sentiment gauge<br>")["data"][0]["value"] == round(expected.value)
    naaim = next(c for c in expected.components if c.id == "naaim")
    assert naaim.status == "scored"  # 6 days old then
    assert _metrics(at)["NAAIM exposure"] == (f"{naaim.score:.0f}", naaim.band)
    previous = detail.scores.at[pd.Timestamp("2024-03-12"), "score"]
    assert _metrics(at)["Previous close"][0] == f"{previous:.0f}"


def _count_calls(monkeypatch, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(overview_cache, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(overview_cache, name, counted)
    return calls


def test_threshold_does_not_rebuild_price_or_gauge(open_app, monkeypatch) -> None:
    open_app(threshold="0.6")  # fill the caches for this generation
    gauge = _count_calls(monkeypatch, "daily_gauge_detail")
    dial = _count_calls(monkeypatch, "gauge_dial")
    price = _count_calls(monkeypatch, "price_figure")
    sectors = _count_calls(monkeypatch, "sectors_figure")
    open_app(threshold="0.75")
    open_app(threshold="0.6")
    assert (len(gauge), len(dial), len(price), len(sectors)) == (0, 0, 0, 0)
    # another as-of date is another key: drawn once, then cached; the daily history is reused
    open_app(as_of="2024-02-14")
    open_app(as_of="2024-02-14", threshold="0.75")
    assert (len(gauge), len(dial), len(price), len(sectors)) == (0, 1, 1, 1)
