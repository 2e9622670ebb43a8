"""Time the Overview's first view over a precomputed store against the computing path.

uv run --extra dev python benchmarks/bench_first_view.py DATA_DIR

DATA_DIR is a manifest folder (docs describe the format), e.g. one written by ``investable
import``'s source, or the ``INVESTABLE_SHARED_DATA`` environment variable.

The reference folder is imported once into a temporary store (no network). Each measurement is a
cold first view: every Streamlit cache is cleared, then one ``AppTest`` run of the app (entry
script + the Overview) is timed, in one AppTest whose one-off set-up ran before. "computing"
has no artifact for the store's generation, so the app evaluates the model over the whole
history; "precomputed" reads the artifact written by
``dashboard.precompute.precompute``. Prints the medians and their ratio (no assertion).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

RUNS = 9
ROOT = Path(__file__).resolve().parents[1]


def _first_view(at: object) -> float:
    """One cold view: clear every cache, time one run of the app (entry script + Overview)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    start = time.perf_counter()
    at.run()  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - start
    if at.exception or not any(m.label == "Composite" for m in at.metric):  # type: ignore[attr-defined]
        raise SystemExit("the Overview did not render")
    return elapsed


def _app() -> object:
    """An AppTest of the app, run once so its one-off set-up (a scan of installed packages for
    components, ~0.7 s) is not counted in the views."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
    at.run()
    return at


def main() -> None:
    given = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("INVESTABLE_SHARED_DATA")
    if not given or not (Path(given) / "manifest.toml").is_file():
        raise SystemExit("usage: bench_first_view.py DATA_DIR  (a folder with a manifest.toml)")
    folder = Path(given)
    sys.path.insert(0, str(ROOT))
    from dashboard.precompute import ARTIFACT_NAME, precompute
    from data_sources.store import Store

    with tempfile.TemporaryDirectory() as location:
        os.environ.pop("INVESTABLE_DATA_DIR", None)
        os.environ["INVESTABLE_STORE"] = location
        os.environ.setdefault("INVESTABLE_TODAY", "2026-01-02")
        store = Store(location, providers={})
        report = store.import_folder(folder)
        print(f"store at {location}, {len(report.added)} series from {folder}")

        at = _app()
        computing = [_first_view(at) for _ in range(RUNS)]
        start = time.perf_counter()
        precompute(store)
        precompute_time = time.perf_counter() - start
        size = len(store.read_artifact(ARTIFACT_NAME) or b"")
        precomputed = [_first_view(at) for _ in range(RUNS)]

    slow, fast = statistics.median(computing), statistics.median(precomputed)
    print(f"precompute (model + backtests + snapshot): {precompute_time:.2f} s, {size:,} bytes")
    print(f"first view, computing path:  median {slow:.2f} s (best {min(computing):.2f} s)")
    print(f"first view, precomputed:     median {fast:.2f} s (best {min(precomputed):.2f} s)")
    print(f"ratio computing / precomputed: {slow / fast:.1f}x  ({RUNS} cold runs each)")


if __name__ == "__main__":
    main()
