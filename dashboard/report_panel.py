"""The Overview's "Weekly report" button and its downloads (issue #13).

Clicking "Weekly report" builds the report once — HTML and PDF from the same content, the
charts those the refresh stored for the week (:mod:`dashboard.stored_charts`: the latest week at
the default settings) or drawn by the process's one browser
(:func:`~dashboard.report_charts.shared_browser`, started by the first report that needs it,
closed at exit) — and shows an HTML and a PDF download button.
The documents are cached (``st.cache_data``) by the source's generation, the decision date and
the model settings (the thresholds), and the session remembers that the report was asked for,
so both download buttons stay on screen after a download (a download does not rerun the app)
and across later reruns, until the data, the week or the settings change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analytics.model import ModelResult
from dashboard import state

REQUESTED_KEY = "_weekly_report_requested"


@dataclass(frozen=True)
class ReportFiles:
    """The weekly report as files: UTF-8 HTML and PDF bytes."""

    html: bytes
    pdf: bytes


def report_key(model: ModelResult, as_of: pd.Timestamp) -> str:
    """What a built report depends on: the source's generation, the decision week and the
    model settings (thresholds, invest threshold, releases, maximum ages)."""
    return f"{state.generation()}|{as_of.date()}|{model.settings!r}"


@st.cache_data(max_entries=8, show_spinner=False)
def _report_files(
    key: str, _model: ModelResult, _series: Mapping[str, pd.DataFrame], as_of: pd.Timestamp
) -> ReportFiles:
    from dashboard.report import render_html, report_content
    from dashboard.report_charts import shared_browser
    from dashboard.report_pdf import render_pdf

    # the charts the refresh drew for this week, else drawn by one browser for the app's
    # process: only the first report pays its start (issue #15)
    stored = state.stored_report_charts()
    drawn = stored.fit(_model.decision_date(as_of), _model.settings) if stored else None
    browser = shared_browser() if drawn is None else None
    content = report_content(_model, _series, as_of, browser=browser, drawn=drawn)
    return ReportFiles(render_html(content).encode("utf-8"), render_pdf(content))


def report_downloads(
    model: ModelResult, series: Mapping[str, pd.DataFrame], as_of: pd.Timestamp
) -> None:
    """The "Weekly report" button; once clicked, HTML and PDF download buttons for the report
    of the week of ``as_of`` (built once per generation, week and settings)."""
    key = report_key(model, as_of)
    if st.button(
        "Weekly report",
        icon=":material/description:",
        help="Decision, indicator table, regimes, levels and key charts as HTML and PDF "
        "files with 2× PNG charts",
    ):
        st.session_state[REQUESTED_KEY] = key
    if st.session_state.get(REQUESTED_KEY) != key:
        return
    with st.spinner("Drawing the charts…"):
        files = _report_files(key, model, series, as_of)
    name = f"investable-{as_of.date()}"
    st.download_button(
        "HTML",
        files.html,
        file_name=f"{name}.html",
        mime="text/html",
        icon=":material/download:",
        on_click="ignore",
        key="weekly_report_html",
    )
    st.download_button(
        "PDF",
        files.pdf,
        file_name=f"{name}.pdf",
        mime="application/pdf",
        icon=":material/download:",
        on_click="ignore",
        key="weekly_report_pdf",
    )
