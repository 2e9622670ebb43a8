"""The report's chart browser (issue #15): which plotly.js its page loads, one page kept for
every figure, closing in the background, and one browser shared by the app's report builds."""

from __future__ import annotations

import io
import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path

import pandas as pd
import plotly
import plotly.graph_objects as go
import pytest
from PIL import Image
from pypdf import PdfReader

import dashboard.report_charts as charts
from dashboard.report_charts import (
    BASIC_BUNDLE,
    CHARTS_NEED_CHROME,
    PLOTLY_JS_MISSING,
    ChartBrowser,
    ChartsUnavailable,
    basic_traces_only,
    bundle_version,
    plotly_js,
    shared_browser,
)

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "app"
CHROMIUM = Path("/usr/bin/chromium")
FULL_BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="kaleido needs chromium")


def line(y: list[float], height: int | None = None) -> go.Figure:
    fig = go.Figure(go.Scatter(x=list(range(len(y))), y=y, mode="lines"))
    fig.update_layout(height=height, showlegend=False)
    return fig


@pytest.fixture()
def no_chrome(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))


# ---- which plotly.js the page loads -----------------------------------------------------------


@pytest.mark.parametrize(
    ("banner", "expected"),
    [
        (b"/**\n* plotly.js v4.1.1\n* Copyright 2012-2026, Plotly, Inc.", "4.1.1"),
        (b"/**\n* plotly.js (basic - minified) v4.1.1\n* Copyright", "4.1.1"),
        (b"/**\n* plotly.js (cartesian) v3.10.12\n*/", "3.10.12"),
        (b"var Plotly = {};", None),
    ],
)
def test_bundle_version_reads_the_banner(tmp_path: Path, banner: bytes, expected: str) -> None:
    path = tmp_path / "bundle.js"
    path.write_bytes(banner + b"\n(function(){})();")
    assert bundle_version(path) == expected


def test_the_vendored_basic_bundle_is_plotlys_version() -> None:
    # the banners of both files, read here independently of bundle_version
    assert BASIC_BUNDLE.read_bytes()[:60].startswith(b"/**\n* plotly.js (basic - minified) v")
    full = FULL_BUNDLE.read_bytes()[:40].decode().split(" v")[1].split()[0]
    assert bundle_version(BASIC_BUNDLE) == full
    assert plotly_js() == BASIC_BUNDLE
    assert plotly_js(basic=False) == FULL_BUNDLE


def test_a_basic_bundle_of_another_version_is_not_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other = tmp_path / "plotly-basic.min.js"
    other.write_text("/**\n* plotly.js (basic - minified) v0.0.1\n*/\n")
    monkeypatch.setattr(charts, "BASIC_BUNDLE", other)
    assert plotly_js() == FULL_BUNDLE
    monkeypatch.setattr(charts, "BASIC_BUNDLE", tmp_path / "absent.js")
    assert plotly_js() == FULL_BUNDLE


def test_without_plotly_min_js_the_charts_are_unavailable_not_fetched(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "plotly").mkdir()
    monkeypatch.setattr(plotly, "__file__", str(tmp_path / "plotly" / "__init__.py"))
    with pytest.raises(ChartsUnavailable) as caught:
        plotly_js()
    assert str(caught.value) == PLOTLY_JS_MISSING


def test_basic_traces_are_scatter_bar_and_pie() -> None:
    assert basic_traces_only(go.Figure([go.Scatter(y=[1]), go.Bar(y=[1]), go.Pie(values=[1])]))
    assert basic_traces_only(go.Figure())
    assert not basic_traces_only(
        go.Figure([go.Scatter(y=[1]), go.Candlestick(open=[1], high=[2], low=[0], close=[1])])
    )


