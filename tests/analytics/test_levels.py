"""Price levels, with values worked out by hand on tiny series (small windows via settings)."""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pytest

from analytics.levels import (
    Anchor,
    LevelSettings,
    percent_label,
    price_for_levels,
    price_levels,
    weekly_closes,
)

# Mon 2024-01-01 … Fri 2024-01-12, ten trading days
DAYS = pd.bdate_range("2024-01-01", periods=10)
CLOSES = pd.Series([10, 11, 12, 14, 13, 12, 15, 16, 14, 13], index=DAYS, dtype="float64")
SMALL = LevelSettings(
    daily_averages=(3, 5),
    weekly_averages=(2,),
    swing_days=6,
    drawdown_days=6,
    channel_days=5,
)


def by_name(level_set) -> dict[str, float]:
    return {level.name: level.value for level in level_set.levels}


def test_percent_label() -> None:
    assert [percent_label(r) for r in (0.236, 0.382, 0.5, 0.618, 0.786)] == [
        "23.6 %",
        "38.2 %",
        "50 %",
        "61.8 %",
        "78.6 %",
    ]


def test_daily_and_weekly_averages_by_hand() -> None:
    # as of Thu 2024-01-11: closes 10 11 12 14 13 | 12 15 16 14 ; price 14
    levels = price_levels(CLOSES, as_of="2024-01-11", settings=SMALL)
    values = by_name(levels)
    assert levels.price == 14.0
    assert levels.as_of == pd.Timestamp("2024-01-11")
    assert values["3-day average"] == pytest.approx(15.0)  # (15 + 16 + 14) / 3
    assert values["5-day average"] == pytest.approx(14.0)  # (13 + 12 + 15 + 16 + 14) / 5
    # weekly closes: Fri 01-05 = 13, the as-of week so far (Thu 01-11) = 14 -> (13 + 14) / 2
    assert values["2-week average"] == pytest.approx(13.5)
    distances = {level.name: level.distance for level in levels.levels}
    assert distances["3-day average"] == pytest.approx(15 / 14 - 1)
    assert distances["2-week average"] == pytest.approx(13.5 / 14 - 1)
    # drawn series: the 3-day average on 2024-01-03 is (10 + 11 + 12) / 3 = 11, NaN before
    drawn = levels.averages["3-day average"]
    assert math.isnan(drawn.loc["2024-01-02"])
    assert drawn.loc["2024-01-03"] == pytest.approx(11.0)
    # the weekly average is stepped onto its week's days: week 2 shows 13.5 on every day so far
    assert levels.averages.loc["2024-01-08", "2-week average"] == pytest.approx(13.5)
    assert math.isnan(levels.averages.loc["2024-01-05", "2-week average"])


def test_weekly_closes_take_the_last_close_of_each_week() -> None:
    # a holiday Friday: the week's close is Thursday's
    series = CLOSES.drop(pd.Timestamp("2024-01-05"))
    weekly = weekly_closes(series)
    assert weekly.index.tolist() == [pd.Timestamp("2024-01-04"), pd.Timestamp("2024-01-12")]
    assert weekly.tolist() == [14.0, 13.0]


def test_as_of_ignores_later_data() -> None:
    later = pd.concat([CLOSES, pd.Series([1000.0], index=[pd.Timestamp("2024-01-15")])])
    assert by_name(price_levels(later, as_of="2024-01-12", settings=SMALL)) == by_name(
        price_levels(CLOSES, settings=SMALL)
    )


def test_fibonacci_of_an_up_swing_by_hand() -> None:
    # last 6 closes: 13 12 15 16 14 13 -> low 12 (01-08) then high 16 (01-10): up swing 12 -> 16
    # level_r = 16 + r × (12 − 16) = 16 − 4r
    levels = price_levels(CLOSES, settings=SMALL)
    values = by_name(levels)
    assert levels.swing.start_price == 12.0 and levels.swing.end_price == 16.0
    assert levels.swing.start_date == pd.Timestamp("2024-01-08")
    assert levels.swing.direction == "up" and not levels.swing.anchored
    assert values["Fibonacci 23.6 %"] == pytest.approx(15.056)
    assert values["Fibonacci 38.2 %"] == pytest.approx(14.472)
    assert values["Fibonacci 50 %"] == pytest.approx(14.0)
    assert values["Fibonacci 61.8 %"] == pytest.approx(13.528)
    assert values["Fibonacci 78.6 %"] == pytest.approx(12.856)


def test_fibonacci_of_a_down_swing_by_hand() -> None:
    # 20 18 22 17 19: high 22 then low 17: down swing, level_r = 17 + 5r
    closes = pd.Series([20, 18, 22, 17, 19], index=DAYS[:5], dtype="float64")
    settings = LevelSettings(
        daily_averages=(), weekly_averages=(), swing_days=5, drawdown_days=5, channel_days=5
    )
    levels = price_levels(closes, settings=settings)
    values = by_name(levels)
    assert levels.swing.direction == "down"
    assert values["Fibonacci 23.6 %"] == pytest.approx(18.18)
    assert values["Fibonacci 50 %"] == pytest.approx(19.5)
    assert values["Fibonacci 61.8 %"] == pytest.approx(20.09)
    assert values["Fibonacci 78.6 %"] == pytest.approx(20.93)


