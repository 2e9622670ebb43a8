"""Read a data folder described by a ``manifest.toml`` (the format is in ``docs/manifest.md``).

The manifest's header comment is the contract: each ``[[series."KEY"]]`` table is one part of a
series (``file``, ``date``, optional ``date_format``, ``fields``, ``scale``, ``adjusted``,
``frequency``, ``notes``); parts are read in order and a later part wins where dates overlap.

These are curated copies whose known faults are documented beside them (the reference
``naaim.csv`` repeats five dates, three with different values): within one file the last row of
a repeated date wins, as it always has, rather than the live providers' rule
(``data_sources.validate.one_row_per_date``), so the reference data keeps importing as before.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from data_sources.errors import DataSourceError, ManifestError
from data_sources.frames import MISSING_MARKERS, combine_parts, tidy_frame

MANIFEST_NAME = "manifest.toml"
# pandas 3 always copies on write; pandas 2 (which the project still allows) only when asked.
_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3


@dataclass(frozen=True)
class ManifestPart:
    """One ``[[series."KEY"]]`` table of a manifest."""

    key: str
    file: str
    date: str
    fields: dict[str, str]
    date_format: str | None = None
    scale: float | None = None
    adjusted: bool = False
    frequency: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class SeriesInfo:
    """What is known about a series without its values."""

    key: str
    source: str
    frequency: str | None
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    rows: int
    adjusted: bool = False
    fetched_at: pd.Timestamp | None = None
    last_error: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def read_manifest(folder: Path) -> dict[str, list[ManifestPart]]:
    """Parse ``folder/manifest.toml`` into parts per series key, in file order."""
    path = Path(folder) / MANIFEST_NAME
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is None or not path.is_file():
        raise ManifestError(f"{path}: no manifest.toml in this folder")
    parsed = _parse_manifest(path, stat.st_mtime_ns, stat.st_size)
    return {key: list(parts) for key, parts in parsed.items()}


@lru_cache(maxsize=16)
def _parse_manifest(path: Path, modified_ns: int, size: int) -> dict[str, tuple[ManifestPart, ...]]:
    """``read_manifest``'s work, once per version of a file (its path, modification time and
    size): every new ``FolderSource`` of an unchanged folder skips the TOML parse. The parts are
    frozen; a failure is not kept, so a fixed file is read again."""
    del modified_ns, size  # the cache key only
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: not valid TOML ({exc})") from exc
    tables = document.get("series")
    if not isinstance(tables, dict) or not tables:
        raise ManifestError(f'{path}: no [[series."KEY"]] tables')
    manifest: dict[str, list[ManifestPart]] = {}
    for key, parts in tables.items():
        if not isinstance(parts, list):
            raise ManifestError(f"{path}: series {key!r} must be an array of tables [[...]]")
        manifest[key] = []
        for number, part in enumerate(parts, start=1):
            missing = [name for name in ("file", "date") if name not in part]
            if missing:
                raise ManifestError(
                    f"{path}: series {key!r} part {number} lacks {', '.join(missing)}"
                )
            manifest[key].append(
                ManifestPart(
                    key=key,
                    file=str(part["file"]),
                    date=str(part["date"]),
                    fields={str(k): str(v) for k, v in part.get("fields", {}).items()},
                    date_format=part.get("date_format"),
                    scale=float(part["scale"]) if "scale" in part else None,
                    adjusted=bool(part.get("adjusted", False)),
                    frequency=part.get("frequency"),
                    notes=part.get("notes"),
                )
            )
    return {key: tuple(parts) for key, parts in manifest.items()}


def read_part(folder: Path, part: ManifestPart) -> pd.DataFrame:
    """Read one manifest part's CSV into a series frame.

    Quick path: only the date and field columns are read, the fields parsed as numbers by the
    CSV reader (missing markers and thousands separators as ``tidy_frame`` reads them). A field
    the reader cannot take as numbers, a missing column or any other surprise falls back to
    reading every cell as text, so the checks and messages are those of ``tidy_frame``.
    """
    path = Path(folder) / part.file
    if not path.is_file():
        raise ManifestError(f"{part.key}: file {part.file} not found in {folder}")
    raw = _read_needed_columns(path, part)
    if raw is None:
        try:
            raw = pd.read_csv(path, dtype=str, skipinitialspace=True, keep_default_na=False)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise ManifestError(f"{part.key}: {part.file} is not a readable CSV ({exc})") from exc
    try:
        return tidy_frame(
            raw,
            part.date,
            part.fields,
            date_format=part.date_format,
            scale=part.scale,
            adjusted=part.adjusted,
            source=f"{part.key} ({part.file})",
            last_repeat_wins=True,
        )
    except DataSourceError as exc:
        raise ManifestError(str(exc)) from exc


def _read_needed_columns(path: Path, part: ManifestPart) -> pd.DataFrame | None:
    """The part's date and field columns (numbers where they are), or None to read it all as text.

    Cells are read as ``tidy_frame`` reads text: leading spaces skipped, the missing markers
    (and nothing else) missing, numbers parsed by the same (correctly rounded) conversion as
    ``pandas.to_numeric``. A field column with any other text (a thousands separator, a word)
    comes back as text and ``to_numeric`` reads it the slow way.
    """
    try:
        data = path.read_bytes()
        header = _header(data)
        by_name = {column.strip(): column for column in header}
        wanted = [part.date, *part.fields.values()]
        if any(name not in by_name for name in wanted):
            return None
        columns = [by_name[name] for name in dict.fromkeys(wanted)]
        return pd.read_csv(
            io.BytesIO(data),
            usecols=None if sorted(columns) == sorted(header) else columns,
            skipinitialspace=b" " in data,  # nothing to skip otherwise: the same cells, quicker
            keep_default_na=False,
            na_values={by_name[name]: list(MISSING_MARKERS) for name in part.fields.values()},
        )
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError, ValueError):
        return None


def _header(data: bytes) -> list[str]:
    """The column names of a CSV file's first record (a byte-order mark dropped)."""
    text = data.decode("utf-8-sig") if b'"' in data[: data.find(b"\n")] else None
    if text is None:  # no quotes in the first line: it is the whole header record
        first = data[: data.find(b"\n")] if b"\n" in data else data
        text = first.decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text, newline=""), skipinitialspace=True), [])


