"""Deliveries to a local HTTP receiver and a local SMTP server (aiosmtpd) on 127.0.0.1: one
message per change set, none on an unchanged refresh, none twice after a crash between sending
and recording, a failing channel retried next time, secrets nowhere in the store."""

from __future__ import annotations

import email
import shutil
import socket
import ssl
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from dashboard import precompute as pre
from dashboard.alerts import ledger as ledger_module
from dashboard.alerts import notify
from dashboard.alerts.channels import DeliveryError, SmtpChannel, WebhookChannel, channels_from
from dashboard.alerts.ledger import LEDGER_ARTIFACT, read_ledger
from dashboard.alerts.settings import load_settings
from dashboard.alerts.states import STATE_ARTIFACT, ModelState
from dashboard.alerts.view import channel_rows, delivery_rows
from data_sources.errors import StoreError
from data_sources.store import Store
from tests.dashboard.alerts_support import Receiver

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "app"
TOKEN = "T000/B000/SECRETTOKEN"


class Mailbox:
    """aiosmtpd handler keeping every message."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture()
def mailbox():
    box = Mailbox()
    box.port = free_port()  # type: ignore[attr-defined]
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


def flip(state: ModelState) -> ModelState:
    """The state with the decision and one vote the other way round."""
    first = next(iter(state.votes))
    votes = {**state.votes, first: None if state.votes[first] else 1.0}
    return replace(state, invested=not state.invested, votes=votes)


def new_generation(store: Store) -> None:
    """A refresh that changes no data (the same folder again): a new generation."""
    store.import_folder(FIXTURE)
    pre.precompute(store)


@pytest.fixture()
def store(tmp_path) -> Store:
    """Generation 1 notified (the baseline); its stored state then flipped so that generation
    2 (the same data) differs from it in the decision, the composite crossing and one vote."""
    chosen = Store(tmp_path / "store", providers={})
    chosen.import_folder(FIXTURE)
    pre.precompute(chosen)
    assert notify(chosen, settings=load_settings({})).note.startswith("first generation")
    state = ModelState.from_json(chosen.read_artifact(STATE_ARTIFACT, 1))
    chosen.write_artifact(STATE_ARTIFACT, flip(state).to_json(), 1)
    new_generation(chosen)
    assert chosen.generation == 2
    return chosen


def settings_for(receiver: Receiver, mailbox: Mailbox | None = None, **extra: str):
    env = {
        "INVESTABLE_ALERT_WEBHOOKS": f"slack:{receiver.url}/services/{TOKEN},{receiver.url}/json",
        "INVESTABLE_APP_URL": "https://investable.example/",
        **extra,
    }
    if mailbox is not None:
        env |= {
            "INVESTABLE_SMTP_HOST": "127.0.0.1",
            "INVESTABLE_SMTP_PORT": str(mailbox.port),
            "INVESTABLE_SMTP_SECURITY": "none",
            "INVESTABLE_SMTP_FROM": "bot@example.com",
            "INVESTABLE_SMTP_TO": "me@example.com",
        }
    return load_settings(env)


def artifacts_text(store: Store) -> str:
    folder = Path(store.storage.root) / "artifacts"
    return "".join(p.read_bytes().decode("latin-1") for p in folder.rglob("*") if p.is_file())


def test_one_message_per_change_set_and_none_when_unchanged(store, mailbox) -> None:
    with Receiver() as receiver:
        settings = settings_for(receiver, mailbox)
        report = notify(store, settings=settings, chart=lambda series, as_of: b"\x89PNGchart")
        assert report.ok and len(report.sent) == 3
        kinds = [c.kind for c in report.change_set.changes]
        assert kinds == ["decision", "vote"]
        assert [r["path"] for r in receiver.requests] == [f"/services/{TOKEN}", "/json"]
        slack, generic = (r["body"] for r in receiver.requests)
        assert (
            set(slack) == {"text"}
            and generic["id"] == receiver.requests[1]["headers"]["Idempotency-Key"]
        )
        assert generic["url"] == f"https://investable.example/?as_of={generic['as_of']}"
        assert len(mailbox.messages) == 1
        mail = email.message_from_bytes(mailbox.messages[0].content)
        assert mail["Subject"] == generic["subject"]
        types = [part.get_content_type() for part in mail.walk()]
        assert "image/png" in types and "text/plain" in types
        # the same generation again, then an unchanged refresh: nothing more
        again = notify(store, settings=settings)
        assert again.sent == [] and again.failed == [] and "nothing new" in again.message
        new_generation(store)
        unchanged = notify(store, settings=settings)
        assert unchanged.change_set is None and unchanged.sent == []
        assert len(receiver.requests) == 2 and len(mailbox.messages) == 1
    assert TOKEN not in artifacts_text(store) and "SECRETTOKEN" not in report.message
    rows = channel_rows(settings, read_ledger(store))
    assert [(r["channel"], r["pending"], r["last"]) for r in rows] == [
        ("slack: 127.0.0.1/…", 0, "sent"),
        ("json: 127.0.0.1/…", 0, "sent"),
        ("email: 127.0.0.1 (1 recipient)", 0, "sent"),
    ]


class Crash(BaseException):
    """The process dies (not an Exception: nothing catches it)."""


def test_no_second_delivery_after_a_crash_between_sending_and_recording(store, monkeypatch) -> None:
    real_write = ledger_module.write_ledger
    writes: list[str] = []

    def crashing_write(target, ledger, generation):
        states = sorted({d.status for d in ledger.deliveries.values()})
        writes.append(",".join(states))
        if "sent" in states:
            raise Crash
        real_write(target, ledger, generation)

    with Receiver() as receiver:
        settings = load_settings({"INVESTABLE_ALERT_WEBHOOKS": f"{receiver.url}/hook"})
        monkeypatch.setattr("dashboard.alerts.write_ledger", crashing_write)
        with pytest.raises(Crash):
            notify(store, settings=settings)
        assert len(receiver.requests) == 1  # delivered, but "sent" was never recorded
        assert writes == ["queued", "sending", "sent"]
        monkeypatch.setattr("dashboard.alerts.write_ledger", real_write)
        report = notify(store, settings=settings)
        assert report.sent == [] and len(report.interrupted) == 1
        new_generation(store)
        notify(store, settings=settings)
        assert len(receiver.requests) == 1
    rows = delivery_rows(read_ledger(store))
    assert [(r["status"], r["attempts"]) for r in rows] == [("interrupted, not resent", 1)]


def test_a_failing_channel_never_blocks_the_others_and_is_retried_next_time(store) -> None:
    waits: list[float] = []
    with Receiver(statuses=[503, 503, 503]) as failing, Receiver() as working:
        settings = load_settings(
            {"INVESTABLE_ALERT_WEBHOOKS": f"{failing.url}/a,discord:{working.url}/b"}
        )
        channels = channels_from(settings)
        for channel in channels:
            channel.sleep = waits.append  # type: ignore[attr-defined]
        report = notify(store, settings=settings, channels=channels)
        assert [d.channel for d in report.failed] == ["json: 127.0.0.1/…"]
        assert report.failed[0].error == "127.0.0.1 answered HTTP 503 (3 attempts)"
        assert waits == [1.0, 2.0]  # backoff 1 s, then 2 s
        assert len(failing.requests) == 3 and len(working.requests) == 1
        assert "retried next refresh" in report.message
        rows = channel_rows(settings, read_ledger(store))
        assert [(r["pending"], r["last"]) for r in rows] == [
            (1, "failed, retried next refresh"),
            (0, "sent"),
        ]
        new_generation(store)  # the next refresh, nothing new: the failed one is retried
        retry = notify(store, settings=settings, channels=channels)
        assert [d.channel for d in retry.sent] == ["json: 127.0.0.1/…"] and retry.ok
        assert len(failing.requests) == 4 and len(working.requests) == 1
        first, last = failing.requests[0], failing.requests[3]
        assert first["body"] == last["body"]
        assert first["headers"]["Idempotency-Key"] == last["headers"]["Idempotency-Key"]
    failing_id = channels[0].channel_id  # the channel ids are hashes: match the id, not a letter
    deliveries = read_ledger(store).deliveries.values()
    # one delivery to the failing channel, tried by both runs (the first, and the retry)
    assert [d.attempts for d in deliveries if d.channel_id == failing_id] == [2]


def test_client_errors_fail_at_once_and_errors_never_show_the_url(store) -> None:
    with Receiver(statuses=[404]) as receiver:
        hook = load_settings(
            {"INVESTABLE_ALERT_WEBHOOKS": f"slack:{receiver.url}/services/{TOKEN}"}
        ).webhooks[0]
        channel = WebhookChannel(hook, sleep=lambda s: None)
        report = notify(store, settings=load_settings({}), channels=[channel])
        assert report.failed[0].error == "127.0.0.1 answered HTTP 404"
        assert len(receiver.requests) == 1
        port = receiver.server.server_address[1]
    closed = WebhookChannel(
        replace(hook, url=f"http://127.0.0.1:{port}/services/{TOKEN}"), sleep=lambda s: None
    )
    with pytest.raises(DeliveryError) as caught:
        closed.send(report_message(store), "x")
    assert str(caught.value) == "could not connect to 127.0.0.1 (3 attempts)"
    assert TOKEN not in artifacts_text(store)


def report_message(store: Store):
    from dashboard.alerts import pending_change_set
    from dashboard.alerts.messages import render

    found = pending_change_set(store)
    assert found is not None
    return render(found)


def test_nothing_is_sent_when_the_store_refuses_the_record(store, monkeypatch) -> None:
    before = {p: p.read_bytes() for p in (Path(store.storage.root) / "artifacts").rglob("*.json")}

    def refuses(*args, **kwargs):
        raise StoreError("the store is read-only")

    monkeypatch.setattr(store, "write_artifact", refuses)
    with Receiver() as receiver:
        report = notify(store, settings=load_settings({"INVESTABLE_ALERT_WEBHOOKS": receiver.url}))
        assert receiver.requests == [] and not report.ok
    assert "nothing sent: the store refused the alert records" in report.problems[0]
    after = {p: p.read_bytes() for p in (Path(store.storage.root) / "artifacts").rglob("*.json")}
    assert after == before
    monkeypatch.undo()
    with Receiver() as receiver:  # the next run compares again and sends
        report = notify(store, settings=load_settings({"INVESTABLE_ALERT_WEBHOOKS": receiver.url}))
        assert len(receiver.requests) == 1 and report.ok


def test_a_damaged_ledger_or_state_is_ignored_not_misread(store) -> None:
    store.write_artifact(LEDGER_ARTIFACT, b"{not json", 1)
    store.write_artifact(STATE_ARTIFACT, b"\x00garbage", 1)
    report = notify(store, settings=load_settings({}))
    # generation 1's state is unreadable: the precomputed model of generation 1 is used instead
    assert report.change_set is None and report.problems == []


@pytest.fixture()
def tls_files(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


def test_smtp_with_starttls_and_login(store, tls_files) -> None:
    key, cert = tls_files
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"hunter2")

    box = Mailbox()
    port = free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, tls_context=server_context,
        require_starttls=True, authenticator=authenticator,
    )  # fmt: skip
    controller.start()
    try:
        env = {
            "INVESTABLE_SMTP_HOST": "127.0.0.1",
            "INVESTABLE_SMTP_PORT": str(port),
            "INVESTABLE_SMTP_USER": "bot@example.com",
            "INVESTABLE_SMTP_PASSWORD": "hunter2",
            "INVESTABLE_SMTP_TO": "me@example.com",
        }
        client_context = ssl.create_default_context(cafile=str(cert))
        smtp = load_settings(env).smtp
        channel = SmtpChannel(smtp, ssl_context=client_context)
        report = notify(store, settings=load_settings({}), channels=[channel], chart=None)
        assert report.ok and len(report.sent) == 1
        assert logins == [(b"bot@example.com", b"hunter2")] and len(box.messages) == 1
        assert box.messages[0].rcpt_tos == ["me@example.com"]
        wrong = SmtpChannel(replace(smtp, password="nope"), timeout=1, ssl_context=client_context)
        with pytest.raises(DeliveryError) as caught:  # aiosmtpd stalls after a refused login
            wrong.send(report_message(store), "x")
        assert str(caught.value) == f"could not deliver through 127.0.0.1:{port}"
        assert len(box.messages) == 1
        untrusted = SmtpChannel(smtp)  # the system's CAs do not trust the test certificate
        with pytest.raises(DeliveryError) as caught:
            untrusted.send(report_message(store), "x")
        assert "TLS handshake failed" in str(caught.value)
        assert "hunter2" not in str(caught.value)
    finally:
        controller.stop()


def test_smtp_refuses_to_send_without_starttls(store, mailbox) -> None:
    smtp = load_settings(
        {"INVESTABLE_SMTP_HOST": "127.0.0.1", "INVESTABLE_SMTP_PORT": str(mailbox.port),
         "INVESTABLE_SMTP_USER": "bot@example.com", "INVESTABLE_SMTP_PASSWORD": "hunter2",
         "INVESTABLE_SMTP_TO": "me@example.com"}
    ).smtp  # fmt: skip
    with pytest.raises(DeliveryError) as caught:
        SmtpChannel(smtp).send(report_message(store), "x")
    assert "does not offer STARTTLS; nothing was sent" in str(caught.value)
    assert mailbox.messages == []
