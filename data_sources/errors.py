"""The data layer's errors, in one small tree.

::

    DataSourceError                 anything the data layer reports to a user
    ├── SourceUnavailable           unreachable: timeout, DNS, HTTP 5xx, offline, out of time
    │   ├── RateLimited             the source refused us for asking too often (HTTP 429, Yahoo)
    │   ├── Blocked                 the site refuses scripts (HTTP 403, a web page for a file)
    │   ├── CredentialsRejected     the source refused our API key (costs every series)
    │   └── HttpStatusError         any other HTTP error status (``status``; body kept aside)
    ├── BadPayload                  the source answered, but not with what we can parse
    │   ├── EmptyPayload            ... it answered with no rows
    │   ├── MissingColumn           ... a column we need is not there
    │   └── Rejected                ... it parsed, but breaks a rule of data_sources.validate
    ├── SeriesNotFound              the source does not know this series (unknown symbol or id)
    ├── SeriesDiscontinued          the source no longer publishes this series
    ├── ManifestError               a folder's manifest.toml is missing or malformed
    └── StoreError                  the local store could not be read or written

Every message says what failed and, where there is one, what the user can do about it.
"""

from __future__ import annotations


class DataSourceError(Exception):
    """Base of every error the data layer raises on purpose."""


class SourceUnavailable(DataSourceError):
    """The source could not be reached: timeout, connection error, HTTP error, offline."""


class RateLimited(SourceUnavailable):
    """The source answered "too many requests"; try again later."""


class Blocked(SourceUnavailable):
    """The site refused an automated download: ``status`` 403, or 200 with a web page where
    the data file was expected."""

    def __init__(self, message: str, *, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


class CredentialsRejected(SourceUnavailable):
    """The source refused our credentials (e.g. an unregistered FRED API key)."""


class HttpStatusError(SourceUnavailable):
    """An HTTP error status other than 403/429 (after retries for 5xx).

    ``status`` is the HTTP status; ``body`` the first bytes of the answer, for a provider that
    reads an error message out of it (never shown as is: it may echo request parameters)."""

    def __init__(self, message: str, *, status: int, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class BadPayload(DataSourceError):
    """The source answered with something that does not parse as the expected format."""


class EmptyPayload(BadPayload):
    """The source answered with no data rows."""


class MissingColumn(BadPayload):
    """A column the parser needs is absent from the payload."""


class Rejected(BadPayload):
    """The payload parsed but breaks a validation rule (future dates, impossible values, a unit
    change, a stale or shrunk copy); nothing is stored."""


class SeriesNotFound(DataSourceError):
    """The source does not know this series: an unknown symbol or series id, or one without
    any data."""


class SeriesDiscontinued(DataSourceError):
    """The source has stopped publishing the series."""


class ManifestError(DataSourceError):
    """A data folder's manifest.toml is missing, malformed or points at a missing file."""


class StoreError(DataSourceError):
    """The local store could not be read or written."""
