"""Refresh orchestration: providers run concurrently, each series isolated, time bounded by the
refresh's deadline and each provider's budget; a provider bug costs only its own keys."""

from __future__ import annotations

import json
import threading
import time

import pandas as pd
import pytest

from data_sources.errors import BadPayload
from data_sources.providers import ProviderRecord
from data_sources.store import Store, StoreBusy


def values(numbers, start="2024-01-02") -> pd.DataFrame:
    index = pd.bdate_range(start, periods=len(numbers), name="date")
    return pd.DataFrame({"value": [float(n) for n in numbers]}, index=index)


class Fake:
    """A provider of the new contract with a fixed latency, or one that hangs or raises."""

    def __init__(self, name, results=None, *, delay=0.0, budget=30.0, hang=None, bug=None):
        self.record = ProviderRecord(name, name, "https://example.invalid", None, budget=budget)
        self.results = results or {}
        self.delay, self.hang, self.bug = delay, hang, bug
        self.deadlines: list[float] = []

    def download(self, keys, *, deadline, stored_last, progress=None):
        self.deadlines.append(deadline.seconds)
        if progress is not None:
            progress(f"{self.record.name}: asking for {len(keys)} series")
        if self.hang is not None:
            self.hang.wait()  # never set in the test: a hung socket
        time.sleep(self.delay)
        if self.bug is not None:
            raise self.bug
        return {key: self.results[key] for key in keys if key in self.results}


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store", providers={})


def test_one_bad_series_of_three_leaves_the_other_two_updated(store) -> None:
    store.import_file("fred:B", values([1, 2]), "b.csv")
    before = store.storage.read(store._snapshot().series["fred:B"]["object"])
    store.providers = {
        "fred": Fake(
            "fred",
            {
                "fred:A": values([1, 2, 3]),
                "fred:B": BadPayload("FRED B: HTTP 404 (series does not exist)"),
                "fred:C": values([7, 8]),
            },
        )
    }
    report = store.refresh(["fred:A", "fred:B", "fred:C"])
    assert report.added == {"fred:A": 3, "fred:C": 2}
    assert report.failed == {"fred:B": "FRED B: HTTP 404 (series does not exist)"}
    assert store.storage.read(store._snapshot().series["fred:B"]["object"]) == before
    assert store.info("fred:B").last_error == "FRED B: HTTP 404 (series does not exist)"
    assert store.info("fred:A").last_error is None


def test_a_provider_that_raises_costs_only_its_own_keys(store) -> None:
    store.providers = {
        "fred": Fake("fred", bug=IndexError("array index out of range")),
        "yahoo": Fake("yahoo", {"yahoo:SPY": values([1, 2]).rename(columns={"value": "close"})}),
    }
    report = store.refresh(["fred:A", "fred:B", "yahoo:SPY"])
    assert report.added == {"yahoo:SPY": 2}
    assert set(report.failed) == {"fred:A", "fred:B"}
    assert report.failed["fred:A"].startswith("fred failed unexpectedly (IndexError: ")
    assert not report.unreachable


def test_a_key_the_provider_forgets_gets_its_own_error(store) -> None:
    store.providers = {"fred": Fake("fred", {"fred:A": values([1])})}
    report = store.refresh(["fred:A", "fred:B"])
    assert report.failed == {"fred:B": "fred sent nothing for fred:B"}


