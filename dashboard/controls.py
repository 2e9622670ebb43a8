"""App-wide controls: the sidebar (as-of date, composite threshold) and the first start.

The first start of the app on an empty local store fills it from the live sources with visible
progress; offline it says so and how to load data, and the app carries on (the Data page can
load files).
"""

from __future__ import annotations

import streamlit as st

from dashboard import state
from data_sources.errors import DataSourceError
from data_sources.store import RefreshReport, Store


def refresh_with_progress(store: Store, label: str) -> RefreshReport | None:
    """Run ``store.refresh`` inside an ``st.status`` box, one line and a bar step per source."""
    with st.status(label, expanded=True) as box:
        bar = st.progress(0.0, text="Contacting the sources…")

        def progress(name: str, done: int, total: int, message: str) -> None:
            bar.progress(done / total, text=f"{done} of {total} sources done")
            st.write(message)

        try:
            report = store.refresh(progress=progress)
        except DataSourceError as exc:  # the lock, a broken store folder
            box.update(label=f"Refresh failed: {exc}", state="error")
            return None
        state.forget_data()
        if report.unreachable:
            box.update(label="Live sources are unreachable", state="error", expanded=True)
        elif report.failed:
            box.update(label=report.message, state="error", expanded=True)
            for key, error in report.failed.items():
                st.write(f"**{key}**: {error}")
        else:
            box.update(label=report.message, state="complete", expanded=False)
    if report.unreachable:
        st.warning(report.message, icon=":material/cloud_off:")
    return report


def first_start() -> None:
    """On an empty local store (and no data folder), fill it once per session."""
    if state.data_dir() or st.session_state.get("first_start_done"):
        return
    store = state.open_store()
    st.session_state["first_start_done"] = True
    if store.is_empty():
        st.info(
            f"First start: the local store at `{store.root}` is empty. Fetching every series "
            "from Yahoo Finance, FRED, AAII, NAAIM, CBOE, FINRA and Shiller…"
        )
        refresh_with_progress(store, "Filling the local store from the live sources")


def sidebar() -> None:
    """As-of date and composite threshold, both bound to the URL."""
    with st.sidebar:
        st.subheader("Model view")
        st.slider(
            "Composite threshold",
            min_value=0.30,
            max_value=0.90,
            value=state.DEFAULT_INVEST_THRESHOLD,
            step=0.05,
            key="threshold",
            bind="query-params",
            help="Invested when the composite (share of available indicators saying "
            "invested) is above this. Default 0.60.",
        )
        try:
            model = state.model()
        except ValueError:
            return
        dates = model.calendar.index
        if len(dates) == 0:
            return
        st.date_input(
            "As of",
            value=dates[-1].date(),
            min_value=dates[0].date(),
            max_value=dates[-1].date(),
            key="as_of",
            bind="query-params",
            format="YYYY-MM-DD",
            help="The model's view on the last Friday on or before this date: only data "
            "published by then. Default: the latest week.",
        )
        st.caption(f"Data: {state.describe_source(state.data_dir())}")
