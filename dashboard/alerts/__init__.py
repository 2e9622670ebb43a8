"""Alerts when the model changes its mind: after a refresh commits, compare the new generation's
model with the previous generation's and tell every configured channel, once.

:func:`notify` (called by the CLI's after-commit hook, after the precompute):

1. the new state (:mod:`dashboard.alerts.states`) from the precomputed model (computed when
   absent) and the generation's prices and store status;
2. the previous state: the newest older kept generation's stored state, else one rebuilt from
   the previous generation's precomputed model; none at all (a first refresh) sends nothing;
3. the change set (:mod:`dashboard.alerts.changes`); every channel gets one entry in the ledger
   (:mod:`dashboard.alerts.ledger`), all written at once as ``queued``, then the new state is
   stored (so a run that could not record its work is compared again by the next one);
4. per channel, its pending entries (earlier failures first, then the new one): ``sending``
   recorded, the message sent (:mod:`dashboard.alerts.channels`), ``sent`` or ``failed``
   recorded. A failing channel never stops the others, and ``notify`` never raises for a
   channel: its report says what happened. No Streamlit here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analytics.model import ModelResult, evaluate
from dashboard import precompute as pre
from dashboard.alerts.changes import ChangeSet, compare
from dashboard.alerts.channels import Channel, DeliveryError, channels_from
from dashboard.alerts.ledger import Delivery, Ledger, now_text, read_ledger, write_ledger
from dashboard.alerts.messages import Message, overview_chart_png, render
from dashboard.alerts.settings import AlertSettings, load_settings
from dashboard.alerts.states import STATE_ARTIFACT, ModelState, model_state

__all__ = ["DeliveryReport", "current_state", "notify", "pending_change_set", "previous_state"]

INTERRUPTED = "the sending process stopped before recording the result; not resent (at most once)"
ChartRenderer = Callable[[dict[str, pd.DataFrame], str], bytes | None]


@dataclass
class DeliveryReport:
    """What one :func:`notify` run did."""

    generation: int | None = None
    change_set: ChangeSet | None = None
    sent: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)
    interrupted: list[Delivery] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems

    @property
    def message(self) -> str:
        """One line for the refresh's output."""
        if self.note:
            head = self.note
        elif self.change_set is None:
            head = "nothing changed"
        else:
            count, week = len(self.change_set.changes), self.change_set.as_of
            head = f"{count} change(s) in the week of {week}"
        parts = [f"alerts: {head}"]
        if self.change_set is not None and not (self.sent or self.failed or self.problems):
            parts.append("nothing new to send")
        if self.sent:
            parts.append(f"{len(self.sent)} sent")
        if self.failed:
            failed = "; ".join(f"{d.channel}: {d.error}" for d in self.failed)
            parts.append(f"{len(self.failed)} failed, retried next refresh ({failed})")
        if self.interrupted:
            parts.append(f"{len(self.interrupted)} interrupted earlier and not resent")
        parts += self.problems
        return "; ".join(parts)


def message_id(channel_id: str, change_set: ChangeSet) -> str:
    """``sha256(channel id, change-set digest)``, first 32 hex digits."""
    return hashlib.sha256(f"{channel_id}\x00{change_set.digest()}".encode()).hexdigest()[:32]


def _stale(store: Any) -> tuple[str, ...] | None:
    if not hasattr(store, "status"):
        return None
    return tuple(sorted(i.key for i in store.status() if i.last_error and i.rows))


def _model(store: Any, series: dict[str, pd.DataFrame]) -> ModelResult:
    found = pre.read_precomputed(store)
    return found.model if found is not None else evaluate(series)


def current_state(store: Any) -> tuple[ModelState, dict[str, pd.DataFrame]]:
    """The state of the store's current generation and its series. Raises ValueError when the
    store holds no complete week of prices."""
    if hasattr(store, "load_with_generation"):
        generation, series = store.load_with_generation()
    else:
        generation, series = store.generation, store.load_many()
    model = _model(store, series)
    if len(model.calendar) == 0:
        raise ValueError("the store holds no complete week of prices")
    return model_state(model, series, int(generation), _stale(store)), series


def previous_state(
    store: Any, generation: int, series: dict[str, pd.DataFrame]
) -> ModelState | None:
    """The newest older kept generation's stored state; else the previous generation's
    precomputed model (regimes from ``series`` up to its decision date, stale unknown)."""
    older = [g.number for g in store.generations() if g.number < generation]
    for number in older:
        data = store.read_artifact(STATE_ARTIFACT, number)
        state = ModelState.from_json(data) if data is not None else None
        if state is not None:
            return state
    if not older:
        return None
    data = store.read_artifact(pre.ARTIFACT_NAME, older[0])
    found = pre.decode(data, older[0]) if data is not None else None
    if found is None or len(found.model.calendar) == 0:
        return None
    return model_state(found.model, series, older[0], None)


