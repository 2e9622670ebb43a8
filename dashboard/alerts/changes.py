"""What changed between two model states: one :class:`ChangeSet` per pair of generations.

Rules (``before`` → ``after``, each on its own latest decision week):

* **decision**: ``invested`` differs (INVESTED ⇔ composite > threshold).
* **composite**: the composite crosses the threshold, i.e. ``before > t`` differs from
  ``after > t`` with both known (exactly at the threshold counts as below: 0.60 is not above
  0.60), or it becomes unavailable / available again.
* **vote**: an indicator's score differs (1 invested, 0 cash, None unavailable); indicators
  present in one state only count as unavailable in the other.
* **uptrend** / **bull_market**: the flag starts (False → True) or ends (True → False); an
  unknown flag (None) on either side is no change.
* **gauge**: the band differs and either band is an extreme one (Extreme Fear, Extreme Greed):
  the gauge entered or left an extreme band. Fear ↔ Neutral ↔ Greed moves are not alerts.
* **stale**: a series whose latest update failed joins or leaves the stale set (both known).

Nothing else (a new week whose votes are all the same, revisions that move no vote) is a change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from dashboard.alerts.states import ModelState

EXTREME_BANDS = ("Extreme Fear", "Extreme Greed")


@dataclass(frozen=True)
class Change:
    """One change: its kind, the indicator or series it concerns ("" for the model), the
    before and after values as words, and one sentence for people."""

    kind: str
    subject: str
    before: str
    after: str
    text: str


@dataclass(frozen=True)
class ChangeSet:
    """The changes from generation ``from_generation`` (decision week ``before_as_of``) to
    ``to_generation`` (``as_of``), with the new state for the scores a message shows."""

    from_generation: int
    to_generation: int
    before_as_of: str
    as_of: str
    changes: tuple[Change, ...]
    state: ModelState

    def to_dict(self) -> dict[str, Any]:
        return {
            "from_generation": self.from_generation,
            "to_generation": self.to_generation,
            "before_as_of": self.before_as_of,
            "as_of": self.as_of,
            "changes": [asdict(change) for change in self.changes],
            "state": json.loads(self.state.to_json()),
        }

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> ChangeSet:
        state = ModelState.from_json(json.dumps(document["state"]).encode())
        if state is None:
            raise ValueError("the stored change set's model state is damaged")
        return cls(
            from_generation=int(document["from_generation"]),
            to_generation=int(document["to_generation"]),
            before_as_of=str(document["before_as_of"]),
            as_of=str(document["as_of"]),
            changes=tuple(Change(**change) for change in document["changes"]),
            state=state,
        )

    def digest(self) -> str:
        """SHA-256 of the generations and the changes (canonical JSON): the same change set
        always has the same digest."""
        core = {
            "from": self.from_generation,
            "to": self.to_generation,
            "changes": [asdict(change) for change in self.changes],
        }
        return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()


def decision_word(invested: bool) -> str:
    return "INVESTED" if invested else "CASH"


def vote_word(score: float | None) -> str:
    if score is None:
        return "unavailable"
    return "invested" if score >= 0.5 else "cash"


def number(value: float | None) -> str:
    return "unavailable" if value is None else f"{value:.2f}"


def _composite(before: ModelState, after: ModelState) -> list[Change]:
    old, new, threshold = before.composite, after.composite, after.threshold
    if old is None and new is None:
        return []
    if old is None or new is None:
        verb = "became unavailable" if new is None else "is available again"
        return [Change("composite", "", number(old), number(new), f"The composite {verb}.")]
    if (old > threshold) == (new > threshold):
        return []
    if new > threshold:
        text = f"The composite rose above {threshold:.2f}: {old:.2f} → {new:.2f}."
    else:
        text = f"The composite fell to or below {threshold:.2f}: {old:.2f} → {new:.2f}."
    return [Change("composite", "", number(old), number(new), text)]


def _votes(before: ModelState, after: ModelState) -> list[Change]:
    changes = []
    for key in [*after.votes, *(k for k in before.votes if k not in after.votes)]:
        old, new = before.votes.get(key), after.votes.get(key)
        if vote_word(old) == vote_word(new):
            continue
        name = after.names.get(key) or before.names.get(key) or key
        was, now = vote_word(old), vote_word(new)
        changes.append(Change("vote", key, was, now, f"{name}: {was} → {now}."))
    return changes


def _flag(kind: str, label: str, old: bool | None, new: bool | None) -> list[Change]:
    if old is None or new is None or old == new:
        return []
    verb = "started" if new else "ended"
    return [Change(kind, "", "yes" if old else "no", "yes" if new else "no", f"{label} {verb}.")]


def _gauge(before: ModelState, after: ModelState) -> list[Change]:
    old, new = before.gauge_band, after.gauge_band
    if old == new or not (old in EXTREME_BANDS or new in EXTREME_BANDS):
        return []
    values = f"({number_or_dash(before.gauge)} → {number_or_dash(after.gauge)})"
    if new in EXTREME_BANDS and old in EXTREME_BANDS:
        text = f"The sentiment gauge left {old} and entered {new} {values}."
    elif new in EXTREME_BANDS:
        text = f"The sentiment gauge entered {new} {values}."
    else:
        now = f", now {new}" if new else ""
        text = f"The sentiment gauge left {old} {values}{now}."
    return [Change("gauge", "", old or "unavailable", new or "unavailable", text)]


def number_or_dash(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def _stale(before: ModelState, after: ModelState) -> list[Change]:
    if before.stale is None or after.stale is None:
        return []
    old, new = set(before.stale), set(after.stale)
    changes = [
        Change("stale", key, "fresh", "stale", f"{key} went stale: its latest update failed.")
        for key in sorted(new - old)
    ]
    changes += [
        Change("stale", key, "stale", "fresh", f"{key} is updating again.")
        for key in sorted(old - new)
    ]
    return changes


def compare(before: ModelState, after: ModelState) -> ChangeSet | None:
    """The changes from ``before`` to ``after`` (module docstring), or None when nothing
    changed."""
    changes: list[Change] = []
    if before.invested != after.invested:
        was, now = decision_word(before.invested), decision_word(after.invested)
        changes.append(Change("decision", "", was, now, f"Decision: {now} (was {was})."))
    changes += _composite(before, after)
    changes += _votes(before, after)
    changes += _flag("uptrend", "The investable uptrend", before.uptrend, after.uptrend)
    changes += _flag("bull_market", "The bull market", before.bull_market, after.bull_market)
    changes += _gauge(before, after)
    changes += _stale(before, after)
    if not changes:
        return None
    return ChangeSet(
        before.generation, after.generation, before.as_of, after.as_of, tuple(changes), after
    )
