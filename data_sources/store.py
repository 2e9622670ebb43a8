"""The store: series in generations on a local folder or object storage, one writer at a time.

Location: the ``location`` argument, else the environment variable ``INVESTABLE_STORE``, else the
user's cache folder (``platformdirs.user_cache_dir("investable")``). A plain path or an fsspec
URL (``s3://bucket/prefix``, ``gs://…``, ``az://…``, ``memory://…``); how endpoints and
credentials are found is in :mod:`data_sources.storage`. A location that is an existing file is
a :class:`StoreError`. :attr:`Store.location` is for display and never holds credentials.

Layout and commit order: :mod:`data_sources.generations` (objects, then a generation manifest,
then one pointer switched last; a reader never sees half a refresh, a killed writer leaves the
previous generation readable). The last ``KEEP_GENERATIONS`` generations and their artifacts are
kept; unreferenced objects are removed after each commit. Writers hold the lease of
:mod:`data_sources.lease` (:class:`StoreBusy` when another writer has it). Merge rules (price
series replaced whole when the payload covers the stored range; other series revised in the last
``REVISION_WINDOW`` rows and appended): :mod:`data_sources.merge`. Provider orchestration
(concurrent, per-series isolated, deadline): :mod:`data_sources.refresh`.

Failures lose nothing: a series whose fetch, validation or merge fails keeps its stored object
(byte for byte) and gets ``last_error``/``failed_at``. **Errors-only refreshes** (nothing landed)
commit no generation: they write only ``status.json``, a small object with each series' latest
attempt (error and time). A new generation per failed attempt would push real data generations
out of the five kept (five offline refreshes would make every rollback impossible) and would
invalidate the artifacts precomputed for the current generation although the data did not
change. ``status.json`` is advisory (written after the pointer, last writer wins): a writer
killed between the two leaves the previous attempt's errors, corrected by the next refresh.

Reading never writes anything (read-only replicas may have read-only credentials). The previous
round's layout (``index.json`` + ``series/*.parquet``) is read as generation 0 and migrated into
objects by the first write (its files are left in place, unused from then on).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from data_sources.catalog import LIVE_BY_KEY, LIVE_SERIES, provider_name
from data_sources.deadline import Deadline
from data_sources.errors import DataSourceError, SourceUnavailable, StoreError
from data_sources.folder import FolderSource, SeriesInfo
from data_sources.frames import check_frame
from data_sources.generations import (
    KEEP_GENERATIONS,
    LEGACY_INDEX,
    POINTER_NAME,
    STATUS_NAME,
    Change,
    Generation,
    artifact_prefix,
    dumps,
    generation_of,
    legacy_manifest,
    legacy_status,
    loads,
    manifest_document,
    manifest_name,
    number_of_manifest,
    pointer_document,
)
from data_sources.lease import LEASE_SECONDS, Lease, StoreBusy
from data_sources.merge import REVISION_WINDOW, Merged, changed_rows, merge
from data_sources.providers import Provider
from data_sources.providers.files import parse_file
from data_sources.refresh import DEFAULT_DEADLINE, ProviderOutcome, run_providers
from data_sources.registry import default_providers
from data_sources.storage import Storage, open_storage
from data_sources.validate import check_update

__all__ = [
    "KEEP_GENERATIONS",
    "REVISION_WINDOW",
    "Attempt",
    "Change",
    "Generation",
    "RefreshReport",
    "Store",
    "StoreBusy",
    "default_location",
]

OFFLINE_MESSAGE = (
    "Live sources are unreachable (no network, or every site refused). The store keeps what it "
    "has. To load data: `investable import --from DIR` (a folder with a "
    "manifest.toml), `investable import-file --series KEY FILE`, or the upload on "
    "the Data page."
)
ARTIFACT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")
READ_ATTEMPTS = 3

Progress = Callable[[str, int, int, str], None]
Validator = Callable[[str, pd.DataFrame, pd.DataFrame | None], None]


def default_location() -> str:
    """``INVESTABLE_STORE`` or the user's cache directory."""
    explicit = os.environ.get("INVESTABLE_STORE")
    if explicit:
        return explicit
    from platformdirs import user_cache_dir

    return user_cache_dir("investable")


