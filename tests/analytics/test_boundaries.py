"""Boundaries of the model's rules, each with a golden value worked out by hand or from the SPEC.

Every test here was checked to fail when its rule is changed in a copy of the code (see the
names: ``>`` for ``>=``, the age limit ``>`` for ``>=``, the factor 3 for 2 or 4, …).
"""

from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import pytest

from analytics.gauge import component_scores, gauge_as_of, sentiment_gauge
from analytics.model import ModelSettings, evaluate
from analytics.regimes import sell_stop


def _days(start: str, end: str) -> pd.DatetimeIndex:
    return pd.bdate_range(start, end, name="date")


def _prices(days: pd.DatetimeIndex, close: float = 100.0) -> pd.DataFrame:
    return pd.DataFrame({"close": close, "adj_close": close}, index=days)


# ---- the composite threshold (SPEC 3: invested when the composite is > 0.60) ----------------


def test_composite_exactly_at_the_threshold_is_cash() -> None:
    # Calendar rules only. Decision 25 Oct 2024 -> trade Mon 28 Oct: outside the best six months
    # (0), blackout over after Fri 25 Oct (1), no FOMC statement in the holding week (0): 1/3.
    days = _days("2024-10-21", "2024-11-08")
    decision = pd.Timestamp("2024-10-25")
    at = evaluate({"yahoo:SPY": _prices(days)}, ModelSettings(invest_threshold=1 / 3))
    assert at.composite.at[decision] == 1 / 3
    assert not bool(at.invested.at[decision])
    assert at.snapshot(decision).invested is False
    just_below = ModelSettings(invest_threshold=1 / 3 - 1e-9)
    assert bool(evaluate({"yahoo:SPY": _prices(days)}, just_below).invested.at[decision])


def test_default_threshold_060_with_three_of_five_is_cash() -> None:
    # Three calendar rules plus NAAIM and AAII: on decision 1 Nov 2024 the calendar says 1, 1, 1
    # (trade 4 Nov: best six months, no blackout, FOMC Thu 7 Nov); NAAIM 95 > 90 and AAII spread
    # 30 > 25 say cash: 3 / 5 = 0.6, not above 0.60 -> cash. NAAIM at 90 makes it 4/5 -> invested.
    days = _days("2024-09-02", "2024-11-08")
    thursdays = pd.date_range("2024-09-05", "2024-11-07", freq="W-THU")
    aaii = pd.DataFrame(
        {"bullish": 55.0, "neutral": 20.0, "bearish": 25.0}, index=thursdays.rename("date")
    )

    def model(naaim: float) -> object:
        exposure = pd.DataFrame({"value": naaim}, index=thursdays.rename("date"))
        series = {"yahoo:SPY": _prices(days), "naaim:exposure": exposure, "aaii:sentiment": aaii}
        return evaluate(series)

    decision = pd.Timestamp("2024-11-01")
    cash = model(95.0)
    assert cash.composite.at[decision] == 0.6
    assert cash.available_count.at[decision] == 5
    assert not bool(cash.invested.at[decision])
    invested = model(90.0)  # NAAIM exactly at its threshold 90 is invested (cash when above 90)
    assert invested.indicators["naaim"].score.at[decision] == 1.0
    assert invested.composite.at[decision] == 0.8
    assert bool(invested.invested.at[decision])


# ---- maximum age: 3 × interval + lag, and exactly at the limit still counts ------------------


def test_input_exactly_at_its_maximum_age_is_available_one_week_later_it_is_not() -> None:
    # NFCI: weekly (7 days), published 5 days after its date -> maximum age 3 × 7 + 5 = 26 days.
    # One observation dated Sunday 11 Feb 2024 (usable from Fri 16 Feb): on Fri 8 Mar it is
    # exactly 26 days old -> available; on Fri 15 Mar, 33 days -> stale.
    days = _days("2024-01-01", "2024-03-29")
    nfci = pd.DataFrame({"value": [-0.5]}, index=pd.DatetimeIndex(["2024-02-11"], name="date"))
    model = evaluate({"yahoo:SPY": _prices(days), "fred:NFCI": nfci})
    result = model.indicators["financial_conditions"]
    assert result.spec.max_age_days == 26
    ages = {
        "2024-02-09": (False, "no fred:NFCI data before 2024-02-16"),
        "2024-02-16": (True, ""),
        "2024-03-08": (True, ""),
        "2024-03-15": (
            False,
            "newest fred:NFCI observation (2024-02-11) is 33 days old; the limit is 26 days",
        ),
    }
    for day, (available, reason) in ages.items():
        stamp = pd.Timestamp(day)
        assert bool(result.available.at[stamp]) is available, day
        assert result.reason.at[stamp] == reason, day
    assert result.score.at[pd.Timestamp("2024-03-08")] == 1.0  # −0.5 ≤ 0


