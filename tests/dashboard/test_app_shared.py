"""AppTest over the reference data in ../shared/data: every page, real numbers, a past week."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.labels import series_name

APP = str(Path(__file__).parents[2] / "dashboard" / "app.py")
PAGES = ["indicators", "composite", "levels", "regimes", "data"]

pytestmark = pytest.mark.shared_data


def _start(monkeypatch, folder, **query) -> AppTest:
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(folder))
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def test_every_page_on_the_reference_data(shared_data_dir, shared_source, monkeypatch):
    at = _start(monkeypatch, shared_data_dir)
    close = shared_source.load("yahoo:SPY")["adj_close"].dropna()
    # Second method: the 200-day average as a plain mean of the last 200 closes.
    expected_gap = close.iloc[-1] / close.iloc[-200:].mean() - 1
    assert _metric(at, "SPY close (dividend-adjusted)").value == f"{close.iloc[-1]:,.2f}"
    assert _metric(at, "SPY close (dividend-adjusted)").delta == f"{expected_gap:+.1%} vs 200-day"
    assert _metric(at, "Composite").value == "0.80"  # 12 of 15 available say invested
    for page in PAGES:
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.message for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
    names = [series_name(key) for key in shared_source.keys()]  # noqa: SIM118 (a source)
    assert list(at.dataframe[0].value["Series"]) == names


def test_june_2022_from_the_address(shared_data_dir, monkeypatch):
    """The snapshot CLI's 2022-06-17 figures: composite 0.556 (10 of 18), cash."""
    at = _start(monkeypatch, shared_data_dir, as_of="2022-06-19")
    assert _metric(at, "Composite").value == "0.56"
    text = "\n".join(m.value for m in at.markdown)
    assert "CASH" in text
    assert "2022-06-17" in "\n".join(c.value for c in at.caption)
    assert "2022-06-21" in "\n".join(c.value for c in at.caption)  # Juneteenth Monday
