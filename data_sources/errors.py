"""The data layer's errors, in one small tree.

::

    DataSourceError                 anything the data layer reports to a user
    ├── SourceUnavailable           unreachable: timeout, DNS, HTTP 5xx, offline
    │   └── RateLimited             the source refused us for asking too often (HTTP 429, Yahoo)
    ├── BadPayload                  the source answered, but not with what we can parse
    │   ├── EmptyPayload            ... it answered with no rows
    │   └── MissingColumn           ... a column we need is not there
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


class BadPayload(DataSourceError):
    """The source answered with something that does not parse as the expected format."""


class EmptyPayload(BadPayload):
    """The source answered with no data rows."""


class MissingColumn(BadPayload):
    """A column the parser needs is absent from the payload."""


class SeriesDiscontinued(DataSourceError):
    """The source has stopped publishing the series."""


class ManifestError(DataSourceError):
    """A data folder's manifest.toml is missing, malformed or points at a missing file."""


class StoreError(DataSourceError):
    """The local store could not be read or written."""
