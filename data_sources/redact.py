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
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

MASK = "***"
QUOTES = ('"', "'")


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
