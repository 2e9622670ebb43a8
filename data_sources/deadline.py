"""Bounded time: one :class:`Deadline` per refresh (and per provider within it).

Every request a provider makes asks the deadline for its timeout, ``deadline.timeout(cap)``,
which is ``min(cap, remaining)`` and raises :class:`~data_sources.errors.SourceUnavailable` once
the time is spent, so no request can outlive the refresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from data_sources.errors import SourceUnavailable


@dataclass
class Deadline:
    """``seconds`` from creation, measured on ``clock`` (``time.monotonic`` by default)."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=-1.0)

    def __post_init__(self) -> None:
        if self.started < 0:
            self.started = self.clock()

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.started + self.seconds - self.clock())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def timeout(self, cap: float, what: str = "the refresh") -> float:
        """A request timeout: ``min(cap, remaining)``; raises when no time is left."""
        left = self.remaining()
        if left <= 0.0:
            raise SourceUnavailable(f"{what} ran out of time ({self.seconds:g} s)")
        return min(cap, left)

    def within(self, seconds: float) -> Deadline:
        """A sub-deadline: ``seconds`` from now, but never past this one."""
        return Deadline(min(seconds, self.remaining()), clock=self.clock)
