"""Validation rules, each with its boundary pinned (one side passes, the other is rejected)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_sources.catalog import LIVE_BY_KEY, LIVE_SERIES, Bounds
from data_sources.errors import BadPayload, Rejected
from data_sources.validate import (
    DUPLICATE_RELATIVE,
    DUPLICATE_TOLERANCE,
    EARLY_ROWS_ALLOWED,
    MIN_COVERAGE,
    UNIT_FACTOR,
    check_dates,
    check_keeps_history,
    check_not_future,
    check_numeric,
    check_units,
    check_update,
    one_row_per_date,
)

NOW = pd.Timestamp("2024-06-14 15:30")


def series(values, start="2024-01-01", freq="D", column="value") -> pd.DataFrame:
    index = pd.date_range(start, periods=len(values), freq=freq, name="date")
    return pd.DataFrame({column: np.asarray(values, dtype="float64")}, index=index)


def aaii(bullish: float, neutral: float, bearish: float) -> pd.DataFrame:
    index = pd.DatetimeIndex(["2024-06-13"], name="date")
    return pd.DataFrame(
        {"bullish": [bullish], "neutral": [neutral], "bearish": [bearish]}, index=index
    )


def prices(closes, start="2024-01-01") -> pd.DataFrame:
    frame = series(closes, start, column="close")
    for column in ("open", "high", "low", "adj_close"):
        frame[column] = frame["close"]
    frame["volume"] = 1e6
    return frame


def test_rejected_is_a_bad_payload() -> None:
    assert issubclass(Rejected, BadPayload)


def test_bounds_describe_themselves() -> None:
    assert Bounds(0, 100).describe() == "between 0 and 100"
    assert Bounds(0, 200, low_open=True).describe() == "above 0 and at most 200"
    assert Bounds(0, 1, high_open=True).describe() == "at least 0 and below 1"
    assert Bounds(0, None, low_open=True).describe() == "above 0"
    assert Bounds(0, None).describe() == "at least 0"
    assert Bounds(None, 5).describe() == "at most 5"
    assert Bounds(None, 5, high_open=True).describe() == "below 5"
    assert Bounds().describe() == "any number"


# ---- dates -----------------------------------------------------------------------------------


def test_check_dates_accepts_either_order_and_consecutive_repeats_and_rejects_disorder() -> None:
    check_dates(pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]))
    check_dates(pd.to_datetime(["2024-06-12", "2024-06-05", "2024-05-29"]))  # NAAIM: newest first
    check_dates(pd.to_datetime(["2024-01-01"]))
    check_dates(pd.to_datetime(["2024-01-01", None, "2024-01-03"]))  # a missing date is skipped
    # a repeat on consecutive rows is not disorder: one_row_per_date judges its values
    check_dates(pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"]))
    check_dates(pd.to_datetime(["2006-07-12", "2006-07-05", "2006-07-05"]))  # NAAIM's own
    with pytest.raises(Rejected, match=r"out of order \(2024-01-01 follows 2024-01-02\)"):
        check_dates(pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01"]))  # not adjacent
    with pytest.raises(Rejected, match=r"out of order \(2024-01-02 follows 2024-01-05\)"):
        check_dates(
            pd.to_datetime(["2024-01-01", "2024-01-04", "2024-01-05", "2024-01-02"]),
            source="payload",
        )
    with pytest.raises(Rejected, match=r"^NAAIM: dates are out of order \(2024-06-19 follows"):
        check_dates(pd.to_datetime(["2024-06-12", "2024-06-05", "2024-06-19"]), source="NAAIM")
    with pytest.raises(Rejected, match=r"out of order \(2024-01-03 follows 2024-01-04\)"):
        check_dates(pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-04", "2024-01-03"]))


def _rows(days: list[str], **columns: list[float]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.DatetimeIndex(days, name="date"))


def test_one_row_per_date_values_that_differ_only_by_rounding_are_one_row() -> None:
    assert (DUPLICATE_TOLERANCE, DUPLICATE_RELATIVE) == (0.005, 0.001)
    naaim = _rows(["2006-07-12", "2006-07-05", "2006-07-05"], value=[31.2, 19.444444, 19.44])
    collapsed = one_row_per_date(naaim, source="NAAIM")
    assert list(collapsed.index.strftime("%Y-%m-%d")) == ["2006-07-12", "2006-07-05"]
    assert collapsed["value"].tolist() == [31.2, 19.444444]  # the first row's value
    assert collapsed.index.name == "date"
    exact = _rows(["2024-01-02"] * 2, value=[10.0, 10.005])  # boundary: 0.005 apart, the same
    assert one_row_per_date(exact)["value"].tolist() == [10.0]
    with pytest.raises(Rejected, match=r"^k: the date 2024-01-02 appears 2 times with different"):
        one_row_per_date(_rows(["2024-01-02"] * 2, value=[10.0, 10.0051]), source="k")
    relative = _rows(["2024-01-02"] * 2, value=[1.0, 1.001])  # boundary: 0.1 % apart, the same
    assert one_row_per_date(relative)["value"].tolist() == [1.0]
    with pytest.raises(Rejected, match="appears 2 times with different values"):  # 0.2 %
        one_row_per_date(_rows(["2024-01-02"] * 2, value=[1.0, 1.002]))
    with pytest.raises(Rejected, match="appears 2 times with different values"):  # 1 % of 0.5
        one_row_per_date(_rows(["2024-01-02"] * 2, value=[0.5, 0.505]))
    untouched = series([1.0, 2.0])
    assert one_row_per_date(untouched) is untouched


def test_one_row_per_date_every_column_counts_and_missing_agrees_with_any() -> None:
    aaii = _rows(
        ["2024-06-13"] * 2, bullish=[45.0, np.nan], neutral=[np.nan, 28.0], bearish=[27.0, 27.0]
    )
    (row,) = one_row_per_date(aaii).itertuples(index=False)
    assert tuple(row) == (45.0, 28.0, 27.0)  # per column the first known value
    clash = _rows(["2024-06-13"] * 3, bullish=[45.0, 45.0, 45.0], bearish=[27.0, 27.0, 30.0])
    with pytest.raises(Rejected, match=r"appears 3 times with different values \(45, 45, 45\)"):
        one_row_per_date(clash)
    two = _rows(["2024-01-02", "2024-01-02", "2024-01-03", "2024-01-03"], value=[1, 2, 3, 4])
    with pytest.raises(Rejected, match=r"2024-01-02 .*; 2 date\(s\) conflict"):
        one_row_per_date(two.astype("float64"))


def test_check_update_refuses_conflicting_repeats_and_names_its_source() -> None:
    frame = _rows(["2024-01-02", "2024-01-02"], value=[3.9, 3.8])
    with pytest.raises(Rejected, match=r"^dgs10\.csv: the date 2024-01-02 appears 2 times"):
        check_update("fred:DGS10", frame, None, now=NOW, source="dgs10.csv")
    with pytest.raises(Rejected, match=r"^fred:DGS10: the date"):
        check_update("fred:DGS10", frame, None, now=NOW)


def test_future_dates_one_day_of_grace() -> None:
    check_not_future(pd.DatetimeIndex(["2024-06-15"]), NOW, source="k")  # tomorrow: time zones
    with pytest.raises(
        Rejected, match=r"dates in the future .up to 2024-06-16; today is 2024-06-14"
    ):
        check_not_future(pd.DatetimeIndex(["2024-06-16"]), NOW, source="k")
    frame = series([3.9, 4.0], start="2024-06-13")
    frame.index = pd.DatetimeIndex(["2024-06-13", "9999-12-31"], name="date")
    with pytest.raises(Rejected, match="up to 9999-12-31"):
        check_update("fred:DGS10", frame, None, now=NOW)
    calendar = pd.DataFrame(index=pd.DatetimeIndex(["2024-07-31", "2024-09-18"], name="date"))
    check_update("calendar:fomc", calendar, None, now=NOW)  # scheduled events may lie ahead
    flagged = calendar.assign(value=1.0)  # as the store hands a calendar over: a flag column
    check_update("calendar:fomc", flagged, flagged.iloc[:1], now=NOW)
    with pytest.raises(Rejected, match="dates in the future"):
        check_update("custom:fomc", flagged, None, now=NOW)  # only calendar: keys are exempt


def test_numbers_required() -> None:
    frame = series([1.0, 2.0])
    frame["value"] = frame["value"].astype(object)
    frame.iloc[1, 0] = "n/a"
    with pytest.raises(Rejected, match=r"column 'value' is not numeric .e.g. 'n/a'"):
        check_numeric(frame, source="k")
    with pytest.raises(Rejected, match="column 'value' is infinite on 2024-01-02"):
        check_numeric(series([1.0, np.inf]), source="k")
    with pytest.raises(Rejected, match="'value' has no numbers"):
        check_update("fred:DGS10", series([np.nan, np.nan]), None, now=NOW)
    with pytest.raises(Rejected, match="the column 'close' is missing"):
        check_update("yahoo:SPY", series([500.0]), None, now=NOW)
    with pytest.raises(Rejected, match="has no rows"):
        check_update("fred:DGS10", series([]), None, now=NOW)
    check_update("fred:DGS10", series([np.nan, 4.0]), None, now=NOW)  # one missing value is fine


# ---- physical bounds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "inside", "outside", "rule"),
    [
        ("cboe:total_put_call", 0.0001, 0.0, "above 0"),
        ("cboe:total_put_call", 0.87, -0.16, "above 0"),
        ("naaim:exposure", 200.0, 200.01, "between -200 and 200"),
        ("naaim:exposure", -200.0, -200.01, "between -200 and 200"),
        ("fred:UNRATE", 50.0, 50.1, "between 0 and 50"),
        ("fred:UNRATE", 0.0, -0.1, "between 0 and 50"),
        ("fred:DGS10", 30.0, 30.01, "between -5 and 30"),
        ("fred:DGS10", -5.0, -5.01, "between -5 and 30"),
        ("fred:T10Y2Y", -10.0, -10.5, "between -10 and 10"),
        ("fred:VIXCLS", 0.01, 0.0, "above 0 and at most 200"),
        ("fred:VIXCLS", 200.0, 200.01, "above 0 and at most 200"),
        ("fred:PAYEMS", 1.0, 0.0, "above 0"),
        ("finra:margin_debt", 1.0, -1.0, "above 0"),
    ],
)
def test_value_bounds(key, inside, outside, rule) -> None:
    check_update(key, series([inside]), None, now=NOW)
    with pytest.raises(Rejected, match=rf"value is {outside:g} on 2024-01-01, outside .*{rule}"):
        check_update(key, series([outside]), None, now=NOW)


def test_price_bounds_and_missing_values() -> None:
    check_update("yahoo:SPY", prices([0.01, np.nan, 500.0]), None, now=NOW)
    with pytest.raises(
        Rejected, match=r"close is 0 on 2024-01-02, outside its possible range \(ab"
    ):
        check_update("yahoo:SPY", prices([500.0, 0.0]), None, now=NOW)
    frame = prices([500.0, 501.0])
    frame.loc["2024-01-02", "volume"] = -1
    with pytest.raises(Rejected, match=r"volume is -1 on 2024-01-02.*at least 0"):
        check_update("yahoo:SPY", frame, None, now=NOW)


def test_aaii_shares_in_0_100_and_adding_up_to_100() -> None:
    check_update("aaii:sentiment", aaii(45.0, 28.0, 27.0), None, now=NOW)
    check_update("aaii:sentiment", aaii(100.0, 0.0, 0.0), None, now=NOW)
    check_update("aaii:sentiment", aaii(45.0, 28.0, 28.0), None, now=NOW)  # 101: within ± 1
    check_update("aaii:sentiment", aaii(45.0, 28.0, 26.0), None, now=NOW)  # 99: within ± 1
    with pytest.raises(Rejected, match=r"add up to 101.01 on 2024-06-13, not 100 \(± 1"):
        check_update("aaii:sentiment", aaii(45.0, 28.0, 28.01), None, now=NOW)
    with pytest.raises(Rejected, match=r"bullish is 100.5 on 2024-06-13.*between 0 and 100"):
        check_update("aaii:sentiment", aaii(100.5, 0.0, -0.5), None, now=NOW)
    with pytest.raises(Rejected, match="add up to 1 on 2024-06-13"):  # fractions, not percent
        check_update("aaii:sentiment", aaii(0.45, 0.28, 0.27), None, now=NOW)
    incomplete = pd.concat([aaii(45.0, 28.0, 27.0), aaii(45.0, np.nan, 27.0)])
    incomplete.index = pd.DatetimeIndex(["2024-06-06", "2024-06-13"], name="date")
    check_update("aaii:sentiment", incomplete, None, now=NOW)  # an incomplete row is skipped


def test_keys_outside_the_catalog_get_the_generic_rules_only() -> None:
    check_update("custom:anything", series([-5.0, 1e9]), None, now=NOW)
    with pytest.raises(Rejected, match="future"):
        check_update("custom:anything", series([1.0], start="2030-01-01"), None, now=NOW)


# ---- against what is stored -------------------------------------------------------------------


def test_a_jump_in_units_is_rejected_at_factor_20() -> None:
    stored = series([4.3, 4.2, 4.1], start="2024-01-01", freq="MS")
    with pytest.raises(Rejected, match=r"about 100 times smaller .*median 0.042 against 4.2"):
        check_update("fred:UNRATE", stored / 100, stored, now=NOW)
    at_factor = series([4.0, 4.0], start="2024-01-01")
    check_units(at_factor * UNIT_FACTOR, at_factor, source="k")  # exactly 20: passes
    check_units(at_factor / UNIT_FACTOR, at_factor, source="k")  # exactly 1/20: passes
    with pytest.raises(Rejected, match="times larger"):
        check_units(at_factor * 20.5, at_factor, source="k")
    with pytest.raises(Rejected, match="times smaller"):
        check_units(at_factor / 20.5, at_factor, source="k")


def test_units_without_overlap_compare_the_neighbouring_windows() -> None:
    stored = series([100.0] * 30, start="2024-01-01")
    later = series([1.0] * 5, start="2024-03-01")
    with pytest.raises(Rejected, match="100 times smaller"):
        check_units(later, stored, source="k")
    check_units(series([99.0] * 5, start="2024-03-01"), stored, source="k")


def test_units_ignore_volume_and_zero_medians() -> None:
    stored = prices([500.0, 501.0])
    fetched = stored.copy()
    fetched["volume"] = 1e9  # volume revisions are not unit changes
    check_units(fetched, stored, source="k")
    check_units(series([0.0, 0.0]), series([0.0, 0.0]), source="k")
    check_units(series([0.5, 0.5]), series([0.0, 0.0]), source="k")


def test_a_stale_copy_is_rejected_equal_end_passes() -> None:
    stored = series([4.0, 4.1, 4.2, 4.3])  # ends 2024-01-04
    check_update("fred:DGS10", series([4.0, 4.1, 4.2, 4.3]), stored, now=NOW)
    stale = series([4.0, 4.1, 4.2])  # ends 2024-01-03
    with pytest.raises(Rejected, match=r"ends 2024-01-03, before what is stored \(2024-01-04\)"):
        check_update("fred:DGS10", stale, stored, now=NOW)
    with pytest.raises(Rejected, match="before what is stored"):  # CBOE too: not full history
        check_update("cboe:total_put_call", stale, stored, now=NOW)


def test_lost_history_starts_at_most_five_rows_late() -> None:
    stored = series(np.linspace(3.0, 4.0, 100))
    late_ok = stored.iloc[EARLY_ROWS_ALLOWED:]  # 5 stored rows before its start
    check_update("fred:DGS10", late_ok, stored, now=NOW)
    too_late = stored.iloc[EARLY_ROWS_ALLOWED + 1 :]  # 6
    with pytest.raises(Rejected, match="starts 2024-01-07, but the store holds 6 earlier rows"):
        check_update("fred:DGS10", too_late, stored, now=NOW)
    # not full-history sources: CBOE resumes from the last stored day; FRED's SP500 is a window
    assert not LIVE_BY_KEY["cboe:total_put_call"].full_history
    assert not LIVE_BY_KEY["fred:SP500"].full_history
    check_update("cboe:total_put_call", stored.iloc[-3:], stored, now=NOW)
    check_update("fred:SP500", too_late * 1000, stored * 1000, now=NOW)
    check_update("fred:DGS10", too_late, stored, now=NOW, full_history=False)  # a partial upload


def test_prices_leave_the_history_rule_to_the_merge() -> None:
    """A price series is replaced whole, and ``merge`` refuses one lacking any stored date (a
    stricter rule with its own message), so ``check_update`` does not judge its history."""
    stored = prices(np.linspace(400.0, 500.0, 20))
    check_update("yahoo:SPY", stored.iloc[10:], stored, now=NOW)  # merge's to refuse
    with pytest.raises(Rejected, match="lost history"):
        check_update("fred:DGS10", series(np.linspace(3, 4, 20)).iloc[10:],
                     series(np.linspace(3, 4, 20)), now=NOW)  # fmt: skip


def test_lost_history_covers_at_least_90_percent_of_the_stored_rows() -> None:
    stored = series(np.linspace(3.0, 4.0, 100))
    keep = int(MIN_COVERAGE * 100)  # 90 rows of 100: passes
    thinned = stored.drop(stored.index[10 : 10 + (100 - keep)])
    check_keeps_history(thinned, stored, source="k")
    thinner = stored.drop(stored.index[10 : 10 + (100 - keep) + 1])  # 89 rows
    with pytest.raises(Rejected, match="the payload has 89 rows where the store holds 100"):
        check_keeps_history(thinner, stored, source="k")


def test_catalog_facts_cover_every_live_series() -> None:
    assert all(isinstance(b, Bounds) for s in LIVE_SERIES for _, b in s.bounds)
    unbounded = [s.key for s in LIVE_SERIES if not s.bounds]
    assert unbounded == []  # every live series has physical bounds
    assert LIVE_BY_KEY["aaii:sentiment"].total is not None
    assert all(s.units for s in LIVE_SERIES)


@pytest.mark.shared_data
def test_the_real_reference_series_all_pass(shared_source) -> None:
    now = pd.Timestamp("2026-11-25")
    for key in shared_source.keys():  # noqa: SIM118 (a method, not a dict)
        frame = shared_source.load(key)
        check_update(key, frame, None, now=now)
        check_update(key, frame, frame.iloc[:-3], now=now)  # a normal refresh
    unrate = shared_source.load("fred:UNRATE")
    with pytest.raises(Rejected, match="times smaller"):
        check_update("fred:UNRATE", unrate / 100, unrate, now=now)