def test_fibonacci_anchored_by_date_and_by_price() -> None:
    # start anchored on Sunday 2024-01-07 -> Friday's close 13; end anchored at price 17
    # level_r = 17 + r × (13 − 17) = 17 − 4r
    levels = price_levels(
        CLOSES,
        settings=SMALL,
        anchors=(Anchor(date=pd.Timestamp("2024-01-07")), Anchor(price=17.0)),
    )
    values = by_name(levels)
    assert levels.swing.anchored
    assert levels.swing.start_date == pd.Timestamp("2024-01-05")
    assert levels.swing.end_date is None
    assert values["Fibonacci 50 %"] == pytest.approx(15.0)
    assert values["Fibonacci 61.8 %"] == pytest.approx(14.528)


@pytest.mark.parametrize(
    ("anchors", "message"),
    [
        ((Anchor(), Anchor(price=5.0)), r"an anchor needs a date or a price"),
        (
            (Anchor(date=pd.Timestamp("2023-12-01")), Anchor(price=5.0)),
            r"anchor date 2023-12-01 is before the first close \(2024-01-01\)",
        ),
        (
            (Anchor(date=pd.Timestamp("2024-02-01")), Anchor(price=5.0)),
            r"anchor date 2024-02-01 is after the as-of date 2024-01-12",
        ),
        ((Anchor(price=-3.0), Anchor(price=5.0)), r"anchor price must be a positive number"),
        ((Anchor(price=5.0), Anchor(price=5.0)), r"the two anchors have the same price"),
        (
            (Anchor(date=pd.Timestamp("2024-01-10")), Anchor(date=pd.Timestamp("2024-01-02"))),
            r"end anchor is dated before its start anchor",
        ),
    ],
)
def test_bad_anchors(anchors: tuple[Anchor, Anchor], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        price_levels(CLOSES, settings=SMALL, anchors=anchors)


def test_drawdown_retracement_by_hand() -> None:
    # last 6 closes 13 12 15 16 14 13: high 16 (01-10), lowest close after it 13 (01-12)
    # level_r = 13 + r × (16 − 13)
    levels = price_levels(CLOSES, settings=SMALL)
    values = by_name(levels)
    assert (levels.drawdown.start_price, levels.drawdown.end_price) == (16.0, 13.0)
    assert levels.drawdown.end_date == pd.Timestamp("2024-01-12")
    assert values["Drawdown 38.2 % retracement"] == pytest.approx(14.146)
    assert values["Drawdown 50 % retracement"] == pytest.approx(14.5)
    assert values["Drawdown 61.8 % retracement"] == pytest.approx(14.854)


def test_no_drawdown_when_the_last_close_is_the_high() -> None:
    # as of 2024-01-10 the close 16 is the high of the last 6 closes
    levels = price_levels(CLOSES, as_of="2024-01-10", settings=SMALL)
    assert levels.drawdown is None
    assert not [lv for lv in levels.levels if lv.kind == "drawdown"]
    assert "no drawdown retracement: the latest close is the one-year high" in levels.notes


def test_trading_channel_by_hand() -> None:
    # ln(close) = ln 100 + 0.01 x + e with e = (+d, −d, −d, +d), d = 0.02: e sums to 0 and
    # Σ x·e = 0 − d − 2d + 3d = 0, so the least-squares line is exactly ln 100 + 0.01 x and the
    # residuals' standard deviation is d. At x = 3: mid = 100 e^0.03, edges 100 e^(0.03 ± 0.04).
    d = 0.02
    x = np.arange(4)
    closes = pd.Series(100 * np.exp(0.01 * x + np.array([d, -d, -d, d])), index=DAYS[:4])
    settings = LevelSettings(
        daily_averages=(), weekly_averages=(), swing_days=4, drawdown_days=4, channel_days=4
    )
    levels = price_levels(closes, settings=settings)
    values = by_name(levels)
    assert values["Channel middle"] == pytest.approx(100 * math.exp(0.03), rel=1e-12)
    assert values["Channel upper edge"] == pytest.approx(100 * math.exp(0.07), rel=1e-12)
    assert values["Channel lower edge"] == pytest.approx(100 * math.exp(-0.01), rel=1e-12)
    assert levels.price == pytest.approx(100 * math.exp(0.05))
    assert levels.channel["mid"].iloc[0] == pytest.approx(100.0, rel=1e-12)
    assert levels.channel.index.equals(closes.index)


def test_too_short_for_every_window_gives_notes_not_an_exception() -> None:
    closes = pd.Series(np.linspace(100, 120, 150), index=pd.bdate_range("2024-01-01", periods=150))
    levels = price_levels(closes)  # the SPEC defaults
    names = set(by_name(levels))
    assert "50-day average" in names and "200-day average" not in names
    assert "26-week average" in names  # 150 trading days = 30 weeks
    assert "not enough history for the 200-day average: needs 200 closes, found 150" in levels.notes
    assert (
        "not enough history for the drawdown retracement: needs 252 closes, found 150"
        in levels.notes
    )
    assert not levels.averages["200-day average"].notna().any()


def test_a_single_close() -> None:
    levels = price_levels(pd.Series([50.0], index=DAYS[:1]))
    assert levels.price == 50.0 and levels.levels == ()
    assert "not enough history for the 13-week average: needs 13 weekly closes, found 1" in (
        levels.notes
    )
    assert "not enough history for the Fibonacci swing: needs 126 closes, found 1" in levels.notes
    assert "not enough history for the trading channel: needs 126 closes, found 1" in levels.notes
    assert levels.channel.empty


def test_flat_closes_have_no_swing() -> None:
    levels = price_levels(pd.Series(10.0, index=DAYS), settings=SMALL)
    assert levels.swing is None
    assert "no Fibonacci levels: the closes did not move over the swing window" in levels.notes


def test_supports_resistances_and_frame() -> None:
    levels = price_levels(CLOSES, as_of="2024-01-11", settings=SMALL)
    supports, resistances = levels.supports(), levels.resistances()
    assert all(lv.value < 14 for lv in supports) and all(lv.value > 14 for lv in resistances)
    assert [lv.value for lv in supports] == sorted((lv.value for lv in supports), reverse=True)
    table = levels.to_frame()
    assert table.columns.tolist() == ["name", "kind", "value", "distance"]
    assert table["value"].is_monotonic_decreasing
    assert set(table["kind"]) == {"moving_average", "fibonacci", "drawdown", "channel"}


def test_nan_closes_are_skipped() -> None:
    with_gap = CLOSES.copy()
    with_gap.iloc[3] = math.nan
    levels = price_levels(with_gap, as_of="2024-01-05", settings=SMALL)
    assert by_name(levels)["3-day average"] == pytest.approx((11 + 12 + 13) / 3)


@pytest.mark.parametrize(
    ("series", "as_of", "message"),
    [
        (CLOSES, "2023-06-01", r"no close on or before 2023-06-01"),
        (pd.Series([], dtype="float64", index=pd.DatetimeIndex([])), None, r"no close: "),
        (CLOSES.where(CLOSES != 12, 0.0), None, r"closes must be positive; found 0 on 2024-01-03"),
        (pd.Series([1.0, 2.0]), None, r"needs a DatetimeIndex"),
    ],
)
def test_bad_series(series: pd.Series, as_of: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        price_levels(series, as_of=as_of)


def test_price_for_levels_says_which_price() -> None:
    quoted = pd.DataFrame({"close": [1.0, 2.0]}, index=DAYS[:2])
    assert price_for_levels(quoted)[1] == "quoted close"
    adjusted = quoted.copy()
    adjusted.attrs["adjusted"] = True
    close, label = price_for_levels(adjusted)
    assert label.startswith("dividend-adjusted close")
    assert close.tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match=r"no close column"):
        price_for_levels(pd.DataFrame({"value": [1.0]}, index=DAYS[:1]))


def test_real_sp500_levels_against_the_raw_file(shared_source, shared_data_dir) -> None:
    """^GSPC on 2012-10-19: the 50- and 200-day averages and the 126-day swing, recomputed
    from the CSV rows with the csv module."""
    closes: list[tuple[str, float]] = []
    with open(shared_data_dir / "sp500" / "SP500_daily_close_1960-2026.csv", newline="") as f:
        for row in csv.DictReader(f):
            text = row["SP500"].strip()
            if row["observation_date"] <= "2012-10-19" and text not in ("", "."):
                closes.append((row["observation_date"], float(text)))
    values = [v for _, v in closes]
    frame = shared_source.load("yahoo:^GSPC")
    close, label = price_for_levels(frame)
    assert label == "quoted close"
    levels = price_levels(close, as_of="2012-10-19")
    got = by_name(levels)
    assert levels.price == pytest.approx(1433.19, abs=0.005)  # PROVENANCE spot check
    assert got["50-day average"] == pytest.approx(sum(values[-50:]) / 50, rel=1e-12)
    assert got["200-day average"] == pytest.approx(sum(values[-200:]) / 200, rel=1e-12)
    window = values[-126:]
    low, high = min(window), max(window)
    assert (levels.swing.start_price, levels.swing.end_price) == (low, high)  # up swing
    assert got["Fibonacci 50 %"] == pytest.approx((low + high) / 2)
    assert levels.notes == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"daily_averages": (50, 0)}, r"daily average window must be a whole number ≥ 1, got 0"),
        ({"weekly_averages": (13.5,)}, r"weekly average window .* got 13.5"),
        ({"swing_days": 1}, r"swing window must be a whole number ≥ 2"),
        ({"channel_days": 2}, r"channel window must be a whole number ≥ 3"),
        ({"drawdown_days": True}, r"drawdown window"),
        ({"fibonacci_ratios": (0.5, 61.8)}, r"Fibonacci ratios lie between 0 and 1, got 61.8"),
        ({"drawdown_ratios": (0.0,)}, r"drawdown ratios lie between 0 and 1"),
        ({"channel_width": -2.0}, r"channel width must be positive"),
    ],
)
def test_bad_settings(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LevelSettings(**kwargs)
