"""``investable alerts``: the alerts a refresh sends when the model changes its mind.

Actions: test sends a test message to every configured channel (exit 1 when one fails, 2 when
none is configured); preview prints what the last refresh would send (nothing is sent); status
lists the channels (host only) and the pending and latest deliveries.

Examples:
  investable alerts preview  (the message of the last refresh, as the channels would get it)
  investable alerts status --format json

Channels come from the environment: INVESTABLE_ALERT_WEBHOOKS (comma-separated URLs, each
optionally prefixed slack:, discord: or ntfy:), INVESTABLE_SMTP_HOST, _PORT, _USER, _PASSWORD,
_FROM, _TO, _SECURITY; INVESTABLE_APP_URL for the link. A refresh sends alerts by itself.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from dashboard.alerts import current_state, pending_change_set
from dashboard.alerts.channels import DeliveryError, channels_from
from dashboard.alerts.ledger import read_ledger
from dashboard.alerts.messages import render, render_sample
from dashboard.alerts.settings import AlertSettings, load_settings
from dashboard.alerts.states import ModelState
from dashboard.alerts.view import channel_rows, delivery_rows
from dashboard.commands._common import add_format, help_text, print_json
from data_sources.cli import open_store

NO_CHANNEL = (
    "no alert channel is configured: set INVESTABLE_ALERT_WEBHOOKS (e.g. "
    "slack:https://hooks.slack.com/services/…) or INVESTABLE_SMTP_HOST and INVESTABLE_SMTP_TO"
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "alerts",
        help="test, preview and inspect the alerts a refresh sends",
        description=help_text(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", choices=("test", "preview", "status"))
    add_format(parser)
    parser.set_defaults(func=run)


def _problems(settings: AlertSettings) -> None:
    for problem in settings.problems:
        print(f"warning: {problem}", file=sys.stderr)


def _state(args: argparse.Namespace) -> ModelState | None:
    store = open_store(getattr(args, "store", None))
    if store.is_empty():
        return None
    try:
        return current_state(store)[0]
    except ValueError:
        return None


def run_test(args: argparse.Namespace, settings: AlertSettings) -> int:
    channels = channels_from(settings)
    if not channels:
        raise ValueError(NO_CHANNEL)
    message = render_sample(_state(args), settings.app_url)
    failed = 0
    for channel in channels:
        try:
            channel.send(message, f"test-{int(time.time())}")
        except DeliveryError as exc:
            failed += 1
            print(f"  FAILED  {channel.display}: {exc}")
        else:
            print(f"  sent    {channel.display}")
    return 1 if failed else 0


def run_preview(args: argparse.Namespace, settings: AlertSettings) -> int:
    store = open_store(getattr(args, "store", None))
    if store.is_empty():
        raise ValueError(f"the store at {store.location} holds no series yet")
    change_set = pending_change_set(store)
    if change_set is None:
        print(f"nothing to send: generation {store.generation} changed nothing the alerts watch")
        return 0
    message = render(change_set, settings.app_url)
    if args.format == "json":
        print_json({"subject": message.subject, **message.webhook_body("json", "preview")})
        return 0
    channels = channels_from(settings)
    where = ", ".join(c.display for c in channels) or "no channel configured"
    print(f"Subject: {message.subject}\nTo: {where}\n\n{message.text}", end="")
    return 0


def run_status(args: argparse.Namespace, settings: AlertSettings) -> int:
    store = open_store(getattr(args, "store", None))
    ledger = read_ledger(store)
    channels, deliveries = channel_rows(settings, ledger), delivery_rows(ledger)
    if args.format == "json":
        print_json({"channels": channels, "deliveries": deliveries, "problems": settings.problems})
        return 0
    print("channels:" if channels else NO_CHANNEL)
    for row in channels:
        error = f"  ({row['last_error']})" if row["last_error"] else ""
        print(f"  {row['channel']:<40} pending {row['pending']}  last: {row['last']}{error}")
    print("deliveries:" if deliveries else "no deliveries yet")
    for row in deliveries:
        error = f"  ({row['error']})" if row["error"] else ""
        print(
            f"  {row['time']}  {row['week']}  {row['channel']:<32} {row['status']}"
            f" ×{row['attempts']}{error}"
        )
    return 0


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    _problems(settings)
    actions = {"test": run_test, "preview": run_preview, "status": run_status}
    return actions[args.action](args, settings)
