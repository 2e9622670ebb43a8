"""App-wide controls: the sidebar (as-of date, composite threshold, data as of, a stale-data
warning), the background refresh panel and the empty-store instructions.

No control here waits on the network: a refresh runs in :class:`dashboard.refresher.Refresher`'s
thread and this module only starts it and shows its progress.
"""

from __future__ import annotations

import datetime as dt
import os
import time

import pandas as pd
import streamlit as st

from analytics.errors import AnalyticsError
from dashboard import access, state
from dashboard.address import check_date, check_number
from dashboard.freshness import STALE_AFTER_SESSIONS
from dashboard.labels import escape_markdown
from dashboard.refresher import Refresher, RefreshState

POLL_SECONDS = 1.0
AUTO_REFRESH_AFTER = pd.Timedelta(days=1)
WATCHED = "refresh_watched_run"

LOAD_COMMANDS = """\
investable refresh                                # fetch every series from the live sources
investable import --from DIR                      # a folder with a manifest.toml
investable import-file --series aaii:sentiment sentiment.xls   # one file downloaded by hand"""


# ---- the sidebar ---------------------------------------------------------------------------


def data_freshness() -> None:
    """ "Data as of <newest market close>" and a warning when it is stale (sidebar)."""
    fresh = state.freshness(state.data_dir())
    if fresh.as_of is None:
        st.caption("Data as of: no market closes yet")
        return
    st.caption(f"Data as of {fresh.as_of:%Y-%m-%d} (the newest close of SPY, the model's clock)")
    if fresh.stale:
        writable = not state.data_dir() and access.can_write()
        where = " Refresh on the **Data** page." if writable else ""
        st.warning(
            f"Stale data: {fresh.sessions_missing} NYSE sessions have passed since the newest "
            f"close on {fresh.as_of:%Y-%m-%d} (more than {STALE_AFTER_SESSIONS}).{where}",
            icon=":material/history:",
        )


THRESHOLD_RANGE = (0.30, 0.90)
"""The composite threshold's slider bounds (also the range the address may ask for)."""


def _week_bounds() -> tuple[dt.date, dt.date] | None:
    """The model's first and latest week (the as-of date's bounds), or None when there is no
    model yet (the page says why: no data, or a setting out of range)."""
    try:
        model = state.model()
    except AnalyticsError:
        return None
    dates = model.calendar.index
    if len(dates) == 0:
        return None
    return pd.Timestamp(dates[0]).date(), pd.Timestamp(dates[-1]).date()


def sidebar() -> None:
    """As-of date and composite threshold (both bound to the URL), and how fresh the data is.

    A value in the address either widget cannot take is refused with a warning at the top of
    the page (:mod:`dashboard.address`), where a phone shows it with the sidebar closed."""
    low, high = THRESHOLD_RANGE
    default = state.DEFAULT_INVEST_THRESHOLD
    check_number("threshold", low, high, f"the default, {default:.2f}")
    as_of_notice = st.empty()  # the model (for the dates) follows the threshold's widget
    with st.sidebar:
        st.subheader("Model view")
        st.slider(
            "Composite threshold",
            min_value=low,
            max_value=high,
            value=default,
            step=0.05,
            key="threshold",
            bind="query-params",
            help="Invested when the composite (share of available indicators saying "
            f"invested) is above this. Default {default:.2f}.",
        )
        data_freshness()
        if not state.data_dir():
            job = state.refresher().state()
            if job.running:
                st.caption(f"Refreshing in the background: {job.message}")
        weeks = _week_bounds()
        if weeks is None:
            return
        first, latest = weeks
        with as_of_notice:
            check_date("as_of", first, latest, "the latest week")
        st.date_input(
            "As of",
            value=latest,
            min_value=first,
            max_value=latest,
            key="as_of",
            bind="query-params",
            format="YYYY-MM-DD",
            help="The model's view on the last Friday on or before this date: only data "
            "published by then. Default: the latest week.",
        )
        st.caption(f"Data: {escape_markdown(state.describe_source(state.data_dir()))}")


