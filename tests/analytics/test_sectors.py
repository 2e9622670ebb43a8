"""Sector relative strength, with values worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.sectors import relative_strength

DAYS = pd.bdate_range("2024-01-01", periods=4)
LOOKBACKS = {"1M": 1, "3M": 3}


def series(*values: float) -> pd.Series:
    return pd.Series(values, index=DAYS[-len(values) :], dtype="float64")


def test_relative_strength_by_hand() -> None:
    bench = series(100, 105, 110, 121)  # 1 day: +10 %; 3 days: +21 %
    table = relative_strength(
        {"XLK": series(50, 50, 60, 66), "XLU": series(10, 11, 11, 11)}, bench, lookbacks=LOOKBACKS
    )
    # XLK: 1 day 66/60-1 = +10 % -> relative 1.10/1.10-1 = 0; 3 days 66/50-1 = +32 % -> 1.32/1.21-1
    assert table.loc["XLK", "return_3M"] == pytest.approx(0.32)
    assert table.loc["XLK", "relative_1M"] == pytest.approx(0.0)
    assert table.loc["XLK", "relative_3M"] == pytest.approx(1.32 / 1.21 - 1)  # 0.090909…
    # XLU: 1 day 0 % -> 1/1.1-1 = -0.090909…; 3 days +10 % -> 1.1/1.21-1 = -0.090909…
    assert table.loc["XLU", "relative_1M"] == pytest.approx(-1 / 11)
    assert table.loc["XLU", "relative_3M"] == pytest.approx(-1 / 11)
    assert list(table.index) == ["XLK", "XLU"]
    assert table["rank"].tolist() == [1.0, 2.0]
    assert table.loc["XLK", "sector"] == "Technology"
    assert table.attrs["as_of"] == DAYS[-1]


def test_sector_without_history_has_no_value_for_that_window() -> None:
    bench = series(100, 105, 110, 121)
    young = series(20, 22)  # only the last two days
    table = relative_strength({"XLC": young}, bench, lookbacks=LOOKBACKS)
    assert table.loc["XLC", "return_1M"] == pytest.approx(0.1)
    assert pd.isna(table.loc["XLC", "relative_3M"])
    assert pd.isna(table.loc["XLC", "rank"])


def test_as_of_uses_only_data_up_to_that_date() -> None:
    bench = pd.Series([100, 105, 110, 121, 999], index=pd.bdate_range("2024-01-01", periods=5))
    sector = pd.Series([50, 50, 60, 66, 1], index=bench.index)
    table = relative_strength({"XLK": sector}, bench, as_of=bench.index[3], lookbacks=LOOKBACKS)
    assert table.loc["XLK", "relative_3M"] == pytest.approx(1.32 / 1.21 - 1)


def test_not_enough_history_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"not enough history: .* needs 4 closes .* found 3"):
        relative_strength({"XLK": series(1, 2, 3)}, series(1, 2, 3), lookbacks=LOOKBACKS)


def test_real_sectors_against_an_independent_calculation(shared_source) -> None:
    """XLK's 3-month relative strength to 2026-06-05, recomputed from the raw CSV rows."""
    import csv

    def closes(path: str) -> dict[str, float]:
        with open(shared_source.folder / path, newline="") as handle:
            return {row["Date"]: float(row["Close"]) for row in csv.DictReader(handle)}

    spy, xlk = closes("yahoo/SPY_adjusted.csv"), closes("yahoo/sectors/XLK.csv")
    dates = sorted(spy)
    end, start = dates[-1], dates[-1 - 63]
    expected = (xlk[end] / xlk[start]) / (spy[end] / spy[start]) - 1
    table = relative_strength(
        {"XLK": shared_source.load("yahoo:XLK")["adj_close"]},
        shared_source.load("yahoo:SPY")["adj_close"],
    )
    assert table.loc["XLK", "relative_3M"] == pytest.approx(expected, rel=1e-12)


def test_no_sectors_is_a_clear_error() -> None:
    import pandas as pd
    import pytest

    from analytics.sectors import relative_strength

    spy = pd.Series(range(1, 200), index=pd.bdate_range("2024-01-01", periods=199), dtype=float)
    with pytest.raises(ValueError, match="no sector ETF prices"):
        relative_strength({}, spy)
