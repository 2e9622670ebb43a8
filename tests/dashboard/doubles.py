"""Test doubles for the app's tests: a store with generations and artifacts (the store contract
being merged), recording providers, and a guard that records every attempt to reach a network.

``GenerationStore`` is the real :class:`data_sources.store.Store` (generations, ``location``,
artifacts) with a ``root`` path for the tests that read its folder.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from data_sources.errors import SourceUnavailable
from data_sources.store import Store


class GenerationStore(Store):
    """The real store (it has generations, ``location`` and artifacts now), with ``root``, the
    local folder these tests read, kept for them."""

    @property
    def root(self) -> Path:
        return Path(self.location)


class NetworkGuard:
    """Records every provider fetch and every outside connection attempted while installed."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def record(self, what: str) -> None:
        self.calls.append(what)
        raise SourceUnavailable(f"the test forbids the network ({what})")

    def install(self, monkeypatch: Any) -> NetworkGuard:
        guard = self

        class Refusing:
            def __init__(self, name: str) -> None:
                self.name = name

            def download(self, *args: Any, **kwargs: Any) -> Any:
                guard.record(f"{self.name}.download")

        names = ["yahoo", "fred", "aaii", "naaim", "cboe", "finra", "shiller"]
        for target in ("data_sources.store", "data_sources.registry"):  # as each imports it
            monkeypatch.setattr(
                f"{target}.default_providers",
                lambda fred_key=None: {name: Refusing(name) for name in names},
            )
        monkeypatch.setattr(
            "data_sources.http.get_bytes", lambda *a, **k: guard.record("http.get_bytes")
        )
        monkeypatch.setattr("yfinance.download", lambda *a, **k: guard.record("yfinance"))
        real_connect = socket.socket.connect

        def connect(sock: socket.socket, address: Any) -> Any:
            host = address[0] if isinstance(address, tuple) else str(address)
            if host not in ("127.0.0.1", "::1", "localhost") and not str(host).startswith("/"):
                guard.record(f"socket to {host}")
            return real_connect(sock, address)

        monkeypatch.setattr(socket.socket, "connect", connect)
        return self
