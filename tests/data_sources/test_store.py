"""The store: imports, merges, atomic writes, staleness, the lock, and failed refreshes that
leave good data byte-for-byte unchanged. Providers are fakes that return fixture payloads
through the real parse step, or fail the way the network does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from data_sources import store as store_module
from data_sources.errors import EmptyPayload, MissingColumn, SourceUnavailable, StoreError
from data_sources.providers import Request
from data_sources.providers.fred import FredProvider
from data_sources.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data_sources"


def _write_folder(folder: Path) -> Path:
    """A two-series manifest folder in the format of ../shared/data."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dgs10.csv").write_text(
        "observation_date,DGS10\n2024-01-02,3.95\n2024-01-03,3.91\n2024-01-04,.\n"
    )
    (folder / "spy.csv").write_text(
        "Date,Open,High,Low,Close,Volume\n2024-01-02,470,473,469,472.6,1\n"
        "2024-01-03,470,471,468,468.8,1\n"
    )
    (folder / "manifest.toml").write_text(
        '[[series."fred:DGS10"]]\nfile = "dgs10.csv"\ndate = "observation_date"\n'
        'fields = { value = "DGS10" }\nfrequency = "D"\n\n'
        '[[series."yahoo:SPY"]]\nfile = "spy.csv"\ndate = "Date"\n'
        'fields = { open = "Open", high = "High", low = "Low", close = "Close", '
        'volume = "Volume" }\nadjusted = true\nfrequency = "D"\n'
    )
    return folder


class FixtureFred(FredProvider):
    """The real FRED provider with its network step replaced by a fixture payload or a failure."""

    def __init__(self, payload: bytes | Exception) -> None:
        super().__init__(key=None)
        self.payload = payload

    def build_request(self, keys):
        return Request(symbols=tuple(k.split(":")[1] for k in keys), options={"api": False})

    def fetch(self, request, timeout):
        if isinstance(self.payload, Exception):
            raise self.payload
        return {sid: self.payload for sid in request.symbols}


@pytest.fixture
def filled(tmp_path) -> Store:
    store = Store(tmp_path / "store", providers={})
    report = store.import_folder(_write_folder(tmp_path / "folder"))
    assert report.ok and report.added == {"fred:DGS10": 2, "yahoo:SPY": 2}
    return store


def test_import_keeps_metadata_and_adjusted_flag(filled) -> None:
    spy = filled.load("yahoo:SPY")
    assert spy.attrs == {"adjusted": True}
    assert spy["adj_close"].tolist() == spy["close"].tolist() == [472.6, 468.8]
    info = filled.info("fred:DGS10")
    assert (info.first, info.last, info.rows) == (
        pd.Timestamp("2024-01-02"),
        pd.Timestamp("2024-01-03"),
        2,
    )
    assert info.source.startswith("folder ") and info.last_error is None
    assert info.fetched_at is not None
    with pytest.raises(KeyError, match="not in the store"):
        filled.load("fred:NOPE")


def test_refresh_appends_new_rows_and_revises_only_the_recent_ones(filled) -> None:
    payload = (FIXTURES / "fredgraph_DGS10.csv").read_bytes()  # 2024-01-02 … 01-05
    filled.providers = {"fred": FixtureFred(payload)}
    progress: list[tuple] = []
    report = filled.refresh(["fred:DGS10"], progress=lambda *a: progress.append(a))
    assert report.ok and report.added == {"fred:DGS10": 2}
    assert progress == [("fred", 1, 1, "fred: 1 of 1 ok")]
    values = filled.load("fred:DGS10")["value"]
    assert values.tolist() == [3.95, 3.91, 3.99, 4.05]
    assert filled.info("fred:DGS10").last == pd.Timestamp("2024-01-05")


def test_old_stored_rows_are_never_dropped_or_rewritten(filled, monkeypatch) -> None:
    monkeypatch.setattr(store_module, "REVISION_WINDOW", 1)
    # The payload lacks 2024-01-02 and revises 2024-01-03 (the one revisable row).
    payload = b"observation_date,DGS10\n2024-01-03,3.90\n2024-01-04,4.00\n"
    filled.providers = {"fred": FixtureFred(payload)}
    filled.refresh(["fred:DGS10"])
    values = filled.load("fred:DGS10")["value"]
    assert values.to_dict() == {
        pd.Timestamp("2024-01-02"): 3.95,
        pd.Timestamp("2024-01-03"): 3.90,
        pd.Timestamp("2024-01-04"): 4.00,
    }


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (SourceUnavailable("https://fred…: no answer within 30 s after 3 attempts"), "no answer"),
        (SourceUnavailable("https://fred…: HTTP 500"), "HTTP 500"),
        (b"", "not a CSV"),  # empty payload
        (b"observation_date,DGS10\n2024-01-05,.\n", "no data rows"),  # nothing usable
        (b"<html><body>maintenance</body></html>", "no date column"),  # malformed
        (b"observation_date,DGS2\n2024-01-05,4.4\n", "'DGS10'"),  # missing column
    ],
)
def test_failed_refresh_leaves_the_file_byte_for_byte_and_records_the_error(
    filled, failure, message
) -> None:
    path = filled._path("fred:DGS10")
    before = path.read_bytes()
    filled.providers = {"fred": FixtureFred(failure)}
    report = filled.refresh(["fred:DGS10"])
    assert not report.ok and message in report.failed["fred:DGS10"]
    assert path.read_bytes() == before
    info = filled.info("fred:DGS10")
    assert message in info.last_error and info.rows == 2
    assert filled.load("fred:DGS10")["value"].tolist() == [3.95, 3.91]


