"""The Levels page's address checks (dashboard.levels_address): each boundary of each rule,
the exact warning, and anchors that round-trip through the address."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.errors import InvalidSetting
from dashboard.levels_address import (
    AUTOMATIC,
    STYLES,
    WINDOWS,
    SwingAddress,
    check_amount,
    check_choice,
    check_date,
    check_swing,
    number_text,
    selection_dates,
    selection_query,
    swing_query,
)

FIRST, LAST = pd.Timestamp("2021-01-04"), pd.Timestamp("2023-03-31")


def test_a_missing_value_is_the_default_without_a_warning() -> None:
    assert check_choice(None, WINDOWS, "1y", "the chart window").value == "1y"
    assert check_choice(None, WINDOWS, "1y", "the chart window").warning is None
    assert check_date(None, FIRST, LAST, "the swing start", AUTOMATIC).warning is None
    assert check_amount(None, "the target", "the default target").value is None


def test_a_valid_choice_is_kept_and_an_unknown_one_named() -> None:
    assert check_choice("candles", STYLES, "line", "the chart style").value == "candles"
    checked = check_choice("Candles", STYLES, "line", "the chart style")  # ids are lower case
    assert checked.value == "line"
    assert checked.warning == (
        "The address asks for the chart style “Candles”, which is not one of line (Line), "
        "candles (Candles); showing Line instead."
    )


@pytest.mark.parametrize(
    ("raw", "kept"),
    [("2021-01-04", True), ("2023-03-31", True), ("2021-01-03", False), ("2023-04-01", False),
     ("2022-6-01", False), ("2022-06-31", False), ("06/01/2022", False), ("2022-06-01T10", False)],
)  # fmt: skip
def test_dates_from_the_first_to_the_last_close_both_included(raw: str, kept: bool) -> None:
    checked = check_date(raw, FIRST, LAST, "the swing start", AUTOMATIC)
    assert (checked.value == pd.Timestamp(raw)) if kept else checked.value is None
    if not kept:
        assert checked.warning == (
            f"The address asks for the swing start “{raw}”, which is not a date (YYYY-MM-DD) "
            f"from 2021-01-04 to 2023-03-31; showing {AUTOMATIC} instead."
        )


@pytest.mark.parametrize(
    ("raw", "allow_zero", "value"),
    [("4500.5", False, 4500.5), ("4,500", False, 4500.0), ("0.01", False, 0.01),
     ("0", False, None), ("0", True, 0.0), ("-1", True, None), ("nan", False, None),
     ("inf", False, None), ("", False, None), ("ten", False, None)],
)  # fmt: skip
def test_amounts_above_zero_or_from_zero(raw: str, allow_zero: bool, value: float | None) -> None:
    checked = check_amount(raw, "the stop", "the default stop 300.00", allow_zero)
    assert checked.value == value
    assert (checked.warning is None) == (value is not None)


def test_number_text_keeps_two_decimals_at_most() -> None:
    assert [number_text(v) for v in (4500.0, 4500.5, 4500.256, 0.1)] == [
        "4500",
        "4500.5",
        "4500.26",
        "0.1",
    ]


def test_anchors_round_trip_through_the_address() -> None:
    by_date = SwingAddress("dates", pd.Timestamp("2022-06-16"), pd.Timestamp("2022-08-16"))
    query = swing_query(by_date)
    assert query == {"swing": "dates", "swing_start": "2022-06-16", "swing_end": "2022-08-16"}
    assert (
        check_swing(query["swing"], query["swing_start"], query["swing_end"], FIRST, LAST).value
        == by_date
    )
    by_price = SwingAddress("prices", 300.0, 350.5)
    query = swing_query(by_price)
    assert query == {"swing": "prices", "swing_start": "300", "swing_end": "350.5"}
    assert (
        check_swing(query["swing"], query["swing_start"], query["swing_end"], FIRST, LAST).value
        == by_price
    )
    assert swing_query(SwingAddress("auto")) == {}


def test_an_unknown_swing_mode_falls_back_to_the_automatic_swing() -> None:
    checked = check_swing("fib", "1", "2", FIRST, LAST)
    assert checked.value == SwingAddress("auto")
    assert checked.warning == (
        "The address asks for the Fibonacci anchors “fib”, which is not one of auto (Automatic), "
        "dates (By date), prices (By price); showing Automatic instead."
    )


BARS = pd.DataFrame(
    {"high": [10.0, 12.0, 11.0], "low": [9.0, 10.5, 8.0]},
    index=pd.DatetimeIndex(["2024-03-25", "2024-03-26", "2024-03-27"]),
)


def test_selection_dates_read_plotly_strings_and_milliseconds() -> None:
    box = {"x": ["2024-03-25 06:00:00.123", 1711497600000], "y": [1, 2]}  # ms = 2024-03-27
    assert selection_dates(box) == (
        pd.Timestamp("2024-03-25 06:00:00.123"),
        pd.Timestamp("2024-03-27"),
    )
    with pytest.raises(InvalidSetting, match="has no date range"):
        selection_dates({"y": [1, 2]})
    with pytest.raises(InvalidSetting, match="“soon” is not a date"):
        selection_dates({"x": ["soon", "2024-03-27"]})


def test_a_selection_anchors_candles_by_price_and_the_line_by_date() -> None:
    box = {"x": ["2024-03-25", "2024-03-27"], "y": [0, 20]}
    # high 12.0 on 03-26, low 8.0 on 03-27: a down swing
    assert selection_query(box, BARS, candles=True) == {
        "swing": "prices",
        "swing_start": "12",
        "swing_end": "8",
    }
    assert selection_query(box, BARS, candles=False) == {
        "swing": "dates",
        "swing_start": "2024-03-26",
        "swing_end": "2024-03-27",
    }
