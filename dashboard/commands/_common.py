"""Options and helpers shared by the commands."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any

import pandas as pd

from data_sources.cli import open_store
from data_sources.errors import StoreError
from data_sources.source import SeriesSource


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="read a folder with a manifest.toml instead of the store",
    )


def help_text(doc: str | None) -> str:
    """A module docstring as a command's help description (reST ``literals`` as plain text)."""
    return (doc or "").replace("``", "")


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("json", "table"), default="table")


def parse_date(text: str) -> pd.Timestamp:
    """``YYYY-MM-DD`` -> Timestamp, with a clear message for anything else."""
    try:
        return pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d"))
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from exc


def open_source(args: argparse.Namespace) -> SeriesSource:
    """The series a command reads: ``--data-dir`` (a manifest folder) or ``--store`` (default:
    the local store). Both at once, or an empty store, is a one-line error."""
    data_dir: Path | None = getattr(args, "data_dir", None)
    location: str | None = getattr(args, "store", None)
    if data_dir is not None and location is not None:
        raise ValueError("give --store or --data-dir, not both")
    if data_dir is not None:
        from data_sources.folder import FolderSource

        return FolderSource(data_dir)
    store = open_store(location)
    if store.is_empty():
        raise StoreError(
            f"the store at {store.location} holds no series yet: run `investable "
            "refresh`, or `investable import --from DIR` with a manifest folder, or pass "
            "--data-dir DIR"
        )
    return store


def _write_bytes(handle: IO[bytes], data: bytes) -> None:
    """The one write of :func:`write_output` (a seam for tests that simulate a full disk)."""
    handle.write(data)
    handle.flush()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_output_path(path: Path) -> None:
    """A file can be written at ``path``: it is not a folder, and its folder exists."""
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a file name such as {path / 'report.html'}")
    if not path.parent.is_dir():
        raise ValueError(f"cannot write {path}: the folder {path.parent} does not exist")


def write_output(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so that a failure leaves an existing file as it was:
    a regular file is written to a temporary file beside it, then renamed over it; a device or
    pipe (``/dev/stdout``) is written directly. A missing folder, a folder as ``path``, or any
    write error (a full disk) is a one-line ``ValueError``."""
    write_output_bytes(path, text.encode("utf-8"))


def write_output_bytes(path: Path, data: bytes) -> None:
    """:func:`write_output` for bytes (a PDF): same temporary file and rename, same messages."""
    check_output_path(path)
    try:
        if path.exists() and not path.is_file():
            with path.open("wb") as handle:
                _write_bytes(handle, data)
            return
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(descriptor, "wb") as handle:
                _write_bytes(handle, data)
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ValueError(f"cannot write {path}: {exc.strerror or exc}") from exc


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
