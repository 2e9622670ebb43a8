"""What runs after new data is committed, whoever committed it (``investable refresh``,
``import``, ``import-file``, ``rollback``, or the app's background refresh).

1. :func:`dashboard.precompute.precompute`: the default-settings model, backtests and snapshot
   stored beside the new generation, so an app replica's first view loads them;
2. :func:`dashboard.stored_charts.store_report_charts`: the latest week's report charts drawn
   and stored beside them, so a weekly report needs no browser (skipped, with a line saying
   why, without Chrome/Chromium);
3. :func:`dashboard.alerts.notify`: what changed, to every configured channel. It runs even when
   a step before failed (it computes the model itself), never raises (the data is saved; an
   alert that fails is retried by the next refresh), and that step's error is raised after it.
   No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable

from data_sources.store import Store


def after_commit(store: Store, report: Callable[[str], None] = lambda line: None) -> None:
    """Precompute, draw the report charts, then notify; ``report`` receives one line per
    step."""
    from dashboard.alerts import notify
    from dashboard.precompute import precompute
    from dashboard.stored_charts import store_report_charts
    from data_sources.cli import user_message

    try:
        report("precompute: the model for the default settings …")
        precompute(store)
        report(store_report_charts(store))
    finally:
        try:
            delivery = notify(store)
        except Exception as exc:
            report(f"alerts: not sent ({user_message(exc)}); the next refresh tries again")
        else:
            report(delivery.message)
