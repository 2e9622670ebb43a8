"""The latest week's report charts, drawn once by the refresh and stored beside the data.

Drawing a report's charts needs a browser: its start alone (1–2 s) is as long as building the
whole report without charts (issue #15). So the one writer draws them: after a commit,
:func:`store_report_charts` draws the key charts of the latest week's report at the default
settings (:func:`dashboard.report.report_figures`, with the model the precompute stored) and
keeps their PNGs as an artifact of the generation. A report of that week at the default
settings — ``investable report``, or the Overview's "Weekly report" on any replica, even one
without Chrome — then reads them (:func:`stored_report_charts`, :meth:`StoredCharts.fit`)
instead of drawing. Any other week or setting draws as before. No Streamlit here.

Artifact ``ARTIFACT_NAME`` of a generation, bytes::

    {"format": 1, "code": "<code version>", "generation": <g>, "week": "<YYYY-MM-DD>",
     "sizes": [<bytes of each PNG>, ...]}\\n
    <the PNGs, one after the other>

An artifact whose format, code version or generation differs, or whose PNGs are not the sizes
it says or not PNGs, is ignored, as are charts of another week or other settings than the
report's (:meth:`StoredCharts.fit`): the report draws its charts then. The code version covers
what a chart is computed and drawn with: the model's code (:func:`dashboard.precompute
.code_version`), ``components/``, the report and its browser, this module, and the plotly and
kaleido versions, so an upgrade never serves charts of the older code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from itertools import accumulate
from pathlib import Path

import pandas as pd

from analytics.errors import AnalyticsError
from analytics.model import ModelSettings
from dashboard.precompute import ArtifactStore, code_version, read_precomputed

ARTIFACT_NAME = "report-charts.bin"
FORMAT_VERSION = 1
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ROOT = Path(__file__).resolve().parents[1]
_DRAWING_CODE = ("dashboard/report.py", "dashboard/report_charts.py", "dashboard/stored_charts.py")


@cache
def charts_code_version() -> str:
    """SHA-256 (first 16 hex digits) of the model's code version, ``components/**``, the
    report's modules and the installed plotly's and kaleido's versions."""
    digest = hashlib.sha256(code_version().encode())
    files = [*sorted((_ROOT / "components").rglob("*.py")), *(_ROOT / f for f in _DRAWING_CODE)]
    for path in files:
        digest.update(path.relative_to(_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(f"plotly {version('plotly')} kaleido {version('kaleido')}".encode())
    return digest.hexdigest()[:16]


def encode(generation: int, week: pd.Timestamp, pngs: Sequence[bytes]) -> bytes:
    """Header line + the PNGs (see the module docstring)."""
    header = {
        "format": FORMAT_VERSION,
        "code": charts_code_version(),
        "generation": generation,
        "week": f"{week:%Y-%m-%d}",
        "sizes": [len(png) for png in pngs],
    }
    return json.dumps(header).encode() + b"\n" + b"".join(pngs)


@dataclass(frozen=True)
class StoredCharts:
    """The key charts the refresh drew for the report of ``week`` at the default settings."""

    week: pd.Timestamp
    pngs: tuple[bytes, ...]

    def fit(self, week: pd.Timestamp, settings: ModelSettings) -> tuple[bytes, ...] | None:
        """The PNGs when the report of ``week`` at ``settings`` is the one they were drawn for
        (that week, the default settings); None otherwise (draw them)."""
        same = pd.Timestamp(week) == self.week and settings == ModelSettings()
        return self.pngs if same else None


def decode(data: bytes, generation: int) -> StoredCharts | None:
    """The charts of an artifact written by this code for ``generation``; None when it is for
    another one or damaged."""
    line, _, body = data.partition(b"\n")
    try:
        header = json.loads(line)
        week = pd.Timestamp(header["week"])
    except (json.JSONDecodeError, UnicodeDecodeError, TypeError, KeyError, ValueError):
        return None
    wanted = (FORMAT_VERSION, charts_code_version(), generation)
    found = tuple(header.get(key) for key in ("format", "code", "generation"))
    sizes = header.get("sizes")
    if found != wanted or not isinstance(sizes, list) or not sizes:
        return None
    if not all(isinstance(size, int) and size > 0 for size in sizes) or sum(sizes) != len(body):
        return None
    pngs = tuple(body[end - size : end] for size, end in zip(sizes, accumulate(sizes), strict=True))
    if not all(png.startswith(PNG_SIGNATURE) for png in pngs):
        return None
    return StoredCharts(week, pngs)


def store_report_charts(target: ArtifactStore) -> str:
    """Draw the key charts of the latest week's report at the default settings and store them
    for the store's current generation; one line saying what was done. Nothing is stored
    without a precomputed model, without Chrome/Chromium, when the data cannot make the charts,
    or when the generation moved while drawing."""
    from dashboard.report import CHART_WIDTH, report_figures
    from dashboard.report_charts import ChartBrowser, ChartsUnavailable

    found = read_precomputed(target)
    if found is None:
        return "report charts: not drawn (no precomputed model for this generation)"
    try:
        with ChartBrowser() as browser:
            figures = report_figures(found.model, target.load_many(), found.end)
            pngs = browser.pngs(figures, CHART_WIDTH)
    except ChartsUnavailable as exc:  # "The charts need Chrome …: this report has the tables only."
        reason = str(exc).split(": this report", 1)[0].rstrip(".")
        return f"report charts: not drawn ({reason[:1].lower()}{reason[1:]})"
    except AnalyticsError as exc:
        return f"report charts: not drawn ({exc})"
    if target.generation != found.generation:
        return "report charts: not stored (newer data arrived while drawing)"
    target.write_artifact(
        ARTIFACT_NAME, encode(found.generation, found.end, pngs), found.generation
    )
    return f"report charts: {len(pngs)} drawn for the week of {found.end:%Y-%m-%d}"


def stored_report_charts(target: ArtifactStore) -> StoredCharts | None:
    """The key charts the refresh stored for the store's current generation (their week: its
    latest), or None; :meth:`StoredCharts.fit` says whether a report can use them."""
    generation = target.generation
    if generation is None:
        return None
    data = target.read_artifact(ARTIFACT_NAME, generation)
    return None if data is None else decode(data, generation)