def test_a_basic_browser_refuses_other_traces_in_a_sentence(no_chrome: None) -> None:
    candles = go.Figure(go.Candlestick(open=[1], high=[2], low=[0], close=[1]))
    with ChartBrowser() as browser, pytest.raises(ValueError) as caught:
        browser.submit(candles, 400)
    assert str(caught.value) == (
        "This chart browser loads plotly.js's basic bundle, which cannot draw candlestick "
        "traces: open it with ChartBrowser(basic=False)."
    )


# ---- closing ----------------------------------------------------------------------------------


def test_start_closing_returns_at_once_and_close_finishes(no_chrome: None) -> None:
    browser = ChartBrowser()
    assert not browser.closed
    browser.start_closing()
    assert browser.closed
    with pytest.raises(RuntimeError, match="the chart browser is closed"):
        browser.submit(line([1, 2]), 400)
    browser.close()
    browser.close()  # twice is harmless
    assert not browser._thread.is_alive()


# ---- one browser for the app ------------------------------------------------------------------


@pytest.fixture()
def fresh_shared(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(charts, "_shared", None)
    yield
    if charts._shared is not None:
        charts._shared.close()


def test_the_shared_browser_is_reused_and_replaced_after_a_failure(
    no_chrome: None, fresh_shared: None
) -> None:
    first = shared_browser()
    assert shared_browser() is first
    with pytest.raises(ChartsUnavailable) as caught:
        first.pngs([line([1, 2])], 400)
    assert str(caught.value) == CHARTS_NEED_CHROME and first.failed
    second = shared_browser()
    assert second is not first and first.closed and not second.closed


def test_a_closed_shared_browser_is_replaced(no_chrome: None, fresh_shared: None) -> None:
    first = shared_browser()
    first.close()
    assert shared_browser() is not first


# ---- drawing (chromium) -----------------------------------------------------------------------


@needs_chromium
def test_one_page_draws_every_figure_like_a_fresh_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "RELOAD_EVERY", 3)  # the third figure reloads the page
    rising, falling = line([1, 3, 2, 5]), line([5, 4, 1, 2], height=300)
    with ChartBrowser() as browser:
        pngs = browser.pngs([rising, falling, rising, falling], 500)
        kaleido = browser._opened.result()
        assert kaleido.drawn == 4
        assert Path(kaleido._index).name == "index.html"
    # the basic bundle in one kept page draws what the full plotly.js draws in a page
    # reloaded after every figure (kaleido's own way)
    monkeypatch.setattr(charts, "RELOAD_EVERY", 1)
    with ChartBrowser(basic=False) as full:
        expected = full.pngs([rising, falling], 500)
    assert pngs == expected * 2
    sizes = [Image.open(io.BytesIO(png)).size for png in pngs]
    assert sizes == [(1000, 920), (1000, 600)] * 2  # 500 × 460 and 500 × 300 at 2×


@needs_chromium
def test_cli_with_charts_writes_a_pdf_with_the_three_charts(tmp_path: Path) -> None:
    out = tmp_path / "weekly.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "report", "--data-dir", str(FIXTURE),
         "--as-of", "2023-04-02", "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    pictures = [image for page in PdfReader(out).pages for image in page.images]
    assert [Image.open(io.BytesIO(p.data)).size for p in pictures] == [(2000, 920)] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weekly.pdf"]


# ---- the report sends its charts before building its tables --------------------------------


class RecordingBrowser:
    """Draws nothing: records when the figures arrive and answers each with a tiny PNG."""

    def __init__(self, events: list[str]) -> None:
        self.events = events

    def submit_all(self, figures, width: int) -> list[Future[bytes]]:
        pending: list[Future[bytes]] = []
        for fig in figures:
            self.events.append(f"sent {fig.layout.title.text}")
            future: Future[bytes] = Future()
            future.set_result(b"png")
            pending.append(future)
        return pending

    def collect(self, pending: list[Future[bytes]]) -> list[bytes]:
        self.events.append("collected")
        return [future.result() for future in pending]


