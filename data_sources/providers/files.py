"""The survey and positioning files that have no API: AAII, NAAIM, CBOE, FINRA, Shiller.

Each provider lives in its own module (``aaii``, ``naaim``, ``cboe``, ``finra``, ``shiller``)
with its :class:`~data_sources.providers.ProviderRecord`: the single home of its display name,
website, manual download page, timeout, budget, rate limit, base-URL variable and the upload
formats it accepts. This module gathers them: the provider objects, :data:`RECORDS`, and
:func:`parse_file` for a file a user downloaded by hand (same parsers as the live download,
same checks; see ``data_sources.uploads``).
"""

from __future__ import annotations

from typing import BinaryIO

import pandas as pd

from data_sources.errors import BadPayload
from data_sources.providers import Parser, ProviderRecord, UploadFormat
from data_sources.providers.aaii import AAII, parse_aaii
from data_sources.providers.aaii import RECORD as AAII_RECORD
from data_sources.providers.cboe import (
    CBOE,
    CBOE_ARCHIVE,
    CBOE_DAILY,
    CBOE_PAGE,
    CboeProvider,
    cboe_sessions,
    parse_cboe_daily,
    parse_cboe_totalpc,
    parse_put_call_file,
)
from data_sources.providers.cboe import RECORD as CBOE_RECORD
from data_sources.providers.finra import FINRA, parse_finra
from data_sources.providers.finra import RECORD as FINRA_RECORD
from data_sources.providers.naaim import NAAIM, newest_weekly_link, parse_naaim
from data_sources.providers.naaim import RECORD as NAAIM_RECORD
from data_sources.providers.shiller import RECORD as SHILLER_RECORD
from data_sources.providers.shiller import SHILLER, data_file_link, parse_shiller, shiller_month
from data_sources.providers.single_file import FileProvider

RECORDS: dict[str, ProviderRecord] = {
    record.name: record
    for record in (AAII_RECORD, NAAIM_RECORD, CBOE_RECORD, FINRA_RECORD, SHILLER_RECORD)
}
"""The file providers' records by provider name."""

UPLOAD_FORMATS: dict[str, tuple[UploadFormat, ...]] = {}
for _record in RECORDS.values():
    for _format in _record.uploads:
        UPLOAD_FORMATS.setdefault(_format.key, ())
        UPLOAD_FORMATS[_format.key] += (_format,)

FILE_PARSERS: dict[str, Parser] = {
    key: formats[0].parser for key, formats in UPLOAD_FORMATS.items()
}
"""The parser of each series key's first upload format (the Data page's list of keys)."""


def upload_format(key: str, filename: str) -> UploadFormat:
    """The upload format of ``key`` that accepts ``filename``'s suffix.

    Raises ``KeyError`` for a key without upload formats and :class:`BadPayload` (naming the
    accepted suffixes) for a file of another kind."""
    if key not in UPLOAD_FORMATS:
        known = ", ".join(UPLOAD_FORMATS)
        raise KeyError(f"no file format known for {key!r}; files can be loaded for {known}")
    formats = UPLOAD_FORMATS[key]
    for candidate in formats:
        if filename.lower().endswith(candidate.suffixes):
            return candidate
    accepted = sorted({suffix for candidate in formats for suffix in candidate.suffixes})
    raise BadPayload(
        f"{filename}: {key} takes {', '.join(accepted)} files "
        f"({'; '.join(candidate.description for candidate in formats)})"
    )


def parse_file(
    key: str, data: bytes | BinaryIO, filename: str, now: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Parse a file the user downloaded by hand, in the provider's own format, with the upload
    checks of :func:`data_sources.uploads.parse_upload` (suffix, size, dates, value ranges)."""
    from data_sources.uploads import parse_upload

    return parse_upload(upload_format(key, filename), data, filename, now=now)


__all__ = [
    "AAII",
    "CBOE",
    "CBOE_ARCHIVE",
    "CBOE_DAILY",
    "CBOE_PAGE",
    "FILE_PARSERS",
    "FINRA",
    "NAAIM",
    "RECORDS",
    "SHILLER",
    "UPLOAD_FORMATS",
    "CboeProvider",
    "FileProvider",
    "cboe_sessions",
    "data_file_link",
    "newest_weekly_link",
    "parse_aaii",
    "parse_cboe_daily",
    "parse_cboe_totalpc",
    "parse_file",
    "parse_finra",
    "parse_naaim",
    "parse_put_call_file",
    "parse_shiller",
    "shiller_month",
    "upload_format",
]
