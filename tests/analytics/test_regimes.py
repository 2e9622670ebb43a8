"""Regimes: bull markets, the investable uptrend and sell stops, with hand-worked paths."""

from __future__ import annotations

import csv
import itertools
import math
from datetime import date, timedelta

import pandas as pd
import pytest

from analytics.regimes import (
    DEFAULT_WINDOWS,
    TABLE_ROWS,
    bull_market_distance,
    bull_markets,
    investable_uptrend,
    regime_bands,
    rule_rise_percent,
    sell_stop,
    uptrend_distance,
    uptrend_rule,
    uptrend_rules,
    uptrend_start,
)


def trading(values: list[float], start: str = "2024-01-01") -> pd.Series:
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)), dtype="float64")


def calendar(values: list[float], start: str = "2024-01-01") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values)), dtype="float64")


# ---- the rule table --------------------------------------------------------------------------

# by hand: rise = ⌈20n/110⌉ % when 20n/110 ≥ 2 else ⌈30n/36⌉ %; up days = ⌈2n/3⌉
#   10: 20·10/110 = 1.82 < 2 -> ⌈8.33⌉ = 9 %, ⌈6.67⌉ = 7     15: ⌈2.73⌉ = 3 %, 10
#   20: ⌈3.64⌉ = 4 %, ⌈13.3⌉ = 14                             25: ⌈4.55⌉ = 5 %, ⌈16.7⌉ = 17
#   30: ⌈5.45⌉ = 6 %, 20      40: ⌈7.27⌉ = 8 %, ⌈26.7⌉ = 27    50: ⌈9.09⌉ = 10 %, ⌈33.3⌉ = 34
#   60: ⌈10.9⌉ = 11 %, 40     11: 20·11/110 = 2 exactly -> 2 %, ⌈7.33⌉ = 8
#    5: 20·5/110 = 0.91 < 2 -> ⌈4.17⌉ = 5 %, ⌈3.33⌉ = 4
EXPECTED_RULES = {
    10: (9, 7),
    15: (3, 10),
    20: (4, 14),
    25: (5, 17),
    30: (6, 20),
    40: (8, 27),
    50: (10, 34),
    60: (11, 40),
    11: (2, 8),
    5: (5, 4),
}


@pytest.mark.parametrize(("days", "expected"), EXPECTED_RULES.items())
def test_rules_by_hand(days: int, expected: tuple[int, int]) -> None:
    rule = uptrend_rule(days)
    assert (round(rule.rise * 100), rule.up_days) == expected