# ---- the background refresh ---------------------------------------------------------------


def auto_refresh_enabled() -> bool:
    """Opt-in: ``INVESTABLE_AUTO_REFRESH=1`` or ``auto_refresh = true`` in secrets."""
    return access.truthy(os.environ.get("INVESTABLE_AUTO_REFRESH")) or access.truthy(
        access.secret("auto_refresh")
    )


def maybe_auto_refresh() -> None:
    """Start a background refresh when enabled, the app may write (not read-only, not a
    folder), the store is empty or was last fetched more than a day ago, and no back-off
    applies (the job's own rule)."""
    if state.data_dir() or access.read_only() or not auto_refresh_enabled():
        return
    fetched = state.last_fetch()
    if fetched is not None and pd.Timestamp.now(tz="UTC") - fetched < AUTO_REFRESH_AFTER:
        return
    state.refresher().start()


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _show_result(job: RefreshState, now: float) -> None:
    if job.finished_at is None:
        return
    ago = "under a minute" if now - job.finished_at < 60 else _minutes(now - job.finished_at)
    if job.succeeded:
        st.success(f"Last refresh, {ago} ago: {job.message}", icon=":material/check_circle:")
    else:
        wait = (
            f" Automatic refreshes wait {_minutes(job.retry_at - now)} more (failure {job.failures}"
            " in a row; the wait doubles up to an hour)."
            if job.retry_at is not None and job.retry_at > now
            else ""
        )
        st.error(f"The last refresh, {ago} ago, failed; the store keeps what it had.{wait}")
        st.code(job.message, language=None, wrap_lines=True)
    if job.failed_series:
        st.caption("Series that failed (they keep their stored rows):")
        st.dataframe(
            pd.DataFrame(
                {"Series": list(job.failed_series), "Error": list(job.failed_series.values())}
            ),
            hide_index=True,
        )
    if job.note:
        st.code(job.note, language=None, wrap_lines=True)


def refresh_panel(job: Refresher, can_start: bool) -> None:
    """The refresh button (when this session may write) and the job's progress, polled every
    ``POLL_SECONDS`` while it runs; when the job lands, the whole app reruns on the new data."""
    if can_start:
        running = job.state().running
        if st.button(
            "Refresh now",
            type="primary",
            icon=":material/refresh:",
            disabled=running,
            help="Runs in the background; you can keep using the app.",
        ):
            job.start(force=True)
    first = job.state()
    if first.running:
        st.session_state[WATCHED] = first.runs

    @st.fragment(run_every=POLL_SECONDS if first.running else None)
    def progress() -> None:
        current = job.state()
        now = time.monotonic()
        if current.running:
            st.session_state[WATCHED] = current.runs
            fraction = current.done / current.total if current.total else 0.0
            st.progress(fraction, text=f"Refreshing in the background: {current.message}")
            if current.lines:
                st.text("\n".join(current.lines))
            return
        if st.session_state.get(WATCHED) == current.runs:
            st.session_state.pop(WATCHED, None)
            state.forget_data()
            st.rerun(scope="app")
        _show_result(current, now)

    progress()


def empty_store_instructions(can_write: bool) -> None:
    """What to do with an empty store: the button (when writable), the commands, the upload."""
    st.info(
        "The store holds no data yet. The app never fetches while a page loads; load data in "
        "one of these ways:",
        icon=":material/database:",
    )
    ways = []
    if can_write:
        ways.append("- **Refresh now** below fetches every series in the background.")
        ways.append("- **Load a file** (tab below) takes a file downloaded by hand.")
    else:
        ways.append("- This copy of the app is read-only: its operator fills the store.")
    ways.append("- From a terminal, once the project is installed (`pip install -e .`):")
    st.markdown("\n".join(ways))
    st.code(LOAD_COMMANDS, language="bash")
