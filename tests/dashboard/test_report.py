"""The weekly report: one HTML file with the decision, the indicator table and 2× PNG charts."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from analytics.model import evaluate
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
    assert document.count("<tr>") == 1 + 4 + 1 + 21  # header+categories, header+indicators
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
