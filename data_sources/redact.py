"""Secrets stay secret: normalise an API key once, and remove it from any text we show.

Rules:

* :func:`normalise_secret` is the one way a key is read: surrounding white space (spaces, tabs,
  a trailing newline from a copied file) and one pair of surrounding quotes (``"…"`` or
  ``'…'``, as pasted from a ``.env`` or TOML file) are removed; an empty result is ``None``.
* :func:`redact` replaces every occurrence of each secret in a text with ``***``: the key as
  given, its normalised form and its URL-encoded forms (``quote`` and ``quote_plus``), because a
  key reaches messages mostly inside URLs.
* :func:`without_query` prints a URL without its query string (where API keys live) and
  without user:password, so an address can be named in a message safely.
* :func:`register_secret` adds a key to the secrets that :class:`RedactingFilter` removes from
  log records; the filter sits on the loggers of the HTTP libraries (urllib3 logs every request
  URL, query included, at DEBUG level).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

MASK = "***"
QUOTES = ('"', "'")
HTTP_LOGGERS = ("urllib3.connectionpool", "urllib3", "requests", "curl_cffi")

_registered: set[str] = set()
_lock = threading.Lock()


def normalise_secret(value: str | None) -> str | None:
    """``'  "abc 123"\\n'`` -> ``'abc 123'``; blank -> ``None``."""
    if value is None:
        return None
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in QUOTES:
        text = text[1:-1].strip()
    return text or None


def _forms(secret: str) -> set[str]:
    forms = {secret}
    normalised = normalise_secret(secret)
    if normalised:
        forms |= {normalised, quote(normalised, safe=""), quote_plus(normalised)}
    return {form for form in forms if form.strip()}


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every form of every non-blank secret replaced by ``***`` (longest first,
    so a key that contains another is removed whole)."""
    forms: set[str] = set()
    for secret in secrets:
        if secret and secret.strip():
            forms |= _forms(secret)
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


def without_query(url: str) -> str:
    """``https://user:pw@host/path?api_key=K#x`` -> ``https://host/path``."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class RedactingFilter(logging.Filter):
    """Removes every registered secret from a log record's message (and leaves the record in)."""

    def filter(self, record: logging.LogRecord) -> bool:
        with _lock:
            secrets = set(_registered)
        if not secrets:
            return True
        message = record.getMessage()
        cleaned = redact(message, secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


FILTER = RedactingFilter()


def register_secret(secret: str | None) -> None:
    """Remember ``secret`` (normalised) for :class:`RedactingFilter`, and make sure the filter
    sits on the HTTP libraries' loggers."""
    normalised = normalise_secret(secret)
    if not normalised:
        return
    with _lock:
        _registered.add(normalised)
    for name in HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if FILTER not in logger.filters:
            logger.addFilter(FILTER)
