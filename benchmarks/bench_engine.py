"""Time the full weekly history of the 21 indicators and the composite (store or folder).

uv run python benchmarks/bench_engine.py [DATA_DIR]   (default: the store)

The series are loaded once; only ``evaluate()`` is timed. Prints the median and the best of the
repeated runs in milliseconds.
"""

from __future__ import annotations

import statistics
import sys
import time

from analytics.model import evaluate
from data_sources.folder import FolderSource
from data_sources.store import Store

RUNS = 30


def main() -> None:
    source = FolderSource(sys.argv[1]) if len(sys.argv) > 1 else Store()
    series = source.load_many()
    evaluate(series)  # warm-up: imports and the bundled FOMC file
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        model = evaluate(series)
        times.append(time.perf_counter() - start)
    first, last = model.calendar.index[0].date(), model.calendar.index[-1].date()
    print(f"evaluate(): {len(model.calendar)} weeks ({first} to {last}) x {model.total} indicators")
    print(
        f"median {statistics.median(times) * 1000:.1f} ms, best {min(times) * 1000:.1f} ms "
        f"over {RUNS} runs"
    )


if __name__ == "__main__":
    main()
