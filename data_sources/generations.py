"""The store's layout: content-addressed objects, generation manifests, one pointer.

::

    current.json                 {"format": 1, "generation": n, "manifest": "generations/…n.json"}
    generations/<n>.json         one committed state: per series its object and metadata,
                                 plus the change log of the refresh/import/rollback that made it
    objects/<sha256>.parquet     one series' frame; the name is the hash of the bytes
    artifacts/<n>/<name>         files computed from generation n (e.g. the precomputed model)
    status.json                  the latest attempt per series (last_error, failed_at)
    lease.json                   the writer lease (see data_sources.lease)

A writer commits in this order: objects, then the manifest, then the pointer (one small object
replaced atomically), then ``status.json``, then garbage collection. A reader reads the pointer,
then the manifest it names, then objects: whatever moment a writer dies at, the pointer names a
complete manifest whose objects all exist (objects are immutable and only unreferenced ones are
ever deleted), so a reader sees the old generation or the new one, never a mix.

The previous round's layout (``index.json`` + ``series/<key>.parquet``) is read as generation
0 (:func:`legacy_manifest`) and migrated into this layout by the first write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pandas as pd

from data_sources.errors import StoreError

FORMAT = 1
POINTER_NAME = "current.json"
STATUS_NAME = "status.json"
LEGACY_INDEX = "index.json"
KEEP_GENERATIONS = 5
KINDS = ("refresh", "import", "rollback")


@dataclass(frozen=True)
class Change:
    """What one commit did to one series: rows added and revised, or the error it met.
    In a rollback, ``added`` is the row count of the restored version minus the undone one
    (negative when the rollback removes rows) and ``revised`` the rows whose values differ."""

    key: str
    added: int
    revised: int
    error: str | None = None


@dataclass(frozen=True)
class Generation:
    """One committed state of the store. ``note`` says what a rollback undid."""

    number: int
    committed_at: pd.Timestamp
    kind: str
    changes: tuple[Change, ...]
    note: str = ""


def manifest_name(number: int) -> str:
    return f"generations/{number:08d}.json"


def artifact_prefix(number: int) -> str:
    return f"artifacts/{number:08d}"


def number_of_manifest(name: str) -> int | None:
    """``generations/00000012.json`` -> 12; None for anything else (temporaries, strays)."""
    stem = name.rsplit("/", 1)[-1]
    if not stem.endswith(".json") or not stem[:-5].isdigit():
        return None
    return int(stem[:-5])


def loads(data: bytes, what: str) -> dict[str, Any]:
    """A JSON object from store bytes, or a :class:`StoreError` naming the damaged object."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StoreError(f"{what} is damaged ({exc}); roll back or import again") from exc
    if not isinstance(document, dict):
        raise StoreError(f"{what} is damaged (not a JSON object); roll back or import again")
    return document


def dumps(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=1, sort_keys=True).encode("utf-8")


def pointer_document(number: int) -> dict[str, Any]:
    return {"format": FORMAT, "generation": number, "manifest": manifest_name(number)}


def manifest_document(
    number: int,
    kind: str,
    series: dict[str, dict[str, Any]],
    changes: list[Change],
    note: str = "",
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "generation": number,
        "committed_at": pd.Timestamp.now(tz="UTC").isoformat(),
        "kind": kind,
        "note": note,
        "series": series,
        "changes": [
            {"key": c.key, "added": c.added, "revised": c.revised, "error": c.error}
            for c in changes
        ],
    }


def generation_of(manifest: dict[str, Any]) -> Generation:
    """The :class:`Generation` summary of a manifest document."""
    changes = tuple(
        Change(str(c["key"]), int(c["added"]), int(c["revised"]), c.get("error"))
        for c in manifest.get("changes", ())
    )
    return Generation(
        number=int(manifest["generation"]),
        committed_at=pd.Timestamp(manifest["committed_at"]),
        kind=str(manifest["kind"]),
        changes=changes,
        note=str(manifest.get("note", "")),
    )


def legacy_object(key: str) -> str:
    """Where the previous round's layout kept a series."""
    return f"series/{quote(key, safe='')}.parquet"


def legacy_manifest(index: dict[str, Any]) -> dict[str, Any]:
    """The previous round's ``index.json`` read as generation 0 (objects are its parquet files;
    entries without rows carry only their error, which goes to the status)."""
    series = {
        key: {**entry, "object": legacy_object(key)}
        for key, entry in index.items()
        if isinstance(entry, dict) and entry.get("rows")
    }
    stamps = [str(entry["fetched_at"]) for entry in series.values() if entry.get("fetched_at")]
    committed = max(stamps) if stamps else pd.Timestamp(0, tz="UTC").isoformat()
    return {
        "format": FORMAT,
        "generation": 0,
        "committed_at": committed,
        "kind": "import",
        "note": "the previous store layout (index.json), read as generation 0",
        "series": series,
        "changes": [],
    }


def legacy_status(index: dict[str, Any]) -> dict[str, Any]:
    """Errors recorded by the previous layout, as status entries."""
    return {
        key: {"last_error": entry["last_error"], "failed_at": entry.get("failed_at")}
        for key, entry in index.items()
        if isinstance(entry, dict) and entry.get("last_error")
    }
