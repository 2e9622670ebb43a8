"""Risk/reward of an entry against a target and a stop (SPEC section 5).

For an entry price ``P``, a target ``T`` and a stop ``S`` (``S ≤ P ≤ T``)::

    reward = T / P − 1                  (≥ 0)
    risk   = S / P − 1                  (≤ 0)
    ratio  = reward / |risk|            printed "1.12 : 1"; no number when S = P
    on a capital C:  reward_dollars = C × reward,  risk_dollars = C × risk

Prices are compared as they are shown, in cents (rounded to 2 decimals): a stop that shows as
the entry price *is* the entry price (no risk), so a message never says "1433.19 is above
1433.19". With no risk (``S = P`` in cents) the ratio is ``None``: the entry has *no downside
to the stop*. With a risk under 0.1 % of the entry (``0 < |risk| < MIN_MEANINGFUL_RISK``) the
ratio is also ``None`` and shown as "risk under 0.1 %: ratio not meaningful" (a level a few cents
above the stop would otherwise print 34,350 : 1).

Default plans (:func:`default_plan`, :func:`default_positions`) are derived from the price on
the as-of date so they are valid at any date: target ≥ 1.02 × P, stop ≤ 0.98 × P, and the second
default position enters halfway between the stop and the price.

Scenarios compare buying now with buying at each support level below the price. A portfolio
sums, over positions with weights ``w_i`` (shares of the portfolio, at most 1 in total, the rest
in cash), what is gained if every target is reached and lost if every stop is hit::

    portfolio_reward = Σ w_i × reward_i      portfolio_risk = Σ w_i × risk_i
    portfolio_ratio  = portfolio_reward / |portfolio_risk|

Every input is validated: missing, non-finite or non-positive prices, a stop above the entry and
a target below it raise ``ValueError`` with a message naming the value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analytics.errors import InvalidSetting

NO_DOWNSIDE = "no downside to the stop"
MIN_MEANINGFUL_RISK = 0.001  # 0.1 % of the entry
TINY_RISK = "risk under 0.1 %: ratio not meaningful"
WEIGHT_TOLERANCE = 1e-9
DEFAULT_TARGET_FLOOR = 1.02  # default target at least 2 % above the price
DEFAULT_STOP_CEILING = 0.98  # default stop at least 2 % below the price


def shown(value: float) -> str:
    """A price as the messages show it: cents, trailing zeros dropped (``1500``, ``1433.19``)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def cents(value: float) -> float:
    """A price rounded to the cent, the precision prices are compared at."""
    return round(value, 2)


def ratio_of(reward: float, risk: float) -> float | None:
    """``reward / |risk|``; ``None`` with no risk or a risk under ``MIN_MEANINGFUL_RISK``."""
    if risk == 0 or abs(risk) < MIN_MEANINGFUL_RISK:
        return None
    return reward / abs(risk)


def ratio_words(ratio: float | None, risk: float) -> str:
    """``"2.15 : 1"``, ``NO_DOWNSIDE`` (risk 0) or ``TINY_RISK`` (0 < |risk| < 0.1 %)."""
    if ratio is not None:
        return f"{ratio:.2f} : 1"
    return NO_DOWNSIDE if risk == 0 else TINY_RISK


@dataclass(frozen=True)
class RiskReward:
    """One entry: prices, fractions (0.0883 = 8.83 %), ratio (``None`` = no downside) and,
    when a capital was given, the dollar amounts."""

    price: float
    target: float
    stop: float
    reward: float
    risk: float
    ratio: float | None
    capital: float | None = None
    reward_dollars: float | None = None
    risk_dollars: float | None = None

    @property
    def has_downside(self) -> bool:
        return self.risk < 0

    @property
    def ratio_text(self) -> str:
        """``"1.12 : 1"``; ``"no downside to the stop"`` when the stop equals the entry;
        ``"risk under 0.1 %: ratio not meaningful"`` for a tiny risk."""
        return ratio_words(self.ratio, self.risk)

    def as_dict(self) -> dict[str, Any]:
        return {
            "price": self.price,
            "target": self.target,
            "stop": self.stop,
            "reward": self.reward,
            "risk": self.risk,
            "ratio": self.ratio,
            "ratio_text": self.ratio_text,
            "capital": self.capital,
            "reward_dollars": self.reward_dollars,
            "risk_dollars": self.risk_dollars,
        }


def _positive(name: str, value: Any) -> float:
    """``value`` as a finite float > 0, else a ``ValueError`` naming it."""
    if value is None:
        raise InvalidSetting(f"{name} is missing")
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidSetting(f"{name} must be a number, got {value!r}") from exc
    if math.isnan(number):
        raise InvalidSetting(f"{name} is missing (NaN)")
    if not math.isfinite(number):
        raise InvalidSetting(f"{name} must be finite, got {number}")
    if number <= 0:
        raise InvalidSetting(f"{name} must be positive, got {number:g}")
    return number


