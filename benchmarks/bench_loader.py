"""Time the manifest-folder loader against a bare ``pandas.read_csv`` of the same files.

uv run --extra dev python benchmarks/bench_loader.py DATA_DIR [--runs N]

DATA_DIR is a folder with a ``manifest.toml`` (docs/manifest.md), e.g. the reference data.
Alternating in the same run, N times each (median and best printed, wall and CPU time):

- the loader: a new ``FolderSource(DATA_DIR).load_many()`` (manifest parsed, every part read,
  validated, tidied and combined into series frames);
- the anchor: ``pandas.read_csv(path)`` of every file the manifest names, once each, nothing
  else (no dtype, no date parsing, no validation).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data_sources.folder import FolderSource, read_manifest


def _timed(function: Callable[[], Any]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="a folder with a manifest.toml")
    parser.add_argument("--runs", type=int, default=9, help="timed runs of each (default 9)")
    args = parser.parse_args()
    folder = Path(args.data)
    files = sorted(
        {folder / part.file for parts in read_manifest(folder).values() for part in parts}
    )
    series = FolderSource(folder).load_many()  # warm-up (imports, file cache)
    for path in files:
        pd.read_csv(path)
    loader, bare = [], []
    for _ in range(args.runs):
        loader.append(_timed(lambda: FolderSource(folder).load_many()))
        bare.append(_timed(lambda: [pd.read_csv(path) for path in files]))
    print(f"{len(series)} series from {len(files)} files in {folder}, {args.runs} runs each")
    for name, times in (("manifest-folder loader", loader), ("bare read_csv", bare)):
        walls, cpus = [t[0] * 1000 for t in times], [t[1] * 1000 for t in times]
        print(
            f"{name:24s} wall median {statistics.median(walls):6.0f} ms (best {min(walls):4.0f})"
            f"   CPU median {statistics.median(cpus):6.0f} ms"
        )
    wall_ratio = statistics.median(t[0] for t in loader) / statistics.median(t[0] for t in bare)
    cpu_ratio = statistics.median(t[1] for t in loader) / statistics.median(t[1] for t in bare)
    print(f"ratio loader / read_csv: wall {wall_ratio:.2f}, CPU {cpu_ratio:.2f}")


if __name__ == "__main__":
    main()