def test_the_charts_are_sent_before_the_tables_are_built(monkeypatch: pytest.MonkeyPatch) -> None:
    import dashboard.report as report
    from analytics.model import evaluate
    from data_sources.folder import FolderSource

    series = FolderSource(FIXTURE).load_many()
    model = evaluate(series)
    events: list[str] = []
    tables = report.tables_blocks

    def recorded_tables(*args, **kwargs):
        events.append("tables")
        return tables(*args, **kwargs)

    monkeypatch.setattr(report, "tables_blocks", recorded_tables)
    browser = RecordingBrowser(events)
    content = report.report_content(model, series, pd.Timestamp("2023-03-31"), browser=browser)
    assert [event.split(",")[0].split("<br>")[0] for event in events] == [
        "sent Composite",
        "sent SPY and its 200-day average",
        "sent Following the composite vs buy and hold SPY",
        "tables",
        "collected",
    ]
    assert report.Charts((b"png",) * 3) in content.blocks


# ---- the CLI starts a report's browser before loading its modules ------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["report", "--as-of", "2024-06-07"], True),
        (["report", "--as-of=2024-06-07", "--out", "weekly.pdf"], True),
        (["report", "--data-dir", "folder"], True),
        (["--store", "s3://bucket/store", "report", "--as-of", "2024-06-07"], True),
        (["--debug", "--store", "here", "report", "--debug", "--as-of", "2024-06-07"], True),
        (["--store=here", "report", "--data-dir=folder"], True),
        (["report"], False),  # the latest week: its charts are usually stored
        (["--store", "here", "report", "--out", "weekly.html"], False),
        (["report", "--as-of", "2024-06-07", "--no-charts"], False),
        (["report", "--data-dir", "folder", "--help"], False),
        (["report", "--as-of", "2024-06-07", "-h"], False),
        (["--store", "report", "status", "--as-of"], False),  # "report" is the store's name
        (["status"], False),
        (["--debug"], False),
        ([], False),
    ],
)
def test_only_a_report_that_will_draw_starts_a_browser_early(
    argv: list[str], expected: bool
) -> None:
    from dashboard.cli import draws_charts

    assert draws_charts(argv) is expected


def test_the_cli_module_loads_nothing_heavy_before_the_browser_starts() -> None:
    """``import dashboard.cli`` in a fresh interpreter imports neither pandas, nor plotly, nor
    the store: the early browser starts before them."""
    script = (
        "import sys, dashboard.cli\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'pandas', 'plotly', 'numpy', 'data_sources', 'analytics', 'kaleido'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@needs_chromium
def test_investable_report_draws_with_the_browser_it_started_first(tmp_path: Path) -> None:
    """In a fresh interpreter: one browser for the whole command, started before pandas was
    imported, and the report has its three charts."""
    out = tmp_path / "weekly.html"
    script = (
        "import sys\n"
        "import dashboard.report_charts as charts\n"
        "started = []\n"
        "original = charts.ChartBrowser.__init__\n"
        "def init(self, *args, **kwargs):\n"
        "    started.append('pandas' in sys.modules)\n"
        "    original(self, *args, **kwargs)\n"
        "charts.ChartBrowser.__init__ = init\n"
        "from dashboard.cli import main\n"
        f"code = main(['report', '--data-dir', {str(FIXTURE)!r}, '--as-of', '2023-04-02', "
        f"'--out', {str(out)!r}])\n"
        "print(code, started)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=180
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "0 [False]"
    assert out.read_text(encoding="utf-8").count("src='data:image/png;base64,") == 3


@needs_chromium
def test_a_usage_error_closes_the_early_browser(capsys: pytest.CaptureFixture[str]) -> None:
    from dashboard.cli import main

    closed: list[ChartBrowser] = []
    original = ChartBrowser.close

    def close(self: ChartBrowser) -> None:
        closed.append(self)
        original(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ChartBrowser, "close", close)
        assert main(["report", "--as-of", "not-a-date"]) == 2
    assert len(closed) == 1 and closed[0].closed
    assert charts.take_early() is None
    assert "error" in capsys.readouterr().err