def _check_order(price: float, target: float, stop: float, what: str = "entry price") -> None:
    """Stop ≤ price ≤ target, compared in cents (as shown), else a whole-sentence message."""
    if cents(stop) > cents(price):
        raise InvalidSetting(
            f"the stop {shown(stop)} is above the {what} {shown(price)}; "
            f"a stop must be at or below the {what}"
        )
    if cents(target) < cents(price):
        raise InvalidSetting(
            f"the target {shown(target)} is below the {what} {shown(price)}; "
            f"a target must be at or above the {what}"
        )


def risk_reward(
    price: float, target: float, stop: float, capital: float | None = None
) -> RiskReward:
    """Reward, risk and their ratio for buying at ``price`` (formulas in the module docstring).

    >>> rr = risk_reward(1432, 1565, 1370)
    >>> round(rr.reward * 100, 2), round(rr.risk * 100, 2), rr.ratio_text
    (9.29, -4.33, '2.15 : 1')
    """
    p = _positive("price", price)
    t = _positive("target", target)
    s = _positive("stop", stop)
    c = None if capital is None else _positive("capital", capital)
    _check_order(p, t, s)
    if cents(s) == cents(p):
        s = p  # shown as the entry: no downside
    if cents(t) == cents(p):
        t = p
    reward = t / p - 1.0
    risk = s / p - 1.0
    ratio = ratio_of(reward, risk)
    return RiskReward(
        price=p,
        target=t,
        stop=s,
        reward=reward,
        risk=risk,
        ratio=ratio,
        capital=c,
        reward_dollars=None if c is None else c * reward,
        risk_dollars=None if c is None else c * risk,
    )


SCENARIO_COLUMNS = (
    "scenario",
    "kind",
    "entry",
    "distance",
    "reward",
    "risk",
    "ratio",
    "ratio_text",
    "reward_dollars",
    "risk_dollars",
    "note",
)


def scenarios(
    price: float,
    target: float,
    stop: float,
    levels: Iterable[Any],
    capital: float | None = None,
) -> pd.DataFrame:
    """ "Buy now" and "buy at each support below the price", one row each (``SCENARIO_COLUMNS``).

    ``levels`` holds objects with ``name``, ``kind`` and ``value`` (``analytics.levels.Level``),
    or a ``LevelSet`` (its ``levels`` are used). Supports are the levels strictly below the
    price, highest first. ``distance`` = entry / price − 1. A support below the stop cannot be
    an entry (the stop would trigger first): its row is kept, with NaN figures and a note saying so.
    """
    now = risk_reward(price, target, stop, capital)
    rows: list[dict[str, Any]] = [_scenario_row("Buy now", "now", now, now.price, "")]
    level_list = list(getattr(levels, "levels", levels))
    supports = []
    for level in level_list:
        value = float(level.value)
        if math.isfinite(value) and 0 < value < now.price:
            supports.append(level)
    supports.sort(key=lambda level: -float(level.value))
    for level in supports:
        value = float(level.value)
        name = f"Buy at {level.name}"
        if cents(value) < cents(now.stop):
            rows.append(
                {
                    "scenario": name,
                    "kind": level.kind,
                    "entry": value,
                    "distance": value / now.price - 1.0,
                    "note": f"below the stop {shown(now.stop)}: the stop would trigger first",
                }
            )
            continue
        entry = risk_reward(value, now.target, now.stop, capital)
        rows.append(_scenario_row(name, level.kind, entry, now.price, ""))
    table = pd.DataFrame(rows, columns=list(SCENARIO_COLUMNS))
    for column in (
        "entry",
        "distance",
        "reward",
        "risk",
        "ratio",
        "reward_dollars",
        "risk_dollars",
    ):
        table[column] = table[column].astype("float64")
    table["note"] = table["note"].fillna("")
    table["ratio_text"] = table["ratio_text"].fillna("")
    return table


def _scenario_row(
    name: str, kind: str, rr: RiskReward, reference_price: float, note: str
) -> dict[str, Any]:
    return {
        "scenario": name,
        "kind": kind,
        "entry": rr.price,
        "distance": rr.price / reference_price - 1.0,
        "reward": rr.reward,
        "risk": rr.risk,
        "ratio": math.nan if rr.ratio is None else rr.ratio,
        "ratio_text": rr.ratio_text,
        "reward_dollars": math.nan if rr.reward_dollars is None else rr.reward_dollars,
        "risk_dollars": math.nan if rr.risk_dollars is None else rr.risk_dollars,
        "note": note,
    }


