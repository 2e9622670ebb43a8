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

from analytics.model import evaluate
from analytics.spec import ModelSettings
from dashboard.report import weekly_report
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
def test_charts_are_embedded_as_2x_pngs(loaded) -> None:
    series, model = loaded
    document = weekly_report(model, series)
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", document)
    assert len(images) == 3  # composite history, SPY vs 200-day, composite backtest
    first = Image.open(io.BytesIO(base64.b64decode(images[0])))
    assert first.size == (2000, 920)  # 1000 × 460 at scale 2


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
