"""Alert settings from the environment and secrets; secrets never shown."""

from __future__ import annotations

from dashboard.alerts.settings import load_settings, parse_webhook, read_secrets

SLACK = "https://hooks.slack.com/services/T000/B000/SECRETTOKEN"


def test_webhooks_with_and_without_prefixes() -> None:
    settings = load_settings(
        {
            "INVESTABLE_ALERT_WEBHOOKS": f" slack:{SLACK}, discord:https://discord.com/api/"
            "webhooks/1/tok , ntfy:https://ntfy.sh/my-topic,https://example.org/hook?key=k1",
            "INVESTABLE_APP_URL": "https://app.example/",
        }
    )
    assert [(h.kind, h.display) for h in settings.webhooks] == [
        ("slack", "slack: hooks.slack.com/…"),
        ("discord", "discord: discord.com/…"),
        ("ntfy", "ntfy: ntfy.sh/…"),
        ("json", "json: example.org/…"),
    ]
    assert settings.app_url == "https://app.example/" and settings.problems == ()
    assert "SECRETTOKEN" not in repr(settings) and "k1" not in repr(settings)
    assert "SECRETTOKEN" not in settings.webhooks[0].channel_id


def test_bad_webhook_entries_are_reported_without_their_value_and_others_kept() -> None:
    settings = load_settings(
        {
            "INVESTABLE_ALERT_WEBHOOKS": f"ftp://x.example/secret1,slack:{SLACK},ntfy:https://ntfy.sh/"
        }
    )
    assert [h.kind for h in settings.webhooks] == ["slack"]
    assert len(settings.problems) == 2
    assert "entry 1 is not an http(s) URL" in settings.problems[0]
    assert "entry 3" in settings.problems[1]
    assert not any("secret1" in p for p in settings.problems)
    assert parse_webhook("teams:https://x.example/") is None  # unknown prefix: not a URL


def test_smtp_settings_defaults_and_rules() -> None:
    env = {
        "INVESTABLE_SMTP_HOST": "smtp.example.com",
        "INVESTABLE_SMTP_USER": "bot@example.com",
        "INVESTABLE_SMTP_PASSWORD": "hunter2",
        "INVESTABLE_SMTP_TO": "a@example.com, b@example.com",
    }
    smtp = load_settings(env).smtp
    assert smtp is not None
    assert (smtp.port, smtp.sender, smtp.recipients, smtp.security) == (
        587,
        "bot@example.com",
        ("a@example.com", "b@example.com"),
        "starttls",
    )
    assert smtp.display == "email: smtp.example.com (2 recipients)"
    assert "hunter2" not in repr(smtp)
    plain = load_settings({**env, "INVESTABLE_SMTP_SECURITY": "none"})
    assert plain.smtp is None and "only for a relay on this machine" in plain.problems[0]
    local_env = {**env, "INVESTABLE_SMTP_HOST": "127.0.0.1", "INVESTABLE_SMTP_SECURITY": "none"}
    local = load_settings(local_env)
    assert local.smtp is not None and local.smtp.security == "none"
    broken = load_settings({**env, "INVESTABLE_SMTP_PORT": "0", "INVESTABLE_SMTP_TO": ""})
    assert broken.smtp is None
    assert broken.problems == (
        "e-mail is off: INVESTABLE_SMTP_PORT must be a port number such as 587",
        "e-mail is off: INVESTABLE_SMTP_TO names no recipient",
    )
    assert all("hunter2" not in p for p in broken.problems)
    assert load_settings({}).smtp is None and load_settings({}).problems == ()


def test_secrets_file_is_read_and_the_environment_wins(tmp_path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text(
        'INVESTABLE_ALERT_WEBHOOKS = "ntfy:https://ntfy.example/t"\n'
        'INVESTABLE_APP_URL = "https://from-secrets.example/"\n'
        "INVESTABLE_SMTP_PORT = 2525\n"
    )
    secrets = read_secrets(path)
    settings = load_settings({"INVESTABLE_APP_URL": "https://from-env.example/"}, secrets)
    assert [h.display for h in settings.webhooks] == ["ntfy: ntfy.example/…"]
    assert settings.app_url == "https://from-env.example/"
    assert read_secrets(tmp_path / "absent.toml") == {}
    (tmp_path / "bad.toml").write_text("not = [toml")
    assert read_secrets(tmp_path / "bad.toml") == {}
