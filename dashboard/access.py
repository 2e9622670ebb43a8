"""Read-only replicas: who may write to the store from this app.

Rules:

* The app is **read-only** when the environment variable ``INVESTABLE_READ_ONLY`` is one of
  ``1, true, yes, on`` (any case) or ``read_only = true`` is set in ``st.secrets``. A read-only
  app shows no refresh button, no upload and no setting that writes to the store. Viewers' own
  settings (thresholds, costs, publication lags, the as-of date) live in their session and stay.
* ``admin_password`` in ``st.secrets`` unlocks writing for one browser session: the Data page
  asks for it, compares it with :func:`hmac.compare_digest` (constant time), and remembers only
  that this session is unlocked. The password is never shown, stored in the session or logged.
* A manifest folder (``INVESTABLE_DATA_DIR``) is never written, read-only or not.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from typing import Any

import streamlit as st

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
UNLOCKED = "admin_unlocked"


def secret(name: str) -> Any:
    """``st.secrets[name]``, or None (no secrets.toml at all is the normal case)."""
    try:
        return st.secrets.get(name)
    except Exception:  # no secrets.toml at all is the normal case
        return None


def secrets() -> dict[str, Any]:
    """The app's top-level secrets as a plain dict ({} without a secrets.toml)."""
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except Exception:  # no secrets.toml at all is the normal case
        return {}


def truthy(value: Any) -> bool:
    """``True``, or text such as 1/true/yes/on (any case)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE_WORDS if value is not None else False


def read_only_setting(environ: Mapping[str, str] | None = None, configured: Any = None) -> bool:
    """True when ``INVESTABLE_READ_ONLY`` (environment) or ``configured`` (the ``read_only``
    secret) is true."""
    environ = os.environ if environ is None else environ
    return truthy(environ.get("INVESTABLE_READ_ONLY")) or truthy(configured)


def read_only() -> bool:
    """This deployment is a read-only replica (environment or secrets)."""
    return read_only_setting(configured=secret("read_only"))


def password_matches(given: str, expected: str | None) -> bool:
    """``given`` equals the configured password (constant-time; never true without one)."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def admin_configured() -> bool:
    """An ``admin_password`` is set in secrets (so a session can unlock writing)."""
    return bool(secret("admin_password"))


def unlocked() -> bool:
    """This session entered the admin password."""
    return bool(st.session_state.get(UNLOCKED))


def can_write() -> bool:
    """This session may refresh and upload: the app is not read-only, or it is unlocked."""
    return not read_only() or unlocked()


def unlock(given: str) -> bool:
    """Unlock writing for this session when ``given`` is the admin password."""
    if password_matches(given, secret("admin_password")):
        st.session_state[UNLOCKED] = True
        return True
    return False


def lock() -> None:
    """Give up this session's admin rights."""
    st.session_state.pop(UNLOCKED, None)
