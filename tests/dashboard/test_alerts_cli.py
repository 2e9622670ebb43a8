"""``investable alerts test|preview|status`` and the after-commit hook (precompute, then
notify; a failing notify never fails the refresh)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard import cli as investable
from tests.dashboard.alerts_support import Receiver
from tests.dashboard.test_alerts_delivery import FIXTURE, TOKEN, store  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch) -> None:
    for name in ("INVESTABLE_ALERT_WEBHOOKS", "INVESTABLE_SMTP_HOST", "INVESTABLE_APP_URL"):
        monkeypatch.delenv(name, raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = investable.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_status_and_test_without_channels(capsys, tmp_path) -> None:
    code, out, _ = run(capsys, "alerts", "status", "--store", str(tmp_path / "s"))
    assert code == 0 and "no alert channel is configured" in out and "no deliveries yet" in out
    code, _, err = run(capsys, "alerts", "test", "--store", str(tmp_path / "s"))
    assert code == 2 and err.startswith("error: no alert channel is configured")


def test_test_sends_a_sample_to_every_channel(capsys, monkeypatch, store) -> None:  # noqa: F811
    with Receiver() as working:
        monkeypatch.setenv(
            "INVESTABLE_ALERT_WEBHOOKS",
            f"slack:{working.url}/services/{TOKEN},discord:http://127.0.0.1:9/x, nonsense",
        )
        monkeypatch.setattr("dashboard.alerts.channels.BACKOFF", 0.0)
        code, out, err = run(capsys, "alerts", "test", "--store", str(store.root))
        assert code == 1
        assert "  sent    slack: 127.0.0.1/…" in out
        assert "  FAILED  discord: 127.0.0.1/…: could not connect to 127.0.0.1" in out
        assert "entry 3 is not an http(s) URL" in err
        assert "a test message" in working.requests[0]["body"]["text"]
        assert TOKEN not in out + err


def test_preview_prints_what_the_last_refresh_would_send(capsys, monkeypatch, store) -> None:  # noqa: F811
    monkeypatch.setenv("INVESTABLE_APP_URL", "https://investable.example/")
    code, out, _ = run(capsys, "alerts", "preview", "--store", str(store.root))
    assert code == 0 and out.startswith("Subject: Investable ")
    assert "To: no channel configured" in out and "Decision:" in out
    code, out, _ = run(capsys, "alerts", "preview", "--store", str(store.root), "--format", "json")
    payload = json.loads(out)
    assert payload["changes"][0]["kind"] == "decision" and payload["url"].endswith(payload["as_of"])
    assert store.read_artifact("alerts/ledger.json", 2) is None  # preview sends and writes nothing


def test_status_lists_channels_and_deliveries(capsys, monkeypatch, store) -> None:  # noqa: F811
    from dashboard.alerts import notify

    with Receiver() as receiver:
        monkeypatch.setenv("INVESTABLE_ALERT_WEBHOOKS", f"ntfy:{receiver.url}/topic-{TOKEN}")
        notify(store)
    code, out, _ = run(capsys, "alerts", "status", "--store", str(store.root))
    assert code == 0 and "ntfy: 127.0.0.1/…" in out and "pending 0  last: sent" in out
    code, out, _ = run(capsys, "alerts", "status", "--store", str(store.root), "--format", "json")
    payload = json.loads(out)
    assert [d["status"] for d in payload["deliveries"]] == ["sent"]
    assert TOKEN not in out


def test_the_hook_runs_precompute_then_notify_and_a_failure_is_only_reported(
    capsys, monkeypatch, tmp_path: Path
) -> None:
    location = str(tmp_path / "store")
    with Receiver() as receiver:
        monkeypatch.setenv("INVESTABLE_ALERT_WEBHOOKS", receiver.url)
        code, _, err = run(capsys, "import", "--from", str(FIXTURE), "--store", location)
        assert code == 0 and "precompute:" in err
        assert "alerts: first generation with a model; nothing to compare with" in err
        code, _, err = run(capsys, "import", "--from", str(FIXTURE), "--store", location)
        assert code == 0 and "alerts: nothing changed" in err
        assert receiver.requests == []

    def broken(target):
        raise RuntimeError("the ledger exploded")

    monkeypatch.setattr("dashboard.alerts.notify", broken)
    code, _, err = run(capsys, "import", "--from", str(FIXTURE), "--store", location)
    assert code == 0
    assert "alerts: not sent (the ledger exploded); the next refresh tries again" in err
