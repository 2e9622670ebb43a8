"""Plain rows for the Data page and ``investable alerts status`` (no Streamlit, no secrets):
the configured channels with their pending deliveries, and the latest deliveries."""

from __future__ import annotations

from typing import Any

from dashboard.alerts.ledger import Ledger
from dashboard.alerts.settings import AlertSettings

STATUS_WORDS = {
    "queued": "waiting",
    "sending": "sending",
    "sent": "sent",
    "failed": "failed, retried next refresh",
    "interrupted": "interrupted, not resent",
}


def _time(text: str) -> str:
    return text[:16].replace("T", " ") + " UTC" if text else ""


def channel_rows(settings: AlertSettings, ledger: Ledger) -> list[dict[str, Any]]:
    """One row per configured channel: ``channel`` (host only), ``pending`` (deliveries waiting
    or to retry), ``last`` (status of its newest delivery), ``last_week``, ``last_error``."""
    channels = [(h.channel_id, h.display) for h in settings.webhooks]
    if settings.smtp is not None:
        channels.append((settings.smtp.channel_id, settings.smtp.display))
    rows = []
    for channel_id, display in channels:
        mine = [d for d in ledger.newest_first() if d.channel_id == channel_id]
        newest = mine[0] if mine else None
        rows.append(
            {
                "channel": display,
                "pending": sum(1 for d in mine if d.pending),
                "last": STATUS_WORDS.get(newest.status, newest.status) if newest else "none yet",
                "last_week": newest.as_of if newest else "",
                "last_error": newest.error if newest else "",
            }
        )
    return rows


def delivery_rows(ledger: Ledger, limit: int = 20) -> list[dict[str, Any]]:
    """The newest ``limit`` deliveries: ``time`` (of the last record, UTC), ``channel``,
    ``week`` (decision week), ``generations`` ("3 → 4"), ``status``, ``attempts``, ``subject``,
    ``error``."""
    return [
        {
            "time": _time(d.updated_at),
            "channel": d.channel,
            "week": d.as_of,
            "generations": f"{d.from_generation} → {d.to_generation}",
            "status": STATUS_WORDS.get(d.status, d.status),
            "attempts": d.attempts,
            "subject": d.subject,
            "error": d.error,
        }
        for d in ledger.newest_first()[:limit]
    ]
