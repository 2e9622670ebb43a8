"""The latest week's report charts drawn by the refresh and stored beside the data (issue #15):
the artifact's format and every way it can be unusable, what the refresh stores and when it does
not (the store's bytes unchanged), and the reports (CLI, app) that use them without a browser."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import dashboard.stored_charts as stored_charts
from analytics.model import ModelSettings
from dashboard.precompute import precompute, read_precomputed
from dashboard.stored_charts import (
    ARTIFACT_NAME,
    PNG_SIGNATURE,
    StoredCharts,
    decode,
    encode,
    store_report_charts,
    stored_report_charts,
)
from data_sources.store import Store
from tests.test_cli import tree_bytes

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "app"
APP = str(ROOT / "dashboard" / "app.py")
CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="kaleido needs chromium")
WEEK = pd.Timestamp("2024-06-28")
PNGS = (PNG_SIGNATURE + b"first", PNG_SIGNATURE + b"second chart")


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    """The app fixture imported and precomputed, as ``investable import`` leaves it (without
    the report charts)."""
    target = Store(tmp_path / "store", providers={})
    assert target.import_folder(FIXTURE).ok
    precompute(target)
    return target


@pytest.fixture()
def no_chrome(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))


# ---- the artifact ------------------------------------------------------------------------------


def test_an_artifact_gives_back_its_week_and_pngs() -> None:
    data = encode(7, WEEK, PNGS)
    header = json.loads(data.partition(b"\n")[0])
    assert header["sizes"] == [13, 20] and header["week"] == "2024-06-28"
    assert decode(data, 7) == StoredCharts(WEEK, PNGS)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data.replace(b'"generation": 7', b'"generation": 8'),  # another generation
        lambda data: data.replace(b'"format": 1', b'"format": 2'),
        lambda data: data[:-1],  # a truncated body
        lambda data: data + b"x",  # bytes the sizes do not account for
        lambda data: data.replace(PNG_SIGNATURE + b"second", b"GIF89a..." + b"second"),
        lambda data: b"not json\n" + data.partition(b"\n")[2],
        lambda data: b"[1, 2]\n" + data.partition(b"\n")[2],
        lambda data: data.replace(b'"week": "2024-06-28"', b'"week": "someday"'),
        lambda data: data.replace(b'"sizes": [13, 20]', b'"sizes": []'),
        lambda data: data.replace(b'"sizes": [13, 20]', b'"sizes": [33, 0]'),
        lambda data: data.replace(b'"sizes": [13, 20]', b'"sizes": "33"'),
    ],
)
def test_a_damaged_or_foreign_artifact_is_not_used(damage) -> None:  # type: ignore[no-untyped-def]
    assert decode(damage(encode(7, WEEK, PNGS)), 7) is None


def test_charts_of_older_code_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    data = encode(7, WEEK, PNGS)
    monkeypatch.setattr(stored_charts, "charts_code_version", lambda: "0123456789abcdef")
    assert decode(data, 7) is None


def test_the_charts_fit_only_their_week_at_the_default_settings() -> None:
    charts = StoredCharts(WEEK, PNGS)
    assert charts.fit(WEEK, ModelSettings()) == PNGS
    assert charts.fit(WEEK - pd.Timedelta(days=7), ModelSettings()) is None
    assert charts.fit(WEEK, ModelSettings(invest_threshold=0.55)) is None
    assert charts.fit(WEEK, ModelSettings(thresholds={"vix": 25.0})) is None


def test_the_code_version_changes_with_the_figures_the_report_and_plotly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of the drawing code: any change to a figure, to the report or to the plotly
    version gives another code version (the model's code is the precompute's, tested there)."""
    import shutil

    shutil.copytree(ROOT / "components", tmp_path / "components")
    (tmp_path / "dashboard").mkdir()
    for name in stored_charts._DRAWING_CODE:
        shutil.copy(ROOT / name, tmp_path / name)
    monkeypatch.setattr(stored_charts, "_ROOT", tmp_path)

    def current() -> str:
        stored_charts.charts_code_version.cache_clear()
        return stored_charts.charts_code_version()

    versions = [current()]
    figures = tmp_path / "components" / "figures.py"
    figures.write_text(figures.read_text() + "\n# a changed figure\n")
    versions.append(current())
    report = tmp_path / "dashboard" / "report.py"
    report.write_text(report.read_text().replace("CHART_WIDTH = 1000", "CHART_WIDTH = 900"))
    versions.append(current())
    monkeypatch.setattr(stored_charts, "version", lambda name: "0.0.1")
    versions.append(current())
    assert all(re.fullmatch(r"[0-9a-f]{16}", v) for v in versions)
    assert len(set(versions)) == 4
    monkeypatch.undo()
    stored_charts.charts_code_version.cache_clear()


# ---- what the refresh stores -------------------------------------------------------------------


