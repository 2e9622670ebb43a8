"""Time ``investable report`` with and without charts (issue #15; goal: charts ≤ 1.5× tables).

uv run --extra dev python benchmarks/bench_report.py DATA_DIR [RUNS]

DATA_DIR is a manifest folder (e.g. the ``INVESTABLE_SHARED_DATA`` reference data); it is
imported once into a temporary store (no network) and left as ``investable import`` leaves it:
the model precomputed and the latest week's report charts drawn (``dashboard.stored_charts``).
Each run is a fresh ``python -m dashboard report`` process, HTML and PDF, of two weeks: the
latest (its charts read from the store) and the one before (``--as-of``: its charts drawn, one
browser start), each with and without charts. Every run pays the interpreter start, the store
load and the model evaluation. Prints each run's wall time, the median and the minimum of the
wall times, the median CPU time (user + system of the process and the browser) and the ratio
charts / tables of the wall medians and of the minimums (no assertion). On a busy machine the
minimum is the run least slowed by others, and the CPU column the steadier figure: the
browser's start overlaps the data load only when a core is free. The runs use Python's
bytecode caches (:func:`benchmarks.child_environment`), written by one warm-up run of each
case, not counted.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import child_environment  # noqa: E402

RUNS = 3


def _cpu() -> float:
    """CPU seconds (user + system) of the finished child processes, the browser included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(store: Path, out: Path, extra: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``report`` process."""
    argv = [sys.executable, "-m", "dashboard", "report", "--store", str(store), "--out", str(out)]
    cpu = _cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [*argv, *extra], capture_output=True, text=True, cwd=ROOT, env=child_environment()
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"report failed: {done.stderr.strip()}")
    return elapsed, _cpu() - cpu


def _past_week(store: Path) -> str:
    """The decision week before the latest: its report draws its charts (none stored)."""
    from dashboard.precompute import read_precomputed
    from data_sources.store import Store

    found = read_precomputed(Store(store, providers={}))
    if found is None:
        raise SystemExit("the store has no precomputed model")
    return f"{found.model.calendar.index[-2]:%Y-%m-%d}"


def main() -> None:
    given = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("INVESTABLE_SHARED_DATA")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else RUNS
    if not given or not (Path(given) / "manifest.toml").is_file():
        raise SystemExit("usage: bench_report.py DATA_DIR [RUNS]  (a folder with a manifest.toml)")
    from dashboard.precompute import precompute
    from dashboard.stored_charts import store_report_charts
    from data_sources.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        target = Store(store, providers={})
        if not target.import_folder(Path(given)).ok:
            raise SystemExit(f"could not import {given}")
        precompute(target)  # as ``investable import`` leaves the store (no alerts here)
        print(store_report_charts(target))
        past = ["--as-of", _past_week(store)]
        cases: dict[str, tuple[Path, list[str]]] = {}
        for kind in ("html", "pdf"):
            cases |= {
                f"{kind}, latest, tables only": (Path(tmp) / f"t.{kind}", ["--no-charts"]),
                f"{kind}, latest, charts stored": (Path(tmp) / f"c.{kind}", []),
                f"{kind}, past, tables only": (Path(tmp) / f"pt.{kind}", [*past, "--no-charts"]),
                f"{kind}, past, charts drawn": (Path(tmp) / f"pc.{kind}", past),
            }
        times: dict[str, list[float]] = {name: [] for name in cases}
        cpus: dict[str, list[float]] = {name: [] for name in cases}
        for out, extra in cases.values():  # a warm-up: Python writes its bytecode caches
            _run(store, out, extra)
        for _ in range(runs):  # interleaved, so a busy machine slows every case alike
            for name, (out, extra) in cases.items():
                wall, cpu = _run(store, out, extra)
                times[name].append(wall)
                cpus[name].append(cpu)
    print(
        f"{'case':<30} {'wall runs (s)':<30} {'median (s)':>10} {'min (s)':>8} "
        f"{'CPU median (s)':>15}"
    )
    for name, values in times.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        cpu = statistics.median(cpus[name])
        print(
            f"{name:<30} {shown:<30} {statistics.median(values):>10.2f} {min(values):>8.2f} "
            f"{cpu:>15.2f}"
        )
    for kind in ("html", "pdf"):
        for week, charts in (("latest", "charts stored"), ("past", "charts drawn")):
            drawn, tables = (
                times[f"{kind}, {week}, {charts}"],
                times[f"{kind}, {week}, tables only"],
            )
            median = statistics.median(drawn) / statistics.median(tables)
            fastest = min(drawn) / min(tables)
            print(
                f"{kind}, {week} week: {charts} / tables only = {median:.2f}x of the medians, "
                f"{fastest:.2f}x of the minimums (goal <= 1.5x)"
            )


if __name__ == "__main__":
    main()
