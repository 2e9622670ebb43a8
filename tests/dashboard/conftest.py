"""AppTest runs the entry script (dashboard/app.py) on every run, as the Streamlit server does.

Streamlit 1.67's AppTest resets ``PagesManager.uses_pages_directory`` before each run; because
``dashboard/pages/`` exists, every run after the first then executes the page file alone
("pages directory" mode), skipping app.py (and with it the sidebar and the per-run store
generation). The server sets the flag once, and ``st.navigation`` turns it off for good. This
fixture makes AppTest do the same.
"""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager


class _ServerLikePagesManager(PagesManager):
    def __init__(self, *args, **kwargs) -> None:
        PagesManager.uses_pages_directory = False
        super().__init__(*args, **kwargs)


@pytest.fixture(autouse=True)
def server_like_reruns(monkeypatch) -> None:
    monkeypatch.setattr("streamlit.testing.v1.app_test.PagesManager", _ServerLikePagesManager)
