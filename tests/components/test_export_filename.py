"""The toolbar's PNG names: the title's words, then the whole as-of date (issue #13)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from components.figures import finish
from components.price import PLOTLY_CONFIG, export_filename, plotly_config

DATE = pd.Timestamp("2026-06-05")


def titled(title: str, as_of: pd.Timestamp | None = DATE) -> go.Figure:
    return finish(go.Figure(), title, as_of, "Yahoo Finance")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Levels", "investable-levels-as-of-2026-06-05"),
        ("SPY and its 200-day average", "investable-spy-and-its-200-day-average-as-of-2026-06-05"),
        # 48 characters of title words exactly: kept whole
        ("Aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeee",
         "investable-aaaaaaaaa-bbbbbbbbb-ccccccccc-ddddddddd-eeeeeeee-as-of-2026-06-05"),
        # 49: cut back to the last whole word, the date stays whole
        ("Aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee",
         "investable-aaaaaaaaa-bbbbbbbbb-ccccccccc-ddddddddd-as-of-2026-06-05"),
        # a long title that finish() wraps onto two lines (<br>): the bug's case
        ("S&P 500 with its 50-, 200-day and 13-, 26-, 40-week averages and levels",
         "investable-s-p-500-with-its-50-200-day-and-13-26-40-week-as-of-2026-06-05"),
    ],
)  # fmt: skip
def test_title_words_then_the_whole_date(title: str, expected: str) -> None:
    assert export_filename(titled(title)) == expected


def test_without_a_date_or_a_title() -> None:
    assert export_filename(titled("Levels", None)) == "investable-levels"
    assert export_filename(go.Figure()) == "investable-chart"


def test_the_config_names_the_png_and_keeps_the_2x_scale() -> None:
    config = plotly_config(titled("Levels"))
    assert config["toImageButtonOptions"] == {
        "format": "png",
        "scale": 2,
        "filename": "investable-levels-as-of-2026-06-05",
    }
    assert config["displaylogo"] is False
    assert "filename" not in PLOTLY_CONFIG["toImageButtonOptions"]  # type: ignore[operator]
