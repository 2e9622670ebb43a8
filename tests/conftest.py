"""Shared test fixtures.

``shared_data_dir`` is the real reference data folder (``../shared/data`` beside the checkout);
tests that use it skip, with the reason, where it is absent.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("INVESTABLE_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    if not (SHARED_DATA / "manifest.toml").is_file():
        pytest.skip(f"reference data folder not found at {SHARED_DATA}; set INVESTABLE_SHARED_DATA")
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_source(shared_data_dir: Path):
    """The reference folder as a FolderSource, read once per test session."""
    from data_sources.folder import FolderSource

    return FolderSource(shared_data_dir)


@pytest.fixture(scope="session", autouse=True)
def close_the_shared_chart_browser():
    """The app's report panel keeps one chart browser for the process; close it when the
    session ends (before the interpreter's exit handlers), if a test started it."""
    yield
    charts = sys.modules.get("dashboard.report_charts")
    if charts is not None:
        charts.close_shared_browser()
