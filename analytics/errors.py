"""Errors the analytics layer raises for a user to read: a small tree, all ``ValueError``.

::

    AnalyticsError(ValueError)   any message written for a user; the base to catch them all
    ├── NotEnoughData            the loaded data cannot support the computation: no prices for
    │                            the weekly clock, no complete week yet, no prices in a window,
    │                            a signal never available, too little history for a level
    ├── BadData                  the data has a shape or values the computation cannot use
    │                            (a close ≤ 0, no close column, no date index)
    └── InvalidSetting           a setting or argument is out of its range (a threshold above 1,
                                 a negative lag, an anchor without a date or a price, …)

Where to catch: the app's "no model yet, load data" note catches ``NotEnoughData`` only; a page
that passes user settings or loaded data on catches ``AnalyticsError`` and shows the message.
Any other exception, a plain ``ValueError`` included, is a bug and should surface. All stay
subclasses of ``ValueError`` so callers written against ``ValueError`` keep working.
"""

from __future__ import annotations


class AnalyticsError(ValueError):
    """A message for the user from the analytics layer (see the module docstring)."""


class NotEnoughData(AnalyticsError):
    """The loaded data cannot support the computation asked for."""


class BadData(AnalyticsError):
    """The data has a shape or values the computation cannot use."""


class InvalidSetting(AnalyticsError):
    """A setting or argument is outside its allowed range."""


__all__ = ["AnalyticsError", "BadData", "InvalidSetting", "NotEnoughData"]