def test_all_sources_unreachable_gives_the_offline_message(filled) -> None:
    filled.providers = {"fred": FixtureFred(SourceUnavailable("cannot connect"))}
    report = filled.refresh(["fred:DGS10"])
    assert report.unreachable
    assert "Live sources are unreachable" in report.message
    assert "python -m data_sources import --from DIR" in report.message


def test_price_payload_missing_a_stored_column_is_refused(filled) -> None:
    class Prices:
        name, manual_page = "yahoo", None

        def build_request(self, keys):
            return Request()

        def fetch(self, request, timeout):
            return None

        def parse(self, payload, keys):
            frame = pd.DataFrame(
                {"close": [470.0]}, index=pd.DatetimeIndex(["2024-01-04"], name="date")
            )
            return {"yahoo:SPY": frame}

    before = filled._path("yahoo:SPY").read_bytes()
    filled.providers = {"yahoo": Prices()}
    report = filled.refresh(["yahoo:SPY"])
    assert "lacks column(s) open, high, low, volume, adj_close" in report.failed["yahoo:SPY"]
    assert filled._path("yahoo:SPY").read_bytes() == before


def test_a_crash_while_writing_leaves_the_old_file_and_no_temporary(filled, monkeypatch) -> None:
    path = filled._path("fred:DGS10")
    before = path.read_bytes()

    def crash(self, target, *args, **kwargs):
        Path(target).write_bytes(b"half a parquet file")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", crash)
    filled.providers = {"fred": FixtureFred((FIXTURES / "fredgraph_DGS10.csv").read_bytes())}
    with pytest.raises(OSError, match="disk full"):
        filled._save(filled._index(), "fred:DGS10", filled.load("fred:DGS10"), "test")
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.tmp"))


def test_refresh_waits_for_the_lock_and_then_gives_up_clearly(filled, monkeypatch) -> None:
    monkeypatch.setattr(store_module, "LOCK_WAIT", 0.2)
    other = Store(filled.root, providers={"fred": FixtureFred(b"")})
    with filled._hold(), pytest.raises(StoreError, match="held the lock"):
        other.refresh(["fred:DGS10"])


def test_unknown_provider_and_file_import_paths(filled) -> None:
    report = filled.refresh(["nowhere:X"])
    assert report.failed == {"nowhere:X": "no live provider for nowhere:X"}
    added = filled.import_file(
        "aaii:sentiment", (FIXTURES / "aaii_sentiment.csv").read_bytes(), "aaii.csv"
    )
    assert added == 3 and filled.load("aaii:sentiment")["bullish"].iloc[-1] == pytest.approx(45)
    with pytest.raises(MissingColumn):
        filled.import_file("naaim:exposure", b"Date,other\n2024-01-01,3\n", "naaim.csv")
    with pytest.raises(EmptyPayload):
        filled.import_file("naaim:exposure", b"", "naaim.csv")
    stored = filled.keys()
    assert "naaim:exposure" not in stored


def test_status_lists_live_series_never_fetched(filled) -> None:
    status = {info.key: info for info in filled.status()}
    assert status["yahoo:SPY"].rows == 2
    assert status["fred:UNRATE"].rows == 0 and status["fred:UNRATE"].fetched_at is None


def test_damaged_index_is_a_clear_error(tmp_path) -> None:
    root = tmp_path / "store"
    root.mkdir()
    (root / "index.json").write_text("{not json")
    with pytest.raises(StoreError, match="is damaged"):
        Store(root, providers={}).keys()


def test_default_root_follows_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "elsewhere"))
    assert Store(providers={}).root == tmp_path / "elsewhere"


def _cli(*args: str, store: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "data_sources", "--store", str(store), *args]
    return subprocess.run(command, capture_output=True, text=True)


def test_cli_import_status_and_failures(tmp_path) -> None:
    store = tmp_path / "store"
    folder = _write_folder(tmp_path / "folder")
    done = _cli("import", "--from", str(folder), store=store)
    assert done.returncode == 0 and "2 series updated (4 new rows)" in done.stdout
    status = _cli("status", store=store)
    assert "fred:DGS10" in status.stdout and "2024-01-03" in status.stdout
    missing = _cli("import", "--from", str(tmp_path / "none"), store=store)
    assert missing.returncode == 2 and "no manifest.toml" in missing.stderr
    bad = tmp_path / "naaim.csv"
    bad.write_text("Date,other\n2024-01-01,3\n")
    refused = _cli("import-file", "--series", "naaim:exposure", str(bad), store=store)
    assert refused.returncode == 2 and "NAAIM" in refused.stderr
    unknown = _cli("import-file", "--series", "fred:DGS10", str(bad), store=store)
    assert unknown.returncode == 2 and "no file format known" in unknown.stderr


@pytest.mark.shared_data
def test_reference_folder_imports_in_full(shared_data_dir, shared_source, tmp_path) -> None:
    store = Store(tmp_path / "store", providers={})
    report = store.import_folder(shared_data_dir)
    assert report.ok and len(report.added) == len(shared_source.keys())
    spy = store.load("yahoo:SPY")
    pd.testing.assert_frame_equal(spy, shared_source.load("yahoo:SPY"), check_freq=False)
    assert store.load("calendar:fomc").index.equals(shared_source.load("calendar:fomc").index)
