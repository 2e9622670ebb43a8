"""Crash safety and concurrency, on a local folder and on moto's S3 server.

A writer process commits refresh after refresh (every series of generation g holds one token
t) and is killed with SIGKILL at a random moment; the store must then open with the last
generation the writer reported or the one it was committing, never a mix: the pointer names a
manifest, every object of it exists, every series holds the same token."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import signal
import threading
import time
from dataclasses import replace

import pandas as pd

from data_sources.providers import ProviderRecord
from data_sources.store import Store, StoreBusy

KEYS = ["fake:A", "fake:B", "fake:C"]
TRIALS = 30
LANES = 3


class Tokens:
    """Every download returns, for every key, three rows holding the next token."""

    def __init__(self) -> None:
        self.record = ProviderRecord("fake", "Fake", "https://example.invalid", None)
        self.token = 0

    def download(self, keys, *, deadline, stored_last, progress=None):
        self.token += 1
        index = pd.bdate_range("2024-01-02", periods=3, name="date")
        frame = pd.DataFrame({"value": [float(self.token)] * 3}, index=index)
        return dict.fromkeys(keys, frame)


def _writer(location: str, options: dict, conn) -> None:
    try:
        store = Store(location, providers={"fake": Tokens()}, storage_options=options)
        tokens = store.providers["fake"]
        store.generation  # noqa: B018 (connects: a forked process builds its own S3 client)
        conn.send(("ready", None, None))
        while True:
            report = store.refresh(KEYS)
            conn.send(("committed", report.generation, tokens.token))
    except Exception as exc:  # reported to the test, which fails on it
        conn.send(("error", None, f"{type(exc).__name__}: {exc}"))
    finally:
        os._exit(0)


def _view(store: Store) -> tuple[int | None, set[float]]:
    """The current generation and the set of values its series hold (one token if whole)."""
    generation, frames = store.load_with_generation()
    assert sorted(frames) == (KEYS if frames else [])
    return generation, {v for frame in frames.values() for v in frame["value"]}


def test_a_writer_killed_at_random_moments_leaves_old_or_new_never_a_mix(where) -> None:
    """TRIALS kills, LANES stores at a time (each its own writer, killed at its own moment)."""
    context = multiprocessing.get_context("fork")
    if where.kind == "s3":
        # one botocore session, warmed up here: a forked writer then builds its client in
        # 0.2 s instead of 0.7 s (reading botocore's service model again)
        from aiobotocore.session import AioSession

        where = replace(where, options={**where.options, "session": AioSession()})
    # the kill window: twice one commit's time here and now (so it adapts to a loaded machine),
    # so that kills fall before, during and after the first commit of each writer
    probe = Store(
        f"{where.location}/probe", providers={"fake": Tokens()}, storage_options=where.options
    )
    probe.refresh(KEYS)
    started = time.monotonic()
    probe.refresh(KEYS)
    window = 2.0 * (time.monotonic() - started)
    lanes = [f"{where.location}/lane{lane}" for lane in range(LANES)]
    stores = [Store(lane, providers={}, storage_options=where.options) for lane in lanes]
    rng = random.Random(20261125)
    killed_mid_commit = changed = 0
    for trial in range(0, TRIALS, LANES):
        before = [_view(store) for store in stores]
        pipes, processes = [], []
        for lane in lanes:
            parent, child = context.Pipe()
            process = context.Process(target=_writer, args=(lane, where.options, child))
            process.start()
            pipes.append(parent)
            processes.append(process)
        assert all(pipe.recv()[0] == "ready" for pipe in pipes)
        started = time.monotonic()
        kills = sorted((rng.uniform(0.0, window), i) for i in range(LANES))
        for moment, i in kills:
            time.sleep(max(0.0, started + moment - time.monotonic()))
            os.kill(processes[i].pid, signal.SIGKILL)
        for i, (pipe, process, store) in enumerate(zip(pipes, processes, stores, strict=True)):
            process.join()
            reports = []
            with contextlib.suppress(EOFError):  # the writer's end closed when it died
                while pipe.poll():
                    reports.append(pipe.recv())
            errors = [r[2] for r in reports if r[0] == "error"]
            assert not errors, errors
            generation, values = _view(store)
            last = reports[-1] if reports else None
            old = (last[1], {float(last[2])}) if last else before[i]
            next_token = float(last[2] + 1) if last else 1.0
            assert len(values) <= 1, f"trial {trial + i}: a mix of tokens {values}"
            changed += generation != before[i][0]
            if (generation, values) != old:
                killed_mid_commit += 1
                assert values == {next_token} and generation > (old[0] or 0), (trial, generation)
    # kills landed before and after pointer switches, and every store is still writable
    assert 0 < changed < TRIALS
    for lane in lanes:
        final = Store(lane, providers={"fake": Tokens()}, storage_options=where.options)
        assert final.refresh(KEYS).ok
        referenced = {e["object"] for g in final._kept_numbers(final.generation)
                      for e in final._manifest(g)["series"].values()}  # fmt: skip
        assert set(final.storage.list("objects")) == referenced  # strays collected
    print(
        f"{where.kind}: {TRIALS} kills within {window:.2f} s; {changed} after a new generation "
        "landed, "
        f"{killed_mid_commit} of them after the pointer switch and before the writer returned"
    )


def _race(stores: list[Store]) -> list[str]:
    """Both stores try to take the lease at the same moment; the winner holds it until the
    loser has answered. Returns the outcomes ("won" / "busy")."""
    barrier = threading.Barrier(len(stores))
    outcomes: list[str] = []
    held, release = threading.Event(), threading.Event()

    def attempt(store: Store) -> None:
        barrier.wait()
        try:
            with store._writing():
                outcomes.append("won")
                held.set()
                release.wait(5)
        except StoreBusy:
            outcomes.append("busy")

    threads = [threading.Thread(target=attempt, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    held.wait(5)
    deadline = time.monotonic() + 5
    while len(outcomes) < len(stores) and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_writers_racing_for_the_lease_exactly_one_wins(where) -> None:
    stores = [Store(where.location, providers={}, storage_options=where.options) for _ in "ab"]
    for _ in range(5):
        assert _race(stores) == ["busy", "won"]


def test_readers_during_refreshes_always_see_one_whole_generation(where) -> None:
    writer = Store(where.location, providers={"fake": Tokens()}, storage_options=where.options)
    writer.refresh(KEYS)
    reader = Store(where.location, storage_options=where.options)
    stop = threading.Event()
    seen: list[tuple[int | None, set[float]]] = []

    def read() -> None:
        while not stop.is_set():
            seen.append(_view(reader))

    thread = threading.Thread(target=read)
    thread.start()
    for _ in range(8):
        writer.refresh(KEYS)
    stop.set()
    thread.join()
    assert seen and all(len(values) == 1 for _, values in seen)
    # the token of generation g is g (one refresh per generation, first token 1)
    assert all(values == {float(g)} for g, values in seen)
    assert len({g for g, _ in seen}) > 2
