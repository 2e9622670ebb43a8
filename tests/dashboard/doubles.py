"""Test doubles for the app's tests: providers built to the store's ``download`` protocol that
answer from the app fixture (or fail as an offline provider does), and a guard that records every
attempt to reach a network.

The store itself is the real :class:`data_sources.store.Store` on a temporary folder.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from data_sources.deadline import Deadline
from data_sources.errors import SeriesNotFound, SourceUnavailable
from data_sources.folder import FolderSource
from data_sources.providers import Progress, ProviderRecord, SeriesResult
from data_sources.registry import RECORDS

FIXTURE = Path(__file__).parents[1] / "fixtures" / "app"
PROVIDER_NAMES = tuple(RECORDS)


class FixtureProvider:
    """Answers every key the app fixture's manifest folder holds with its frame; any other key
    with ``SeriesNotFound`` (as a live provider does for a symbol it does not know)."""

    def __init__(self, name: str, folder: Path = FIXTURE) -> None:
        self.record: ProviderRecord = RECORDS[name]
        self.source = FolderSource(folder)
        self.calls = 0

    def download(
        self,
        keys: Sequence[str],
        *,
        deadline: Deadline,
        stored_last: Mapping[str, pd.Timestamp | None],
        progress: Progress | None = None,
    ) -> dict[str, SeriesResult]:
        self.calls += 1
        held = set(self.source.keys())
        return {
            key: self.source.load(key)
            if key in held
            else SeriesNotFound(f"{key} is not in the fixture")
            for key in keys
        }


class OfflineProvider:
    """A provider whose every request finds no network."""

    def __init__(self, name: str) -> None:
        self.record: ProviderRecord = RECORDS[name]
        self.calls = 0

    def download(self, keys: Sequence[str], **kwargs: Any) -> dict[str, SeriesResult]:
        self.calls += 1
        error = SourceUnavailable(f"{self.record.display_name} is unreachable: no network")
        return dict.fromkeys(keys, error)


def install_providers(monkeypatch: Any, providers: Mapping[str, Any]) -> None:
    """Make every store the app opens use ``providers`` (patched where the store imports
    ``default_providers`` and where the registry defines it)."""
    chosen = dict(providers)
    targets = ("data_sources.store.default_providers", "data_sources.registry.default_providers")
    for target in targets:
        monkeypatch.setattr(target, lambda fred_key=None: dict(chosen))


class NetworkGuard:
    """Records every provider download and every outside connection attempted while installed."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def record(self, what: str) -> None:
        self.calls.append(what)
        raise SourceUnavailable(f"the test forbids the network ({what})")

    def install(self, monkeypatch: Any) -> NetworkGuard:
        guard = self

        class Refusing:
            def __init__(self, name: str) -> None:
                self.record_of = RECORDS[name]
                self.name = name

            @property
            def record(self) -> ProviderRecord:
                return self.record_of

            def download(self, *args: Any, **kwargs: Any) -> Any:
                guard.record(f"{self.name}.download")

        install_providers(monkeypatch, {name: Refusing(name) for name in PROVIDER_NAMES})
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
