"""Delivering a message: webhooks (JSON POST through ``requests``) and e-mail (``smtplib``).

**Webhook**: ``POST`` of :meth:`Message.webhook_body` with ``Content-Type: application/json``
and ``Idempotency-Key: <message id>`` (a receiver can drop a repeated delivery). ntfy bodies go
to the server's root (JSON publishing names the topic in the body: the URL's last path part).
Each attempt waits at most ``timeout`` seconds (connect and read); a timeout, a refused
connection, HTTP 429 or a 5xx answer is retried up to ``attempts`` times in all, waiting
``backoff × 2^(n−1)`` seconds before retry n (or the server's ``Retry-After`` seconds, at most
``MAX_WAIT``); any other 4xx fails at once (the URL or body is wrong; retrying cannot help).

**E-mail**: ``smtplib.SMTP(host, port, timeout)``, ``EHLO``, ``STARTTLS`` with a verifying TLS
context (a server that does not offer it fails: no password is sent in the clear), ``EHLO``
again, ``LOGIN`` when a user is set, then the message to every recipient.

Failures raise :class:`DeliveryError` with a one-line message that never contains the URL's path
or query, nor the password: only the host, the status code or the kind of failure.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import requests

from dashboard.alerts.messages import Message
from dashboard.alerts.settings import AlertSettings, SmtpSettings, WebhookSettings

TIMEOUT = 10.0
ATTEMPTS = 3
BACKOFF = 1.0
MAX_WAIT = 30.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "Investable-alerts/1 (+https://github.com/investable)"


class DeliveryError(Exception):
    """A channel could not deliver; the message is one line without secrets."""


class Channel(Protocol):
    """Something a message can be sent to."""

    @property
    def channel_id(self) -> str: ...

    @property
    def display(self) -> str: ...

    def send(self, message: Message, message_id: str) -> None: ...


def ntfy_target(url: str) -> tuple[str, str]:
    """(JSON publishing URL, topic) for an ntfy topic URL: ``https://ntfy.sh/alerts`` ->
    (``https://ntfy.sh/``, ``alerts``); a server under a path keeps its path."""
    parts = urlsplit(url)
    base, _, topic = parts.path.rstrip("/").rpartition("/")
    return urlunsplit((parts.scheme, parts.netloc, base + "/", parts.query, "")), topic


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return min(float(value), MAX_WAIT) if value.isdigit() else None


@dataclass
class WebhookChannel:
    """A webhook (see the module docstring); ``sleep`` is a seam for tests."""

    settings: WebhookSettings
    timeout: float = TIMEOUT
    attempts: int = ATTEMPTS
    backoff: float = BACKOFF
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    @property
    def channel_id(self) -> str:
        return self.settings.channel_id

    @property
    def display(self) -> str:
        return self.settings.display

    def request(self, message: Message, message_id: str) -> tuple[str, dict[str, Any]]:
        """(URL to post to, JSON body)."""
        if self.settings.kind == "ntfy":
            url, topic = ntfy_target(self.settings.url)
            return url, message.webhook_body("ntfy", message_id, topic)
        return self.settings.url, message.webhook_body(self.settings.kind, message_id)

    def send(self, message: Message, message_id: str) -> None:
        url, body = self.request(message, message_id)
        headers = {"User-Agent": USER_AGENT, "Idempotency-Key": message_id}
        host = self.settings.host
        problem = ""
        for attempt in range(1, self.attempts + 1):
            wait = self.backoff * 2 ** (attempt - 1)
            try:
                response = requests.post(url, json=body, headers=headers, timeout=self.timeout)
            except requests.Timeout:
                problem = f"{host} did not answer within {self.timeout:g} s"
            except requests.ConnectionError:
                problem = f"could not connect to {host}"
            except requests.RequestException:
                raise DeliveryError(f"the request to {host} could not be made") from None
            else:
                if response.status_code < 300:
                    return
                problem = f"{host} answered HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUSES:
                    raise DeliveryError(problem)
                wait = _retry_after(response) or wait
            if attempt < self.attempts:
                self.sleep(wait)
        raise DeliveryError(f"{problem} ({self.attempts} attempts)")


@dataclass
class SmtpChannel:
    """An SMTP account (see the module docstring); ``ssl_context`` defaults to the system's
    verifying context (tests pass one that trusts their own certificate)."""

    settings: SmtpSettings
    timeout: float = 20.0
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)

    @property
    def channel_id(self) -> str:
        return self.settings.channel_id

    @property
    def display(self) -> str:
        return self.settings.display

    def send(self, message: Message, message_id: str) -> None:
        smtp = self.settings
        where = f"{smtp.host}:{smtp.port}"
        mail = message.email(smtp.sender, smtp.recipients, message_id)
        try:
            with smtplib.SMTP(smtp.host, smtp.port, timeout=self.timeout) as client:
                client.ehlo()
                if smtp.security == "starttls":
                    if not client.has_extn("starttls"):
                        raise DeliveryError(
                            f"{where} does not offer STARTTLS; nothing was sent (set "
                            "INVESTABLE_SMTP_SECURITY=none only for a relay on this machine)"
                        )
                    client.starttls(context=self.ssl_context or ssl.create_default_context())
                    client.ehlo()
                if smtp.user:
                    client.login(smtp.user, smtp.password)
                client.send_message(mail, smtp.sender, list(smtp.recipients))
        except DeliveryError:
            raise
        except smtplib.SMTPAuthenticationError:
            raise DeliveryError(f"{where} refused the user name or password") from None
        except smtplib.SMTPRecipientsRefused:
            raise DeliveryError(f"{where} refused every recipient") from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"{where} answered SMTP {exc.smtp_code}") from None
        except ssl.SSLError:
            raise DeliveryError(f"{where}: the TLS handshake failed (certificate?)") from None
        except TimeoutError:
            raise DeliveryError(f"{where} did not answer within {self.timeout:g} s") from None
        except (OSError, smtplib.SMTPException):
            raise DeliveryError(f"could not deliver through {where}") from None


def channels_from(settings: AlertSettings) -> list[Channel]:
    """Every configured channel: the webhooks in order, then e-mail."""
    found: list[Channel] = [WebhookChannel(hook) for hook in settings.webhooks]
    if settings.smtp is not None:
        found.append(SmtpChannel(settings.smtp))
    return found