def pending_change_set(store: Any) -> ChangeSet | None:
    """What the last refresh would send: its change set (None when nothing changed or there
    is nothing to compare with). Reads only."""
    state, series = current_state(store)
    before = previous_state(store, state.generation, series)
    return None if before is None else compare(before, state)


def _queue(
    ledger: Ledger, channels: Sequence[Channel], change_set: ChangeSet, subject: str
) -> bool:
    added = False
    for channel in channels:
        key = message_id(channel.channel_id, change_set)
        if key in ledger.deliveries:
            continue
        ledger.put(
            Delivery(
                id=key,
                channel_id=channel.channel_id,
                channel=channel.display,
                from_generation=change_set.from_generation,
                to_generation=change_set.to_generation,
                as_of=change_set.as_of,
                subject=subject,
                status="queued",
                updated_at=now_text(),
                change_set=change_set.to_dict(),
            )
        )
        added = True
    return added


def _send_pending(
    store: Any,
    ledger: Ledger,
    generation: int,
    channel: Channel,
    make_message: Callable[[ChangeSet], Message],
    report: DeliveryReport,
) -> None:
    for delivery in ledger.pending(channel.channel_id):
        try:
            change_set = ChangeSet.from_dict(delivery.change_set or {})
        except (KeyError, TypeError, ValueError):
            ledger.put(delivery.moved("interrupted", "its stored change set is damaged"))
            continue
        sending = delivery.moved("sending")
        ledger.put(sending)
        try:
            write_ledger(store, ledger, generation)
        except Exception as exc:
            ledger.put(delivery)
            report.problems.append(
                f"{channel.display}: not sent, the store refused the record ({exc}); "
                "retried next refresh"
            )
            return
        try:
            channel.send(make_message(change_set), delivery.id)
        except DeliveryError as exc:
            done = sending.moved("failed", str(exc))
            report.failed.append(done)
        else:
            done = sending.moved("sent")
            report.sent.append(done)
        ledger.put(done)
        write_ledger(store, ledger, generation)


def notify(
    store: Any,
    *,
    settings: AlertSettings | None = None,
    channels: Sequence[Channel] | None = None,
    chart: ChartRenderer | None = overview_chart_png,
) -> DeliveryReport:
    """Compare the store's current generation with the previous one and deliver the change set
    to every channel once (module docstring). ``settings`` default: :func:`load_settings`
    (the environment); ``channels`` default: those of the settings; ``chart`` draws the
    e-mail's PNG (None: e-mails without the chart)."""
    settings = load_settings() if settings is None else settings
    chosen = list(channels_from(settings) if channels is None else channels)
    report = DeliveryReport(problems=list(settings.problems))
    if store.generation is None:
        report.note = "the store keeps no generations; nothing to compare"
        return report
    try:
        state, series = current_state(store)
    except ValueError as exc:
        report.note = f"no model to compare ({exc})"
        return report
    generation = report.generation = state.generation
    before = previous_state(store, generation, series)
    change_set = compare(before, state) if before is not None else None
    report.change_set = change_set
    if before is None:
        report.note = "first generation with a model; nothing to compare with"
    ledger = read_ledger(store)
    for delivery in list(ledger.deliveries.values()):
        if delivery.status == "sending":
            interrupted = delivery.moved("interrupted", INTERRUPTED)
            ledger.put(interrupted)
            report.interrupted.append(interrupted)
    charts: dict[str, bytes | None] = {}

    def make_message(found: ChangeSet) -> Message:
        if found.as_of not in charts:
            mail = any(c.channel_id.startswith("email-") for c in chosen)
            charts[found.as_of] = chart(series, found.as_of) if mail and chart else None
        return render(found, settings.app_url, charts[found.as_of])

    if change_set is not None:
        subject = render(change_set, settings.app_url).subject
        _queue(ledger, chosen, change_set, subject)
    try:
        write_ledger(store, ledger, generation)
        if store.read_artifact(STATE_ARTIFACT, generation) is None:
            store.write_artifact(STATE_ARTIFACT, state.to_json(), generation)
    except Exception as exc:
        report.problems.append(
            f"nothing sent: the store refused the alert records ({exc}); the next refresh "
            "compares again"
        )
        return report
    for channel in chosen:
        _send_pending(store, ledger, generation, channel, make_message, report)
    return report
