"""Live data providers. Each one has three separately testable steps:

* ``build_request(keys) -> Request``: what to ask for (URL, parameters, symbols);
* ``fetch(request, timeout) -> payload``: the **only** network step (tests replace it);
* ``parse(payload, keys) -> {key: series frame}``: pure, tested on fixture payloads.

``download(keys, timeout)`` chains them. The registry maps a provider name (the part of a series
key before the colon) to its provider.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd


@dataclass(frozen=True)
class Request:
    """What a provider will fetch: one or more URLs, or symbols for a client library."""

    urls: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)


class Provider(Protocol):
    name: str
    manual_page: str | None

    def build_request(self, keys: Sequence[str]) -> Request: ...

    def fetch(self, request: Request, timeout: float) -> Any: ...

    def parse(self, payload: Any, keys: Sequence[str]) -> dict[str, pd.DataFrame]: ...


def download(provider: Provider, keys: Sequence[str], timeout: float) -> dict[str, pd.DataFrame]:
    """``parse(fetch(build_request(keys)))``."""
    request = provider.build_request(keys)
    return provider.parse(provider.fetch(request, timeout), keys)


def symbol_of(key: str) -> str:
    """``"fred:DGS10"`` -> ``"DGS10"``."""
    return key.split(":", 1)[1]
