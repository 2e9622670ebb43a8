"""Indicator engine on small hand-built series: calendar, publication lags, smoothing, rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.calendar import (
    decision_calendar,
    fomc_in_holding_week,
    fourth_fridays,
    in_best_six_months,
    in_buyback_blackout,
)
from analytics.engine import evaluate
from analytics.model import ModelSettings
from analytics.releases import Release


def _days(start: str, end: str) -> pd.DatetimeIndex:
    return pd.bdate_range(start, end, name="date")


def _prices(days: pd.DatetimeIndex, close: np.ndarray | float = 100.0) -> pd.DataFrame:
    close = np.broadcast_to(np.asarray(close, dtype=float), (len(days),)).copy()
    return pd.DataFrame({"close": close, "adj_close": close}, index=days)


def _value(dates: list[str] | pd.DatetimeIndex, values: list[float]) -> pd.DataFrame:
    index = pd.DatetimeIndex(pd.to_datetime(list(dates)), name="date")
    return pd.DataFrame({"value": np.asarray(values, dtype=float)}, index=index)


# ---- calendar ------------------------------------------------------------------------------


def test_decision_and_trade_dates_shift_for_holidays() -> None:
    # 2024: Good Friday 29 March closed; Monday 15 January (MLK) closed.
    days = _days("2024-01-08", "2024-04-05").drop(pd.DatetimeIndex(["2024-01-15", "2024-03-29"]))
    calendar = decision_calendar(days)
    assert calendar.at[pd.Timestamp("2024-01-12"), "trade_date"] == pd.Timestamp("2024-01-16")
    assert pd.Timestamp("2024-03-29") not in calendar.index
    assert calendar.at[pd.Timestamp("2024-03-28"), "trade_date"] == pd.Timestamp("2024-04-01")
    # The newest Friday's trade date is known from the exchange calendar before its prices.
    assert calendar.index[-1] == pd.Timestamp("2024-04-05")
    assert calendar["trade_date"].iloc[-1] == pd.Timestamp("2024-04-08")


def test_week_in_progress_is_left_out() -> None:
    calendar = decision_calendar(_days("2024-06-03", "2024-06-12"))  # ends on a Wednesday
    assert list(calendar.index) == [pd.Timestamp("2024-06-07")]
    assert calendar.at[pd.Timestamp("2024-06-07"), "trade_date"] == pd.Timestamp("2024-06-10")


def test_release_rules_by_hand() -> None:
    may = pd.DatetimeIndex(["2024-05-01"])
    assert Release(months_after=1, weekday=4, nth=1).dates(may)[0] == pd.Timestamp("2024-06-07")
    assert Release(months_after=1, day=15).dates(may)[0] == pd.Timestamp("2024-06-15")
    # Last Tuesday of July 2024 (May + 2) is the 30th.
    assert Release(months_after=2, weekday=1, nth=-1).dates(may)[0] == pd.Timestamp("2024-07-30")
    assert Release(months_after=4, day=1).dates(may)[0] == pd.Timestamp("2024-09-01")
    assert Release(lag_days=5).dates(pd.DatetimeIndex(["2024-06-07"]))[0] == pd.Timestamp(
        "2024-06-12"
    )
    assert Release(months_after=1, weekday=4, nth=1).describe() == (
        "first Friday of the following month"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lag_days": -1}, "cannot be negative"),
        ({"months_after": 1}, "either a day or a weekday"),
        ({"months_after": 1, "day": 31}, "1..28"),
        ({"months_after": 1, "weekday": 4, "nth": 7}, "nth"),
    ],
)
def test_bad_release_rules_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Release(**kwargs)


def test_calendar_rules_by_hand() -> None:
    # Fourth Friday of April 2024 is the 26th; the blackout starts 35 days earlier, 22 March.
    assert pd.Timestamp("2024-04-26") in fourth_fridays(2024, 2024)
    trade = pd.DatetimeIndex(["2024-03-21", "2024-03-22", "2024-04-26", "2024-04-29"])
    assert list(in_buyback_blackout(trade)) == [0.0, 1.0, 1.0, 0.0]
    months = pd.DatetimeIndex(["2024-04-30", "2024-05-01", "2024-10-31", "2024-11-01"])
    assert list(in_best_six_months(months)) == [1.0, 0.0, 0.0, 1.0]
    # Statement Wed 2024-06-12: held from Mon 06-10 to Mon 06-17 -> 1; the week before -> 0.
    trades = pd.DatetimeIndex(["2024-06-03", "2024-06-10", "2024-06-17"])
    statements = pd.DatetimeIndex(["2024-06-12"])
    assert list(fomc_in_holding_week(trades, statements)) == [0.0, 1.0, 0.0]
    # A statement on a trade date belongs to the week that ends with that close.
    assert list(fomc_in_holding_week(trades, pd.DatetimeIndex(["2024-06-10"]))) == [1.0, 0, 0]


# ---- point in time and smoothing ----------------------------------------------------------


def _model(series: dict[str, pd.DataFrame], **settings) -> object:
    return evaluate(series, ModelSettings(**settings))


def test_publication_lag_boundary_day_before_and_day_of_release() -> None:
    days = _days("2023-01-02", "2024-06-28")
    months = pd.date_range("2022-01-01", "2024-05-01", freq="MS")
    # 4.0 %, then 3.9 % in April 2024: gap = 3.9 − (11 × 4 + 3.9) / 12 < 0 -> invested;
    # 5.0 % in May 2024: gap = 5 − (10 × 4 + 3.9 + 5) / 12 = 0.925 > 0 -> cash.
    rates = [4.0] * (len(months) - 2) + [3.9, 5.0]
    series = {"yahoo:SPY": _prices(days), "fred:UNRATE": _value(months, rates)}
    # Default: first Friday of June 2024 = 7 June. Decision 31 May sees April, 7 June sees May.
    model = _model(series)
    unemployment = model.indicators["unemployment"]
    assert unemployment.last_observation.at[pd.Timestamp("2024-05-31")] == pd.Timestamp(
        "2024-04-01"
    )
    assert unemployment.score.at[pd.Timestamp("2024-05-31")] == 1.0
    assert unemployment.last_observation.at[pd.Timestamp("2024-06-07")] == pd.Timestamp(
        "2024-05-01"
    )
    assert unemployment.reading.at[pd.Timestamp("2024-06-07")] == pytest.approx(5 - 48.9 / 12)
    assert unemployment.score.at[pd.Timestamp("2024-06-07")] == 0.0
    # A lag setting that releases on Saturday 8 June: the Friday decision cannot see May yet.
    later = _model(series, releases={"unemployment": Release(months_after=1, day=8)})
    assert later.indicators["unemployment"].score.at[pd.Timestamp("2024-06-07")] == 1.0
    assert later.indicators["unemployment"].score.at[pd.Timestamp("2024-06-14")] == 0.0


def test_four_week_smoothing_of_weekly_survey() -> None:
    days = _days("2024-01-01", "2024-02-09")
    thursdays = pd.date_range("2024-01-04", periods=6, freq="W-THU")
    spread = [10.0, 20.0, 30.0, 40.0, 50.0, 0.0]
    aaii = pd.DataFrame(
        {"bullish": np.array(spread) + 30.0, "neutral": 40.0, "bearish": 30.0},
        index=pd.DatetimeIndex(thursdays, name="date"),
    )
    model = _model({"yahoo:SPY": _prices(days), "aaii:sentiment": aaii})
    result = model.indicators["aaii"]
    fridays = pd.date_range("2024-01-05", periods=6, freq="W-FRI")
    # Weeks 1-3: fewer than four readings -> unavailable; week 4: (10+20+30+40)/4 = 25 -> 1 (≤ 25)
    # week 5: (20+30+40+50)/4 = 35 -> 0; week 6: (30+40+50+0)/4 = 30 -> 0.
    assert not result.available.loc[fridays[:3]].any()
    assert result.reason.at[fridays[0]] == "not enough aaii:sentiment history yet for this reading"
    assert list(result.reading.loc[fridays[3:]]) == pytest.approx([25.0, 35.0, 30.0])
    assert list(result.score.loc[fridays[3:]]) == [1.0, 0.0, 0.0]


def test_put_call_weekly_reading_is_the_mean_of_the_week() -> None:
    days = _days("2024-01-01", "2024-01-26")
    ratios = np.r_[[0.8, 0.9, 1.0, 1.1, 1.2], [1.0] * 5, [0.7] * 5, [0.6] * 5]
    model = _model({"yahoo:SPY": _prices(days), "cboe:total_put_call": _value(days, list(ratios))})
    result = model.indicators["put_call"]
    # Weekly means 1.0, 1.0, 0.7, 0.6 -> 4-week average 0.825 < 0.90 -> cash.
    assert result.reading.iloc[-1] == pytest.approx(0.825)
    assert result.score.iloc[-1] == 0.0


def test_momentum_and_trend_by_hand() -> None:
    days = _days("2022-01-03", "2024-06-28")
    close = np.linspace(100.0, 200.0, len(days))
    model = _model({"yahoo:SPY": _prices(days, close)})
    frame = pd.Series(close, index=days)
    last4 = model.calendar.index[-4:]
    momentum = np.mean([frame[d] / frame[: d - pd.DateOffset(years=1)].iloc[-1] - 1 for d in last4])
    trend = np.mean([frame[d] / frame[:d].iloc[-200:].mean() - 1 for d in last4])
    assert model.indicators["momentum"].reading.iloc[-1] == pytest.approx(100 * momentum)
    assert model.indicators["trend"].reading.iloc[-1] == pytest.approx(100 * trend)
    assert model.indicators["momentum"].score.iloc[-1] == 1.0


def test_yoy_monthly_and_discontinued_input() -> None:
    days = _days("2021-01-04", "2022-06-24")
    ted_days = _days("2021-01-04", "2022-01-21")
    series = {
        "yahoo:SPY": _prices(days),
        "fred:TEDRATE": _value(ted_days, [0.2] * len(ted_days)),
        "fred:INDPRO": _value(
            pd.date_range("2020-01-01", "2022-04-01", freq="MS"), list(np.arange(100.0, 128.0))
        ),
    }
    model = _model(series)
    ted = model.indicators["ted_spread"]
    assert ted.score.at[pd.Timestamp("2022-01-21")] == 1.0
    assert not ted.available.at[pd.Timestamp("2022-01-28")]
    reason = ted.reason.at[pd.Timestamp("2022-01-28")]
    assert reason == "TED spread discontinued by FRED on 2022-01-21"
    # INDPRO April 2022 = 127 vs April 2021 = 115, released 17 May 2022: +10.4348 %.
    indpro = model.indicators["industrial_production"]
    assert indpro.reading.at[pd.Timestamp("2022-05-20")] == pytest.approx(100 * (127 / 115 - 1))
    assert indpro.last_observation.at[pd.Timestamp("2022-05-13")] == pd.Timestamp("2022-03-01")


def test_missing_inputs_are_unavailable_with_a_reason_and_left_out_of_the_composite() -> None:
    days = _days("2024-01-01", "2024-03-29")
    model = _model({"yahoo:SPY": _prices(days)})
    snapshot = model.snapshot()
    ism = next(row for row in snapshot.indicators if row.id == "ism_pmi")
    assert not ism.available and "FRED no longer carries the ISM PMI" in ism.reason
    naaim = next(row for row in snapshot.indicators if row.id == "naaim")
    assert naaim.reason == "naaim:exposure not loaded"
    # Only the three calendar rules are available here (momentum/trend need a year of prices).
    assert snapshot.available == 3
    calendar_scores = [row.score for row in snapshot.indicators if row.available]
    assert snapshot.composite == pytest.approx(np.mean(calendar_scores))


def test_composite_and_changes_are_listed() -> None:
    """(The threshold's strictness is pinned in test_boundaries.py.)"""
    days = _days("2024-10-21", "2024-11-08")
    model = _model({"yahoo:SPY": _prices(days)})
    # Decision 25 Oct 2024 -> trade Mon 28 Oct: outside best six months, blackout over (fourth
    # Friday 25 Oct), no FOMC (statement Thu 7 Nov is in the week after) -> (0 + 1 + 0) / 3.
    # Decision 1 Nov -> trade 4 Nov: best six months 1, no blackout 1, FOMC 7 Nov 1 -> 3/3.
    first, second = pd.Timestamp("2024-10-25"), pd.Timestamp("2024-11-01")
    assert model.composite.at[first] == pytest.approx(1 / 3)
    assert model.composite.at[second] == pytest.approx(1.0)
    assert bool(model.invested.at[second]) and not bool(model.invested.at[first])
    changes = model.changes(first, second)
    assert set(changes["id"]) == {"seasonality", "fomc_drift"}
    assert changes.set_index("id").loc["seasonality", ["before", "after"]].tolist() == [0.0, 1.0]
    assert model.previous_decision_date(second) == first
    assert model.previous_decision_date(model.calendar.index[0]) is None


def test_snapshot_maps_as_of_to_the_last_decision_date_and_refuses_earlier_dates() -> None:
    days = _days("2024-01-01", "2024-02-02")
    model = _model({"yahoo:SPY": _prices(days)})
    assert model.snapshot("2024-01-17").decision_date == pd.Timestamp("2024-01-12")
    with pytest.raises(ValueError, match="before the first decision date"):
        model.snapshot("2023-12-01")
    with pytest.raises(ValueError, match="neither is loaded"):
        evaluate({})
    with pytest.raises(ValueError, match="between 0 and 1"):
        _model({"yahoo:SPY": _prices(days)}, invest_threshold=1.5)
    with pytest.raises(KeyError, match="unknown indicator"):
        model.signal("nope")
