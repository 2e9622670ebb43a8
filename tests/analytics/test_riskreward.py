"""Risk/reward: the SPEC's worked examples (S&P 500, Sept./Oct. 2012) and every bad input."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.levels import Level
from analytics.riskreward import (
    NO_DOWNSIDE,
    TINY_RISK,
    default_plan,
    default_positions,
    portfolio_risk_reward,
    risk_reward,
    scenarios,
)


def pct(x: float) -> float:
    """Fraction -> percent rounded to two decimals, as the article prints it."""
    return round(x * 100, 2)


# ---- the worked examples ---------------------------------------------------------------------


def test_worked_example_p1438_three_stops() -> None:
    # reward = 1565/1438 − 1 = 127/1438 = 0.0883171…  -> 8.83 %
    # stops: 1325/1438 − 1 = −113/1438 = −0.0785814 -> −7.86 %, ratio 127/113 = 1.1239 -> 1.12
    #        1275/1438 − 1 = −163/1438 = −0.1133519 -> −11.34 %, ratio 127/163 = 0.7791 -> 0.78
    #        1150/1438 − 1 = −288/1438 = −0.2002782 -> −20.03 %, ratio 127/288 = 0.4410 -> 0.44
    expected = {1325: (-7.86, 1.12), 1275: (-11.34, 0.78), 1150: (-20.03, 0.44)}
    for stop, (risk_pct, ratio) in expected.items():
        rr = risk_reward(1438, 1565, stop)
        assert pct(rr.reward) == 8.83
        assert pct(rr.risk) == risk_pct
        assert round(rr.ratio, 2) == ratio
        assert rr.ratio_text == f"{ratio:.2f} : 1"
    # the article's 1.13 comes from its rounded inputs: 8.83 / 7.86 = 1.1234 -> 1.12 as well,
    # 8.9 / 7.9 = 1.1266 -> 1.13: the exact figure is 127/113.
    assert risk_reward(1438, 1565, 1325).ratio == pytest.approx(127 / 113, abs=1e-15)


def test_worked_example_dollars_on_100000() -> None:
    rr = risk_reward(1438, 1565, 1325, capital=100_000)
    # 100,000 × 127/1438 = 8,831.7107… -> $8,831.71 to the cent; the article's $8,830 is
    # 100,000 × the rounded 8.83 %.
    assert round(rr.reward_dollars, 2) == 8831.71
    assert round(100_000 * round(rr.reward, 4), 2) == 8830.00
    # 100,000 × −113/1438 = −7,858.1363… -> −$7,858.14
    assert round(rr.risk_dollars, 2) == -7858.14
    assert rr.capital == 100_000.0


def test_worked_example_p1432() -> None:
    rr = risk_reward(1432, 1565, 1370)
    # 133/1432 = 0.0928771 -> 9.29 %; −62/1432 = −0.0432961 -> −4.33 %; 133/62 = 2.1452 -> 2.15
    assert (pct(rr.reward), pct(rr.risk), round(rr.ratio, 2)) == (9.29, -4.33, 2.15)
    assert rr.ratio_text == "2.15 : 1"
    assert rr.reward_dollars is None and rr.risk_dollars is None


def test_worked_example_entry_1395() -> None:
    rr = risk_reward(1395, 1565, 1370)
    # 170/1395 = 0.1218638 -> 12.19 %; −25/1395 = −0.0179211 -> −1.79 %; 170/25 = 6.8 exactly
    assert (pct(rr.reward), pct(rr.risk)) == (12.19, -1.79)
    assert rr.ratio == pytest.approx(6.8, abs=1e-12)
    assert rr.ratio_text == "6.80 : 1"


def test_worked_example_entry_at_the_stop_has_no_downside() -> None:
    rr = risk_reward(1370, 1565, 1370)
    # 195/1370 = 0.1423358 -> 14.23 %
    assert pct(rr.reward) == 14.23
    assert rr.risk == 0.0
    assert rr.ratio is None
    assert not rr.has_downside
    assert rr.ratio_text == NO_DOWNSIDE == "no downside to the stop"
    assert rr.as_dict()["ratio"] is None


def test_target_at_the_entry_is_zero_reward() -> None:
    rr = risk_reward(100, 100, 90)
    assert rr.reward == 0.0 and rr.ratio == 0.0 and rr.ratio_text == "0.00 : 1"


# ---- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 110, 90), r"price must be positive, got 0"),
        ((-5, 110, 90), r"price must be positive, got -5"),
        ((100, -1, 90), r"target must be positive"),
        ((100, 110, 0), r"stop must be positive"),
        ((math.nan, 110, 90), r"price is missing \(NaN\)"),
        ((None, 110, 90), r"price is missing"),
        ((100, None, 90), r"target is missing"),
        ((100, 110, math.nan), r"stop is missing"),
        ((100, 110, math.inf), r"stop must be finite"),
        (("abc", 110, 90), r"price must be a number, got 'abc'"),
        ((100, 110, 101), r"the stop 101 is above the entry price 100"),
        ((100, 99, 90), r"the target 99 is below the entry price 100"),
    ],
)
def test_bad_input_is_a_clear_error(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        risk_reward(*args)


def test_bad_capital() -> None:
    with pytest.raises(ValueError, match=r"capital must be positive, got -1"):
        risk_reward(100, 110, 90, capital=-1)


# ---- scenarios -------------------------------------------------------------------------------


def level(name: str, value: float, kind: str = "moving_average") -> Level:
    return Level(name=name, kind=kind, value=value, distance=value / 1438 - 1)


def test_scenarios_buy_now_and_at_each_support() -> None:
    levels = [
        level("50-day average", 1395),  # support above the stop
        level("Channel upper edge", 1500, "channel"),  # above the price: not a support
        level("Fibonacci 61.8 %", 1370, "fibonacci"),  # exactly the stop
        level("200-day average", 1300),  # below the stop
    ]
    table = scenarios(1438, 1565, 1370, levels, capital=100_000)
    assert table["scenario"].tolist() == [
        "Buy now",
        "Buy at 50-day average",
        "Buy at Fibonacci 61.8 %",
        "Buy at 200-day average",
    ]
    now, at_50, at_fib, at_200 = (table.iloc[i] for i in range(4))
    # buy now: 127/1438 = 8.83 %, −68/1438 = −4.73 %, 127/68 = 1.87
    assert (pct(now["reward"]), pct(now["risk"]), round(now["ratio"], 2)) == (8.83, -4.73, 1.87)
    assert now["distance"] == 0.0
    # at 1395: the worked example, 12.19 %, −1.79 %, 6.8; 1395/1438 − 1 = −2.99 %
    assert (pct(at_50["reward"]), pct(at_50["risk"])) == (12.19, -1.79)
    assert at_50["ratio"] == pytest.approx(6.8)
    assert pct(at_50["distance"]) == -2.99
    assert round(at_50["reward_dollars"], 2) == 12186.38  # 100,000 × 170/1395
    # at the stop: no downside, no ratio number
    assert math.isnan(at_fib["ratio"]) and at_fib["ratio_text"] == NO_DOWNSIDE
    assert pct(at_fib["reward"]) == 14.23
    # below the stop: kept, with the reason and no figures
    assert math.isnan(at_200["reward"]) and math.isnan(at_200["ratio"])
    assert at_200["note"] == "below the stop 1370: the stop would trigger first"
    assert at_200["entry"] == 1300.0


def test_scenarios_accept_a_level_set_like_object() -> None:
    class Holder:
        levels = (level("50-day average", 1400),)

    table = scenarios(1438, 1565, 1370, Holder())
    assert table["scenario"].tolist() == ["Buy now", "Buy at 50-day average"]
    assert table["reward_dollars"].isna().all()


def test_scenarios_validate_the_entry() -> None:
    with pytest.raises(ValueError, match=r"the stop 1500 is above the entry price 1438"):
        scenarios(1438, 1565, 1500, [])


# ---- portfolio -------------------------------------------------------------------------------


def test_portfolio_weighted_sum_by_hand() -> None:
    positions = pd.DataFrame(
        {
            "weight": [0.5, 0.3],
            "entry": [100.0, 50.0],
            "target": [120.0, 60.0],
            "stop": [90.0, 50.0],
        },
        index=["SPY", "XLK"],
    )
    result = portfolio_risk_reward(positions, capital=200_000)
    # SPY: +20 %, −10 %; XLK: +20 %, 0 % (stop at the entry)
    # reward = 0.5×0.20 + 0.3×0.20 = 0.16; risk = 0.5×(−0.10) + 0.3×0 = −0.05; ratio 3.2
    assert result.reward == pytest.approx(0.16)
    assert result.risk == pytest.approx(-0.05)
    assert result.ratio == pytest.approx(3.2)
    assert result.ratio_text == "3.20 : 1"
    assert result.cash_weight == pytest.approx(0.2)
    assert result.reward_dollars == pytest.approx(32_000.0)
    assert result.risk_dollars == pytest.approx(-10_000.0)
    assert result.positions.loc["SPY", "weighted_risk"] == pytest.approx(-0.05)
    assert math.isnan(result.positions.loc["XLK", "ratio"])


def test_portfolio_without_any_downside() -> None:
    positions = pd.DataFrame({"weight": [1.0], "entry": [10.0], "target": [11.0], "stop": [10.0]})
    result = portfolio_risk_reward(positions)
    assert result.ratio is None and result.ratio_text == NO_DOWNSIDE
    assert result.reward_dollars is None


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"weight": [1.0], "entry": [10.0]}), r"missing: target, stop"),
        (
            pd.DataFrame(columns=["weight", "entry", "target", "stop"]),
            r"positions is empty",
        ),
        (
            pd.DataFrame(
                {"weight": [0.7, 0.6], "entry": [1.0, 1.0], "target": [2.0, 2.0], "stop": [1, 1]}
            ),
            r"weights add up to 1.3",
        ),
        (
            pd.DataFrame({"weight": [-0.1], "entry": [1.0], "target": [2.0], "stop": [1.0]}),
            r"position 0: weight must not be negative",
        ),
        (
            pd.DataFrame({"weight": [None], "entry": [1.0], "target": [2.0], "stop": [1.0]}),
            r"position 0: weight is missing",
        ),
        (
            pd.DataFrame(
                {"weight": [0.5], "entry": [10.0], "target": [12.0], "stop": [11.0]},
                index=["QQQ"],
            ),
            r"position QQQ: the stop 11 is above the entry price 10",
        ),
        (
            pd.DataFrame({"weight": [0.5], "entry": [10.0], "target": [9.0], "stop": [8.0]}),
            r"position 0: the target 9 is below the entry price 10",
        ),
        (
            pd.DataFrame({"weight": [0.5], "entry": [None], "target": [9.0], "stop": [8.0]}),
            r"position 0: entry is missing",
        ),
    ],
)
def test_portfolio_bad_input(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        portfolio_risk_reward(frame)


# ---- issue 13: tiny risks, prices compared as shown, whole messages, defaults at any date ------


@pytest.mark.parametrize(
    ("stop", "text"),
    [
        (999.01, TINY_RISK),  # risk -0.099 % < 0.1 %: the 34,350 : 1 case
        (999.00, "100.00 : 1"),  # risk exactly -0.1 %: reward 10 % / 0.1 % = 100 (boundary)
        (998.99, f"{0.10 / 0.00101:.2f} : 1"),  # 99.01 : 1
        (1000.0, NO_DOWNSIDE),
    ],
)
def test_tiny_risk_has_no_meaningful_ratio(stop: float, text: str) -> None:
    rr = risk_reward(1000.0, 1100.0, stop)
    assert rr.ratio_text == text
    assert (rr.ratio is None) == (text in (TINY_RISK, NO_DOWNSIDE))
    assert rr.has_downside == (stop < 1000.0)
    assert TINY_RISK == "risk under 0.1 %: ratio not meaningful"


def test_scenario_level_just_above_the_stop_shows_tiny_risk() -> None:
    fib = Level(
        name="Fibonacci 78.6 %", kind="fibonacci", value=1370.04, distance=1370.04 / 1438 - 1
    )
    table = scenarios(1438.0, 1565.0, 1370.0, [fib])
    row = table.set_index("scenario").loc["Buy at Fibonacci 78.6 %"]
    # risk = 1370 / 1370.04 - 1 = -0.0029 %: under 0.1 %
    assert row["risk"] == pytest.approx(1370 / 1370.04 - 1)
    assert math.isnan(row["ratio"]) and row["ratio_text"] == TINY_RISK


def test_portfolio_tiny_risk() -> None:
    frame = pd.DataFrame({"weight": [1.0], "entry": [1000.0], "target": [1100.0], "stop": [999.5]})
    result = portfolio_risk_reward(frame)
    assert result.risk == pytest.approx(-0.0005) and result.ratio is None
    assert result.ratio_text == TINY_RISK


def test_stop_shown_as_the_price_is_no_downside() -> None:
    # the close is 1433.1900004 in floating point and shown as 1,433.19; a stop typed as 1433.19
    rr = risk_reward(1433.1900004, 1500.0, 1433.19)
    assert rr.risk == 0.0 and rr.ratio_text == NO_DOWNSIDE
    rr = risk_reward(1433.1899996, 1433.19, 1400.0)  # target shown as the price: no reward
    assert rr.reward == 0.0


def test_messages_are_whole_and_agree_with_the_comparison() -> None:
    with pytest.raises(ValueError) as raised:
        risk_reward(1433.19, 1500.0, 1433.20)
    assert str(raised.value) == (
        "the stop 1433.2 is above the entry price 1433.19; "
        "a stop must be at or below the entry price"
    )
    with pytest.raises(ValueError) as raised:
        risk_reward(1433.19, 1433.18, 1400.0)
    assert str(raised.value) == (
        "the target 1433.18 is below the entry price 1433.19; "
        "a target must be at or above the entry price"
    )


@pytest.mark.parametrize(
    ("price", "supports", "resistances", "expected"),
    [
        (100.0, [95.0, 90.0], [104.0, 110.0], (110.0, 90.0)),
        (100.0, [99.5], [100.5], (102.0, 98.0)),  # levels too close: 2 % either side
        (100.0, [], [], (108.0, 92.0)),
        (1433.19, [1500.0], [1400.0], (1547.85, 1318.53)),  # levels on the wrong side ignored
    ],
)
def test_default_plan(price, supports, resistances, expected) -> None:
    assert default_plan(price, supports, resistances) == pytest.approx(expected)


@pytest.mark.parametrize("price", [1.0, 99.99, 2640.87, 1433.19])
def test_default_positions_are_valid_at_any_price(price: float) -> None:
    target, stop = default_plan(price, [price * 0.999], [price * 1.001])
    frame = default_positions(price, target, stop, "SPY")
    assert frame["position"].tolist() == ["SPY", "Second position"]
    assert frame["entry"].iloc[1] == pytest.approx(round((price + stop) / 2, 2))
    result = portfolio_risk_reward(frame.set_index("position"))
    assert result.cash_weight == pytest.approx(0.1) and result.risk < 0
