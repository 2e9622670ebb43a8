"""The background refresher, tested directly (no Streamlit): one job per store however many
sessions ask, failures remembered with a doubling back-off, and the generation a landed refresh
leaves behind (which the app's caches are keyed by)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dashboard.refresher import (
    BACKOFF_FIRST,
    BACKOFF_MAX,
    Refresher,
    backoff_seconds,
    refresh_failed,
)
from dashboard.state import store_generation
from data_sources.lease import StoreBusy
from data_sources.store import RefreshReport, Store
from tests.dashboard.doubles import FixtureProvider

FIXTURE = Path(__file__).parents[2] / "tests" / "fixtures" / "app"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class ScriptedStore:
    """A store whose refresh blocks until released and returns (or raises) what it is told."""

    outcome: RefreshReport | Exception
    release: threading.Event = field(default_factory=threading.Event)
    calls: int = 0
    generation: int | None = 1

    def refresh(self, *args, progress=None, **kwargs) -> RefreshReport:
        self.calls += 1
        if progress is not None:
            progress("yahoo", 1, 2, "yahoo: 1 of 1 ok")
        assert self.release.wait(10)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        if self.outcome.added:
            self.generation = (self.generation or 0) + 1
        return self.outcome


def _refresher(store: ScriptedStore, clock: Clock, committed: list | None = None) -> Refresher:
    return Refresher(
        lambda: store,
        after_commit=(committed.append if committed is not None else lambda s: None),
        generation_of=lambda s: s.generation,
        clock=clock,
    )


def test_two_sessions_asking_start_one_job() -> None:
    store, clock, committed = ScriptedStore(RefreshReport(added={"yahoo:SPY": 3})), Clock(), []
    job = _refresher(store, clock, committed)
    assert job.start() is True
    assert job.start() is False  # a second session joins the running job
    assert job.start(force=True) is False  # even an explicit press while it runs
    running = job.state()
    assert running.running and running.runs == 1
    store.release.set()
    assert job.wait(10)
    assert store.calls == 1
    done = job.state()
    assert done.succeeded and not done.running
    assert done.message == "1 series updated (3 new rows)"
    assert done.lines == ("yahoo: 1 of 1 ok",) and (done.done, done.total) == (1, 2)
    assert committed == [store]  # precompute ran once, after the commit
    assert done.generation == 2


def test_concurrent_starts_from_many_threads_run_once() -> None:
    store, clock = ScriptedStore(RefreshReport(added={"yahoo:SPY": 1})), Clock()
    job = _refresher(store, clock)
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(job.start())) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.release.set()
    job.wait(10)
    assert results.count(True) == 1 and store.calls == 1


@pytest.mark.parametrize(
    "outcome",
    [
        RefreshReport(failed={"yahoo:SPY": "offline"}, unreachable=True),
        RefreshReport(failed={"yahoo:SPY": "bad payload"}),  # nothing stored at all
        StoreBusy("another writer holds the store's lease"),
    ],
    ids=["unreachable", "all-failed", "store-busy"],
)
def test_failures_back_off_doubling_to_an_hour(outcome) -> None:
    store, clock, committed = ScriptedStore(outcome), Clock(), []
    store.release.set()
    job = _refresher(store, clock, committed)
    waits = []
    for _ in range(7):
        assert job.start() is True
        job.wait(10)
        state = job.state()
        assert state.succeeded is False
        waits.append(state.retry_at - clock.now)
        clock.now += waits[-1] - 1  # one second before the back-off ends: no new start
        assert job.start() is False
        clock.now += 1  # the back-off has passed
    assert waits == [300.0, 600.0, 1200.0, 2400.0, 3600.0, 3600.0, 3600.0]
    assert store.calls == 7 and committed == []
    if isinstance(outcome, Exception):
        assert job.state().message == "another writer holds the store's lease"


def test_an_explicit_start_overrides_the_back_off_and_a_success_clears_it() -> None:
    store, clock = ScriptedStore(RefreshReport(failed={"a:b": "x"}, unreachable=True)), Clock()
    store.release.set()
    job = _refresher(store, clock)
    job.start()
    job.wait(10)
    assert job.state().backing_off(clock.now)
    assert job.start() is False
    store.outcome = RefreshReport(added={"yahoo:SPY": 2}, failed={"fred:DGS10": "timeout"})
    assert job.start(force=True) is True
    job.wait(10)
    state = job.state()
    assert state.succeeded  # a partial refresh committed data: not a failure
    assert (state.failures, state.retry_at) == (0, None)
    assert state.failed_series == {"fred:DGS10": "timeout"}


def test_a_failing_precompute_is_a_note_not_a_failure() -> None:
    store, clock = ScriptedStore(RefreshReport(added={"yahoo:SPY": 1})), Clock()
    store.release.set()

    def broken(_store) -> None:
        raise ValueError("disk full")

    job = Refresher(lambda: store, after_commit=broken, clock=clock)
    job.start()
    job.wait(10)
    assert job.state().succeeded and "disk full" in job.state().note


def test_backoff_formula_boundaries() -> None:
    assert backoff_seconds(0) == 0
    assert backoff_seconds(1) == BACKOFF_FIRST == 300
    assert backoff_seconds(4) == 2400
    assert backoff_seconds(5) == BACKOFF_MAX == 3600  # 4800 capped
    assert not refresh_failed(RefreshReport(added={"a:b": 0}))
    assert refresh_failed(RefreshReport(failed={"a:b": "x"}))
    assert not refresh_failed(RefreshReport(added={"a:b": 1}, failed={"c:d": "x"}))


def test_a_landed_refresh_changes_the_generation_sessions_key_on(tmp_path) -> None:
    """Real refresh of a real store (FRED answered from the fixture): the generation the app
    keys its caches by goes from "empty" to "g1", and stays there between runs."""
    location = tmp_path / "store"
    store = Store(location, providers={"fred": FixtureProvider("fred")})
    assert store_generation(store) == "empty"
    job = Refresher(lambda: store, generation_of=store_generation)
    job.start()
    assert job.wait(30)
    state = job.state()
    assert state.succeeded, state.message
    assert store_generation(Store(location, providers={})) == "g1"
    assert state.generation == "g1"
    assert store_generation(Store(location, providers={})) == "g1"  # stable between runs


def test_refresher_precompute_and_freshness_import_no_streamlit() -> None:
    """They run in a worker thread, the CLI and the scheduled job: no Streamlit in them."""
    from tests.test_layering import imported_roots

    root = Path(__file__).parents[2] / "dashboard"
    for name in ("refresher.py", "precompute.py", "freshness.py"):
        assert "streamlit" not in imported_roots(root / name), name
