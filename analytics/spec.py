"""What an indicator is and how the user tunes it: the catalog entry type and the model settings.

An entry holds everything about one indicator: its inputs, its reading function, its rule
(comparison, threshold, unit), smoothing, publication rule, maximum age, and what to tell the
user when its inputs are missing or discontinued. The rule in words is generated from the
comparison, the threshold in force and the unit, so the text always matches the rule applied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from analytics.readings import ReadingFunction
from analytics.releases import Release

CATEGORIES: tuple[str, ...] = ("Technicals", "Sentiment", "Rates", "Macro")
Comparison = Literal[">", ">=", "<", "<="]
RuleVoice = Literal["hold", "cash"]

COMPARISON_WORDS: Mapping[Comparison, str] = {
    ">": "above",
    ">=": "at or above",
    "<": "below",
    "<=": "at or below",
}
COMPARE: Mapping[Comparison, Callable[..., Any]] = {
    ">": np.greater,
    ">=": np.greater_equal,
    "<": np.less,
    "<=": np.less_equal,
}
"""The comparison of a reading with its threshold, elementwise on arrays or on two floats."""
OPPOSITE: Mapping[Comparison, Comparison] = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}
UNITLESS = frozenset({"flag", "ratio", "index"})


def with_unit(value: float, unit: str) -> str:
    """A threshold or reading with its unit: ``with_unit(0.5, "pp") == "0.5 pp"``; ratios,
    indexes and flags print bare (``with_unit(0.9, "ratio") == "0.9"``)."""
    number = f"{value:g}"
    return number if unit in UNITLESS else f"{number} {unit}"


def max_age_days(interval_days: int, release: Release) -> int:
    """Default maximum age of the newest usable observation: 3 × interval + nominal lag (days)."""
    return 3 * interval_days + release.nominal_lag_days


@dataclass(frozen=True)
class IndicatorSpec:
    """One catalog entry: what an indicator reads and when it says "hold SPY".

    The indicator scores 1 when ``reading <invested_when> threshold`` holds, else 0. ``inputs``
    lists series keys; where ``alternatives`` is true the first key present in the data is used
    (in order), otherwise all of them are needed (``inputs_required=False``: the reading has a
    fallback and runs without them). ``read`` computes the weekly reading from the resolved
    inputs. ``smoothing_weeks`` is the number of weekly readings averaged (4 = the spec's
    four-week smoothing, 1 = none). ``release`` says when an observation becomes usable;
    ``interval_days`` is how often the input is published (0 = a calendar rule), so that the
    maximum age defaults to ``3 × interval_days + release.nominal_lag_days``.

    The rule in words (:meth:`rule_for`) reads "Hold SPY while <subject> is <comparison>
    <threshold>" (``voice="hold"``) or "Cash when <subject> is <opposite comparison>
    <threshold>" (``voice="cash"``), then `` (<rule_note>)``; calendar rules, whose 0/1 flag
    threshold is not a setting, use ``calendar_rule``. ``discontinued`` is the reason shown
    once the input has ended and is too old; ``missing_hint`` what to load when no input is
    present.
    """

    id: str
    name: str
    category: str
    inputs: tuple[str, ...]
    read: ReadingFunction
    reading: str
    threshold: float
    invested_when: Comparison
    unit: str
    smoothing_weeks: int
    release: Release
    interval_days: int
    description: str
    attribution: str
    subject: str = ""
    voice: RuleVoice = "hold"
    rule_note: str = ""
    calendar_rule: str = ""
    alternatives: bool = False
    inputs_required: bool = True
    input_thresholds: Mapping[str, float] = field(default_factory=dict)
    discontinued: str = ""
    missing_hint: str = ""

    @property
    def is_calendar(self) -> bool:
        """A calendar rule: no published input, always available."""
        return self.interval_days == 0

    @property
    def max_age_days(self) -> int:
        """Default maximum age with the catalog's release rule (see :func:`max_age_days`)."""
        return max_age_days(self.interval_days, self.release)

    @property
    def rule(self) -> str:
        """The rule in words with the default threshold."""
        return self.rule_for(self.threshold)

    def rule_for(self, threshold: float) -> str:
        """The rule in words with ``threshold`` in force, e.g. "Cash when the put/call ratio is
        below 1 (complacency)"."""
        if self.is_calendar:
            return self.calendar_rule
        if self.voice == "hold":
            words = COMPARISON_WORDS[self.invested_when]
            text = f"Hold SPY while {self.subject} is {words} {with_unit(threshold, self.unit)}"
        else:
            words = COMPARISON_WORDS[OPPOSITE[self.invested_when]]
            text = f"Cash when {self.subject} is {words} {with_unit(threshold, self.unit)}"
        return f"{text} ({self.rule_note})" if self.rule_note else text

    def invested_text(self, threshold: float) -> str:
        """The invested side in a few words, e.g. "invested when at or above 0.9"; a calendar
        flag's "invested when on" / "invested when off" (the side its rule holds SPY)."""
        if self.unit == "flag":
            return f"invested when {self.flag_text(1.0 if self.holds(1.0, threshold) else 0.0)}"
        words = COMPARISON_WORDS[self.invested_when]
        return f"invested when {words} {with_unit(threshold, self.unit)}"

    def holds(self, reading: float, threshold: float) -> bool:
        """``reading <invested_when> threshold``: the rule that scores 1."""
        return bool(COMPARE[self.invested_when](reading, threshold))

    @staticmethod
    def flag_text(reading: float) -> str:
        """A calendar flag in words: "on" (1) or "off" (0)."""
        return "on" if reading >= 0.5 else "off"

    def missing_inputs(self, loaded: Mapping[str, object]) -> str | None:
        """Why the indicator cannot be computed at all from the loaded keys (None when it can).

        ``loaded`` maps the keys of the non-empty loaded series (values unused).
        """
        if not self.inputs_required:
            return None
        present = [key for key in self.inputs if key in loaded]
        if self.alternatives:
            if present:
                return None
            return self.missing_hint or f"none of {', '.join(self.inputs)} is loaded"
        missing = [key for key in self.inputs if key not in present]
        return f"{', '.join(missing)} not loaded" if missing else None

    def resolved_inputs(self, loaded: Mapping[str, object]) -> tuple[str, ...]:
        """The keys the reading uses: the first present one with alternatives, else all."""
        if self.alternatives:
            return (next(key for key in self.inputs if key in loaded),)
        return self.inputs


