"""The one small interface the rest of the app reads series through.

Both :class:`data_sources.folder.FolderSource` (a manifest folder) and
:class:`data_sources.store.Store` (the local store) satisfy it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import pandas as pd

from data_sources.folder import SeriesInfo


@runtime_checkable
class SeriesSource(Protocol):
    """Anything that can list, load and describe series frames (see ``data_sources.frames``)."""

    def keys(self) -> list[str]: ...

    def load(self, key: str) -> pd.DataFrame: ...

    def load_many(self, keys: list[str] | None = None) -> dict[str, pd.DataFrame]: ...

    def info(self, key: str) -> SeriesInfo: ...
