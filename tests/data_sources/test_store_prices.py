"""Dividend-adjusted prices: Yahoo rebases the whole adjusted history after every dividend, so
a price payload that covers the stored range replaces it whole, and one that does not is
refused. Total return after any number of refreshes equals a fresh download's."""

from __future__ import annotations

import pandas as pd
import pytest

from data_sources.errors import BadPayload
from data_sources.frames import tidy_frame
from data_sources.providers import ProviderRecord
from data_sources.store import Store

DAYS = pd.bdate_range("2024-03-04", periods=6, name="date")
CLOSE = [100.0, 101.0, 102.0, 100.0, 103.0, 104.0]
DIVIDEND = 1.0  # ex-date DAYS[3]; previous close 102


def download(as_of: int, first: int = 0) -> pd.DataFrame:
    """What Yahoo sends on day ``as_of`` (rows ``first`` … ``as_of``): adjusted close = close ×
    (1 − dividend / previous close) for rows before an ex-date on or before ``as_of``."""
    factor = 1 - DIVIDEND / CLOSE[2] if as_of >= 3 else 1.0
    rows = range(first, as_of + 1)
    close = [CLOSE[i] for i in rows]
    adjusted = [CLOSE[i] * (factor if i < 3 else 1.0) for i in rows]
    return pd.DataFrame(
        {"open": close, "high": close, "low": close, "close": close, "volume": 1.0,
         "adj_close": adjusted},
        index=DAYS[list(rows)],
    )  # fmt: skip


class Yahoo:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.record = ProviderRecord("yahoo", "Yahoo Finance", "https://finance.yahoo.com", None)
        self.frame = frame

    def download(self, keys, *, deadline, stored_last, progress=None):
        return {"yahoo:SPY": self.frame}


def refresh(store: Store, frame: pd.DataFrame):
    store.providers = {"yahoo": Yahoo(frame)}
    return store.refresh(["yahoo:SPY"])


def test_a_rebased_history_replaces_the_stored_one_whole(tmp_path) -> None:
    store = Store(tmp_path / "store", providers={})
    assert refresh(store, download(2)).added == {"yahoo:SPY": 3}
    report = refresh(store, download(5))
    assert report.added == {"yahoo:SPY": 3} and report.revised == {"yahoo:SPY": 3}
    assert report.notes == {"yahoo:SPY": "replaced whole (3 stored rows rebased)"}
    stored = store.load("yahoo:SPY")
    pd.testing.assert_frame_equal(stored, download(5), check_freq=False)
    total = stored["adj_close"].iloc[-1] / stored["adj_close"].iloc[0]
    assert total == pytest.approx(104 * 102 / (100 * 101), rel=1e-12)  # 104 / (100 × 101/102)


def test_a_payload_that_does_not_cover_the_stored_range_is_refused(tmp_path) -> None:
    store = Store(tmp_path / "store", providers={})
    refresh(store, download(3))
    before = store.storage.read(store._snapshot().series["yahoo:SPY"]["object"])
    pointer = store.storage.read("current.json")
    short = refresh(store, download(5, first=1))  # a "1 year" download: starts later
    assert "lacks 1 stored date(s) (first 2024-03-04" in short.failed["yahoo:SPY"]
    assert "Adjusted prices cannot be spliced" in short.failed["yahoo:SPY"]
    holed = download(5).drop(DAYS[2])  # a stored date missing in the middle
    assert "first 2024-03-06" in refresh(store, holed).failed["yahoo:SPY"]
    assert store.storage.read("current.json") == pointer
    assert store.storage.read(store._snapshot().series["yahoo:SPY"]["object"]) == before
    same_start = refresh(store, download(5))  # boundary: first date equal to the stored first
    assert same_start.ok and store.load("yahoo:SPY")["adj_close"].iloc[0] == pytest.approx(
        100 * (1 - 1 / 102)
    )


def test_import_file_of_prices_follows_the_same_rule(tmp_path) -> None:
    store = Store(tmp_path / "store", providers={})
    store.import_file("yahoo:SPY", download(5), "spy.csv")
    with pytest.raises(BadPayload, match="cannot be spliced"):
        store.import_file("yahoo:SPY", download(5, first=2), "spy-recent.csv")
    assert len(store.load("yahoo:SPY")) == 6


@pytest.mark.shared_data
def test_total_return_after_many_refreshes_equals_a_fresh_download(
    shared_data_dir, tmp_path
) -> None:
    """Real SPY (close and adjusted close, 1993-01-29 to 2024-01-24). A download on day d has
    Yahoo's adjusted history as of d: adj_t(d) = adj_t × close_d / adj_d (the later dividends'
    factors divided out). Refreshed at seven dates, the store's total return over the whole
    range equals that of one fresh download at the end, to 1e-9."""
    raw = pd.read_csv(shared_data_dir / "yahoo" / "SPY.csv", dtype=str)
    fields = {"open": "Open", "high": "High", "low": "Low", "close": "Close",
              "volume": "Volume", "adj_close": "Adj Close"}  # fmt: skip
    spy = tidy_frame(raw, "Date", fields, source="SPY.csv")

    def as_of(day: str) -> pd.DataFrame:
        part = spy.loc[:day].copy()
        part["adj_close"] = part["adj_close"] * part["close"].iloc[-1] / part["adj_close"].iloc[-1]
        return part

    cuts = ["2005-12-30", "2010-06-30", "2015-12-31", "2019-12-31", "2021-06-30", "2022-12-30",
            "2024-01-24"]  # fmt: skip
    store = Store(tmp_path / "store", providers={})
    spliced = None
    for cut in cuts:
        report = refresh(store, as_of(cut))
        assert report.ok, report.failed
        assert store.load("yahoo:SPY").index[-1] == pd.Timestamp(cut)
        fresh = as_of(cut)
        new = fresh[fresh.index > spliced.index[-1]] if spliced is not None else fresh
        spliced = pd.concat([spliced, new]) if spliced is not None else fresh
    final = as_of(cuts[-1])
    stored = store.load("yahoo:SPY")["adj_close"]
    assert stored.index.equals(final.index)
    fresh_return = final["adj_close"].iloc[-1] / final["adj_close"].iloc[0]
    stored_return = stored.iloc[-1] / stored.iloc[0]
    assert stored_return == pytest.approx(fresh_return, rel=1e-9)
    # the previous round's splice (old rows kept, newer rows appended) is visibly wrong
    spliced_return = spliced["adj_close"].iloc[-1] / spliced["adj_close"].iloc[0]
    assert abs(spliced_return / fresh_return - 1) > 0.01


def test_a_raw_download_replacing_an_auto_adjusted_import_drops_the_adjusted_flag(tmp_path):
    """A folder in yfinance's auto_adjust layout (close already adjusted) is replaced by a
    download with the quoted close and a separate adj_close: the flag follows the payload."""
    store = Store(tmp_path / "store", providers={})
    imported = download(5).assign(close=download(5)["adj_close"])
    imported.attrs["adjusted"] = True
    store.import_file("yahoo:SPY", imported, "spy_adjusted.csv")
    assert store.info("yahoo:SPY").adjusted and store.load("yahoo:SPY").attrs == {"adjusted": True}
    assert refresh(store, download(5)).ok
    assert not store.info("yahoo:SPY").adjusted and store.load("yahoo:SPY").attrs == {}
    assert store.load("yahoo:SPY")["close"].tolist() == CLOSE