@dataclass
class RefreshReport:
    """What a refresh or import did: rows added and revised per key that landed, errors per
    key that did not, notes per key (e.g. a price history replaced whole), and the generation
    committed (or the unchanged current one when nothing landed)."""

    added: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    unreachable: bool = False
    revised: dict[str, int] = field(default_factory=dict)
    generation: int | None = None
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def message(self) -> str:
        if self.unreachable:
            return OFFLINE_MESSAGE
        done = f"{len(self.added)} series updated ({sum(self.added.values())} new rows)"
        revised = sum(self.revised.values())
        if revised:
            done += f", {revised} rows revised"
        return done if self.ok else f"{done}; {len(self.failed)} failed"


@dataclass(frozen=True)
class Attempt:
    """The latest attempt to update one series: when, and its error (None when it landed)."""

    key: str
    at: pd.Timestamp | None
    error: str | None


@dataclass
class _Snapshot:
    """One consistent view: the pointer's generation and its manifest."""

    number: int | None
    manifest: dict[str, Any]
    legacy: bool = False

    @property
    def series(self) -> dict[str, dict[str, Any]]:
        series: dict[str, dict[str, Any]] = self.manifest.get("series", {})
        return series


class _Vanished(Exception):
    """An object named by a manifest is gone (the generation was pruned meanwhile)."""


def _stamp(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


def _now() -> str:
    return str(pd.Timestamp.now(tz="UTC").isoformat())


def _time(value: Any) -> pd.Timestamp | None:
    return pd.Timestamp(value) if value else None


def _message(exc: BaseException) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc) or type(exc).__name__