@dataclass(frozen=True)
class PortfolioRiskReward:
    """Per-position figures (``positions``) and the weighted totals."""

    positions: pd.DataFrame
    reward: float
    risk: float
    ratio: float | None
    cash_weight: float
    capital: float | None = None
    reward_dollars: float | None = None
    risk_dollars: float | None = None

    @property
    def ratio_text(self) -> str:
        """As :attr:`RiskReward.ratio_text`, for the weighted totals."""
        return ratio_words(self.ratio, self.risk)


PORTFOLIO_COLUMNS = ("weight", "entry", "target", "stop")


def portfolio_risk_reward(
    positions: pd.DataFrame, capital: float | None = None
) -> PortfolioRiskReward:
    """Weighted reward and risk of a portfolio (formulas in the module docstring).

    ``positions``: one row per position (index = name), columns ``weight`` (share of the
    portfolio, 0 ≤ w, Σ w ≤ 1; the rest is cash, which neither gains nor loses), ``entry``,
    ``target`` and ``stop``. The result's ``positions`` adds ``reward``, ``risk``, ``ratio``,
    ``weighted_reward`` = w × reward and ``weighted_risk`` = w × risk per row.
    """
    missing = [column for column in PORTFOLIO_COLUMNS if column not in positions.columns]
    if missing:
        raise InvalidSetting(
            f"positions need the columns {', '.join(PORTFOLIO_COLUMNS)}; missing: "
            f"{', '.join(missing)}"
        )
    if positions.empty:
        raise InvalidSetting("positions is empty: give at least one position")
    c = None if capital is None else _positive("capital", capital)
    rows = []
    for name, row in positions.iterrows():
        label = f"position {name!s}"
        weight = row["weight"]
        if weight is None or pd.isna(weight):
            raise InvalidSetting(f"{label}: weight is missing")
        weight = float(weight)
        if weight < 0:
            raise InvalidSetting(f"{label}: weight must not be negative, got {weight:g}")
        try:
            rr = risk_reward(_positive("entry", row["entry"]), row["target"], row["stop"])
        except ValueError as exc:
            raise InvalidSetting(f"{label}: {exc}") from exc
        rows.append(
            {
                "weight": weight,
                "entry": rr.price,
                "target": rr.target,
                "stop": rr.stop,
                "reward": rr.reward,
                "risk": rr.risk,
                "ratio": math.nan if rr.ratio is None else rr.ratio,
                "weighted_reward": weight * rr.reward,
                "weighted_risk": weight * rr.risk,
            }
        )
    table = pd.DataFrame(rows, index=positions.index)
    total_weight = float(table["weight"].sum())
    if total_weight > 1.0 + WEIGHT_TOLERANCE:
        raise InvalidSetting(
            f"weights add up to {total_weight:g}; they are shares of the portfolio and may add "
            "up to at most 1 (the rest is cash)"
        )
    reward = float(table["weighted_reward"].sum())
    risk = float(table["weighted_risk"].sum())
    ratio = ratio_of(reward, risk)
    return PortfolioRiskReward(
        positions=table,
        reward=reward,
        risk=risk,
        ratio=ratio,
        cash_weight=max(0.0, 1.0 - total_weight),
        capital=c,
        reward_dollars=None if c is None else c * reward,
        risk_dollars=None if c is None else c * risk,
    )


def default_plan(
    price: float, supports: Iterable[float], resistances: Iterable[float]
) -> tuple[float, float]:
    """Default (target, stop) for buying at ``price``, valid at any date, in cents.

    target = max(highest resistance above the price, 1.02 × P), or 1.08 × P with none;
    stop   = min(lowest support below the price, 0.98 × P), or 0.92 × P with none.
    """
    p = _positive("price", price)
    above = [float(v) for v in resistances if math.isfinite(float(v)) and float(v) > p]
    below = [float(v) for v in supports if math.isfinite(float(v)) and 0 < float(v) < p]
    target = max(max(above), p * DEFAULT_TARGET_FLOOR) if above else p * 1.08
    stop = min(min(below), p * DEFAULT_STOP_CEILING) if below else p * 0.92
    return cents(target), cents(stop)


def default_positions(price: float, target: float, stop: float, name: str) -> pd.DataFrame:
    """The default two-position portfolio (columns ``position`` + ``PORTFOLIO_COLUMNS``): 60 %
    in ``name`` bought at the price and 30 % bought halfway between the stop and the price, both
    with ``target`` and ``stop`` (the rest cash). Every row passes :func:`portfolio_risk_reward`
    whenever stop ≤ price ≤ target."""
    p = _positive("price", price)
    return pd.DataFrame(
        {
            "position": [name, "Second position"],
            "weight": [0.6, 0.3],
            "entry": [cents(p), cents((p + stop) / 2)],
            "target": [cents(target), cents(target)],
            "stop": [cents(stop), cents(stop)],
        }
    )
