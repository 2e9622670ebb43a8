"""Options and helpers shared by the commands."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pandas as pd

from data_sources.source import SeriesSource


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="a folder with a manifest.toml (default: the app's local store)",
    )


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("json", "table"), default="table")


def parse_date(text: str) -> pd.Timestamp:
    """``YYYY-MM-DD`` -> Timestamp, with a clear message for anything else."""
    try:
        return pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d"))
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from exc


def open_source(data_dir: Path | None) -> SeriesSource:
    """The series source a command reads: a manifest folder, or the app's local store."""
    if data_dir is not None:
        from data_sources.folder import FolderSource

        return FolderSource(data_dir)
    from data_sources.store import Store

    return Store()


def to_jsonable(value: Any) -> Any:
    """Timestamps to ISO dates, NaN to None, numpy scalars to Python numbers, recursively."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def print_json(payload: Any) -> None:
    print(json.dumps(to_jsonable(payload), indent=2))
