"""Test doubles for the app's tests: a store with generations and artifacts (the store contract
being merged), recording providers, and a guard that records every attempt to reach a network.

``GenerationStore`` is today's :class:`data_sources.store.Store` plus the contract's
``generation`` (a counter bumped by every write), ``location``, ``read_artifact`` and
``write_artifact`` (files under ``artifacts/<generation>/``). Once the real store has them, the
tests can use it directly.
"""

from __future__ import annotations

import socket
from typing import Any

from data_sources.errors import SourceUnavailable
from data_sources.store import RefreshReport, Store

GENERATION_FILE = "generation.txt"


class GenerationStore(Store):
    """Store + generations and artifacts (see the module docstring)."""

    @property
    def location(self) -> str:
        return str(self.root)

    @property
    def generation(self) -> int | None:
        path = self.root / GENERATION_FILE
        return int(path.read_text()) if path.is_file() else None

    def _bump(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / GENERATION_FILE).write_text(str((self.generation or 0) + 1))

    def import_folder(self, folder: Any) -> RefreshReport:
        report = super().import_folder(folder)
        self._bump()
        return report

    def import_file(self, key: str, data: bytes, filename: str) -> int:
        added = super().import_file(key, data, filename)
        self._bump()
        return added

    def refresh(self, keys: Any = None, progress: Any = None, **kwargs: Any) -> RefreshReport:
        report = super().refresh(keys, progress=progress)
        if report.added:
            self._bump()
        return report

    def write_artifact(self, name: str, data: bytes, generation: int) -> None:
        path = self.root / "artifacts" / str(generation) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def read_artifact(self, name: str, generation: int | None = None) -> bytes | None:
        generation = self.generation if generation is None else generation
        path = self.root / "artifacts" / str(generation) / name
        return path.read_bytes() if path.is_file() else None


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

            def build_request(self, keys: Any) -> Any:
                guard.record(f"{self.name}.build_request")

            def fetch(self, request: Any, timeout: float) -> Any:
                guard.record(f"{self.name}.fetch")

            def download(self, *args: Any, **kwargs: Any) -> Any:
                guard.record(f"{self.name}.download")

        names = ["yahoo", "fred", "aaii", "naaim", "cboe", "finra", "shiller"]
        # raising=False: the store being merged may name these differently; the socket guard
        # and get_bytes below still catch a fetch.
        monkeypatch.setattr(
            "data_sources.store.default_providers",
            lambda fred_key=None: {name: Refusing(name) for name in names},
            raising=False,
        )
        for target in ("data_sources.store.download", "data_sources.providers.download"):
            monkeypatch.setattr(target, lambda *a, _t=target, **k: guard.record(_t), raising=False)
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
