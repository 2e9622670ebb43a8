"""A refresh's wall time against its slowest single source, with fetches replaced by fixed
simulated latencies (scaled down 10x: yahoo 0.3 s, fred 0.2 s, cboe 0.4 s, the others 0.1 s).

uv run python benchmarks/bench_refresh.py [SCALE]   (SCALE multiplies every latency; default 1)

Every series of the live catalog is refreshed into a fresh local store in a temporary folder;
each fake provider sleeps its latency and then returns a small frame per key (a few hundred
daily rows), so the wall time is the latencies plus the store's own work (validation, merging,
parquet objects, the commit). Providers run concurrently, so the ideal ratio is 1.0; the excess
is the store's overhead. Prints, does not assert. A second refresh over the filled store is
timed too (merging into stored series).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections import Counter

import numpy as np
import pandas as pd

from data_sources.catalog import LIVE_SERIES, provider_name
from data_sources.providers import ProviderRecord
from data_sources.store import Store

LATENCY = {"yahoo": 0.3, "fred": 0.2, "cboe": 0.4}
OTHERS = 0.1
ROWS = 500
RUNS = 3


class Simulated:
    """A provider that answers after a fixed latency with a frame per key."""

    def __init__(self, name: str, latency: float) -> None:
        self.record = ProviderRecord(name, name, "https://example.invalid", None)
        self.latency = latency

    def download(self, keys, *, deadline, stored_last, progress=None):
        time.sleep(self.latency)
        index = pd.bdate_range(end="2026-06-05", periods=ROWS, name="date")
        results = {}
        for number, key in enumerate(keys):
            walk = np.cumsum(np.random.default_rng(number).normal(size=ROWS))
            if key.startswith("yahoo:"):  # a price near 100
                columns = ("open", "high", "low", "close", "volume", "adj_close")
                results[key] = pd.DataFrame(dict.fromkeys(columns, 100 + walk), index=index)
            elif key == "aaii:sentiment":  # shares in percent, summing to 100
                shares = {"bullish": 40 + walk / 10, "neutral": 30.0, "bearish": 30 - walk / 10}
                results[key] = pd.DataFrame(shares, index=index)
            else:  # near 1: inside every series' physical bounds (rates, ratios, indices)
                results[key] = pd.DataFrame({"value": 1 + walk / 100}, index=index)
        return results


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    keys = [series.key for series in LIVE_SERIES]
    counts = Counter(provider_name(key) for key in keys)
    latencies = {name: LATENCY.get(name, OTHERS) * scale for name in counts}
    providers = {name: Simulated(name, latency) for name, latency in latencies.items()}
    slowest = max(latencies.values())
    print(
        f"{len(keys)} series from {len(counts)} providers: "
        + ", ".join(f"{name} {counts[name]} × {latencies[name]:.2f} s" for name in counts)
    )
    first, again = [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as folder:
            store = Store(folder, providers=providers)
            start = time.perf_counter()
            report = store.refresh(keys)
            first.append(time.perf_counter() - start)
            assert report.ok, report.failed
            start = time.perf_counter()
            store.refresh(keys)
            again.append(time.perf_counter() - start)
    for label, times in (("empty store", first), ("filled store", again)):
        wall = statistics.median(times)
        print(
            f"{label:<13} wall {wall:.3f} s (median of {RUNS}) vs slowest source "
            f"{slowest:.3f} s: ratio {wall / slowest:.2f}; sequential would be "
            f"{sum(latencies.values()):.2f} s ({sum(latencies.values()) / slowest:.2f})"
        )


if __name__ == "__main__":
    main()