def test_without_chrome_nothing_is_stored_and_the_line_says_why(
    store: Store, no_chrome: None
) -> None:
    before = tree_bytes(Path(store.location))
    line = store_report_charts(store)
    assert line == (
        "report charts: not drawn (the charts need Chrome or Chromium, which was not found on "
        "this computer)"
    )
    assert tree_bytes(Path(store.location)) == before
    assert stored_report_charts(store) is None


def test_without_a_precomputed_model_nothing_is_drawn(tmp_path: Path) -> None:
    target = Store(tmp_path / "store", providers={})
    assert target.import_folder(FIXTURE).ok
    before = tree_bytes(tmp_path / "store")
    assert store_report_charts(target) == (
        "report charts: not drawn (no precomputed model for this generation)"
    )
    assert tree_bytes(tmp_path / "store") == before


@needs_chromium
def test_charts_drawn_while_newer_data_arrived_are_not_stored(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = read_precomputed(store)
    assert found is not None
    before = tree_bytes(Path(store.location))
    monkeypatch.setattr(stored_charts, "read_precomputed", lambda target: found)
    later = type(store).generation.fget(store) + 1  # type: ignore[attr-defined]
    monkeypatch.setattr(type(store), "generation", property(lambda self: later))
    assert store_report_charts(store) == (
        "report charts: not stored (newer data arrived while drawing)"
    )
    monkeypatch.undo()
    assert tree_bytes(Path(store.location)) == before


@needs_chromium
def test_the_refresh_stores_the_latest_weeks_three_charts(store: Store) -> None:
    assert store_report_charts(store) == "report charts: 3 drawn for the week of 2024-06-28"
    charts = stored_report_charts(store)
    assert charts is not None and charts.week == WEEK
    assert len(charts.pngs) == 3 and all(png.startswith(PNG_SIGNATURE) for png in charts.pngs)
    assert store.read_artifact(ARTIFACT_NAME) is not None


# ---- the reports that use them -----------------------------------------------------------------


def _report(store: Store, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``investable report`` in a fresh interpreter whose ChartBrowser refuses to start, so a
    report that needs a browser says so instead of drawing."""
    script = (
        "import sys\n"
        "import dashboard.report_charts as charts\n"
        "def refuse(self, *args, **kwargs):\n"
        "    raise RuntimeError('a browser was started')\n"
        "charts.ChartBrowser.__init__ = refuse\n"
        "from dashboard.cli import main\n"
        f"sys.exit(main(['report', '--store', {str(store.location)!r}, '--out', "
        f"{str(out)!r}, *{list(extra)!r}]))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=180
    )


def _images(html: str) -> list[bytes]:
    found = re.findall(r"src='data:image/png;base64,([^']+)'", html)
    return [base64.b64decode(image) for image in found]


@needs_chromium
def test_the_latest_weeks_report_uses_the_stored_charts_without_a_browser(
    store: Store, tmp_path: Path
) -> None:
    store_report_charts(store)
    charts = stored_report_charts(store)
    assert charts is not None
    done = _report(store, tmp_path / "weekly.html")
    assert done.returncode == 0, done.stderr
    assert _images((tmp_path / "weekly.html").read_text(encoding="utf-8")) == list(charts.pngs)
    past = _report(store, tmp_path / "past.html", "--as-of", "2024-06-21")  # draws: no browser
    assert past.returncode != 0 and "a browser was started" in past.stderr


def test_without_stored_charts_the_latest_week_needs_a_browser(
    store: Store, tmp_path: Path
) -> None:
    done = _report(store, tmp_path / "weekly.html")
    assert done.returncode != 0 and "a browser was started" in done.stderr


@needs_chromium
def test_the_apps_weekly_report_uses_the_stored_charts(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A replica without Chrome still gets the charts: no browser is asked for."""
    import streamlit as st

    import dashboard.report as report
    import dashboard.report_charts as report_charts

    store_report_charts(store)
    charts = stored_report_charts(store)
    assert charts is not None
    st.cache_data.clear()
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("INVESTABLE_STORE", str(store.location))
    monkeypatch.setenv("INVESTABLE_READ_ONLY", "1")
    monkeypatch.delenv("INVESTABLE_DATA_DIR", raising=False)

    def refuse() -> None:
        raise AssertionError("a browser was asked for")

    monkeypatch.setattr(report_charts, "shared_browser", refuse)
    built: list[report.ReportContent] = []
    original = report.report_content

    def keeping(*args: object, **kwargs: object) -> report.ReportContent:
        content = original(*args, **kwargs)  # type: ignore[arg-type]
        built.append(content)
        return content

    monkeypatch.setattr(report, "report_content", keeping)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    next(b for b in at.button if b.label == "Weekly report").click().run()
    assert not at.exception, [e.message for e in at.exception]
    (content,) = built
    (images,) = [block for block in content.blocks if isinstance(block, report.Charts)]
    assert images.pngs == charts.pngs and images.note == ""
