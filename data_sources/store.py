"""The local store: one parquet file per series plus a JSON index of what each one holds.

Location: ``root`` argument, else the environment variable ``INVESTABLE_STORE``, else the user's
cache directory (``platformdirs.user_cache_dir("investable")``).

Safety rules:

* Every file is written to a temporary file in the same folder and then renamed over the old one
  (``os.replace``), so a crash leaves either the old file or the new one, never half of one.
* A refresh or import never removes stored observations. Fetched rows after the last stored date
  are appended; the last ``REVISION_WINDOW`` stored observations take revised values when the
  payload has them (FRED revises recent months); older stored values are kept as they are.
* A failed fetch or a payload that does not parse leaves the series file byte-for-byte as it
  was and records the error (``last_error``) in the index; the series is then stale.
* Refreshes and imports hold a file lock, so two browser sessions cannot write at once.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
from filelock import FileLock
from filelock import Timeout as LockTimeout

from data_sources.catalog import LIVE_BY_KEY, LIVE_SERIES, provider_name
from data_sources.errors import DataSourceError, SourceUnavailable, StoreError
from data_sources.folder import FolderSource, SeriesInfo
from data_sources.frames import check_frame
from data_sources.providers import Provider, download
from data_sources.providers.files import AAII, FINRA, NAAIM, SHILLER, CboeProvider, parse_file
from data_sources.providers.fred import FredProvider
from data_sources.providers.yahoo import YahooProvider

INDEX_NAME = "index.json"
REVISION_WINDOW = 3
SOURCE_TIMEOUTS = {"yahoo": 60.0, "fred": 30.0}
DEFAULT_TIMEOUT = 30.0
LOCK_WAIT = 120.0
OFFLINE_MESSAGE = (
    "Live sources are unreachable (no network, or every site refused). The store keeps what it "
    "has. To load data: `python -m data_sources import --from DIR` (a folder with a "
    "manifest.toml), `python -m data_sources import-file --series KEY FILE`, or the upload on "
    "the Data page."
)

Progress = Callable[[str, int, int, str], None]


def default_root() -> Path:
    """``INVESTABLE_STORE`` or the user's cache directory."""
    explicit = os.environ.get("INVESTABLE_STORE")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("investable"))


def default_providers(fred_key: str | None = None) -> dict[str, Provider]:
    """The live providers by name (the part of a series key before the colon)."""
    return {
        "yahoo": YahooProvider(),
        "fred": FredProvider(fred_key),
        "aaii": AAII,
        "naaim": NAAIM,
        "cboe": CboeProvider(),
        "finra": FINRA,
        "shiller": SHILLER,
    }


@dataclass
class RefreshReport:
    """What a refresh or import did: rows added per key, and errors per key."""

    added: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    unreachable: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def message(self) -> str:
        if self.unreachable:
            return OFFLINE_MESSAGE
        done = f"{len(self.added)} series updated ({sum(self.added.values())} new rows)"
        return done if self.ok else f"{done}; {len(self.failed)} failed"


