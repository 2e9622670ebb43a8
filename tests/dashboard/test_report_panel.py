"""The Overview's weekly report: after one click, the HTML and PDF downloads stay on screen
across reruns, and the report is built once (cached by generation, week and settings)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import dashboard.report as report

ROOT = Path(__file__).parents[2]
APP = str(ROOT / "dashboard" / "app.py")
FIXTURE = ROOT / "tests" / "fixtures" / "app"


def _downloads(at: AppTest) -> list[str]:
    return [element.proto.label for element in at.get("download_button")]


@pytest.fixture()
def app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AppTest:
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "store"))
    # no browser: the report keeps its tables and says the charts need Chrome (fast, no chromium)
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_both_downloads_stay_after_the_click_and_a_rerun(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import streamlit as st

    st.cache_data.clear()
    built: list[str] = []
    original = report.report_content

    def counting(*args: object, **kwargs: object) -> report.ReportContent:
        content = original(*args, **kwargs)  # type: ignore[arg-type]
        built.append(content.title)
        return content

    monkeypatch.setattr(report, "report_content", counting)
    assert _downloads(app) == []  # nothing is built before the click
    next(b for b in app.button if b.label == "Weekly report").click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert _downloads(app) == ["HTML", "PDF"]
    app.run()  # a further rerun (a download with on_click="ignore" does not even rerun)
    assert _downloads(app) == ["HTML", "PDF"]
    assert built == ["Investable weekly report 2024-06-28"]  # built once, then cached


def test_the_overview_charts_name_their_png_with_the_whole_date(app: AppTest) -> None:
    names = [
        json.loads(chart.proto.config)["toImageButtonOptions"]["filename"]
        for chart in app.get("plotly_chart")
    ]
    assert "investable-spy-and-its-200-day-average-as-of-2024-06-28" in names
    assert all(re.fullmatch(r"investable-[a-z0-9-]+-as-of-\d{4}-\d{2}-\d{2}", n) for n in names)
