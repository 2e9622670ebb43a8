"""Benchmarks (issue #15): each script prints its figures; none asserts a time."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

UNCACHED_BYTECODE = "PYTHONDONTWRITEBYTECODE"


def child_environment(
    changes: Mapping[str, str] | None = None, drop: Iterable[str] = ()
) -> dict[str, str]:
    """The environment of a measured Python process: this one's less ``drop`` and
    ``PYTHONDONTWRITEBYTECODE``, plus ``changes``. Python caches each module's compiled
    bytecode by default, wherever the app runs; with that variable set (this development
    machine sets it) every process compiles pandas, plotly and Streamlit from source again, and
    a report took 2.3 s instead of 1.0 s. A warm-up run, not counted, writes the caches."""
    left_out = {UNCACHED_BYTECODE, *drop}
    return {k: v for k, v in os.environ.items() if k not in left_out} | dict(changes or {})