def _merge(stored: pd.DataFrame | None, fetched: pd.DataFrame) -> pd.DataFrame:
    """Stored rows, revised in the last ``REVISION_WINDOW`` observations, plus newer rows."""
    if stored is None or stored.empty:
        return fetched
    missing = [c for c in stored.columns if c not in fetched.columns]
    if missing:
        raise StoreError(f"payload lacks column(s) {', '.join(missing)} that the store holds")
    fetched = fetched[stored.columns]
    revisable = stored.index[-REVISION_WINDOW:]
    revised = stored.copy()
    overlap = fetched.index.intersection(revisable)
    revised.loc[overlap] = fetched.loc[overlap].combine_first(stored.loc[overlap])
    newer = fetched[fetched.index > stored.index[-1]]
    merged = pd.concat([revised, newer]) if len(newer) else revised
    merged.attrs = dict(stored.attrs)
    return merged


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _stamp(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


class Store:
    """Series on disk, with the :class:`~data_sources.source.SeriesSource` interface."""

    def __init__(
        self,
        root: Path | str | None = None,
        providers: Mapping[str, Provider] | None = None,
        fred_key: str | None = None,
    ) -> None:
        self.root = Path(root).expanduser() if root is not None else default_root()
        self.providers = dict(providers) if providers is not None else default_providers(fred_key)
        self._lock = FileLock(str(self.root / ".lock"))

    # ---- reading ---------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        return self.root / "series" / f"{quote(key, safe='')}.parquet"

    def _index(self) -> dict[str, dict[str, Any]]:
        path = self.root / INDEX_NAME
        if not path.is_file():
            return {}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StoreError(f"{path} is damaged ({exc}); remove it and import again") from exc

    def _write_index(self, index: Mapping[str, Any]) -> None:
        text = json.dumps(index, indent=1, sort_keys=True)
        _atomic_write(self.root / INDEX_NAME, lambda p: p.write_text(text, encoding="utf-8"))

    def keys(self) -> list[str]:
        """Keys with data on disk."""
        return [key for key, meta in self._index().items() if meta.get("rows")]

    def load(self, key: str) -> pd.DataFrame:
        meta = self._index().get(key)
        path = self._path(key)
        if not meta or not meta.get("rows") or not path.is_file():
            raise KeyError(f"series {key!r} is not in the store at {self.root}")
        frame = pd.read_parquet(path)
        frame.index = pd.DatetimeIndex(frame.index, name="date")
        if key.startswith("calendar:"):  # event dates only (stored with a flag column)
            frame = frame.iloc[:, :0]
        frame.attrs = {"adjusted": True} if meta.get("adjusted") else {}
        return frame

    def load_many(self, keys: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
        return {key: self.load(key) for key in (list(keys) if keys else self.keys())}

    def info(self, key: str) -> SeriesInfo:
        meta = self._index().get(key)
        if meta is None:
            if key in LIVE_BY_KEY:
                return SeriesInfo(
                    key, provider_name(key), LIVE_BY_KEY[key].frequency, None, None, 0
                )
            raise KeyError(f"series {key!r} is not in the store at {self.root}")
        return SeriesInfo(
            key=key,
            source=meta.get("source", ""),
            frequency=meta.get("frequency"),
            first=pd.Timestamp(meta["first"]) if meta.get("first") else None,
            last=pd.Timestamp(meta["last"]) if meta.get("last") else None,
            rows=int(meta.get("rows", 0)),
            adjusted=bool(meta.get("adjusted", False)),
            fetched_at=pd.Timestamp(meta["fetched_at"]) if meta.get("fetched_at") else None,
            last_error=meta.get("last_error"),
            notes=tuple(meta.get("notes", ())),
        )

    def status(self) -> list[SeriesInfo]:
        """Every live series plus anything else stored, with what is known about it."""
        keys = [series.key for series in LIVE_SERIES]
        keys += [key for key in self._index() if key not in LIVE_BY_KEY]
        return [self.info(key) for key in keys]

    def is_empty(self) -> bool:
        return not self.keys()

    # ---- writing ---------------------------------------------------------------------------

    def _save(
        self,
        index: dict[str, dict[str, Any]],
        key: str,
        frame: pd.DataFrame,
        source: str,
        frequency: str | None = None,
        notes: Sequence[str] = (),
    ) -> int:
        """Merge ``frame`` into the stored series; returns the number of new rows."""
        frame = check_frame(frame, source=f"{key} from {source}")
        if frame.empty:
            raise StoreError(f"{key}: {source} sent no rows")
        stored = self.load(key) if key in index and self._path(key).is_file() else None
        merged = _merge(stored, frame)
        added = len(merged) - (0 if stored is None else len(stored))
        _atomic_write(self._path(key), lambda p: merged.to_parquet(p))
        live = LIVE_BY_KEY.get(key)
        index[key] = {
            "source": source,
            "frequency": frequency or (live.frequency if live else None),
            "first": _stamp(merged.index[0]),
            "last": _stamp(merged.index[-1]),
            "rows": len(merged),
            "adjusted": bool(frame.attrs.get("adjusted") or merged.attrs.get("adjusted")),
            "fetched_at": pd.Timestamp.now(tz="UTC").isoformat(),
            "last_error": None,
            "notes": list(notes),
        }
        return added

    def _record_error(self, index: dict[str, dict[str, Any]], key: str, message: str) -> None:
        entry = index.setdefault(key, {"source": provider_name(key), "rows": 0})
        entry["last_error"] = message
        entry["failed_at"] = pd.Timestamp.now(tz="UTC").isoformat()

    def import_folder(self, folder: Path | str) -> RefreshReport:
        """Copy every series of a manifest folder into the store (merging with what is there)."""
        source = FolderSource(folder)
        keys = source.keys()
        report = RefreshReport()
        with self._hold():
            index = self._index()
            for key in keys:
                try:
                    frame = source.load(key)
                    if frame.columns.empty:  # an event calendar: keep its dates as a flag column
                        frame = frame.assign(value=1.0)
                    info = source.info(key)
                    report.added[key] = self._save(
                        index, key, frame, f"folder {source.folder}", info.frequency, info.notes
                    )
                except (DataSourceError, ValueError) as exc:
                    report.failed[key] = str(exc)
                    self._record_error(index, key, str(exc))
            self._write_index(index)
        return report

    def import_file(self, key: str, data: bytes, filename: str) -> int:
        """Load a file downloaded by hand (the provider's own format); returns new rows."""
        frame = parse_file(key, data, filename)
        with self._hold():
            index = self._index()
            added = self._save(index, key, frame, f"file {filename}")
            self._write_index(index)
        return added

    @contextmanager
    def _hold(self) -> Iterator[None]:
        """Hold the store's lock (waiting up to ``LOCK_WAIT`` seconds for another writer)."""
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=LOCK_WAIT)
        except LockTimeout as exc:
            raise StoreError(
                f"another refresh of {self.root} has held the lock for {LOCK_WAIT:g} s"
            ) from exc
        try:
            yield
        finally:
            self._lock.release()

    def refresh(
        self,
        keys: Sequence[str] | None = None,
        progress: Progress | None = None,
        timeouts: Mapping[str, float] | None = None,
    ) -> RefreshReport:
        """Fetch ``keys`` (default: every live series) from their providers, one thread per
        provider, and merge what arrives. ``progress(provider, done, total, message)`` is called
        as each provider finishes."""
        keys = list(keys) if keys else [series.key for series in LIVE_SERIES]
        groups: dict[str, list[str]] = {}
        report = RefreshReport()
        for key in keys:
            name = provider_name(key)
            if name not in self.providers:
                report.failed[key] = f"no live provider for {key}"
            else:
                groups.setdefault(name, []).append(key)
        limits = {**SOURCE_TIMEOUTS, **(timeouts or {})}

        def fetch(name: str) -> tuple[str, dict[str, pd.DataFrame] | Exception]:
            try:
                timeout = limits.get(name, DEFAULT_TIMEOUT)
                return name, download(self.providers[name], groups[name], timeout)
            except Exception as exc:  # reported per series; the refresh goes on
                return name, exc

        unreachable = 0
        with self._hold(), ThreadPoolExecutor(max_workers=max(1, len(groups))) as pool:
            index = self._index()
            for done, (name, result) in enumerate(pool.map(fetch, groups), start=1):
                if isinstance(result, Exception):
                    unreachable += isinstance(result, SourceUnavailable)
                    message = str(result) or type(result).__name__
                    for key in groups[name]:
                        report.failed[key] = message
                        self._record_error(index, key, message)
                else:
                    for key in groups[name]:
                        if key not in result:
                            message = f"{name} sent nothing for {key}"
                            report.failed[key] = message
                            self._record_error(index, key, message)
                            continue
                        try:
                            report.added[key] = self._save(index, key, result[key], name)
                        except (DataSourceError, ValueError) as exc:
                            report.failed[key] = str(exc)
                            self._record_error(index, key, str(exc))
                self._write_index(index)
                if progress is not None:
                    ok = sum(1 for key in groups[name] if key in report.added)
                    progress(name, done, len(groups), f"{name}: {ok} of {len(groups[name])} ok")
        report.unreachable = bool(groups) and unreachable == len(groups)
        return report