def test_maximum_age_of_a_monthly_input_under_a_changed_release() -> None:
    # Unemployment: monthly (31 days), first Friday of M+1 -> 3 × 31 + 32 = 125 days; released
    # the 20th of M+1 instead -> nominal lag 50 days from 2001-01-01 -> 3 × 31 + 50 = 143 days.
    from analytics.catalog import CATALOG_BY_ID
    from analytics.releases import Release

    spec = CATALOG_BY_ID["unemployment"]
    assert spec.max_age_days == 3 * 31 + 32  # first Friday of Feb 2001 is the 2nd: 32 days
    settings = ModelSettings(releases={"unemployment": Release(months_after=1, day=20)})
    assert settings.max_age(spec) == 3 * 31 + 50
    assert ModelSettings(max_age_days={"unemployment": 40}).max_age(spec) == 40


# ---- readings no other test mentions ---------------------------------------------------------


def _weekly_series(days: pd.DatetimeIndex, weekly: list[float]) -> pd.DataFrame:
    """A daily series that holds ``weekly[k]`` on every day of the k-th week of ``days``."""
    week_number = (days - days[0]).days // 7  # days[0] is a Monday
    values = [weekly[k] for k in week_number]
    return pd.DataFrame({"value": values, "close": values}, index=days)


WEEKS = 60
DAYS = _days("2022-01-03", "2023-02-24")  # 60 weeks, Monday 3 Jan 2022 to Friday 24 Feb 2023


def _week_values(formula) -> list[float]:
    return [formula(k) for k in range(WEEKS)]


def _model(series: dict[str, pd.DataFrame], **settings: object):
    return evaluate({"yahoo:SPY": _prices(DAYS), **series}, ModelSettings(**settings))


def test_yield_curve_reading_by_hand() -> None:
    # Weekly 10y−2y spread s_k = 0.001 k² − 0.5: reading = mean over the last 4 weeks of
    # s_k − s_{k−52}. Weeks 56..59: 0.001 × (k² − (k−52)²) = 0.001 × (104 k − 2704).
    spread = _week_values(lambda k: 0.001 * k * k - 0.5)
    model = _model({"fred:T10Y2Y": _weekly_series(DAYS, spread)})
    result = model.indicators["yield_curve"]
    expected = statistics.fmean(spread[k] - spread[k - 52] for k in range(56, 60))
    assert expected == pytest.approx(0.001 * (104 * 57.5 - 2704))  # 3.276 pp
    assert result.reading.iloc[-1] == pytest.approx(expected, rel=1e-12)
    assert result.score.iloc[-1] == 0.0  # steepened by more than 0.50 pp -> cash
    # The first reading needs the week 52 weeks earlier and four weeks of smoothing: week 55.
    assert result.reading.notna().to_numpy().nonzero()[0][0] == 55
    loose = _model({"fred:T10Y2Y": _weekly_series(DAYS, spread)}, thresholds={"yield_curve": 4})
    assert loose.indicators["yield_curve"].score.iloc[-1] == 1.0


def test_hy_spread_reading_by_hand() -> None:
    # OAS o_k = 4 + 0.05 k for k < 56, then 3: reading = mean over weeks 56..59 of
    # o_k − mean(o_{k−51..k}).
    oas = _week_values(lambda k: 4 + 0.05 * k if k < 56 else 3.0)
    model = _model({"fred:BAMLH0A0HYM2": _weekly_series(DAYS, oas)})
    result = model.indicators["hy_spread"]
    expected = statistics.fmean(
        oas[k] - statistics.fmean(oas[k - 51 : k + 1]) for k in range(56, 60)
    )
    assert result.reading.iloc[-1] == pytest.approx(expected, rel=1e-12)
    assert expected < 0 and result.score.iloc[-1] == 1.0  # below the 52-week average -> hold
    rising = _model(
        {"fred:BAMLH0A0HYM2": _weekly_series(DAYS, _week_values(lambda k: 4 + 0.05 * k))}
    )
    assert rising.indicators["hy_spread"].score.iloc[-1] == 0.0
    # 52 weekly readings, then 4 weeks of smoothing: the first reading is week 54.
    assert result.reading.notna().to_numpy().nonzero()[0][0] == 54