def test_a_hung_provider_ends_at_the_refresh_deadline_and_the_rest_commits(store) -> None:
    never = threading.Event()
    store.providers = {
        "cboe": Fake("cboe", hang=never),
        "fred": Fake("fred", {"fred:A": values([1, 2])}, delay=0.05),
    }
    lines: list[tuple] = []
    started = time.monotonic()
    report = store.refresh(
        ["cboe:total_put_call", "fred:A"], deadline=0.6, progress=lambda *a: lines.append(a)
    )
    took = time.monotonic() - started
    assert took < 0.6 + 1.0, took  # deadline + GRACE (0.5 s) + commit
    assert report.added == {"fred:A": 2}
    assert report.failed == {
        "cboe:total_put_call": "cboe: no answer within 0.6 s; the stored data is kept"
    }
    assert store.generation == 1
    assert ("fred", 1, 2, "fred: 1 of 1 ok") in lines and ("cboe", 2, 2, "cboe: 0 of 1 ok") in lines
    assert ("cboe", 0, 2, "cboe: asking for 1 series") in lines
    # the lease is free again although the hung thread still runs
    assert store.storage.read("lease.json") is None
    never.set()


def test_each_provider_gets_its_budget_within_the_deadline(store) -> None:
    slow = Fake("naaim", hang=threading.Event(), budget=0.3)
    fast = Fake("fred", {"fred:A": values([1])}, budget=200.0)
    store.providers = {"naaim": slow, "fred": fast}
    started = time.monotonic()
    report = store.refresh(["naaim:exposure", "fred:A"], deadline=30)
    assert time.monotonic() - started < 0.3 + 1.0
    message = "naaim: no answer within 0.3 s; the stored data is kept"
    assert report.failed == {"naaim:exposure": message}
    assert slow.deadlines == [pytest.approx(0.3, abs=0.01)]
    assert fast.deadlines == [pytest.approx(30, abs=0.1)]  # the budget is capped by the deadline


def test_providers_run_concurrently(store) -> None:
    store.providers = {
        name: Fake(name, {f"{name}:X": values([1])}, delay=0.3) for name in ("a", "b", "c", "d")
    }
    started = time.monotonic()
    report = store.refresh(["a:X", "b:X", "c:X", "d:X"])
    assert len(report.added) == 4
    assert time.monotonic() - started < 0.3 * 2  # not 4 × 0.3 s


def test_stored_last_dates_reach_the_provider(store) -> None:
    store.import_file("fred:A", values([1, 2]), "a.csv")
    fake = Fake("fred", {"fred:A": values([1, 2, 3])})
    calls = []
    original = fake.download

    def spy(keys, **kwargs):
        calls.append(kwargs["stored_last"])
        return original(keys, **kwargs)

    fake.download = spy
    store.providers = {"fred": fake}
    store.refresh(["fred:A", "fred:B"])
    assert calls == [{"fred:A": pd.Timestamp("2024-01-03"), "fred:B": None}]


def test_a_long_refresh_keeps_its_lease_by_renewing_it(tmp_path) -> None:
    store = Store(tmp_path / "store", providers={}, lease_seconds=0.3)
    store.providers = {"fred": Fake("fred", {"fred:A": values([1, 2])}, delay=0.8)}
    report = store.refresh(["fred:A"])  # 0.8 s > the 0.3 s lease: renewed every 0.1 s
    assert report.ok and store.generation == 1


def test_a_writer_that_lost_its_lease_commits_nothing(tmp_path) -> None:
    store = Store(tmp_path / "store", providers={})
    store.import_file("fred:A", values([1, 2]), "a.csv")
    pointer = store.storage.read("current.json")
    thief = {"owner": "elsewhere:9:x", "host": "elsewhere", "pid": 9, "expires_at": 4e9}

    class Stealing(Fake):
        def download(self, keys, **kwargs):
            store.storage.write("lease.json", json.dumps(thief).encode())
            return super().download(keys, **kwargs)

    store.providers = {"fred": Stealing("fred", {"fred:A": values([1, 2, 3])})}
    with pytest.raises(StoreBusy, match="abandoned: another writer took over the lease"):
        store.refresh(["fred:A"])
    assert store.storage.read("current.json") == pointer
    assert store.load("fred:A")["value"].tolist() == [1.0, 2.0]
    assert json.loads(store.storage.read("lease.json"))["owner"] == "elsewhere:9:x"
