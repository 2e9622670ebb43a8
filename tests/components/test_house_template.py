"""The house template (issue #15): plotly_white without the styles of subplot kinds and trace
types no figure draws, so each figure copies and sends a third of it; the figures the pages
draw need nothing that was left out, and draw exactly as with the whole plotly_white."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from analytics.tearsheet import tear_sheet
from components.figures import (
    STYLED_TRACES,
    UNDRAWN_SUBPLOTS,
    finish,
    house_layout,
    house_template,
    sectors_figure,
)
from components.tearsheet import monthly_heatmap, yearly_bars

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "app"
CHROMIUM = Path("/usr/bin/chromium")
WHITE = pio.templates["plotly_white"].to_plotly_json()


def test_the_house_template_is_plotly_white_less_what_no_figure_uses() -> None:
    house = house_template().to_plotly_json()
    assert sorted(house["data"]) == ["bar", "heatmap", "scatter"]
    for kind in house["data"]:
        assert house["data"][kind] == WHITE["data"][kind]
    assert set(WHITE["layout"]) - set(house["layout"]) == {"polar", "ternary", "scene", "geo"}
    for key, value in house["layout"].items():
        assert value == WHITE["layout"][key]
    # what it saves: the JSON every chart carries
    assert len(json.dumps(house)) < len(json.dumps(WHITE)) / 2


def test_finish_gives_a_figure_the_house_template_whatever_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pio.templates, "default", "plotly_dark")
    fig = finish(go.Figure(go.Bar(x=[1], y=[2])), "T", pd.Timestamp("2026-01-02"), "test")
    assert fig.to_plotly_json()["layout"]["template"] == house_template().to_plotly_json()


def test_house_layout_keeps_a_figures_own_settings_and_merges_nested_ones() -> None:
    own = {
        "hovermode": "closest",
        "margin": {"l": 30},
        "annotations": [{"text": "band"}],
        "template": "plotly_dark",
    }
    kept = json.dumps(own)
    layout = house_layout(own, "Sectors", pd.Timestamp("2026-06-05"), "Yahoo Finance", 340)
    assert json.dumps(own) == kept  # the figure's dictionary is not changed
    assert layout["hovermode"] == "closest"  # the house's "x unified" only where none is set
    # house margins: top 125 (a one-line title), bottom 60 (a one-line source), left 60, right 30
    assert layout["margin"] == {"t": 125, "b": 60, "l": 30, "r": 30}
    assert [note["text"] for note in layout["annotations"]] == ["band", "Source: Yahoo Finance"]
    assert layout["template"] is house_template()
    assert layout["height"] == 340
    assert layout["title"]["text"] == "Sectors<br><sup>As of 2026-06-05</sup>"
    plain = house_layout({}, "Sectors", None, "Yahoo Finance")
    assert plain["hovermode"] == "x unified" and plain["height"] == 460


def test_the_sector_bars_hover_on_the_bar_under_the_pointer() -> None:
    table = pd.DataFrame({"sector": ["Energy", "Utilities"], "rs": [0.05, -0.02]}, ["XLE", "XLU"])
    fig = sectors_figure(table, "rs", "Sectors", "Yahoo Finance", pd.Timestamp("2026-06-05"))
    assert fig.layout.hovermode == "closest"  # was overridden by the house's "x unified"
    assert list(fig.data[0].y) == ["Utilities -2.0 %", "Energy +5.0 %"]


def _page_specs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict]:
    """Every chart of every page over the fixture (the tear sheet open, candles on Levels)."""
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))
    specs = []
    for page, query in [
        ("overview", {}),
        ("indicators", {}),
        ("composite", {"tearsheet": "true"}),
        ("levels", {"style": "candles"}),
        ("regimes", {}),
    ]:
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=90)
        for name, value in query.items():
            at.query_params[name] = value
        at.switch_page(f"views/{page}.py")
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        specs += [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return specs


def test_every_chart_of_the_pages_needs_nothing_the_house_template_left_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    specs = _page_specs(monkeypatch, tmp_path)
    assert len(specs) >= 10
    kinds = {trace.get("type", "scatter") for spec in specs for trace in spec["data"]}
    assert {"scatter", "bar", "heatmap", "candlestick", "indicator"} <= kinds
    assert {kind for kind in kinds if kind in WHITE["data"]} <= STYLED_TRACES
    for spec in specs:
        subplots = {key.rstrip("0123456789") for key in spec["layout"]}
        assert not subplots & UNDRAWN_SUBPLOTS
        assert spec["layout"]["template"] == house_template().to_plotly_json()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="drawing PNGs needs chromium")
def test_a_tear_sheets_heatmap_and_bars_draw_the_same_as_with_plotly_white() -> None:
    from dashboard.report_charts import ChartBrowser

    rng = np.random.default_rng(3)
    dates = pd.bdate_range("2021-01-04", periods=700)
    equity = pd.Series(100 * np.cumprod(1 + rng.normal(0.0005, 0.01, 700)), index=dates)
    benchmark = pd.Series(100 * np.cumprod(1 + rng.normal(0.0004, 0.012, 700)), index=dates)
    sheet = tear_sheet(equity, benchmark, capital=100.0)
    house = [
        monthly_heatmap(sheet.monthly, "Monthly returns (%)", "test", dates[-1]),
        yearly_bars(sheet.yearly, "Composite", "Yearly returns (%)", "test", dates[-1]),
    ]
    whole = [go.Figure(fig).update_layout(template="plotly_white") for fig in house]
    plotly_default = [go.Figure(fig).update_layout(template="plotly") for fig in house]
    with ChartBrowser(basic=False) as browser:
        drawn = browser.pngs([*house, *whole, *plotly_default], 600)
    assert drawn[:2] == drawn[2:4]
    assert drawn[0] != drawn[4] and drawn[1] != drawn[5]  # a template that differs shows