def test_the_formula_reproduces_the_spec_table_rows() -> None:
    for days, (rise_pct, up_days) in TABLE_ROWS.items():
        assert rule_rise_percent(days) == rise_pct
        assert -(-2 * days // 3) == up_days


def test_rule_table_frame() -> None:
    table = uptrend_rules()
    assert table.index.tolist() == list(DEFAULT_WINDOWS) == [10, 15, 20, 25, 30, 40, 50, 60]
    assert table.loc[15, "rise"] == pytest.approx(0.03)
    assert table.loc[60, "up_days"] == 40


@pytest.mark.parametrize("days", [1, 0, -5, 2.5, True, "10"])
def test_bad_windows(days: object) -> None:
    with pytest.raises(ValueError, match=r"whole number of trading days ≥ 2"):
        uptrend_rule(days)  # type: ignore[arg-type]


# ---- investable uptrend: boundaries ----------------------------------------------------------

# 100 → 109 in 10 changes: +2 +2 −1 +2 +2 −1 +2 −1 +1 +1 = 7 up days, exactly 9.0 %
EXACT_10 = [100, 102, 104, 103, 105, 107, 106, 108, 107, 108, 109]


def test_exactly_nine_percent_and_seven_up_days_qualify() -> None:
    table = investable_uptrend(trading(EXACT_10), windows=(10,))
    assert table["10d"].tolist() == [False] * 10 + [True]
    assert table["any"].iloc[-1]


def test_exactly_nine_percent_where_floating_point_falls_short() -> None:
    # 46.87 / 43 − 1 = 0.0899999999999999 in floating point, exactly 9 % in decimals
    assert 46.87 / 43.0 - 1 < 0.09
    closes = [x * 0.43 for x in EXACT_10[:-1]] + [46.87]
    assert investable_uptrend(trading(closes), windows=(10,))["10d"].iloc[-1]


def test_six_up_days_or_a_rise_short_of_nine_percent_do_not_qualify() -> None:
    flat_day = [100, 102, 104, 103, 105, 107, 106, 108, 107, 107, 109]  # a flat day is not up
    assert not investable_uptrend(trading(flat_day), windows=(10,))["10d"].iloc[-1]
    short = [*EXACT_10[:-1], 108.99]
    assert not investable_uptrend(trading(short), windows=(10,))["10d"].iloc[-1]


def boundary_path(days: int, rise_pct: int, up_days: int, ups: int, end_shift: float = 0.0):
    """``days`` changes from 100: ``ups`` rises of equal size then falls of 0.1, ending at
    100 + rise_pct (+ end_shift on the last step)."""
    downs = days - ups
    step_up = (rise_pct + downs * 0.1) / ups
    path = [100.0]
    for _ in range(ups):
        path.append(path[-1] + step_up)
    for _ in range(downs):
        path.append(path[-1] - 0.1)
    path[-1] = 100.0 + rise_pct + end_shift
    return path


@pytest.mark.parametrize("days", DEFAULT_WINDOWS)
def test_each_window_at_its_boundary(days: int) -> None:
    rise_pct, up_days = EXPECTED_RULES[days]
    label = f"{days}d"
    exact = boundary_path(days, rise_pct, up_days, ups=up_days)
    table = investable_uptrend(trading(exact), windows=(days,))
    assert table[label].iloc[-1], "exactly the required rise and up days qualifies"
    assert not table[label].iloc[:-1].any(), "fewer than n + 1 closes never qualifies"
    one_up_short = boundary_path(days, rise_pct, up_days, ups=up_days - 1)
    assert not investable_uptrend(trading(one_up_short), windows=(days,))[label].iloc[-1]
    rise_short = boundary_path(days, rise_pct, up_days, ups=up_days, end_shift=-0.01)
    assert not investable_uptrend(trading(rise_short), windows=(days,))[label].iloc[-1]


def test_any_is_true_when_one_window_qualifies() -> None:
    closes = trading([*EXACT_10, 109.5, 110, 110.5, 111, 111.5])  # 15-day window: 11.5 %
    table = investable_uptrend(closes, windows=(10, 15))
    assert table.loc[closes.index[-1], "15d"]  # 111.5/100 = +11.5 %; up days 7 + 5 = 12 ≥ 10
    assert not table.loc[closes.index[-1], "10d"]  # 111.5/103 = +8.25 % < 9 %
    assert table["any"].iloc[-1]
    assert (table["any"] == (table["10d"] | table["15d"])).all()


def test_too_short_for_a_window_is_a_note_not_an_exception() -> None:
    closes = trading([100, 101, 102, 103, 104])
    distance = uptrend_distance(closes, windows=(10, 15))
    assert distance.loc[10, "note"] == "not enough history: needs 11 closes, found 5"
    assert distance.loc[15, "note"] == "not enough history: needs 16 closes, found 5"
    assert not distance["qualifies"].any()
    assert distance["rise"].isna().all()
    assert not investable_uptrend(closes, windows=(10,)).any().any()


def test_distance_to_qualifying_text() -> None:
    # 15 changes: 9 ups of +0.3, 6 falls of −0.1 -> 100 + 2.7 − 0.6 = 102.1: +2.1 % of 3 %
    closes = trading([100 + 0.3 * i for i in range(10)] + [102.7 - 0.1 * i for i in range(1, 7)])
    distance = uptrend_distance(closes, windows=(15,))
    row = distance.loc[15]
    assert row["text"] == "+2.1 % of 3 %, 9 of 10 up days"
    assert row["rise"] == pytest.approx(0.021)
    assert row["rise_gap"] == pytest.approx(-0.009)
    assert (row["up_days"], row["required_up_days"]) == (9, 10)
    assert not row["qualifies"] and row["note"] == ""


def test_distance_on_an_as_of_date() -> None:
    closes = trading([*EXACT_10, 50.0])
    distance = uptrend_distance(closes, as_of=closes.index[-2], windows=(10,))
    assert distance.loc[10, "qualifies"]
    assert distance.loc[10, "text"] == "+9.0 % of 9 %, 7 of 7 up days"
    with pytest.raises(ValueError, match=r"no close on or before 2023-01-02"):
        uptrend_distance(closes, as_of="2023-01-02")


# ---- bull markets ----------------------------------------------------------------------------


def test_bull_a_window_is_fifty_calendar_days_including_today() -> None:
    # day 0: 100, days 1–48: 120, days 49–50: 130. On day 49 the window (t − 50 days, t]
    # still holds day 0: 130/100 − 1 = exactly 30 %. On day 50 day 0 has left: 130/120 − 1.
    closes = calendar([100] + [120] * 48 + [130, 130])
    table = bull_markets(closes)
    assert table["A"].tolist() == [False] * 49 + [True, False]


def test_bull_b_and_b_modified_by_hand() -> None:
    # day 0: 100, days 1–153: 110, days 154–155: 120. Day 154: +20 % from 100 -> B and
    # B-modified (exactly 20 %); day 155: 120/110 − 1 = 9.1 % -> neither.
    closes = calendar([100] + [110] * 153 + [120, 120])
    table = bull_markets(closes)
    assert table["B"].tolist()[-3:] == [False, True, False]
    assert table["B_modified"].tolist()[-3:] == [False, True, False]
    # day 20 (110/100 = +10 %) is short of 13 % anyway; B lies below B-modified nowhere
    assert not (table["B_modified"] & ~table["B"]).any()


def test_bull_incomplete_window_is_false() -> None:
    closes = calendar([100, 200, 300])  # +200 % but only 3 days of history
    assert not bull_markets(closes).any().any()
    distance = bull_market_distance(closes)
    assert (
        distance.loc["A", "note"] == "not enough history: needs 50 calendar days of closes, found 3"
    )
    assert not distance["qualifies"].any()


def test_bull_distance_by_hand() -> None:
    closes = calendar([100] + [120] * 48 + [130])
    distance = bull_market_distance(closes, definitions={"A": (50, 0.30)})
    row = distance.loc["A"]
    assert (row["low"], row["low_date"]) == (100.0, pd.Timestamp("2024-01-01"))
    assert row["rise"] == pytest.approx(0.30)
    assert row["qualifies"]
    assert row["text"] == "+30.0 % of 30 % above the 50-day low"


def test_bull_markets_on_an_empty_series() -> None:
    table = bull_markets(pd.Series([], dtype="float64", index=pd.DatetimeIndex([])))
    assert table.empty and table.columns.tolist() == ["A", "B", "B_modified"]


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (trading([100, -1, 3]), r"closes must be positive; found -1 on 2024-01-02"),
        (pd.Series([1.0, 2.0]), r"needs a DatetimeIndex"),
    ],
)
def test_bad_series(series: pd.Series, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bull_markets(series)
    with pytest.raises(ValueError, match=message):
        investable_uptrend(series)


def test_regime_bands() -> None:
    flags = pd.Series(
        [True, True, False, True, False, False, True], index=pd.bdate_range("2024-01-01", periods=7)
    )
    bands = regime_bands(flags)
    assert bands["start"].dt.strftime("%m-%d").tolist() == ["01-01", "01-04", "01-09"]
    assert bands["end"].dt.strftime("%m-%d").tolist() == ["01-02", "01-04", "01-09"]
    assert bands["days"].tolist() == [2, 1, 1]
    empty = regime_bands(flags & False)
    assert empty.empty and empty.columns.tolist() == ["start", "end", "days"]


# ---- sell stops ------------------------------------------------------------------------------

# windows=(2,): rule 2 days = ⌈30·2/36⌉ = 2 %, 2 up days
PATH = [100, 105, 110, 104, 103, 104, 106, 108, 99]


def test_sell_stop_by_hand() -> None:
    closes = trading(PATH)
    table = sell_stop(closes, entry=closes.index[0], windows=(2,))
    # 104 > 110 × 0.94 = 103.4 holds; 103 ≤ 103.4 sells. 106/103 = +2.9 % with two up days:
    # uptrend -> re-enter 10 % (highest restarts at 106); 108/104 = +3.8 %: another 10 %;
    # 99 ≤ 108 × 0.94 = 101.52 sells again.
    assert table["exposure"].tolist() == pytest.approx([1, 1, 1, 1, 0, 0, 0.1, 0.2, 0])
    assert table["action"].tolist() == [
        "entry",
        "",
        "",
        "",
        "stop",
        "",
        "re-enter 10 %",
        "re-enter 10 %",
        "stop",
    ]
    assert table["highest"].tolist() == [100, 105, 110, 110, 110, 110, 106, 108, 108]
    assert table["stop"].tolist() == pytest.approx([h * 0.94 for h in table["highest"]])
    assert table["uptrend"].tolist() == [False, False, True, False, False, False, True, True, False]


def test_sell_stop_default_entry_is_the_latest_uptrend_start() -> None:
    closes = trading(PATH)
    uptrend = investable_uptrend(closes, windows=(2,))["any"]
    assert uptrend_start(uptrend) == closes.index[6]
    table = sell_stop(closes, windows=(2,))
    assert table.index[0] == closes.index[6]
    assert table["action"].tolist() == ["entry", "", "stop"]
    assert uptrend_start(pd.Series([False, False], index=closes.index[:2])) is None


def test_sell_stop_entry_on_a_holiday_starts_the_next_trading_day() -> None:
    closes = trading(PATH)
    table = sell_stop(closes, entry="2024-01-06", windows=(2,))  # a Saturday
    assert table.index[0] == pd.Timestamp("2024-01-08")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"trail": 0.0}, r"trailing stop must be a fraction between 0 and 1"),
        ({"trail": 1.5}, r"trailing stop must be a fraction between 0 and 1"),
        ({"step": 0.3}, r"re-entry step must divide 100 % evenly"),
        ({"step": 0.0}, r"re-entry step must divide 100 % evenly"),
        ({"entry": "2030-01-01"}, r"entry date 2030-01-01 is after the last close"),
    ],
)
def test_sell_stop_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sell_stop(trading(PATH), windows=(2,), **kwargs)


