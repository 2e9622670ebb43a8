"""Engine readings over ../shared/data, checked by a second calculation straight from raw CSVs.

The second calculation uses the csv module and plain Python lists, not the engine's pandas code.
"""

from __future__ import annotations

import csv
import statistics
from datetime import date, timedelta
from pathlib import Path

import pytest

from analytics.model import evaluate


@pytest.fixture(scope="module")
def model(shared_source):
    return evaluate(shared_source.load_many())


def _rows(path: Path, date_column: str, value_column: str) -> list[tuple[date, float]]:
    rows = []
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle, skipinitialspace=True):
            text = (row.get(value_column) or "").strip()
            if text and text != ".":
                rows.append((date.fromisoformat(row[date_column].strip()[:10]), float(text)))
    return sorted(rows)


def _fridays_back(friday: date, n: int) -> list[date]:
    return [friday - timedelta(weeks=k) for k in reversed(range(n))]


@pytest.mark.shared_data
@pytest.mark.parametrize("friday", ["2008-10-10", "2012-10-19", "2020-03-20", "2022-06-17"])
def test_trend_matches_raw_spy_file(model, shared_data_dir, friday) -> None:
    closes = _rows(shared_data_dir / "yahoo/SPY_adjusted.csv", "Date", "Close")
    distances = []
    for day in _fridays_back(date.fromisoformat(friday), 4):
        upto = [c for d, c in closes if d <= day]
        distances.append(upto[-1] / (sum(upto[-200:]) / 200) - 1)
    expected = 100 * sum(distances) / 4
    snapshot = model.snapshot(friday)
    row = next(r for r in snapshot.indicators if r.id == "trend")
    assert row.reading == pytest.approx(expected, rel=1e-9)
    assert row.score == (1.0 if expected > 0 else 0.0)


@pytest.mark.shared_data
@pytest.mark.parametrize("friday", ["2008-10-10", "2020-03-20", "2022-06-17"])
def test_aaii_spread_matches_raw_file(model, shared_data_dir, friday) -> None:
    bulls = dict(_rows(shared_data_dir / "sentiment/aaii.csv", "Date", "Bullish"))
    bears = dict(_rows(shared_data_dir / "sentiment/aaii.csv", "Date", "Bearish"))
    day = date.fromisoformat(friday)
    surveys = sorted(d for d in bulls if d <= day and d in bears)[-4:]
    expected = statistics.fmean(100 * (bulls[d] - bears[d]) for d in surveys)
    row = next(r for r in model.snapshot(friday).indicators if r.id == "aaii")
    assert row.reading == pytest.approx(expected, rel=1e-9)


@pytest.mark.shared_data
def test_unemployment_uses_only_the_released_month(model, shared_data_dir) -> None:
    # September 2008 was released on Friday 3 October 2008 (first Friday of M+1).
    rates = _rows(shared_data_dir / "fred/UNRATE.csv", "observation_date", "UNRATE")
    year = [r for d, r in rates if date(2007, 10, 1) <= d <= date(2008, 9, 1)]
    expected = year[-1] - sum(year) / 12
    row = next(r for r in model.snapshot("2008-10-10").indicators if r.id == "unemployment")
    assert row.last_observation.date() == date(2008, 9, 1)
    assert row.reading == pytest.approx(expected)
    # On Thursday 2 October, before that release, the model still sees August.
    earlier = next(r for r in model.snapshot("2008-10-03").indicators if r.id == "unemployment")
    assert earlier.last_observation.date() == date(2008, 9, 1)
    before = next(r for r in model.snapshot("2008-10-02").indicators if r.id == "unemployment")
    assert before.last_observation.date() == date(2008, 8, 1)


@pytest.mark.shared_data
def test_put_call_matches_raw_daily_file(model, shared_data_dir) -> None:
    ratios = _rows(
        shared_data_dir / "cboe/put_call_ratios_2019-2026.csv", "Fecha", "TOTAL_PUT_CALL_RATIO"
    )
    weekly = []
    for friday in _fridays_back(date(2022, 6, 17), 4):
        week = [r for d, r in ratios if friday - timedelta(days=6) <= d <= friday]
        weekly.append(sum(week) / len(week))
    row = next(r for r in model.snapshot("2022-06-17").indicators if r.id == "put_call")
    assert row.reading == pytest.approx(sum(weekly) / 4)


@pytest.mark.shared_data
def test_reference_folder_availability_reasons(model) -> None:
    snapshot = model.snapshot("2024-06-14")
    reasons = {r.id: r.reason for r in snapshot.indicators if not r.available}
    assert reasons["ted_spread"] == "TED spread discontinued by FRED on 2022-01-21"
    assert "fred:SPCS20RSA" in reasons["housing"]
    assert "ISM PMI" in reasons["ism_pmi"]
    assert snapshot.available == 21 - len(reasons)
    available = [r.score for r in snapshot.indicators if r.available]
    assert snapshot.composite == pytest.approx(sum(available) / len(available))


@pytest.mark.shared_data
def test_fomc_calendar_shipped_matches_reference(shared_data_dir) -> None:
    from analytics.calendar import bundled_fomc_statements

    reference = [d for d, _ in _fomc_rows(shared_data_dir)]
    assert [d.date() for d in bundled_fomc_statements()] == reference


def _fomc_rows(folder: Path) -> list[tuple[date, None]]:
    with (folder / "calendars/fomc_scheduled_statements.csv").open() as handle:
        return [(date.fromisoformat(r["statement_date"]), None) for r in csv.DictReader(handle)]
