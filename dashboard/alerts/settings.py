"""Which channels alerts go to, from the environment or the app's secrets.

Names (environment variables, or the same keys at the top level of ``.streamlit/secrets.toml``
when running inside the app; the environment wins where both are set):

* ``INVESTABLE_ALERT_WEBHOOKS``: comma-separated ``http(s)`` URLs, each optionally prefixed
  ``slack:``, ``discord:`` or ``ntfy:`` for that service's JSON body (no prefix: Investable's
  own JSON body, see :mod:`dashboard.alerts.messages`).
* ``INVESTABLE_SMTP_HOST`` (required for e-mail), ``INVESTABLE_SMTP_PORT`` (default 587),
  ``INVESTABLE_SMTP_USER`` / ``INVESTABLE_SMTP_PASSWORD`` (log in only when a user is given),
  ``INVESTABLE_SMTP_FROM`` (default: the user), ``INVESTABLE_SMTP_TO`` (comma-separated, required),
  ``INVESTABLE_SMTP_SECURITY``: ``starttls`` (default; the connection is upgraded with STARTTLS
  and the server's certificate verified before any password is sent) or ``none`` (plain SMTP,
  accepted only for a relay on this machine: localhost, 127.0.0.1, ::1).
* ``INVESTABLE_APP_URL``: the app's address, for the link to the as-of date (``?as_of=…``).

Webhook URLs carry tokens and SMTP passwords are secrets: outside this module a channel is
shown only as :attr:`WebhookSettings.display` (``slack: hooks.slack.com/…``, the host only) and
identified by :attr:`WebhookSettings.channel_id` (a hash). A setting that cannot be used becomes
a one-line problem (without its value) and the other channels still work.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

WEBHOOKS = "INVESTABLE_ALERT_WEBHOOKS"
APP_URL = "INVESTABLE_APP_URL"
SMTP_PREFIX = "INVESTABLE_SMTP_"
WEBHOOK_KINDS = ("slack", "discord", "ntfy")
DEFAULT_SMTP_PORT = 587
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
SECRETS_FILE = Path(".streamlit") / "secrets.toml"


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class WebhookSettings:
    """One webhook: ``kind`` is slack, discord, ntfy or json; ``url`` is secret."""

    kind: str
    url: str = field(repr=False)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "?"

    @property
    def display(self) -> str:
        return f"{self.kind}: {self.host}/…"

    @property
    def channel_id(self) -> str:
        return f"webhook-{_hash(self.kind, self.url)}"


@dataclass(frozen=True)
class SmtpSettings:
    """One SMTP account and its recipients; ``password`` is secret."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str = ""
    password: str = field(default="", repr=False)
    security: str = "starttls"

    @property
    def display(self) -> str:
        count = len(self.recipients)
        return f"email: {self.host} ({count} recipient{'s' if count != 1 else ''})"

    @property
    def channel_id(self) -> str:
        return f"email-{_hash(self.host, str(self.port), self.sender, *self.recipients)}"


@dataclass(frozen=True)
class AlertSettings:
    """Every configured channel, the app's address, and the settings that could not be used."""

    webhooks: tuple[WebhookSettings, ...] = ()
    smtp: SmtpSettings | None = None
    app_url: str = ""
    problems: tuple[str, ...] = ()


def read_secrets(path: Path | None = None) -> dict[str, Any]:
    """The top-level keys of the app's ``secrets.toml`` (default ``.streamlit/secrets.toml`` in
    the working folder); {} when the file is absent or not TOML."""
    chosen = SECRETS_FILE if path is None else path
    try:
        with open(chosen, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_webhook(entry: str) -> WebhookSettings | None:
    """``[slack:|discord:|ntfy:]http(s)://…`` -> settings; None when it is not such a URL."""
    kind, url = "json", entry
    prefix, _, rest = entry.partition(":")
    if prefix.lower() in WEBHOOK_KINDS:
        kind, url = prefix.lower(), rest.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if kind == "ntfy" and not parts.path.strip("/"):
        return None
    return WebhookSettings(kind, url)


def _webhooks(text: str) -> tuple[list[WebhookSettings], list[str]]:
    found, problems = [], []
    for position, entry in enumerate(_split(text), start=1):
        parsed = parse_webhook(entry)
        if parsed is None:
            problems.append(
                f"{WEBHOOKS}: entry {position} is not an http(s) URL (optionally prefixed "
                "slack:, discord: or ntfy:; an ntfy URL names its topic); it is ignored"
            )
        else:
            found.append(parsed)
    return found, problems


def _smtp(value: Mapping[str, str]) -> tuple[SmtpSettings | None, list[str]]:
    host = value.get("HOST", "").strip()
    if not host:
        return None, []
    user = value.get("USER", "").strip()
    sender = value.get("FROM", "").strip() or user
    recipients = tuple(_split(value.get("TO", "")))
    security = (value.get("SECURITY", "").strip() or "starttls").lower()
    port_text = value.get("PORT", "").strip() or str(DEFAULT_SMTP_PORT)
    problems = []
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        problems.append(f"{SMTP_PREFIX}PORT must be a port number such as 587")
    if not recipients:
        problems.append(f"{SMTP_PREFIX}TO names no recipient")
    if "@" not in sender:
        problems.append(f"{SMTP_PREFIX}FROM (or {SMTP_PREFIX}USER) must be an e-mail address")
    if security not in ("starttls", "none"):
        problems.append(f"{SMTP_PREFIX}SECURITY must be starttls or none")
    elif security == "none" and host.lower() not in LOOPBACK_HOSTS:
        problems.append(
            f"{SMTP_PREFIX}SECURITY=none is accepted only for a relay on this machine "
            "(localhost); use starttls"
        )
    if problems:
        return None, [f"e-mail is off: {problem}" for problem in problems]
    smtp = SmtpSettings(
        host=host,
        port=int(port_text),
        sender=sender,
        recipients=recipients,
        user=user,
        password=value.get("PASSWORD", ""),
        security=security,
    )
    return smtp, []


def load_settings(
    environ: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None
) -> AlertSettings:
    """The alert settings from ``environ`` (default ``os.environ``) over ``secrets`` (the app's
    ``st.secrets`` or :func:`read_secrets`; default none: the CLI reads the environment)."""
    env = os.environ if environ is None else environ
    merged: dict[str, str] = {
        str(k): str(v) for k, v in (secrets or {}).items() if isinstance(v, str | int)
    }
    merged.update({k: v for k, v in env.items() if k.startswith("INVESTABLE_") and v.strip()})
    webhooks, problems = _webhooks(merged.get(WEBHOOKS, ""))
    smtp_values = {k[len(SMTP_PREFIX) :]: v for k, v in merged.items() if k.startswith(SMTP_PREFIX)}
    smtp, smtp_problems = _smtp(smtp_values)
    return AlertSettings(
        webhooks=tuple(webhooks),
        smtp=smtp,
        app_url=merged.get(APP_URL, "").strip(),
        problems=tuple(problems + smtp_problems),
    )