def test_sell_stop_without_any_uptrend() -> None:
    with pytest.raises(ValueError, match=r"no investable uptrend .* give an entry date"):
        sell_stop(trading([100, 99, 98, 97]), windows=(2,))


# ---- real data, against a brute-force second method ------------------------------------------


def read_sp500(folder, start: str, end: str) -> list[tuple[date, float]]:
    rows = []
    with open(folder / "sp500" / "SP500_daily_close_1960-2026.csv", newline="") as f:
        for row in csv.DictReader(f):
            text = row["SP500"].strip()
            if start <= row["observation_date"] <= end and text not in ("", "."):
                rows.append((date.fromisoformat(row["observation_date"]), float(text)))
    return rows


def test_real_regimes_match_a_brute_force_loop(shared_source, shared_data_dir) -> None:
    """2008-06 … 2010-06 of ^GSPC: B-modified and the 10/15-day uptrend recomputed with plain
    Python loops over the CSV rows; the bottom of 2009-03-09 is checked by eye in the note."""
    rows = read_sp500(shared_data_dir, "2007-06-01", "2010-06-30")
    close = shared_source.load("yahoo:^GSPC")["close"].loc["2007-06-01":"2010-06-30"]
    bull = bull_markets(close)
    uptrend = investable_uptrend(close, windows=(10, 15))
    checked = 0
    for i, (day, value) in enumerate(rows):
        if day < date(2008, 6, 1):
            continue
        low = min(v for d, v in rows[: i + 1] if d > day - timedelta(days=155))
        assert bull.loc[pd.Timestamp(day), "B_modified"] == (value / low - 1 >= 0.20 - 1e-9)
        for n, (rise, ups) in ((10, (0.09, 7)), (15, (0.03, 10))):
            window = [v for _, v in rows[i - n : i + 1]]
            up_count = sum(b > a for a, b in itertools.pairwise(window))
            expected = window[-1] / window[0] - 1 >= rise - 1e-9 and up_count >= ups
            assert uptrend.loc[pd.Timestamp(day), f"{n}d"] == expected
        checked += 1
    assert checked > 500
    # the 2009 bottom: 676.53 on 2009-03-09; 20 % above it (811.84) was first closed on
    # 2009-03-23 (822.92), so B-modified switches on that day
    assert math.isclose(close.loc["2009-03-09"], 676.53, abs_tol=0.005)
    first_on = bull.loc["2009-03-01":, "B_modified"].idxmax()
    assert first_on == pd.Timestamp("2009-03-23")
