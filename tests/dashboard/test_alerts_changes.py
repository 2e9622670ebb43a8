"""The change rules on hand-made model states (no store, no shared data)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dashboard.alerts.changes import compare
from dashboard.alerts.states import ModelState

BASE = ModelState(
    generation=1,
    as_of="2024-06-21",
    invested=True,
    composite=0.65,
    threshold=0.60,
    categories={"Technicals": 0.8, "Sentiment": 0.5, "Rates": 0.5, "Macro": 0.75},
    votes={"momentum": 1.0, "trend": 1.0, "aaii": 0.0, "naaim": None},
    names={"momentum": "12-month momentum", "trend": "Trend", "aaii": "AAII", "naaim": "NAAIM"},
    uptrend=True,
    bull_market=True,
    gauge=60.0,
    gauge_band="Greed",
    stale=(),
    total=4,
    available=3,
)


def after(**changes: object) -> ModelState:
    return replace(BASE, generation=2, as_of="2024-06-28", **changes)  # type: ignore[arg-type]


def kinds(state: ModelState) -> list[str]:
    found = compare(BASE, state)
    return [] if found is None else [c.kind for c in found.changes]


def test_an_unchanged_model_is_no_change_even_in_a_new_week() -> None:
    assert compare(BASE, after()) is None
    assert compare(BASE, after(composite=0.70, gauge=70.0)) is None  # no crossing, same band


def test_composite_boundary_exactly_at_the_threshold_counts_as_below() -> None:
    found = compare(BASE, after(composite=0.60, invested=False))
    assert found is not None
    assert [c.kind for c in found.changes] == ["decision", "composite"]
    assert found.changes[0].text == "Decision: CASH (was INVESTED)."
    assert found.changes[1].text == "The composite fell to or below 0.60: 0.65 → 0.60."
    assert kinds(after(composite=0.6000001)) == []  # still above
    rising = compare(replace(BASE, composite=0.60, invested=False), after(composite=0.61))
    assert rising is not None and rising.changes[1].text.startswith("The composite rose above")


def test_composite_becoming_unavailable_is_a_change() -> None:
    found = compare(BASE, after(composite=None, invested=False))
    assert found is not None and found.changes[1].text == "The composite became unavailable."


def test_votes_including_unavailable_and_missing_indicators() -> None:
    votes = {"momentum": 0.0, "trend": 1.0, "aaii": None, "naaim": 1.0}
    found = compare(BASE, after(votes=votes))
    assert found is not None
    assert [(c.subject, c.before, c.after) for c in found.changes] == [
        ("momentum", "invested", "cash"),
        ("aaii", "cash", "unavailable"),
        ("naaim", "unavailable", "invested"),
    ]
    dropped = {"momentum": 1.0, "trend": 1.0, "aaii": 0.0}
    assert kinds(after(votes=dropped)) == []  # naaim was unavailable: still unavailable
    assert kinds(after(votes={k: v for k, v in dropped.items() if k != "trend"})) == ["vote"]


@pytest.mark.parametrize(
    ("old", "new", "texts"),
    [
        (True, False, ["The investable uptrend ended.", "The bull market ended."]),
        (None, False, []),
        (True, None, []),
    ],
)
def test_regimes_start_and_end_and_unknown_is_no_change(old, new, texts) -> None:
    before = replace(BASE, uptrend=old, bull_market=old)
    found = compare(before, after(uptrend=new, bull_market=new))
    assert ([] if found is None else [c.text for c in found.changes]) == texts
    back = compare(after(uptrend=False, bull_market=False), replace(BASE, generation=3))
    assert back is not None
    assert [c.text for c in back.changes] == [
        "The investable uptrend started.",
        "The bull market started.",
    ]


@pytest.mark.parametrize(
    ("old", "new", "text"),
    [
        (("Fear", 30.0), ("Extreme Fear", 20.0), "entered Extreme Fear (30 → 20)."),
        (("Extreme Greed", 80.0), ("Greed", 70.0), "left Extreme Greed (80 → 70), now Greed."),
        (
            ("Extreme Fear", 10.0),
            ("Extreme Greed", 90.0),
            "left Extreme Fear and entered Extreme Greed (10 → 90).",
        ),
        (("Fear", 40.0), ("Neutral", 50.0), None),
        (("Greed", 75.0), ("Greed", 75.4), None),
    ],
)
def test_gauge_alerts_only_on_extreme_bands(old, new, text) -> None:
    before = replace(BASE, gauge_band=old[0], gauge=old[1])
    found = compare(before, after(gauge_band=new[0], gauge=new[1]))
    expected = None if text is None else f"The sentiment gauge {text}"
    assert (None if found is None else found.changes[0].text) == expected


def test_stale_series_going_and_coming_back_and_unknown() -> None:
    before = replace(BASE, stale=("fred:DGS10",))
    found = compare(before, after(stale=("aaii:sentiment",)))
    assert found is not None
    assert [c.text for c in found.changes] == [
        "aaii:sentiment went stale: its latest update failed.",
        "fred:DGS10 is updating again.",
    ]
    assert compare(replace(BASE, stale=None), after(stale=("x:y",))) is None


def test_digest_depends_on_generations_and_changes_only() -> None:
    one = compare(BASE, after(invested=False, composite=0.5))
    two = compare(BASE, after(invested=False, composite=0.5, gauge=61.0))
    assert one is not None and two is not None
    assert one.digest() == two.digest()  # the gauge moved within its band: not part of the set
    three = compare(replace(BASE, generation=5), after(invested=False, composite=0.5))
    assert three is not None and three.digest() != one.digest()


def test_state_round_trips_through_json_and_rejects_damage() -> None:
    assert ModelState.from_json(BASE.to_json()) == BASE
    assert list(ModelState.from_json(BASE.to_json()).categories) == list(BASE.categories)
    assert ModelState.from_json(b"not json") is None
    assert ModelState.from_json(b'{"format": 9}') is None
    assert ModelState.from_json(b'{"format": 1, "as_of": "x"}') is None