class FolderSource:
    """Series read from a manifest folder. Frames are read lazily and kept once read."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder).expanduser().resolve()
        self._frames: dict[str, pd.DataFrame] = {}

    @cached_property
    def manifest(self) -> dict[str, list[ManifestPart]]:
        return read_manifest(self.folder)

    def keys(self) -> list[str]:
        """Series keys in manifest order."""
        return list(self.manifest)

    def load(self, key: str) -> pd.DataFrame:
        """The series frame for ``key`` (a copy; the cached frame stays intact)."""
        if key not in self.manifest:
            raise KeyError(f"series {key!r} is not in {self.folder / MANIFEST_NAME}")
        if key not in self._frames:
            parts = [read_part(self.folder, part) for part in self.manifest[key]]
            self._frames[key] = combine_parts(parts)
        frame = self._frames[key]
        # Copy-on-write (pandas 3) keeps the cached frame intact whatever the caller changes, so
        # the copy shares the values until then; the index gets its own object (a name set on
        # it stays on the copy), as a deep copy gives.
        copy = frame.copy(deep=not _COPY_ON_WRITE)
        copy.index = frame.index.view()
        copy.attrs = dict(frame.attrs)
        return copy

    def load_many(self, keys: list[str] | None = None) -> dict[str, pd.DataFrame]:
        """Frames for ``keys`` (default: every key), skipping none: errors propagate."""
        return {key: self.load(key) for key in (keys or self.keys())}

    def info(self, key: str) -> SeriesInfo:
        parts = self.manifest[key]
        frame = self.load(key)
        return SeriesInfo(
            key=key,
            source=f"folder {self.folder}",
            frequency=parts[-1].frequency,
            first=frame.index[0] if len(frame) else None,
            last=frame.index[-1] if len(frame) else None,
            rows=len(frame),
            adjusted=bool(frame.attrs.get("adjusted", False)),
            notes=tuple(p.notes for p in parts if p.notes),
        )
