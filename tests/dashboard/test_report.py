"""The weekly report: one HTML file with the decision, the indicator table and 2× PNG charts."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from analytics.model import evaluate
from analytics.spec import ModelSettings
from dashboard.report import render_html, report_content, weekly_report
from dashboard.report_charts import CHARTS_NEED_CHROME, ChartBrowser, failure_text
from dashboard.report_pdf import pdf_text, render_pdf
from data_sources.folder import FolderSource

FIXTURE = Path(__file__).parents[1] / "fixtures" / "app"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def loaded():
    series = FolderSource(FIXTURE).load_many()
    return series, evaluate(series)


def test_tables_hold_the_decision_and_every_indicator(loaded) -> None:
    series, model = loaded
    snapshot = model.snapshot("2023-03-31")
    document = weekly_report(model, series, snapshot.decision_date, with_charts=False)
    assert "Friday close of 2023-03-31" in document
    assert f"Composite <b>{snapshot.composite:.2f}</b>" in document
    assert ">CASH<" in document  # 0.50 is not above 0.60
    # header + 4 categories, header + 15 levels (SPY on 2023-03-31), header of the indicators
    assert document.count("<tr>") == 1 + 4 + 1 + 15 + 1
    assert document.count("<tr class=") == 21  # one row per indicator
    assert "aaii:sentiment not loaded" in document
    assert "<img" not in document


@pytest.mark.skipif(not CHROMIUM.exists(), reason="kaleido needs Debian's chromium")
def test_charts_are_embedded_as_2x_pngs_in_html_and_pdf(loaded) -> None:
    series, model = loaded
    with ChartBrowser() as browser:  # one browser draws every chart
        content = report_content(model, series, browser=browser)
    document = render_html(content)
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", document)
    assert len(images) == 3  # composite history, SPY vs 200-day, composite backtest
    first = Image.open(io.BytesIO(base64.b64decode(images[0])))
    assert first.size == (2000, 920)  # 1000 × 460 at scale 2
    pdf = PdfReader(io.BytesIO(render_pdf(content)))
    pictures = [image for page in pdf.pages for image in page.images]
    assert len(pictures) == 3
    assert Image.open(io.BytesIO(pictures[0].data)).size == (2000, 920)


def test_cli_writes_the_file(tmp_path) -> None:
    out = tmp_path / "weekly.html"
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "report", "--data-dir", str(FIXTURE),
         "--as-of", "2023-04-02", "--no-charts", "--out", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "week of 2023-03-31" in done.stdout
    assert "Investable weekly report 2023-03-31" in out.read_text()


def _row(document: str, name: str) -> str:
    start = document.index(f"<td>{name}</td>")
    return document[document.rindex("<tr", 0, start) : document.index("</tr>", start)]


def test_readings_have_units_and_direction_and_names_not_ids(loaded) -> None:
    series, model = loaded
    document = weekly_report(model, series, pd.Timestamp("2023-03-31"), with_charts=False)
    # momentum on 2023-03-31 in the fixture: 6.9925 % (12-month return), invested when > 0 %
    momentum = _row(document, "12-month momentum")
    assert "<td class='num'>6.99 % vs &gt; 0 %</td><td>current</td><td>invested</td>" in momentum
    curve = _row(document, "Yield curve steepening")
    assert "<td class='num'>-0.52 pp vs &lt;= 0.5 pp</td>" in curve
    assert "<td class='num'>1 vs &gt;= 1</td>" in _row(document, "Best six months")  # flag: bare
    aaii = _row(document, "AAII bull-bear spread")
    assert "<td class='num'>— vs &lt;= 25 points</td><td>unavailable</td><td>—</td>" in aaii
    assert "<td>NAAIM exposure</td>" in document and "<td>naaim</td>" not in document
    # the gauge: momentum, trend and VIX trend are the components the fixture has
    assert "3 of 8 readings." in document


def test_a_stale_reading_is_marked_and_not_counted() -> None:
    series = FolderSource(FIXTURE).load_many()
    # unemployment's newest observation on 2023-03-31 is 2023-02-01: 58 days old. With a
    # 57-day limit it is stale; with 58 it is current (age = limit is still usable).
    stale = evaluate(series, ModelSettings(max_age_days={"unemployment": 57}))
    row = _row(weekly_report(stale, series, pd.Timestamp("2023-03-31"), with_charts=False),
               "Unemployment trend")  # fmt: skip
    assert "<tr class='stale'>" in row
    assert "<td class='num'>0 pp vs &lt; 0 pp</td><td>stale, not counted</td><td>—</td>" in row
    assert "58 days old; the limit is 57 days" in row
    current = evaluate(series, ModelSettings(max_age_days={"unemployment": 58}))
    row = _row(weekly_report(current, series, pd.Timestamp("2023-03-31"), with_charts=False),
               "Unemployment trend")  # fmt: skip
    assert "<td>current</td><td>cash</td><td>2023-02-01</td>" in row


def pdf_lines(data: bytes) -> list[str]:
    return [line for page in PdfReader(io.BytesIO(data)).pages for line in
            page.extract_text().splitlines()]  # fmt: skip


def test_the_pdf_holds_the_same_decision_and_tables(loaded) -> None:
    series, model = loaded
    content = report_content(model, series, pd.Timestamp("2023-03-31"), with_charts=False)
    data = render_pdf(content)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    lines = pdf_lines(data)
    assert "Decision on the Friday close of 2023-03-31, traded at the close of 2023-04-03. Only " \
        "data published by then." in lines  # fmt: skip
    assert "CASH" in lines
    assert "Composite 0.50 (invested above 0.60), 8 of 21 indicators available." in lines
    assert "Sentiment gauge 73 (Greed), 3 of 8 readings." in lines
    # the indicator row: name, category, reading with unit and direction, status, vote, date
    assert "12-month momentum Technicals 6.99 % vs > 0 % current invested 2023-03-31" in lines
    assert "AAII bull-bear spread Sentiment — vs <= 25 points unavailable — aaii:sentiment " \
        "not loaded" in lines  # fmt: skip
    assert "Bull market: yes, +22.5 % of 20 % above the 155-day low." in lines
    assert "Channel upper edge 367.51 +8.71 %" in lines  # the first (highest) level
    assert PdfReader(io.BytesIO(data)).metadata.title == "Investable weekly report 2023-03-31"


def test_a_stale_row_is_marked_in_the_pdf_too() -> None:
    series = FolderSource(FIXTURE).load_many()
    stale = evaluate(series, ModelSettings(max_age_days={"unemployment": 57}))
    content = report_content(stale, series, pd.Timestamp("2023-03-31"), with_charts=False)
    assert any(line.startswith("Unemployment trend Macro 0 pp vs < 0 pp stale, not counted")
               for line in pdf_lines(render_pdf(content)))  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a → b", "a -> b"), ("≤ 1 ≥ 2 −3", "<= 1 >= 2 -3"), ("— “q” é", "— “q” é"),
     ("日本", "??")],
)  # fmt: skip
def test_pdf_text_keeps_windows_1252_and_spells_out_the_rest(text: str, expected: str) -> None:
    assert pdf_text(text) == expected


def test_without_a_browser_both_formats_keep_the_tables_and_say_why(
    loaded, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    series, model = loaded
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    content = report_content(model, series, pd.Timestamp("2023-03-31"))
    document = render_html(content)
    assert f"<p class='muted'>{CHARTS_NEED_CHROME}</p>" in document
    assert "<img" not in document and document.count("<tr class=") == 21
    assert CHARTS_NEED_CHROME in " ".join(pdf_lines(render_pdf(content)))


def run_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "report", "--data-dir", str(FIXTURE),
         "--as-of", "2023-04-02", "--no-charts", *argv],
        capture_output=True, text=True,
    )  # fmt: skip


def test_cli_format_pdf_writes_a_pdf(tmp_path: Path) -> None:
    out = tmp_path / "weekly.pdf"
    done = run_cli("--format", "pdf", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {out} (") and "week of 2023-03-31" in done.stdout
    assert out.read_bytes().startswith(b"%PDF-")
    assert "12-month momentum Technicals 6.99 % vs > 0 % current invested 2023-03-31" in \
        pdf_lines(out.read_bytes())  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weekly.pdf"]


def test_cli_picks_the_document_from_format_then_the_out_suffix(tmp_path: Path) -> None:
    assert run_cli("--out", str(tmp_path / "a.pdf")).returncode == 0
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF-")
    assert run_cli("--format", "html", "--out", str(tmp_path / "b.pdf")).returncode == 0
    assert (tmp_path / "b.pdf").read_text().startswith("<!doctype html>")
    done = run_cli("--format", "json", "--out", str(tmp_path / "c.pdf"))
    assert done.returncode == 0 and '"week": "2023-03-31"' in done.stdout
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF-")


def test_cli_default_name_follows_the_format(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "report", "--data-dir", str(FIXTURE.resolve()),
         "--as-of", "2023-04-02", "--no-charts", "--format", "pdf"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["investable-2023-03-31.pdf"]


@pytest.mark.parametrize("target", ["missing/weekly.pdf", "."])
def test_cli_pdf_refuses_a_bad_path_and_writes_nothing(tmp_path: Path, target: str) -> None:
    keep = tmp_path / "last-week.pdf"
    keep.write_bytes(b"%PDF-1.3 last week")
    out = tmp_path if target == "." else tmp_path / target
    done = run_cli("--format", "pdf", "--out", str(out))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    expected = (f"{tmp_path} is a folder; give a file name such as {tmp_path}/report.html"
                if target == "." else f"the folder {tmp_path}/missing does not exist")  # fmt: skip
    assert expected in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last-week.pdf"]
    assert keep.read_bytes() == b"%PDF-1.3 last week"


def test_regimes_say_no_with_the_closest_uptrend_window(loaded) -> None:
    series, model = loaded
    document = weekly_report(model, series, pd.Timestamp("2022-06-17"), with_charts=False)
    # SPY's close on 2022-06-17 against the lowest of its last 155 closes, from the CSV
    close = pd.read_csv(FIXTURE / "yahoo" / "SPY.csv", index_col=0, parse_dates=True)["Close"]
    window = close.loc[:"2022-06-17"].iloc[-155:]
    rise = window.iloc[-1] / window.min() - 1  # 0.01634…
    assert f"<p>Bull market: <b>no</b>, {rise * 100:+.1f} % of 20 % above the 155-day low.</p>" \
        in document  # fmt: skip
    assert "<p>Investable uptrend: <b>no</b>; closest the 15-day window, -0.4 % of 3 %, " \
        "8 of 10 up days.</p>" in document  # fmt: skip


@pytest.mark.skipif(not Path("/bin/false").exists(), reason="needs /bin/false")
def test_a_browser_that_fails_to_start_leaves_a_note_not_a_traceback(
    loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    series, model = loaded
    monkeypatch.setenv("BROWSER_PATH", "/bin/false")  # starts, then exits at once
    content = report_content(model, series, pd.Timestamp("2023-03-31"))
    note = ("The charts could not be drawn (the browser seemed to close immediately after "
            "starting): this report has the tables only.")  # fmt: skip
    assert f"<p class='muted'>{note}</p>" in render_html(content)
    assert note in " ".join(pdf_lines(render_pdf(content)))


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (TimeoutError(), "The charts could not be drawn (TimeoutError): this report has the "
                         "tables only."),
        (RuntimeError("Tab crashed."), "The charts could not be drawn (tab crashed): this "
                                       "report has the tables only."),
        (RuntimeError("SIGTERM received"), "The charts could not be drawn (SIGTERM received): "
                                           "this report has the tables only."),
    ],
)  # fmt: skip
def test_failure_text_is_one_sentence(exc: BaseException, expected: str) -> None:
    assert failure_text(exc) == expected


def test_without_spy_the_report_keeps_its_tables_and_says_why(
    loaded, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    series, model = loaded
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    without_spy = {key: frame for key, frame in series.items() if key != "yahoo:SPY"}
    document = weekly_report(model, without_spy, pd.Timestamp("2023-03-31"))
    assert ("<p class='muted'>The key charts are unavailable: backtests need yahoo:SPY prices; "
            "none are loaded.</p>") in document  # fmt: skip
    assert "Regimes unavailable: no S&amp;P 500 or SPY prices." in document
    assert document.count("<tr class=") == 21
