"""The week the composite fell below 0.60 in 2020, on the reference data: the store holds the
data cut at Friday 2020-03-13 (generation 1), then at Friday 2020-03-20 (generation 2); each is
precomputed and notified, and the message of the second is checked against golden files."""

from __future__ import annotations

import json

import pytest

from analytics.model import evaluate
from dashboard import precompute as pre
from dashboard.alerts import notify
from dashboard.alerts.ledger import read_ledger
from dashboard.alerts.messages import render
from dashboard.alerts.settings import load_settings
from data_sources.folder import FolderSource
from data_sources.store import Store
from tests.dashboard.alerts_golden import check_golden
from tests.dashboard.alerts_support import Receiver, write_cut_folder

pytestmark = pytest.mark.shared_data
APP = "https://investable.example/"


@pytest.fixture(scope="module")
def weeks(shared_data_dir, tmp_path_factory):
    """(store at generation 2, the report of notifying it, the receiver's requests)."""
    source = FolderSource(shared_data_dir)
    root = tmp_path_factory.mktemp("reference")
    store = Store(root / "store", providers={})
    with Receiver() as receiver:
        settings = load_settings(
            {"INVESTABLE_ALERT_WEBHOOKS": f"ntfy:{receiver.url}/investable-alerts",
             "INVESTABLE_APP_URL": APP}
        )  # fmt: skip
        reports = []
        for end in ("2020-03-13", "2020-03-20"):
            store.import_folder(write_cut_folder(source, root / end, end))
            pre.precompute(store)
            reports.append(notify(store, settings=settings, chart=None))
    return store, reports, receiver.requests


def test_the_week_of_2020_03_20_sends_one_message(weeks, shared_data_dir) -> None:
    store, (first, second), requests = weeks
    assert first.change_set is None and first.sent == []
    change_set = second.change_set
    assert change_set is not None and (change_set.before_as_of, change_set.as_of) == (
        "2020-03-13",
        "2020-03-20",
    )
    assert len(second.sent) == 1 and len(requests) == 1
    state = change_set.state
    votes = [v for v in state.votes.values() if v is not None]
    assert state.composite == pytest.approx(sum(votes) / len(votes)) == 0.5
    assert state.invested is False and state.threshold == 0.6
    texts = [c.text for c in change_set.changes]
    assert texts[:2] == [
        "Decision: CASH (was INVESTED).",
        "The composite fell to or below 0.60: 0.65 → 0.50.",
    ]
    # 0.65 = 13 of 20 available votes; 0.50 = 10 of 20: exactly three votes flipped to cash
    flips = [c for c in change_set.changes if c.kind == "vote"]
    assert [(c.before, c.after) for c in flips] == [("invested", "cash")] * 3
    # the same three flips as the model over the whole reference data (point in time)
    full = evaluate(FolderSource(shared_data_dir).load_many())
    assert [c.subject for c in flips] == list(full.changes("2020-03-13", "2020-03-20")["id"])
    # both weeks are Extreme Fear and no bull market or uptrend: no other alert
    assert state.gauge_band == "Extreme Fear" and not state.bull_market and not state.uptrend
    body = requests[0]["body"]
    assert body["topic"] == "investable-alerts" and body["click"] == f"{APP}?as_of=2020-03-20"
    [delivery] = read_ledger(store).deliveries.values()
    assert requests[0]["headers"]["Idempotency-Key"] == delivery.id


def test_the_bodies_match_the_golden_files(weeks) -> None:
    _, (_, second), requests = weeks
    message = render(second.change_set, APP)
    check_golden("reference_2020-03-20", message, "reference")
    sent = json.loads(json.dumps(requests[0]["body"]))
    assert sent == message.webhook_body("ntfy", "reference", "investable-alerts")