def test_vix_trend_reading_by_hand() -> None:
    # VIX v_k = 20 + (k mod 5): reading = mean over weeks 56..59 of
    # 100 × (v_k / mean(v_{k−51..k}) − 1).
    vix = _week_values(lambda k: 20.0 + (k % 5))
    model = _model({"yahoo:^VIX": _weekly_series(DAYS, vix)})
    result = model.indicators["vix_trend"]
    expected = statistics.fmean(
        100 * (vix[k] / statistics.fmean(vix[k - 51 : k + 1]) - 1) for k in range(56, 60)
    )
    assert result.reading.iloc[-1] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(2.2632, abs=1e-4)  # VIX above its 52-week average
    assert result.score.iloc[-1] == 0.0
    assert result.reading.notna().to_numpy().nonzero()[0][0] == 54


def test_vix_curve_reading_by_hand() -> None:
    # Daily VIX / VIX3M on days both exist; the weekly reading is the week's last such day.
    days = _days("2024-01-01", "2024-02-02")  # five weeks; Mon 15 Jan is MLK day (no session)
    vix = pd.Series(np.linspace(12.0, 30.0, len(days)), index=days)
    vix3m = pd.Series(20.0, index=days).drop(pd.Timestamp("2024-02-02"))  # Friday missing
    series = {
        "yahoo:SPY": _prices(days),
        "yahoo:^VIX": pd.DataFrame({"close": vix}),
        "yahoo:^VIX3M": pd.DataFrame({"close": vix3m}),
    }
    model = evaluate(series)
    result = model.indicators["vix_curve"]
    fridays = ["2024-01-12", "2024-01-19", "2024-01-26", "2024-02-01"]  # last week: Thursday
    expected = statistics.fmean(vix[pd.Timestamp(d)] / 20.0 for d in fridays)
    assert result.reading.at[pd.Timestamp("2024-02-02")] == pytest.approx(expected, rel=1e-12)
    assert expected > 1 and result.score.iloc[-1] == 0.0  # backwardation -> cash
    assert result.source_key == "yahoo:^VIX3M"


def test_vix_curve_exactly_one_is_invested() -> None:
    days = _days("2024-01-01", "2024-02-02")
    flat = pd.DataFrame({"close": 20.0}, index=days)
    series = {"yahoo:SPY": _prices(days), "yahoo:^VIX": flat, "yahoo:^VIX3M": flat}
    result = evaluate(series).indicators["vix_curve"]
    assert result.reading.iloc[-1] == 1.0 and result.score.iloc[-1] == 1.0


# ---- sell stop: a close exactly at the stop sells ---------------------------------------------


def _closes(values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.bdate_range("2024-01-01", periods=len(values)), dtype=float)


def test_close_exactly_at_the_sell_stop_sells_a_cent_above_holds() -> None:
    # Entry at 100, highest 100, stop 6 % below: 94. A close of 94 sells; 94.01 holds.
    at = sell_stop(_closes([100, 94]), entry="2024-01-01", windows=(2,))
    assert at["stop"].iloc[-1] == pytest.approx(94.0)
    assert at["action"].tolist() == ["entry", "stop"]
    assert at["exposure"].tolist() == [1.0, 0.0]
    above = sell_stop(_closes([100, 94.01]), entry="2024-01-01", windows=(2,))
    assert above["action"].tolist() == ["entry", ""]
    assert above["exposure"].tolist() == [1.0, 1.0]
    # Where the product falls short in binary: 52 × (1 − 0.06) = 48.879999999999995, yet a close
    # of 48.88 is exactly 6 % below 52 and sells.
    short = sell_stop(_closes([52, 48.88]), entry="2024-01-01", windows=(2,))
    assert 52 * (1 - 0.06) < 48.88
    assert short["action"].tolist() == ["entry", "stop"]


# ---- the gauge's default window: 260 weeks, at least 52 ----------------------------------------


def test_gauge_default_window_is_260_weeks_with_52_needed() -> None:
    # A huge first reading, then 1, 2, 3, …: while the window still holds the first reading the
    # newest ranks second (t / (t + 1)); from week 260 on (the 261st reading) it has left the
    # 260-week window and the newest ranks first (100).
    values = [1000.0, *range(1, 300)]
    index = pd.date_range("2015-01-02", periods=len(values), freq="W-FRI")
    scores = component_scores(pd.DataFrame({"momentum": values}, index=index))["momentum"]
    assert scores.iloc[:51].isna().all()  # fewer than 52 readings
    assert scores.iloc[51] == pytest.approx(100 * 51 / 52)
    assert scores.iloc[259] == pytest.approx(100 * 259 / 260)
    assert scores.iloc[260] == 100.0
    gauge = sentiment_gauge(pd.DataFrame({"momentum": values}, index=index))
    assert gauge.iloc[259] == pytest.approx(100 * 259 / 260)
    assert gauge_as_of(pd.DataFrame({"momentum": values}, index=index), index[259]).value == (
        pytest.approx(100 * 259 / 260)
    )
