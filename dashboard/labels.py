"""Names people read instead of series keys (no Streamlit; one home for every on-screen name).

* :func:`series_name`: the catalog's description of a live series (``fred:UNRATE`` ->
  "Unemployment rate"); a key the catalog does not know shows its symbol.
* :func:`provider_short`: the registry's display name up to its first " (" (``fred`` ->
  "FRED", ``yahoo`` -> "Yahoo Finance"); an unknown provider shows its name.
* :func:`series_label`: "<series name> (<provider>)", e.g. "Unemployment rate (FRED)".
* :func:`escape_markdown`: any text (a file name, a message, an address value) shown literally.
"""

from __future__ import annotations

import string

from data_sources.catalog import LIVE_BY_KEY
from data_sources.registry import RECORDS

_MARKDOWN_SPECIAL = frozenset(string.punctuation)


def escape_markdown(text: str) -> str:
    """``text`` shown literally inside Markdown: every ASCII punctuation character is
    backslash-escaped (CommonMark allows that for all of them), so file names and messages
    cannot become links, images, emphasis, icons or LaTeX."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)


def _split(key: str) -> tuple[str, str]:
    provider, _, symbol = key.partition(":")
    return (provider, symbol) if symbol else ("", key)


EVENT_CALENDARS = {"calendar:fomc": "FOMC meeting calendar"}
"""Series that are lists of event dates, not live series (no catalog entry, no provider)."""
OTHER_PROVIDERS = {"calendar": "Federal Reserve"}


def provider_short(name: str) -> str:
    """The provider's display name without its parenthesis (see the module docstring)."""
    record = RECORDS.get(name)
    if record is not None:
        return record.display_name.split(" (")[0]
    return OTHER_PROVIDERS.get(name, name)


def series_name(key: str) -> str:
    """The catalog's description of ``key`` (or its event calendar's name), else its symbol."""
    known = LIVE_BY_KEY.get(key)
    if known is not None:
        return known.description
    return EVENT_CALENDARS.get(key, _split(key)[1])


def series_label(key: str) -> str:
    """``"<series name> (<provider>)"``; just the name for a key without a provider."""
    provider, _ = _split(key)
    name = series_name(key)
    return f"{name} ({provider_short(provider)})" if provider else name
