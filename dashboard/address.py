"""The address (URL query parameters) checked before a bound widget reads it (issue #13).

Widgets with ``bind="query-params"`` take their first value from the address, and Streamlit
silently drops a value a widget cannot take (``?threshold=7``, ``?category=Foo``,
``?as_of=2018-13-40``): the page then opens its default view without a word. A page calls one
``check_*`` function just BEFORE it creates the bound widget (same ``key``):

* a valid value is left in the address, for the widget to take;
* an invalid one is dropped from the address and one warning says which parameter, which value,
  why it cannot be used (the valid range or choices) and what is shown instead, e.g. "The
  address asks for as_of=1900-01-01, before the first week (1993-02-05); showing the latest
  week."

Only the address decides a widget's first value: once the widget holds a value in this session
(its key is in ``st.session_state``) the check does nothing.

The rules are pure functions (:func:`choice_problem`, :func:`number_problem`,
:func:`date_problem`, :func:`address_message`; no Streamlit), each returning ``None`` for a value
the widget accepts, else the reason in words. They accept exactly what the widgets accept:

* a choice: one of the option strings, exactly (case and spaces count); a selectbox with a
  ``format_func`` is addressed by the shown label, so pass the labels;
* a number: a finite decimal ``x`` with ``lo <= x <= hi`` (both ends included);
* a date: ``YYYY-MM-DD`` (zero padding optional, as the date widget reads it) with
  ``lo <= day <= hi`` (both ends included);
* a parameter given more than once is refused (a widget takes a single value).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from contextlib import suppress

import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard.labels import escape_markdown

LONGEST_SHOWN = 40
"""Characters of a refused value quoted in the warning (a longer one ends in "…")."""

Problem = Callable[[str], str | None]


def _shown(raw: str) -> str:
    return raw if len(raw) <= LONGEST_SHOWN else raw[: LONGEST_SHOWN - 1] + "…"


def _listed(choices: Sequence[str]) -> str:
    """ "A", "A or B", "A, B or C"."""
    names = list(choices)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def choice_problem(raw: str, choices: Sequence[str]) -> str | None:
    """None when ``raw`` is exactly one of ``choices``, else "which is not one of A, B or C"."""
    if raw in choices:
        return None
    return f"which is not one of {_listed(choices)}" if choices else "which has no choices here"


def number_problem(raw: str, lo: float, hi: float, digits: int = 2) -> str | None:
    """None when ``raw`` is a finite number with ``lo <= x <= hi``; else "which is not a
    number" or "outside the range 0.30 to 0.90" (bounds shown with ``digits`` decimals)."""
    try:
        value = float(raw)
    except ValueError:
        return "which is not a number"
    if not math.isfinite(value):
        return "which is not a number"
    if lo <= value <= hi:
        return None
    return f"outside the range {lo:.{digits}f} to {hi:.{digits}f}"


def date_problem(
    raw: str,
    lo: dt.date,
    hi: dt.date,
    first: str = "the first week",
    last: str = "the latest week",
) -> str | None:
    """None when ``raw`` is a date ``YYYY-MM-DD`` with ``lo <= day <= hi``; else "which is not
    a date (YYYY-MM-DD)", "before the first week (1993-02-05)" or "after the latest week
    (2024-06-28)" (``first``/``last`` name the bounds)."""
    try:
        day = dt.datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        return "which is not a date (YYYY-MM-DD)"
    if day < lo:
        return f"before {first} ({lo:%Y-%m-%d})"
    if day > hi:
        return f"after {last} ({hi:%Y-%m-%d})"
    return None


def address_message(key: str, values: Sequence[str], problem_of: Problem, instead: str) -> str:
    """The warning for the address's ``values`` of ``key``, or "" when the widget can take
    them: "The address asks for <key>=<value>, <problem>; showing <instead>." (several values:
    "…asks for key=a and key=b, more than one value; …"). Values are quoted as given, cut to
    ``LONGEST_SHOWN`` characters; the caller escapes Markdown."""
    if not values:
        return ""
    asked = " and ".join(f"{key}={_shown(value)}" for value in values)
    if len(values) > 1:
        problem: str | None = "more than one value"
    else:
        problem = problem_of(values[0])
    if problem is None:
        return ""
    return f"The address asks for {asked}, {problem}; showing {instead}."


# ---- the Streamlit part -------------------------------------------------------------------


def _check(key: str, problem_of: Problem, instead: str) -> bool:
    """Warn about and drop a value of ``key`` the widget cannot take (see the module
    docstring). True when the address leaves the widget nothing to refuse."""
    if key in st.session_state:  # the widget already holds this session's value
        return True
    message = address_message(key, st.query_params.get_all(key), problem_of, instead)
    if not message:
        return True
    st.warning(escape_markdown(message), icon=":material/link_off:")
    with suppress(KeyError, StreamlitAPIException):  # gone, or bound: Streamlit drops it then
        del st.query_params[key]
    return False


def check_choice(key: str, choices: Sequence[str], instead: str) -> bool:
    """Before a bound choice widget (selectbox, segmented control, radio, tabs) keyed ``key``
    whose address values are ``choices`` (its option strings, or its shown labels when it has a
    ``format_func``): warn and drop any other value. ``instead`` names what is shown then (its
    default, e.g. "Technicals"). True when nothing was refused."""
    return _check(key, lambda raw: choice_problem(raw, choices), instead)


def check_number(key: str, lo: float, hi: float, instead: str, digits: int = 2) -> bool:
    """Before a bound slider or number input keyed ``key`` with bounds ``lo`` … ``hi``: warn
    and drop a value that is not a number or out of range. ``instead`` names what is shown
    then (e.g. "the default, 0.60"); ``digits`` formats the bounds. True when nothing was
    refused."""
    return _check(key, lambda raw: number_problem(raw, lo, hi, digits), instead)


def check_date(
    key: str,
    lo: dt.date,
    hi: dt.date,
    instead: str,
    first: str = "the first week",
    last: str = "the latest week",
) -> bool:
    """Before a bound date input keyed ``key`` with bounds ``lo`` … ``hi``: warn and drop a
    value that is not a date or out of range. ``instead`` names what is shown then (e.g. "the
    latest week"); ``first``/``last`` name the bounds. True when nothing was refused."""
    return _check(key, lambda raw: date_problem(raw, lo, hi, first, last), instead)
