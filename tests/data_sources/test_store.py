"""The store's contract, on a local folder and on a real S3 API (moto's server): imports,
merges, generations, garbage collection, artifacts, rollback, the lease, the old layout, and
failures that leave every stored byte as it was. Providers are fakes that return fixture
payloads through the real parse step, or fail the way the network does."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from data_sources import merge as merge_module
from data_sources.__main__ import main as cli_main
from data_sources.errors import EmptyPayload, MissingColumn, SourceUnavailable, StoreError
from data_sources.providers import ProviderRecord
from data_sources.providers.fred import FredProvider
from data_sources.store import KEEP_GENERATIONS, Change, Store, StoreBusy
from tests.data_sources.manifest_folder import write_folder

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data_sources"
DAYS = pd.DatetimeIndex(["2024-01-02", "2024-01-03"], name="date")


class FixtureFred(FredProvider):
    """The real FRED provider (its ``download`` and parser) with its network step, ``_fetch``,
    replaced by a fixture payload or a failure."""

    def __init__(self, payload: bytes | Exception) -> None:
        super().__init__(key=None)
        self.payload = payload

    def _fetch(self, series_id, deadline):
        if isinstance(self.payload, Exception):
            raise self.payload
        return self.payload


class Fake:
    """A provider of the new contract: fixed results per key (frame or error)."""

    def __init__(self, name: str, results: dict, budget: float = 30.0) -> None:
        self.record = ProviderRecord(name, name, "https://example.invalid", None, budget=budget)
        self.results = results
        self.calls: list[tuple] = []

    def download(self, keys, *, deadline, stored_last, progress=None):
        self.calls.append((tuple(keys), dict(stored_last)))
        return {key: self.results[key] for key in keys if key in self.results}


def values(numbers, start="2024-01-02") -> pd.DataFrame:
    index = pd.bdate_range(start, periods=len(numbers), name="date")
    return pd.DataFrame({"value": [float(n) for n in numbers]}, index=index)


def open_store(where, **kwargs) -> Store:
    return Store(where.location, storage_options=where.options, **kwargs)


def data_bytes(store: Store) -> dict[str, bytes]:
    """Every committed byte: pointer, manifests, objects, artifacts (not status or lease)."""
    names = [
        *store.storage.list("generations"),
        *store.storage.list("objects"),
        *store.storage.list("artifacts"),
    ]
    found = {name: store.storage.read(name) for name in names}
    found["current.json"] = store.storage.read("current.json")
    return found


def object_bytes(store: Store, key: str) -> bytes:
    snapshot = store._snapshot()
    return store.storage.read(snapshot.series[key]["object"])


@pytest.fixture
def filled(where, tmp_path) -> Store:
    store = open_store(where, providers={})
    report = store.import_folder(write_folder(tmp_path / "folder"))
    assert report.ok and report.added == {"fred:DGS10": 2, "yahoo:SPY": 2}
    assert report.generation == 1 == store.generation
    return store


def test_import_keeps_metadata_and_adjusted_flag(filled) -> None:
    spy = filled.load("yahoo:SPY")
    assert spy.attrs == {"adjusted": True}
    assert spy["adj_close"].tolist() == spy["close"].tolist() == [472.6, 468.8]
    info = filled.info("fred:DGS10")
    assert (info.first, info.last, info.rows) == (DAYS[0], DAYS[1], 2)
    assert info.source.startswith("folder ") and info.last_error is None
    assert info.fetched_at is not None
    with pytest.raises(KeyError, match="not in the store"):
        filled.load("fred:NOPE")
    (generation,) = filled.generations()
    assert generation.number == 1 and generation.kind == "import"
    assert set(generation.changes) == {Change("fred:DGS10", 2, 0), Change("yahoo:SPY", 2, 0)}


def test_refresh_appends_new_rows_and_revises_only_the_recent_ones(filled) -> None:
    payload = (FIXTURES / "fredgraph_DGS10.csv").read_bytes()  # 2024-01-02 … 01-05
    filled.providers = {"fred": FixtureFred(payload)}
    progress: list[tuple] = []
    report = filled.refresh(["fred:DGS10"], progress=lambda *a: progress.append(a))
    assert report.ok and report.added == {"fred:DGS10": 2} and report.revised == {"fred:DGS10": 0}
    assert report.generation == 2 == filled.generation
    assert progress == [
        ("fred", 0, 1, "FRED DGS10: ok (1 of 1)"),
        ("fred", 1, 1, "fred: 1 of 1 ok"),
    ]
    assert filled.load("fred:DGS10")["value"].tolist() == [3.95, 3.91, 3.99, 4.05]
    assert filled.info("fred:DGS10").last == pd.Timestamp("2024-01-05")
    assert filled.generations()[0].changes == (Change("fred:DGS10", 2, 0),)


def test_old_stored_rows_are_never_dropped_and_revisions_are_counted(filled, monkeypatch) -> None:
    monkeypatch.setattr(merge_module, "REVISION_WINDOW", 1)
    # The payload lacks 2024-01-02 and revises 2024-01-03 (the one revisable row).
    payload = b"observation_date,DGS10\n2024-01-02,9.99\n2024-01-03,3.90\n2024-01-04,4.00\n"
    filled.providers = {"fred": FixtureFred(payload)}
    report = filled.refresh(["fred:DGS10"])
    assert (report.added, report.revised) == ({"fred:DGS10": 1}, {"fred:DGS10": 1})
    assert "1 rows revised" in report.message
    assert filled.load("fred:DGS10")["value"].to_dict() == {
        pd.Timestamp("2024-01-02"): 3.95,  # outside the window: kept although the payload differs
        pd.Timestamp("2024-01-03"): 3.90,
        pd.Timestamp("2024-01-04"): 4.00,
    }


FAILURES = [
    (SourceUnavailable("https://fred…: no answer within 30 s after 3 attempts"), "no answer"),
    (SourceUnavailable("https://fred…: HTTP 500"), "HTTP 500"),
    (b"", "not a CSV"),  # empty payload
    (b"observation_date,DGS10\n2024-01-05,.\n", "no data rows"),  # nothing usable
    (b"<html><body>maintenance</body></html>", "no date column"),  # malformed
    (b"observation_date,DGS2\n2024-01-05,4.4\n", "'DGS10'"),  # missing column
]


@pytest.mark.parametrize(
    ("where", "failure", "message"),
    [("s3", *FAILURES[0])] + [("folder", *failure) for failure in FAILURES],
    indirect=["where"],
)
def test_errors_only_refresh_keeps_every_byte_and_records_the_error(
    filled, failure, message
) -> None:
    before = data_bytes(filled)
    filled.providers = {"fred": FixtureFred(failure)}
    report = filled.refresh(["fred:DGS10"])
    assert not report.ok and message in report.failed["fred:DGS10"]
    assert report.generation == 1  # nothing landed: no new generation
    assert data_bytes(filled) == before
    info = filled.info("fred:DGS10")
    assert message in info.last_error and info.rows == 2
    attempt = filled.attempts()["fred:DGS10"]
    assert message in attempt.error and attempt.at is not None
    assert filled.load("fred:DGS10")["value"].tolist() == [3.95, 3.91]
    # a later success clears the error
    filled.providers = {"fred": FixtureFred((FIXTURES / "fredgraph_DGS10.csv").read_bytes())}
    assert filled.refresh(["fred:DGS10"]).ok
    assert filled.info("fred:DGS10").last_error is None


def test_one_failing_series_keeps_its_object_while_the_others_land(filled) -> None:
    spy_before = object_bytes(filled, "yahoo:SPY")
    filled.providers = {
        "fred": Fake("fred", {"fred:DGS10": values([3.95, 3.91, 4.2])}),
        "yahoo": Fake("yahoo", {"yahoo:SPY": EmptyPayload("Yahoo sent no prices for SPY")}),
    }
    report = filled.refresh(["fred:DGS10", "yahoo:SPY"])
    assert report.added == {"fred:DGS10": 1} and "no prices" in report.failed["yahoo:SPY"]
    assert object_bytes(filled, "yahoo:SPY") == spy_before
    manifest = filled._snapshot().manifest
    assert "no prices" in manifest["series"]["yahoo:SPY"]["last_error"]
    assert filled.generations()[0].changes[-1] == Change(
        "yahoo:SPY", 0, 0, "Yahoo sent no prices for SPY"
    )


def test_all_sources_unreachable_gives_the_offline_message(filled) -> None:
    filled.providers = {"fred": FixtureFred(SourceUnavailable("cannot connect"))}
    report = filled.refresh(["fred:DGS10"])
    assert report.unreachable
    assert "Live sources are unreachable" in report.message
    assert "investable import --from DIR" in report.message


def test_price_payload_missing_a_stored_column_is_refused(filled) -> None:
    before = data_bytes(filled)
    frame = pd.DataFrame({"close": [470.0]}, index=pd.DatetimeIndex(["2024-01-04"], name="date"))
    filled.providers = {"yahoo": Fake("yahoo", {"yahoo:SPY": frame})}
    report = filled.refresh(["yahoo:SPY"])
    assert "lacks column(s) open, high, low, volume, adj_close" in report.failed["yahoo:SPY"]
    assert data_bytes(filled) == before


def test_generations_are_kept_five_deep_and_unreferenced_objects_collected(where) -> None:
    store = open_store(where, providers={})
    for number in range(1, 7):
        store.import_file("fred:DGS10", values([number] * 3), f"v{number}.csv")
        assert store.generation == number
    kept = [g.number for g in store.generations()]
    assert kept == [6, 5, 4, 3, 2] and len(kept) == KEEP_GENERATIONS
    assert all(g.kind == "import" for g in store.generations())
    # version n is 3 rows of n, revised whole (window 3): each kept generation has its own
    # object, and generation 1's is gone
    objects = store.storage.list("objects")
    assert len(objects) == 5
    assert store.storage.list("generations") == [f"generations/{n:08d}.json" for n in kept[::-1]]
    assert store.load("fred:DGS10")["value"].tolist() == [6.0, 6.0, 6.0]


def test_artifacts_belong_to_a_generation_and_go_with_it(where) -> None:
    store = open_store(where, providers={})
    store.import_file("fred:DGS10", values([1, 2]), "a.csv")
    store.write_artifact("model/weekly.parquet", b"gen1", 1)
    assert store.read_artifact("model/weekly.parquet") == b"gen1"
    assert store.read_artifact("nothing.json") is None
    for number in range(2, 7):
        store.import_file("fred:DGS10", values([1, 2, number]), f"{number}.csv")
    assert store.read_artifact("model/weekly.parquet") is None  # current is 6
    assert store.read_artifact("model/weekly.parquet", generation=1) is None  # pruned
    assert store.storage.list("artifacts") == []
    with pytest.raises(StoreError, match="generation 1 is not kept"):
        store.write_artifact("model/weekly.parquet", b"late", 1)
    with pytest.raises(StoreError, match="not a usable artifact name"):
        store.write_artifact("../escape", b"x", 6)
    store.write_artifact("snapshot.json", b"{}", 2)
    assert store.read_artifact("snapshot.json", generation=2) == b"{}"


def test_rollback_commits_the_old_state_and_says_what_it_undid(filled) -> None:
    filled.write_artifact("snapshot.json", b"one", 1)
    filled.providers = {"fred": Fake("fred", {"fred:DGS10": values([3.95, 3.91, 4.0, 4.1])})}
    filled.refresh(["fred:DGS10"])
    assert filled.load("fred:DGS10")["value"].tolist() == [3.95, 3.91, 4.0, 4.1]
    generation = filled.rollback(1)
    assert (generation.number, generation.kind) == (3, "rollback")
    assert generation.note == "rolled back to generation 1, undoing generation(s) 2"
    assert generation.changes == (Change("fred:DGS10", -2, 0),)
    assert filled.generation == 3
    assert filled.load("fred:DGS10")["value"].tolist() == [3.95, 3.91]
    assert filled.read_artifact("snapshot.json") == b"one"  # same data, same artifacts
    before = data_bytes(filled)
    with pytest.raises(StoreError, match="generation 9 is not kept"):
        filled.rollback(9)
    with pytest.raises(StoreError, match="already the current one"):
        filled.rollback(3)
    assert data_bytes(filled) == before


def test_a_second_writer_is_told_who_holds_the_lease_and_until_when(filled) -> None:
    other = Store(filled.location, providers={}, storage_options=filled.storage.fs.storage_options)
    before = data_bytes(filled)
    with filled._writing():
        with pytest.raises(StoreBusy, match=r"being written by .+ \(lease held until 20\d\d-"):
            other.import_file("fred:DGS10", values([1, 2, 3]), "x.csv")
        with pytest.raises(StoreBusy):
            other.rollback(1)
        assert other.load("fred:DGS10")["value"].tolist() == [3.95, 3.91]  # readers read on
    assert data_bytes(filled) == before
    other.import_file("fred:DGS10", values([3.95, 3.91, 3]), "x.csv")  # free again
    assert filled.generation == 2


def test_an_expired_lease_is_taken_over(filled) -> None:
    stale = {
        "owner": "elsewhere:1:abc",
        "host": "elsewhere",
        "pid": 1,
        "acquired_at": time.time() - 120,
        "expires_at": time.time() - 60,
    }
    filled.storage.write("lease.json", json.dumps(stale).encode())
    filled.import_file("fred:DGS10", values([3.95, 3.91, 5.0]), "x.csv")
    assert filled.generation == 2 and filled.storage.read("lease.json") is None
    live = {**stale, "expires_at": time.time() + 60}
    filled.storage.write("lease.json", json.dumps(live).encode())
    with pytest.raises(StoreBusy, match="elsewhere:1:abc"):
        filled.import_file("fred:DGS10", values([3.95, 3.91, 6.0]), "x.csv")


def test_file_imports_and_their_failures(filled) -> None:
    report = filled.refresh(["nowhere:X"])
    assert report.failed == {"nowhere:X": "no live provider for nowhere:X"}
    added = filled.import_file(
        "aaii:sentiment", (FIXTURES / "aaii_sentiment.csv").read_bytes(), "aaii.csv"
    )
    assert added == 3 and filled.load("aaii:sentiment")["bullish"].iloc[-1] == pytest.approx(45)
    before = data_bytes(filled)
    with pytest.raises(MissingColumn):
        filled.import_file("naaim:exposure", b"Date,other\n2024-01-01,3\n", "naaim.csv")
    with pytest.raises(EmptyPayload):
        filled.import_file("naaim:exposure", b"", "naaim.csv")
    assert "naaim:exposure" not in set(filled.keys())
    assert data_bytes(filled) == before


def test_validator_sees_fetched_and_stored_and_its_refusal_keeps_the_bytes(where, tmp_path):
    seen: list[tuple] = []

    def validator(key, fetched, stored):
        seen.append((key, len(fetched), None if stored is None else len(stored)))
        if fetched["value"].min() < 0:
            raise EmptyPayload(f"{key}: negative values are impossible")

    store = open_store(where, providers={}, validator=validator)
    store.import_file("fred:DGS10", values([1, 2]), "a.csv")
    before = data_bytes(store)
    store.providers = {"fred": Fake("fred", {"fred:DGS10": values([1, 2, -3])})}
    report = store.refresh(["fred:DGS10"])
    assert report.failed == {"fred:DGS10": "fred:DGS10: negative values are impossible"}
    assert seen == [("fred:DGS10", 2, None), ("fred:DGS10", 3, 2)]
    assert data_bytes(store) == before


def test_status_lists_live_series_never_fetched(filled) -> None:
    status = {info.key: info for info in filled.status()}
    assert status["yahoo:SPY"].rows == 2
    assert status["fred:UNRATE"].rows == 0 and status["fred:UNRATE"].fetched_at is None


def test_an_empty_store_reads_without_writing(where) -> None:
    store = open_store(where, providers={})
    assert store.is_empty() and store.generation is None and store.generations() == []
    assert store.keys() == [] and store.load_many() == {}
    assert store.read_artifact("x") is None
    assert store.storage.list("") == []


def test_damaged_pointer_or_missing_manifest_is_a_clear_error(filled) -> None:
    filled.storage.write("current.json", b"{not json")
    with pytest.raises(StoreError, match=r"current\.json is damaged"):
        filled.keys()
    filled.storage.write("current.json", b'{"generation": 7, "manifest": "generations/7.json"}')
    with pytest.raises(StoreError, match=r"manifest generations/7\.json is missing"):
        filled.load("fred:DGS10")


def test_previous_layout_is_read_as_generation_zero_and_migrated_on_write(tmp_path) -> None:
    root = tmp_path / "old"
    (root / "series").mkdir(parents=True)
    frame = values([3.95, 3.91])
    frame.to_parquet(root / "series" / "fred%3ADGS10.parquet")
    index = {
        "fred:DGS10": {
            "source": "fred", "frequency": "D", "first": "2024-01-02T00:00:00",
            "last": "2024-01-03T00:00:00", "rows": 2, "adjusted": False,
            "fetched_at": "2025-01-01T00:00:00+00:00", "last_error": None, "notes": [],
        },
        "fred:UNRATE": {"source": "fred", "rows": 0, "last_error": "HTTP 500",
                        "failed_at": "2025-01-02T00:00:00+00:00"},
    }  # fmt: skip
    (root / "index.json").write_text(json.dumps(index))
    store = Store(root, providers={})
    assert store.generation == 0 and store.keys() == ["fred:DGS10"]
    assert store.load("fred:DGS10")["value"].tolist() == [3.95, 3.91]
    assert store.info("fred:UNRATE").last_error == "HTTP 500"
    assert not (root / "current.json").exists()  # reading wrote nothing
    store.import_file("fred:DGS10", values([3.95, 3.91, 4.0]), "x.csv")
    assert [g.number for g in store.generations()] == [1, 0]
    assert store.load("fred:DGS10")["value"].tolist() == [3.95, 3.91, 4.0]
    assert store.info("fred:UNRATE").last_error == "HTTP 500"
    assert store.rollback(0).number == 2
    assert store.load("fred:DGS10")["value"].tolist() == [3.95, 3.91]


def test_damaged_old_index_is_a_clear_error(tmp_path) -> None:
    root = tmp_path / "store"
    root.mkdir()
    (root / "index.json").write_text("{not json")
    with pytest.raises(StoreError, match="is damaged"):
        Store(root, providers={}).keys()


def test_location_follows_the_environment_and_a_file_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("INVESTABLE_STORE", str(tmp_path / "elsewhere"))
    assert Store(providers={}).location == str(tmp_path / "elsewhere")
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="is a file; the store needs a folder"):
        Store(tmp_path / "file", providers={})
    monkeypatch.setenv("INVESTABLE_STORE", "s3://KEYID:SECRET@bucket/prefix")
    assert Store(providers={}).location == "s3://bucket/prefix"


def test_s3_endpoint_and_credentials_from_the_environment(
    moto_endpoint, make_bucket, monkeypatch
) -> None:
    """botocore's AWS_ENDPOINT_URL_S3 and AWS_* credentials, without storage_options."""
    location = make_bucket()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_endpoint)
    store = Store(location, providers={}, storage_options={"skip_instance_cache": True})
    store.import_file("fred:DGS10", values([1, 2]), "a.csv")
    assert store.generation == 1 and store.location == location


def test_memory_url_store_works_with_the_read_back_lease() -> None:
    store = Store("memory://investable-test/store", providers={})
    assert not store.storage.conditional
    store.import_file("fred:DGS10", values([1, 2]), "a.csv")
    assert Store("memory://investable-test/store", providers={}).keys() == ["fred:DGS10"]


def _cli(*args: str, store: Path) -> subprocess.CompletedProcess:
    """The CLI in this process (its entry point ``main``; a subprocess costs 3 s of imports)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(["--store", str(store), *args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def test_cli_import_status_and_failures(tmp_path) -> None:
    store = tmp_path / "store"
    folder = write_folder(tmp_path / "folder")
    command = [sys.executable, "-m", "data_sources", "--store", str(store), "status"]
    assert subprocess.run(command, capture_output=True).returncode == 0  # the real entry
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
