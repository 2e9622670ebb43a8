"""Every provider, registered in one place.

The store (which providers to ask), the CLI (``investable sources``, help texts) and the app
(the Data page's names, manual pages and upload formats) read providers and their
:class:`~data_sources.providers.ProviderRecord` from here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping

from data_sources.catalog import provider_name
from data_sources.providers import Provider, ProviderRecord, UploadFormat
from data_sources.providers.files import (
    AAII,
    FINRA,
    NAAIM,
    SHILLER,
    UPLOAD_FORMATS,
    CboeProvider,
)
from data_sources.providers.files import RECORDS as FILE_RECORDS
from data_sources.providers.fred import FRED_RECORD, FredProvider
from data_sources.providers.yahoo import YAHOO_RECORD, YahooProvider

RECORDS: Mapping[str, ProviderRecord] = {
    YAHOO_RECORD.name: YAHOO_RECORD,
    FRED_RECORD.name: FRED_RECORD,
    **FILE_RECORDS,
}
"""Every provider's record by provider name (the series-key prefix), in display order."""

UPLOADS: Mapping[str, tuple[UploadFormat, ...]] = UPLOAD_FORMATS
"""The files a user may load by hand, per series key."""


def default_providers(fred_key: str | None = None) -> dict[str, Provider]:
    """The live providers by name; ``fred_key`` (else ``FRED_API_KEY``) selects FRED's API."""
    providers: dict[str, Provider] = {
        "yahoo": YahooProvider(),
        "fred": FredProvider(fred_key),
        "aaii": AAII,
        "naaim": NAAIM,
        "cboe": CboeProvider(),
        "finra": FINRA,
        "shiller": SHILLER,
    }
    return providers


def record_of(key: str) -> ProviderRecord | None:
    """The record of the provider of series ``key`` (``"fred:DGS10"`` -> FRED's), if any."""
    return RECORDS.get(provider_name(key))

