"""The one place the app caches: series loading keyed on the data folder."""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from data_sources.folder import FolderSource, SeriesInfo
from data_sources.source import SeriesSource

TTL_SECONDS = 900


def data_dir() -> str | None:
    """The manifest folder from ``INVESTABLE_DATA_DIR``, or None for the local store."""
    return os.environ.get("INVESTABLE_DATA_DIR") or None


def _source(folder: str | None) -> SeriesSource:
    if folder:
        return FolderSource(folder)
    from data_sources.store import Store

    return Store()


@st.cache_data(ttl=TTL_SECONDS, show_spinner="Loading series…")
def load_all(folder: str | None) -> dict[str, pd.DataFrame]:
    """Every series of the source, loaded once per ttl."""
    return _source(folder).load_many()


@st.cache_data(ttl=TTL_SECONDS)
def series_status(folder: str | None) -> list[SeriesInfo]:
    """Source, range, rows and last error of every series."""
    source = _source(folder)
    return [source.info(key) for key in source.keys()]  # noqa: SIM118 (a source, not a dict)