@dataclass(frozen=True)
class ModelSettings:
    """User settings with the spec's defaults.

    ``thresholds`` and ``releases`` override the catalog's per indicator id; ``max_age_days``
    overrides the default maximum age; ``invest_threshold`` is the composite cut-off (invested
    when the composite is strictly greater, SPEC section 3).
    """

    thresholds: Mapping[str, float] = field(default_factory=dict)
    releases: Mapping[str, Release] = field(default_factory=dict)
    max_age_days: Mapping[str, int] = field(default_factory=dict)
    invest_threshold: float = 0.60

    def threshold(self, spec: IndicatorSpec, source_key: str | None = None) -> float:
        """The threshold in force: the user's for ``spec``, else the catalog's for the input
        actually read (``input_thresholds``), else the catalog's default."""
        if spec.id in self.thresholds:
            return float(self.thresholds[spec.id])
        if source_key is not None and source_key in spec.input_thresholds:
            return float(spec.input_thresholds[source_key])
        return float(spec.threshold)

    def release(self, spec: IndicatorSpec) -> Release:
        """The user's release rule for ``spec``, else the catalog's."""
        return self.releases.get(spec.id, spec.release)

    def max_age(self, spec: IndicatorSpec) -> int:
        """The user's maximum age for ``spec``, else the default under the release in force."""
        default = max_age_days(spec.interval_days, self.release(spec))
        return int(self.max_age_days.get(spec.id, default))


__all__ = [
    "CATEGORIES",
    "COMPARISON_WORDS",
    "Comparison",
    "IndicatorSpec",
    "ModelSettings",
    "max_age_days",
    "with_unit",
]
