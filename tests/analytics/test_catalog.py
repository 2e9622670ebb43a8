"""Every catalog entry is documented: description, attribution, rule, and a README table row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analytics.catalog import CATALOG
from analytics.model import CATEGORIES

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_rows() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- section:indicators:start -->")[1].split(
        "<!-- section:indicators:end"
    )[0]
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z_]+)` \|.*$", section, re.M)}


def test_catalog_has_the_spec_21_in_four_categories() -> None:
    assert len(CATALOG) == 21
    assert len({spec.id for spec in CATALOG}) == 21
    assert {spec.category for spec in CATALOG} == set(CATEGORIES)
    assert all(callable(spec.read) for spec in CATALOG)


@pytest.mark.parametrize("spec", CATALOG, ids=lambda spec: spec.id)
def test_entry_is_documented(spec) -> None:
    assert spec.description.strip(), f"{spec.id} has no description"
    assert spec.attribution.strip(), f"{spec.id} has no attribution"
    assert spec.rule.strip() and spec.reading.strip() and spec.name.strip()
    rows = _readme_rows()
    assert spec.id in rows, f"{spec.id} has no row in the README's indicator table"
    assert spec.name in rows[spec.id]


def test_readme_has_no_row_for_an_unknown_indicator() -> None:
    assert set(_readme_rows()) == {spec.id for spec in CATALOG}


@pytest.mark.parametrize(
    ("indicator", "words"),
    [
        ("seasonality", "invested when on"),  # flag 1 = November to April, held at >= 1
        ("buyback_blackout", "invested when off"),  # flag 1 = blackout, held at <= 0
        ("fomc_drift", "invested when on"),  # flag 1 = a statement in the holding week
    ],
)
def test_calendar_flags_say_on_or_off_not_a_threshold(indicator, words) -> None:
    spec = {s.id: s for s in CATALOG}[indicator]
    assert spec.invested_text(spec.threshold) == words
    assert spec.holds(1.0, spec.threshold) is (words == "invested when on")
    assert (spec.flag_text(1.0), spec.flag_text(0.0)) == ("on", "off")


def test_a_measured_reading_keeps_its_comparison_and_unit() -> None:
    spec = {s.id: s for s in CATALOG}["trend"]
    assert spec.invested_text(0.0) == "invested when above 0 %"
    assert spec.holds(0.0, 0.0) is False and spec.holds(0.01, 0.0) is True
