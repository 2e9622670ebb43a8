"""Data: every series with its source, range, freshness and last error; refresh; upload of the
file-based sources; settings (indicator thresholds, publication lags, backtest costs)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.catalog import CATALOG
from components.widgets import day
from dashboard import access, state
from dashboard.address import check_choice
from dashboard.alerts.settings import load_settings
from dashboard.alerts.view import channel_rows, delivery_rows
from dashboard.controls import (
    empty_store_instructions,
    refresh_panel,
)
from dashboard.freshness import days_old
from dashboard.labels import escape_markdown, provider_short, series_label, series_name
from data_sources.catalog import provider_name
from data_sources.errors import DataSourceError
from data_sources.registry import RECORDS, UPLOADS, record_of
from data_sources.store import KEEP_GENERATIONS

FREQUENCIES = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly", "A": "yearly"}

folder = state.data_dir()
writable = not folder and access.can_write()
st.title("Data")
st.caption(f"Reading from the {escape_markdown(state.describe_source(folder))}.")
if state.is_empty(folder):
    empty_store_instructions(writable)

status = state.series_status(folder)
now = state.today()
rows = []
for info in status:
    rows.append(
        {
            "Series": series_name(info.key),
            "Provider": provider_short(provider_name(info.key)),
            "Source": info.source,
            "Frequency": FREQUENCIES.get(info.frequency or "", info.frequency or ""),
            "First": day(info.first),
            "Last": day(info.last),
            "Days old": days_old(info.last, now),
            "Rows": info.rows,
            "Last refresh": day(info.fetched_at),
            "Last error": info.last_error or "",
        }
    )
table = pd.DataFrame(rows)
errors = table[table["Last error"] != ""] if len(table) else table
st.subheader(f"{len(table)} series" + (f", {len(errors)} with an error" if len(errors) else ""))
st.dataframe(  # on a phone it scrolls sideways, the series' name pinned at the left
    table.drop(columns="Last error") if len(table) else table,
    hide_index=True,
    height=min(36 * (len(table) + 1), 640),
    column_config={"Series": st.column_config.TextColumn(width="medium", pinned=True)},
)
if len(errors):
    # Whole messages, as plain text (a table cell would cut them; a message is not Markdown).
    with st.expander(f"Last errors ({len(errors)})", expanded=True):
        for name, provider, message in zip(
            errors["Series"], errors["Provider"], errors["Last error"], strict=True
        ):
            st.markdown(f"**{escape_markdown(name)}** ({escape_markdown(provider)})")
            st.text(message)

# The open tab and the upload's series are in the address (?tab=History, ?series=…).
tab_names = (
    ["Refresh", "Load a file", "History", "Alerts", "Settings"]
    if writable
    else ["Updates", "History", "Alerts", "Settings"]
)
check_choice("tab", tab_names, f"the {tab_names[0]} tab")
tabs = st.tabs(tab_names, key="tab", bind="query-params")
refresh_tab, *upload_tabs, history_tab, alerts_tab, settings_tab = tabs  # none when read-only
upload_tab = upload_tabs[0] if upload_tabs else None

with history_tab:
    if folder:
        st.info("A manifest folder has no history: the store keeps the last generations.")
    else:
        kept = state.history()
        st.write(
            "Each refresh or import commits a new *generation* of the store, and the store "
            f"keeps the last {KEEP_GENERATIONS}. `investable rollback --to N` returns to one "
            "(committed as a new generation)."
        )
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Generation": g.number,
                        "Committed": g.committed_at.strftime("%Y-%m-%d %H:%M UTC"),
                        "Kind": g.kind,
                        "Series updated": sum(1 for c in g.changes if c.error is None),
                        "Rows added": sum(max(c.added, 0) for c in g.changes),
                        "Rows revised": sum(c.revised for c in g.changes),
                        "Failed": sum(1 for c in g.changes if c.error is not None),
                        "Note": g.note,
                    }
                    for g in kept
                ]
            ),
            hide_index=True,
            column_config={"Note": st.column_config.TextColumn(width="large")},
        )

with alerts_tab:
    settings = load_settings(secrets=access.secrets())
    ledger = state.alert_ledger() if not folder else None
    channels = channel_rows(settings, ledger) if ledger is not None else []
    if not channels:
        st.write(
            "No alert channels are set. Set `INVESTABLE_ALERT_WEBHOOKS` (Slack, Discord or ntfy "
            "webhooks) or `INVESTABLE_SMTP_HOST` and the other `INVESTABLE_SMTP_*` settings "
            "in the environment or the app's secrets: each refresh that changes the model's "
            "mind then sends one message."
        )
    else:
        st.markdown("**Channels** (addresses shown by host only)")
        st.dataframe(pd.DataFrame(channels), hide_index=True)
        deliveries = delivery_rows(ledger) if ledger is not None else []
        if deliveries:
            st.markdown("**Last deliveries**")
            st.dataframe(pd.DataFrame(deliveries), hide_index=True)

with refresh_tab:
    if folder:
        st.info(
            "The app reads a manifest folder (INVESTABLE_DATA_DIR), which it never writes. "
            "Unset it to use the local store, which refreshes from the live sources."
        )
    else:
        st.write(
            "A refresh fetches every series from "
            + ", ".join(provider_short(name) for name in list(RECORDS)[:-1])
            + f" and {provider_short(list(RECORDS)[-1])}"
            + " in the background, appends what is new, and keeps good data when a "
            "source fails. Pages keep showing the stored data meanwhile and switch to the new "
            "data when it lands."
        )
        st.caption(
            "FRED key: "
            + ("set (from secrets or the environment)." if state.fred_key() else
               "not set; FRED's keyless CSV download is used.")
        )  # fmt: skip
        if not writable:
            st.info(
                "This copy of the app is read-only: the store is updated by its operator "
                "(for example a scheduled `investable refresh`). Your own settings (Settings "
                "tab) apply to your session.",
                icon=":material/lock:",
            )
        refresh_panel(state.refresher(), can_start=writable)
        if access.read_only():
            if access.unlocked():
                if st.button("Lock again", icon=":material/lock:"):
                    access.lock()
                    st.rerun()
            elif access.admin_configured():
                with st.form("unlock", clear_on_submit=True):
                    given = st.text_input("Admin password", type="password")
                    if st.form_submit_button("Unlock writing for this session"):
                        if access.unlock(given):
                            st.rerun()
                        st.error("That password is not right.")

if upload_tab is not None:
    with upload_tab:
        st.write(
            "When a site blocks scripts, download the file in a browser and load it here, in "
            "the provider's own format."
        )
        labels = [series_label(key) for key in UPLOADS]
        check_choice("series", labels, labels[0])
        key = st.selectbox(
            "Series", list(UPLOADS), format_func=series_label, key="series", bind="query-params"
        )
        formats = UPLOADS[key]
        record = record_of(key)
        page = record.manual_page if record is not None else None
        st.caption(
            f"Download from {page or 'the provider'}; accepted: "
            + "; ".join(escape_markdown(f.description) for f in formats)
            + "."
        )
        suffixes = sorted({suffix.lstrip(".") for f in formats for suffix in f.suffixes})
        upload = st.file_uploader("File", type=suffixes)
        if upload is not None and st.button("Load into the store"):
            data = upload.getvalue()
            try:
                added = state.open_store().import_file(key, data, upload.name)
            except DataSourceError as exc:
                st.error("The file was not loaded, and the store is unchanged:")
                st.code(f"{upload.name}: {exc}", language=None, wrap_lines=True)
            else:
                state.forget_data()
                st.success(f"{added} new rows for {series_label(key)} from:")
                st.text(upload.name)

with settings_tab:
    with st.form("settings"):
        st.markdown("**Backtest costs** (every buy and every sell)")
        cost_columns = st.columns(4)
        capital, commission, spread, cash = state.backtest_costs()
        new_capital = cost_columns[0].number_input(
            "Starting capital ($)", min_value=1_000.0, value=capital, step=10_000.0
        )
        new_commission = cost_columns[1].number_input(
            "Commission ($)", min_value=0.0, max_value=1_000.0, value=commission, step=1.0
        )
        new_spread = cost_columns[2].number_input(
            "Spread (basis points)", min_value=0.0, max_value=100.0, value=spread * 10_000,
            step=0.5, help="2 bp = 0.02 %",
        )  # fmt: skip
        new_cash = cost_columns[3].radio(
            "Cash earns", ["zero", "tbill"], index=["zero", "tbill"].index(cash),
            format_func={"zero": "0 %", "tbill": "3-month T-bill"}.get,
        )  # fmt: skip
        st.markdown("**Indicator thresholds** (the reading is compared with these)")
        chosen = dict(st.session_state.get("thresholds", {}))
        threshold_columns = st.columns(3)
        new_thresholds = {}
        for i, spec in enumerate(spec for spec in CATALOG if not spec.is_calendar):
            new_thresholds[spec.id] = threshold_columns[i % 3].number_input(
                f"{spec.name} ({spec.unit})",
                value=float(chosen.get(spec.id, spec.threshold)),
                step=0.1,
                format="%.2f",
                help=spec.rule,
            )
        st.markdown("**Publication lags** (when an observation may first be used; SPEC section 1)")
        chosen_releases = dict(st.session_state.get("releases", {}))
        new_releases = {}
        lag_columns = st.columns(3)
        timed = [spec for spec in CATALOG if not spec.is_calendar]
        for i, spec in enumerate(timed):
            release = spec.release
            lag, months, release_day = chosen_releases.get(
                spec.id, (release.lag_days, release.months_after, release.day)
            )
            column = lag_columns[i % 3]
            if not release.monthly:
                lag = column.number_input(
                    f"{spec.name}: days after its date", 0, 60, int(lag), key=f"lag-{spec.id}"
                )
            else:
                months = column.number_input(
                    f"{spec.name}: months after M", 0, 6, int(months), key=f"months-{spec.id}",
                    help=f"Default: {release.describe()}",
                )  # fmt: skip
                if release.day is not None:
                    release_day = column.number_input(
                        f"{spec.name}: day of that month", 1, 28, int(release_day),
                        key=f"day-{spec.id}",
                    )  # fmt: skip
            new_releases[spec.id] = (int(lag), months, release_day)
        saved = st.form_submit_button("Apply", type="primary")
    if saved:
        st.session_state.update(
            capital=new_capital, commission=new_commission, spread_bp=new_spread, cash=new_cash,
            thresholds=new_thresholds, releases=new_releases,
        )  # fmt: skip
        st.success("Settings applied to every page for this session.")
    if st.button("Back to the defaults"):
        for name in ("capital", "commission", "spread_bp", "cash", "thresholds", "releases"):
            st.session_state.pop(name, None)
        st.rerun()
