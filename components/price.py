"""The charts' toolbar settings (PNG at 2×, named by title and date) and the moving average
the price charts draw."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go

PLOTLY_CONFIG: dict[str, object] = {
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "displaylogo": False,
}
FILENAME_TITLE_CHARS = 48  # the title's part of a PNG name; the date is always whole
_AS_OF = re.compile(r"As of (\d{4}-\d{2}-\d{2})")
_TAG = re.compile(r"<sup>.*?</sup>|<[^>]*>", re.IGNORECASE | re.DOTALL)
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def export_filename(fig: go.Figure) -> str:
    """The toolbar's PNG name: ``investable-<title>-as-of-YYYY-MM-DD``.

    Without a name, plotly.js names the file after the whole title text, "As of" line included,
    cut at 60 characters, so a long title lost the end of its date ("…-as-of-2026-0.png",
    issue #13). Here the title (without its "As of" line) becomes lowercase words joined by
    "-", cut at a word boundary to at most 48 characters, and the date from the "As of" line
    is appended whole. No title: ``investable-chart``; no date: no ``-as-of`` part.
    """
    text = fig.layout.title.text or ""
    found = _AS_OF.search(text)
    slug = _NOT_WORD.sub("-", _TAG.sub(" ", text).lower()).strip("-")
    if len(slug) > FILENAME_TITLE_CHARS:
        cut = slug[: FILENAME_TITLE_CHARS + 1]
        slug = cut[: cut.rindex("-")] if "-" in cut else slug[:FILENAME_TITLE_CHARS]
    name = f"investable-{slug or 'chart'}"
    return f"{name}-as-of-{found.group(1)}" if found else name


def plotly_config(fig: go.Figure) -> dict[str, object]:
    """:data:`PLOTLY_CONFIG` with the toolbar's PNG named by :func:`export_filename`."""
    options = dict(PLOTLY_CONFIG["toImageButtonOptions"])  # type: ignore[call-overload]
    options["filename"] = export_filename(fig)
    return {**PLOTLY_CONFIG, "toImageButtonOptions": options}


def moving_average(close: pd.Series, window: int = 200) -> pd.Series:
    """Simple moving average: mean of the last ``window`` closes (NaN until ``window`` exist)."""
    return close.rolling(window, min_periods=window).mean()
