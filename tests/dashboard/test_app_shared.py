"""AppTest over the reference data in ../shared/data."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parents[2] / "dashboard" / "app.py")


def test_overview_and_data_pages_run(shared_data_dir, shared_source, monkeypatch):
    monkeypatch.setenv("INVESTABLE_DATA_DIR", str(shared_data_dir))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    close = shared_source.load("yahoo:SPY")["adj_close"].dropna()
    # Second method: the 200-day average as a plain mean of the last 200 closes.
    expected_gap = close.iloc[-1] / close.iloc[-200:].mean() - 1
    assert at.metric[0].label == "SPY close"
    assert at.metric[0].value == f"{close.iloc[-1]:,.2f}"
    assert at.metric[0].delta == f"{expected_gap:+.1%} vs 200-day"
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert list(at.dataframe[0].value["Series"]) == shared_source.keys()
