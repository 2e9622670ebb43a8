"""Chart bars of the Levels page: OHLC bars, weekly resampling, daily or weekly by window,
and the swing a chart selection picks. Golden values worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.errors import InvalidSetting
from analytics.levels import (
    DAILY_BARS_MAX_MONTHS,
    ohlc_bars,
    swing_in_selection,
    weekly_ohlc,
    window_bars,
)

# Fri 2024-03-22, then the Good Friday week (Mon 03-25 … Thu 03-28; 03-29 a holiday), then
# Mon 2024-04-01 alone (the as-of week, partial).
DAYS = pd.DatetimeIndex(
    ["2024-03-22", "2024-03-25", "2024-03-26", "2024-03-27", "2024-03-28", "2024-04-01"]
)
BARS = pd.DataFrame(
    {
        "open": [9.9, 10.0, 10.5, 11.5, 9.2, 9.8],
        "high": [10.1, 11.0, 12.0, 11.8, 10.0, 10.2],
        "low": [9.8, 9.5, 10.0, 8.9, 9.0, 9.7],
        "close": [10.0, 10.5, 11.5, 9.2, 9.8, 10.1],
        "volume": [70.0, 100.0, 200.0, 150.0, 50.0, 300.0],
    },
    index=DAYS,
)


def test_weekly_bars_across_a_holiday_week_by_hand() -> None:
    weekly = weekly_ohlc(BARS)
    expected = pd.DataFrame(
        {
            "open": [9.9, 10.0, 9.8],  # first open of each week
            "high": [10.1, 12.0, 10.2],  # max high (Tue 03-26)
            "low": [9.8, 8.9, 9.7],  # min low (Wed 03-27)
            "close": [10.0, 9.8, 10.1],  # last close (Thu 03-28: Good Friday closed)
            "volume": [70.0, 500.0, 300.0],  # 100 + 200 + 150 + 50
        },
        # indexed by each week's last trading day: the holiday week ends on Thursday
        index=pd.DatetimeIndex(["2024-03-22", "2024-03-28", "2024-04-01"]),
    )
    pd.testing.assert_frame_equal(weekly, expected)


def test_weekly_bars_without_volume_have_no_volume_column() -> None:
    weekly = weekly_ohlc(BARS.drop(columns="volume"))
    assert list(weekly.columns) == ["open", "high", "low", "close"]
    assert weekly.loc["2024-03-28", "high"] == 12.0


def test_sunday_and_monday_fall_in_different_weeks() -> None:
    days = pd.DatetimeIndex(["2024-03-24", "2024-03-25"])  # Sunday, Monday
    bars = pd.DataFrame({c: [1.0, 2.0] for c in ("open", "high", "low", "close")}, index=days)
    assert list(weekly_ohlc(bars).index) == list(days)


def test_ohlc_bars_of_a_close_only_source_say_why() -> None:
    bars, reason = ohlc_bars(pd.DataFrame({"close": [1.0, 2.0]}, index=DAYS[:2]))
    assert bars is None
    assert reason == "the source has only closes for this series, no open, high and low prices"


def test_ohlc_bars_leave_out_days_missing_a_price_and_keep_positive_volume() -> None:
    frame = BARS.copy()
    frame.loc["2024-03-25", "open"] = float("nan")
    bars, reason = ohlc_bars(frame)
    assert reason == "" and bars is not None
    assert list(bars.index) == [d for d in DAYS if d != pd.Timestamp("2024-03-25")]
    assert bars["volume"].sum() == 770.0  # 870 − the left-out day's 100


def test_ohlc_bars_drop_a_volume_that_is_never_positive() -> None:
    bars, _ = ohlc_bars(BARS.assign(volume=0.0))
    assert bars is not None and "volume" not in bars.columns
    all_missing, _ = ohlc_bars(BARS.assign(open=float("nan")))
    assert all_missing is None


@pytest.mark.parametrize(
    ("months", "frequency"),
    [(6, "daily"), (DAILY_BARS_MAX_MONTHS, "daily"), (DAILY_BARS_MAX_MONTHS + 1, "weekly"),
     (None, "weekly")],
)  # fmt: skip
def test_daily_bars_up_to_two_years_weekly_beyond(months: int | None, frequency: str) -> None:
    start = pd.Timestamp("2024-03-26")  # a Tuesday
    bars, chosen = window_bars(BARS, start, months)
    assert chosen == frequency
    if frequency == "daily":
        assert list(bars.index) == list(DAYS[2:])  # from the start on, start included
    else:  # the start's week is whole: its open is Monday's, not Tuesday's
        assert list(bars.index) == [pd.Timestamp("2024-03-28"), pd.Timestamp("2024-04-01")]
        assert bars["open"].iloc[0] == 10.0


def test_selection_picks_the_highest_high_and_lowest_low_in_order() -> None:
    # high 12.0 on 03-26, low 8.9 on 03-27: a down swing from the high to the low
    swing = swing_in_selection(BARS, "2024-03-25", "2024-03-28")
    assert (swing.start_date, swing.start_price) == (pd.Timestamp("2024-03-26"), 12.0)
    assert (swing.end_date, swing.end_price) == (pd.Timestamp("2024-03-27"), 8.9)
    assert swing.direction == "down" and swing.anchored


def test_selection_ends_are_included_and_their_order_does_not_matter() -> None:
    # from 03-28 (low 9.0) to 04-01 (high 10.2): an up swing between the selection's two ends
    swing = swing_in_selection(BARS, "2024-04-01", "2024-03-28")
    assert (swing.start_date, swing.start_price) == (pd.Timestamp("2024-03-28"), 9.0)
    assert (swing.end_date, swing.end_price) == (pd.Timestamp("2024-04-01"), 10.2)
    assert swing.direction == "up"
    # a minute after the 03-28 bar's date leaves only the 04-01 bar: no order
    with pytest.raises(InvalidSetting):
        swing_in_selection(BARS, "2024-03-28 00:01", "2024-04-01")


def test_a_bar_holding_both_extremes_has_no_order() -> None:
    # 03-27 has the selection's highest high (11.8) and lowest low (8.9)
    with pytest.raises(InvalidSetting, match=r"same bar \(2024-03-27\)"):
        swing_in_selection(BARS, "2024-03-27", "2024-04-01")


def test_selection_times_within_a_day_select_by_timestamp() -> None:
    # a box drawn from midday 03-25 starts after the 03-25 bar (dated at midnight)
    swing = swing_in_selection(BARS, "2024-03-25 12:00", "2024-03-27 12:00")
    assert swing.start_date == pd.Timestamp("2024-03-26")


def test_selection_takes_the_first_of_equal_highs() -> None:
    bars = BARS.copy()
    bars.loc["2024-03-28", "high"] = 12.0  # ties the 03-26 high
    swing = swing_in_selection(bars, "2024-03-22", "2024-04-01")
    assert (swing.start_date, swing.end_date) == (
        pd.Timestamp("2024-03-26"),
        pd.Timestamp("2024-03-27"),
    )


def test_an_empty_selection_says_so() -> None:
    with pytest.raises(InvalidSetting) as caught:
        swing_in_selection(BARS, "2024-03-29", "2024-03-31")
    assert str(caught.value) == (
        "the selection from 2024-03-29 to 2024-03-31 holds no price bars; "
        "select a stretch of the chart with prices"
    )


def test_a_selection_of_one_bar_has_no_order() -> None:
    with pytest.raises(InvalidSetting) as caught:
        swing_in_selection(BARS, "2024-03-26", "2024-03-26")
    assert str(caught.value) == (
        "the highest and the lowest price of the selection are on the same bar (2024-03-26); "
        "select a wider stretch of the chart"
    )