class Store:
    """Series in generations, with the :class:`~data_sources.source.SeriesSource` interface."""

    def __init__(
        self,
        location: str | os.PathLike[str] | None = None,
        *,
        providers: Mapping[str, Provider] | None = None,
        fred_key: str | None = None,
        validator: Validator | None = None,
        storage_options: Mapping[str, Any] | None = None,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        raw = os.fspath(location) if location is not None else default_location()
        self.storage: Storage = open_storage(raw, storage_options)
        self.location: str = self.storage.display
        self.providers: dict[str, Any] = (
            dict(providers) if providers is not None else dict(default_providers(fred_key))
        )
        self.validator: Validator | None = validator if validator is not None else check_update
        self.lease_seconds = lease_seconds
        self._manifests: dict[int, dict[str, Any]] = {}

    @property
    def root(self) -> Path | str:
        """COMPATIBILITY (callers of the previous round): the folder of a local store, else the
        display location. Use :attr:`location`."""
        return Path(self.storage.root) if self.storage.local else self.location

    # ---- reading ---------------------------------------------------------------------------

    def _snapshot(self) -> _Snapshot:
        pointer_bytes = self.storage.read(POINTER_NAME)
        if pointer_bytes is None:
            legacy = self.storage.read(LEGACY_INDEX)
            if legacy is None:
                return _Snapshot(None, {"series": {}})
            index = loads(legacy, f"{self.location}/{LEGACY_INDEX}")
            return _Snapshot(0, legacy_manifest(index), legacy=True)
        pointer = loads(pointer_bytes, f"{self.location}/{POINTER_NAME}")
        name = str(pointer.get("manifest", ""))
        data = self.storage.read(name) if name else None
        if data is None:
            raise StoreError(
                f"{self.location}: the current generation's manifest {name or '(none)'} is "
                "missing; the store is damaged (roll back or import again)"
            )
        return _Snapshot(int(pointer["generation"]), loads(data, f"{self.location}/{name}"))

    def _attempts(self, snapshot: _Snapshot | None = None) -> dict[str, dict[str, Any]]:
        data = self.storage.read(STATUS_NAME)
        if data is None:
            if snapshot is not None and snapshot.legacy:
                index = loads(self.storage.read(LEGACY_INDEX) or b"{}", LEGACY_INDEX)
                return legacy_status(index)
            return {}
        try:
            return loads(data, f"{self.location}/{STATUS_NAME}")
        except StoreError:
            return {}  # advisory only: a damaged status never blocks reading the data

    def _read_frame(self, key: str, entry: Mapping[str, Any]) -> pd.DataFrame:
        data = self.storage.read(str(entry["object"]))
        if data is None:
            raise _Vanished(key)
        frame = pd.read_parquet(io.BytesIO(data))
        frame.index = pd.DatetimeIndex(frame.index, name="date")
        if entry.get("events") or key.startswith("calendar:"):
            frame = frame.iloc[:, :0]  # event dates only (stored with a flag column)
        frame.attrs = {"adjusted": True} if entry.get("adjusted") else {}
        return frame

    def _read_consistently(self, read: Callable[[_Snapshot], Any]) -> Any:
        """``read(snapshot)``, retried on a fresh snapshot if a pruned object vanished."""
        for _ in range(READ_ATTEMPTS):
            try:
                return read(self._snapshot())
            except _Vanished:
                continue
        raise StoreError(
            f"{self.location}: objects of the current generation are missing; the store is "
            "damaged (roll back to an earlier generation or import again)"
        )

    def keys(self) -> list[str]:
        """Keys with data in the current generation."""
        return [key for key, entry in self._snapshot().series.items() if entry.get("rows")]

    def load(self, key: str) -> pd.DataFrame:
        def read(snapshot: _Snapshot) -> pd.DataFrame:
            entry = snapshot.series.get(key)
            if not entry or not entry.get("rows"):
                raise KeyError(f"series {key!r} is not in the store at {self.location}")
            return self._read_frame(key, entry)

        frame: pd.DataFrame = self._read_consistently(read)
        return frame

    def load_many(self, keys: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
        """Frames of one generation: ``keys`` (default: every stored key)."""
        return self.load_with_generation(keys)[1]

    def load_with_generation(
        self, keys: Iterable[str] | None = None
    ) -> tuple[int | None, dict[str, pd.DataFrame]]:
        """Like :meth:`load_many`, plus the generation the frames belong to (to match them
        with that generation's artifacts)."""
        wanted = list(keys) if keys else None

        def read(snapshot: _Snapshot) -> tuple[int | None, dict[str, pd.DataFrame]]:
            stored = {k: e for k, e in snapshot.series.items() if e.get("rows")}
            names = wanted if wanted is not None else list(stored)
            missing = [k for k in names if k not in stored]
            if missing:
                raise KeyError(f"series {missing[0]!r} is not in the store at {self.location}")
            return snapshot.number, {k: self._read_frame(k, stored[k]) for k in names}

        result: tuple[int | None, dict[str, pd.DataFrame]] = self._read_consistently(read)
        return result

    def _info(
        self, key: str, snapshot: _Snapshot, attempts: Mapping[str, Mapping[str, Any]]
    ) -> SeriesInfo:
        entry = snapshot.series.get(key)
        attempt = attempts.get(key, {})
        if entry is None:
            if key not in LIVE_BY_KEY and not attempt:
                raise KeyError(f"series {key!r} is not in the store at {self.location}")
            live = LIVE_BY_KEY.get(key)
            return SeriesInfo(
                key,
                provider_name(key),
                live.frequency if live else None,
                None,
                None,
                0,
                last_error=attempt.get("last_error"),
            )
        last_error = attempt["last_error"] if "last_error" in attempt else entry.get("last_error")
        return SeriesInfo(
            key=key,
            source=entry.get("source", ""),
            frequency=entry.get("frequency"),
            first=_time(entry.get("first")),
            last=_time(entry.get("last")),
            rows=int(entry.get("rows", 0)),
            adjusted=bool(entry.get("adjusted", False)),
            fetched_at=_time(entry.get("fetched_at")),
            last_error=last_error,
            notes=tuple(entry.get("notes", ())),
        )

    def info(self, key: str) -> SeriesInfo:
        snapshot = self._snapshot()
        return self._info(key, snapshot, self._attempts(snapshot))

    def status(self) -> list[SeriesInfo]:
        """Every live series plus anything else stored or attempted, with what is known."""
        snapshot = self._snapshot()
        attempts = self._attempts(snapshot)
        keys = [series.key for series in LIVE_SERIES]
        keys += [key for key in snapshot.series if key not in LIVE_BY_KEY]
        keys += [key for key in attempts if key not in LIVE_BY_KEY and key not in snapshot.series]
        return [self._info(key, snapshot, attempts) for key in keys]

    def attempts(self) -> dict[str, Attempt]:
        """The latest attempt per series (for back-off): when, and its error or None."""
        snapshot = self._snapshot()
        result = {}
        for key, entry in self._attempts(snapshot).items():
            error = entry.get("last_error")
            at = entry.get("failed_at") if error else entry.get("ok_at")
            result[key] = Attempt(key, _time(at), error)
        return result

    def is_empty(self) -> bool:
        return not self.keys()

    @property
    def generation(self) -> int | None:
        """The current committed generation (None for an empty store; 0 for the old layout)."""
        return self._snapshot().number

    def _manifest_numbers(self) -> list[int]:
        names = self.storage.list("generations")
        return sorted({n for n in map(number_of_manifest, names) if n is not None})

    def _kept_numbers(self, current: int | None) -> list[int]:
        if current is None:
            return []
        numbers = [n for n in self._manifest_numbers() if n <= current]
        return numbers[-KEEP_GENERATIONS:]

    def _manifest(self, number: int) -> dict[str, Any] | None:
        """Generation ``number``'s manifest (kept in memory once read: manifests never change
        once the pointer names them, and a number is never reused for another manifest)."""
        if number in self._manifests:
            return self._manifests[number]
        data = self.storage.read(manifest_name(number))
        if data is None:
            return None
        manifest = loads(data, f"{self.location}/{manifest_name(number)}")
        if len(self._manifests) > 4 * KEEP_GENERATIONS:
            self._manifests.clear()
        self._manifests[number] = manifest
        return manifest

    def generations(self) -> list[Generation]:
        """The kept generations, newest first."""
        snapshot = self._snapshot()
        if snapshot.legacy:
            return [generation_of(snapshot.manifest)]
        found = []
        for number in reversed(self._kept_numbers(snapshot.number)):
            manifest = snapshot.manifest if number == snapshot.number else self._manifest(number)
            if manifest is not None:
                found.append(generation_of(manifest))
        return found

    def read_artifact(self, name: str, generation: int | None = None) -> bytes | None:
        """The artifact ``name`` of ``generation`` (default: the current one), or None."""
        _check_artifact_name(name)
        number = self.generation if generation is None else generation
        if number is None:
            return None
        return self.storage.read(f"{artifact_prefix(number)}/{name}")

    # ---- writing ---------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[tuple[Lease, _Snapshot]]:
        """Hold the lease; yields it and the current snapshot (an old layout migrated)."""
        lease = Lease(self.storage, self.lease_seconds)
        lease.acquire()
        try:
            snapshot = self._snapshot()
            if snapshot.legacy:
                snapshot = self._migrate(lease, snapshot)
            yield lease, snapshot
        finally:
            lease.release()

    def _migrate(self, lease: Lease, snapshot: _Snapshot) -> _Snapshot:
        """Copy the previous layout into objects as generation 0."""
        series = {}
        for key, entry in snapshot.series.items():
            data = self.storage.read(str(entry["object"]))
            if data is None:
                continue  # the old index named a file that is gone: nothing to keep
            series[key] = {**entry, "object": self._put_bytes(data)}
        attempts = self._attempts(snapshot)
        self.storage.write(
            manifest_name(0),
            dumps(manifest_document(0, "import", series, [], snapshot.manifest["note"])),
        )
        lease.check()
        self.storage.write(POINTER_NAME, dumps(pointer_document(0)))
        self.storage.write(STATUS_NAME, dumps(attempts))
        return self._snapshot()

    def _put_bytes(self, data: bytes) -> str:
        name = f"objects/{hashlib.sha256(data).hexdigest()}.parquet"
        if not self.storage.exists(name):
            self.storage.write(name, data)
        return name

    def _land(
        self,
        key: str,
        fetched: pd.DataFrame,
        snapshot: _Snapshot,
        source: str,
        frequency: str | None = None,
        notes: Sequence[str] = (),
    ) -> tuple[dict[str, Any], Merged]:
        """Validate and merge ``fetched`` into ``key``; writes the new object and returns its
        manifest entry. Raises :class:`DataSourceError` (nothing written that is referenced)."""
        note = fetched.attrs.get("note")  # e.g. the gaps a CBOE backfill could not fill
        if note:
            notes = (*notes, str(note))
        events = fetched.columns.empty
        if events:  # an event calendar: keep its dates as a flag column
            fetched = fetched.assign(value=1.0)
        fetched = check_frame(fetched, source=f"{key} from {source}")
        if fetched.empty:
            raise SourceUnavailable(f"{key}: {source} sent no rows")
        entry = snapshot.series.get(key)
        stored = None
        if entry and entry.get("rows"):
            try:
                stored = self._read_frame(key, entry)
            except _Vanished as exc:
                raise StoreError(f"{key}: the stored object is missing; import it again") from exc
            if entry.get("events") or key.startswith("calendar:"):
                stored = stored.assign(value=1.0)
        if self.validator is not None:
            self.validator(key, fetched, stored)
        merged = merge(key, stored, fetched, source)
        frame = merged.frame
        buffer = io.BytesIO()
        frame.to_parquet(buffer)
        live = LIVE_BY_KEY.get(key)
        old = entry or {}
        new_entry = {
            "object": self._put_bytes(buffer.getvalue()),
            "rows": len(frame),
            "first": _stamp(frame.index[0]),
            "last": _stamp(frame.index[-1]),
            "source": source,
            "frequency": frequency or old.get("frequency") or (live.frequency if live else None),
            "fetched_at": _now(),
            "last_error": None,
            "failed_at": None,
            "notes": list(notes) if notes else list(old.get("notes", ())),
            "adjusted": bool(frame.attrs.get("adjusted")),
            "events": bool(events or old.get("events")),
        }
        return new_entry, merged

    def _commit(
        self,
        lease: Lease,
        snapshot: _Snapshot,
        kind: str,
        series: dict[str, dict[str, Any]],
        changes: list[Change],
        note: str = "",
    ) -> int:
        """Manifest, then (still holding the lease) the pointer; then garbage collection."""
        numbers = self._manifest_numbers()
        base = max([*numbers, snapshot.number if snapshot.number is not None else 0])
        number = base + 1
        document = manifest_document(number, kind, series, changes, note)
        self.storage.write(manifest_name(number), dumps(document))
        lease.check()
        self.storage.write(POINTER_NAME, dumps(pointer_document(number)))
        return number

    def _record_attempts(self, outcomes: Mapping[str, str | None]) -> None:
        """Update ``status.json``: per key its latest attempt (error or success, with time)."""
        if not outcomes:
            return
        attempts = dict(self._attempts())
        now = _now()
        for key, error in outcomes.items():
            if error is None:
                attempts[key] = {"last_error": None, "ok_at": now}
            else:
                attempts[key] = {"last_error": error, "failed_at": now}
        self.storage.write(STATUS_NAME, dumps(attempts))

    def _collect_garbage(self, current: int) -> None:
        """Drop generations beyond the kept ones (and their artifacts), strays of killed
        writers, and objects no kept generation references. Called while holding the lease."""
        names = self.storage.list("generations")
        numbers = sorted({n for n in map(number_of_manifest, names) if n is not None})
        kept = set([n for n in numbers if n <= current][-KEEP_GENERATIONS:])
        for name in names:
            if number_of_manifest(name) not in kept:
                self.storage.delete(name)
        for name in self.storage.list("artifacts"):
            folder = name.split("/")[1] if name.count("/") >= 2 else ""
            if not folder.isdigit() or int(folder) not in kept:
                self.storage.delete(name)
        referenced = set()
        for number in kept:
            manifest = self._manifest(number)
            if manifest is None:
                continue
            referenced |= {str(e["object"]) for e in manifest.get("series", {}).values()}
        for name in self.storage.list("objects"):
            if name not in referenced:
                self.storage.delete(name)
        if self.storage.local:
            for stray in Path(self.storage.root).glob(".*.tmp"):
                stray.unlink(missing_ok=True)

    def _finish(
        self,
        lease: Lease,
        snapshot: _Snapshot,
        kind: str,
        series: dict[str, dict[str, Any]],
        changes: list[Change],
        outcomes: Mapping[str, str | None],
        note: str = "",
    ) -> int | None:
        """Commit a generation when anything landed; record every attempt either way."""
        number = snapshot.number
        landed = any(c.error is None for c in changes) or kind == "rollback"
        if landed:
            number = self._commit(lease, snapshot, kind, series, changes, note)
        else:
            lease.check()
        self._record_attempts(outcomes)
        if landed and number is not None:
            self._collect_garbage(number)
        return number

    @staticmethod
    def _failed(
        series: dict[str, dict[str, Any]],
        changes: list[Change],
        outcomes: dict[str, str | None],
        report: RefreshReport,
        key: str,
        message: str,
    ) -> None:
        """Record a key that did not land: its stored entry keeps its rows and gains the error."""
        if key in series:
            series[key] = {**series[key], "last_error": message, "failed_at": _now()}
        changes.append(Change(key, 0, 0, message))
        report.failed[key] = outcomes[key] = message

    @staticmethod
    def _landed(
        series: dict[str, dict[str, Any]],
        changes: list[Change],
        outcomes: dict[str, str | None],
        report: RefreshReport,
        key: str,
        entry: dict[str, Any],
        merged: Merged,
    ) -> None:
        """Record a key that landed: its new entry, rows added and revised, and any note."""
        series[key] = entry
        changes.append(Change(key, merged.added, merged.revised))
        report.added[key], report.revised[key] = merged.added, merged.revised
        outcomes[key] = None
        if merged.note:
            report.notes[key] = merged.note

    def refresh(
        self,
        keys: Sequence[str] | None = None,
        *,
        progress: Progress | None = None,
        deadline: float | None = None,
    ) -> RefreshReport:
        """Fetch ``keys`` (default: every live series) from their providers, concurrently, and
        commit what arrives as one generation. ``deadline``: seconds for the whole refresh
        (default 15 minutes); each provider also stops at its ``record.budget``.
        ``progress(provider, done, total, message)`` is called as providers make progress and
        finish."""
        keys = list(keys) if keys else [series.key for series in LIVE_SERIES]
        report = RefreshReport()
        groups: dict[str, list[str]] = {}
        for key in keys:
            name = provider_name(key)
            if name not in self.providers:
                report.failed[key] = f"no live provider for {key}"
            else:
                groups.setdefault(name, []).append(key)
        providers = {name: self.providers[name] for name in groups}
        clock = Deadline(DEFAULT_DEADLINE if deadline is None else deadline)
        unreachable: list[str] = []
        with self._writing() as (lease, snapshot):
            series = {key: dict(entry) for key, entry in snapshot.series.items()}
            changes: list[Change] = []
            outcomes: dict[str, str | None] = {}
            stored_last = {key: _time(series.get(key, {}).get("last")) for key in keys}

            def on_done(outcome: ProviderOutcome, done: int, total: int) -> None:
                name = outcome.name
                results = outcome.results
                if results and all(isinstance(r, SourceUnavailable) for r in results.values()):
                    unreachable.append(name)
                for key in groups[name]:
                    result = results[key]
                    try:
                        if isinstance(result, DataSourceError):
                            raise result
                        entry, merged = self._land(key, result, snapshot, name)
                    except (DataSourceError, ValueError, KeyError) as exc:
                        self._failed(series, changes, outcomes, report, key, _message(exc))
                        continue
                    self._landed(series, changes, outcomes, report, key, entry, merged)
                if progress is not None:
                    ok = sum(1 for key in groups[name] if key in report.added)
                    progress(name, done, total, f"{name}: {ok} of {len(groups[name])} ok")

            run_providers(groups, providers, stored_last, clock, on_done, progress)
            report.generation = self._finish(lease, snapshot, "refresh", series, changes, outcomes)
        report.unreachable = bool(groups) and len(unreachable) == len(groups)
        return report

    def import_folder(self, folder: Path | str) -> RefreshReport:
        """Copy every series of a manifest folder into the store as one generation."""
        source = FolderSource(folder)
        keys = source.keys()
        report = RefreshReport()
        with self._writing() as (lease, snapshot):
            series = {key: dict(entry) for key, entry in snapshot.series.items()}
            changes: list[Change] = []
            outcomes: dict[str, str | None] = {}
            for key in keys:
                try:
                    info = source.info(key)
                    entry, merged = self._land(
                        key,
                        source.load(key),
                        snapshot,
                        f"folder {source.folder}",
                        info.frequency,
                        info.notes,
                    )
                except (DataSourceError, ValueError) as exc:
                    self._failed(series, changes, outcomes, report, key, _message(exc))
                    continue
                self._landed(series, changes, outcomes, report, key, entry, merged)
            report.generation = self._finish(lease, snapshot, "import", series, changes, outcomes)
        return report

    def import_file(self, key: str, data: bytes | pd.DataFrame, filename: str) -> int:
        """Load a file downloaded by hand (the provider's own format, parsed by
        ``providers.files.parse_file``; or an already parsed frame) as one generation; returns
        the new rows. Raises :class:`DataSourceError` with the stored data unchanged."""
        frame = data if isinstance(data, pd.DataFrame) else parse_file(key, data, filename)
        with self._writing() as (lease, snapshot):
            series = {k: dict(entry) for k, entry in snapshot.series.items()}
            entry, merged = self._land(key, frame, snapshot, f"file {filename}")
            series[key] = entry
            changes = [Change(key, merged.added, merged.revised)]
            self._finish(lease, snapshot, "import", series, changes, {key: None})
        return merged.added

    def write_artifact(self, name: str, data: bytes, generation: int) -> None:
        """Store ``data`` as artifact ``name`` of a kept ``generation``."""
        _check_artifact_name(name)
        with self._writing() as (lease, snapshot):
            kept = self._kept_numbers(snapshot.number)
            if generation not in kept:
                raise StoreError(
                    f"generation {generation} is not kept in {self.location} (kept: "
                    f"{', '.join(map(str, kept)) or 'none'}); its artifacts cannot be written"
                )
            lease.check()
            self.storage.write(f"{artifact_prefix(generation)}/{name}", data)

    def rollback(self, generation: int) -> Generation:
        """Commit a new generation equal to ``generation`` (kind "rollback"); its change log
        lists the series that differ and its note the generations it undid. Artifacts of
        ``generation`` are copied to the new one (same data, same precomputed results)."""
        with self._writing() as (lease, snapshot):
            kept = self._kept_numbers(snapshot.number)
            target = self._manifest(generation) if generation in kept else None
            if target is None:
                raise StoreError(
                    f"generation {generation} is not kept in {self.location} (kept: "
                    f"{', '.join(map(str, kept)) or 'none'})"
                )
            if generation == snapshot.number:
                raise StoreError(f"generation {generation} is already the current one")
            restored: dict[str, dict[str, Any]] = target.get("series", {})
            changes = self._differences(snapshot.series, restored)
            undone = [n for n in kept if n > generation]
            note = (
                f"rolled back to generation {generation}, undoing generation(s) "
                f"{', '.join(map(str, undone))}"
            )
            number = self._commit(lease, snapshot, "rollback", dict(restored), changes, note)
            for name in self.storage.list(artifact_prefix(generation)):
                payload = self.storage.read(name)
                if payload is not None:
                    tail = name.split("/", 2)[2]
                    self.storage.write(f"{artifact_prefix(number)}/{tail}", payload)
            self._collect_garbage(number)
            manifest = self._manifest(number)
        assert manifest is not None
        return generation_of(manifest)

    def _differences(
        self, current: Mapping[str, Mapping[str, Any]], restored: Mapping[str, Mapping[str, Any]]
    ) -> list[Change]:
        changes = []
        for key in sorted(set(current) | set(restored)):
            now, then = current.get(key), restored.get(key)
            if now is not None and then is not None and now.get("object") == then.get("object"):
                continue
            rows_now = int(now.get("rows", 0)) if now else 0
            rows_then = int(then.get("rows", 0)) if then else 0
            revised = 0
            if now and then and now.get("rows") and then.get("rows"):
                try:
                    revised = changed_rows(self._read_frame(key, now), self._read_frame(key, then))
                except (_Vanished, KeyError):
                    revised = 0
            changes.append(Change(key, rows_then - rows_now, revised))
        return changes


def _check_artifact_name(name: str) -> None:
    if not ARTIFACT_NAME.fullmatch(name) or ".." in name.split("/"):
        raise StoreError(
            f"{name!r} is not a usable artifact name (letters, digits, '.', '_', '-', and '/' "
            "between parts)"
        )
