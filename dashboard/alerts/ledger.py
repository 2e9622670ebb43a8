"""What was sent, per channel, kept in the store as the artifact ``alerts/ledger.json``.

The ledger is written into the current generation's artifacts and read back as the union of the
ledgers of every kept generation (an entry's newest version wins: latest ``updated_at``, then
the further status), so it carries forward across refreshes and survives a rollback (which
copies an older generation's artifacts).

One entry per delivery, keyed by the message id ``sha256(channel id, change-set digest)`` (the
digest covers the from and to generations and the changes, see
:meth:`~dashboard.alerts.changes.ChangeSet.digest`). Status:

* ``queued``: recorded for this channel, not tried yet (the change set is kept for the send),
* ``sending``: written to the store *before* the send,
* ``sent``: written after the channel accepted it,
* ``failed``: the channel refused or was unreachable; retried on the next run,
* ``interrupted``: found still ``sending`` by a later run: the process died between the send and
  its record. **At most once**: such a message is never sent again (it may have arrived; the
  webhook receiver got its ``Idempotency-Key`` and the mailbox its ``Message-ID``). ``alerts
  status`` shows it.

A run that cannot write the ledger (the store is busy or read-only) sends nothing. Sent and
interrupted entries beyond the newest ``KEEP_DONE`` are dropped; pending ones are kept.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pandas as pd

LEDGER_ARTIFACT = "alerts/ledger.json"
LEDGER_FORMAT = 1
KEEP_DONE = 200
PENDING = ("queued", "failed")
RANK = {"queued": 0, "failed": 1, "sending": 2, "interrupted": 3, "sent": 4}


def now_text() -> str:
    return str(pd.Timestamp.now(tz="UTC").isoformat())


@dataclass(frozen=True)
class Delivery:
    """One message to one channel (see the module docstring)."""

    id: str
    channel_id: str
    channel: str
    from_generation: int
    to_generation: int
    as_of: str
    subject: str
    status: str
    updated_at: str
    attempts: int = 0
    error: str = ""
    change_set: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def pending(self) -> bool:
        return self.status in PENDING

    def moved(self, status: str, error: str = "") -> Delivery:
        """This delivery with a new status (``sending`` counts an attempt; ``sent`` drops the
        kept change set)."""
        return replace(
            self,
            status=status,
            error=error,
            updated_at=now_text(),
            attempts=self.attempts + (1 if status == "sending" else 0),
            change_set=None if status in ("sent", "interrupted") else self.change_set,
        )


def _newer(a: Delivery, b: Delivery) -> Delivery:
    return max(a, b, key=lambda d: (d.updated_at, RANK.get(d.status, 0)))


@dataclass
class Ledger:
    """Deliveries by message id."""

    deliveries: dict[str, Delivery] = field(default_factory=dict)

    def merge(self, other: Ledger) -> None:
        for key, delivery in other.deliveries.items():
            mine = self.deliveries.get(key)
            self.deliveries[key] = delivery if mine is None else _newer(mine, delivery)

    def put(self, delivery: Delivery) -> None:
        self.deliveries[delivery.id] = delivery

    def pending(self, channel_id: str) -> list[Delivery]:
        found = [d for d in self.deliveries.values() if d.channel_id == channel_id and d.pending]
        return sorted(found, key=lambda d: (d.to_generation, d.updated_at))

    def newest_first(self) -> list[Delivery]:
        return sorted(self.deliveries.values(), key=lambda d: d.updated_at, reverse=True)

    def to_json(self) -> bytes:
        done = [d for d in self.newest_first() if not d.pending and d.status != "sending"]
        dropped = {d.id for d in done[KEEP_DONE:]}
        kept = [asdict(d) for d in self.newest_first() if d.id not in dropped]
        return json.dumps({"format": LEDGER_FORMAT, "deliveries": kept}, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Ledger:
        """The ledger in ``data``; an unreadable one is empty (its entries are lost, never
        misread)."""
        try:
            document = json.loads(data)
            if document.get("format") != LEDGER_FORMAT:
                return cls()
            entries = [Delivery(**entry) for entry in document["deliveries"]]
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls()
        return cls({d.id: d for d in entries})


def kept_generations(store: Any) -> list[int]:
    """The kept generation numbers up to the current one, newest first."""
    current = store.generation
    if current is None:
        return []
    numbers = [g.number for g in store.generations()] if hasattr(store, "generations") else []
    return [n for n in numbers if n <= current] or [current]


def read_ledger(store: Any) -> Ledger:
    """The union of the ledgers of every kept generation (module docstring)."""
    ledger = Ledger()
    for number in kept_generations(store):
        data = store.read_artifact(LEDGER_ARTIFACT, number)
        if data is not None:
            ledger.merge(Ledger.from_json(data))
    return ledger


def write_ledger(store: Any, ledger: Ledger, generation: int) -> None:
    """Write ``ledger`` as the artifact of ``generation`` (raises the store's error)."""
    store.write_artifact(LEDGER_ARTIFACT, ledger.to_json(), generation)
