"""Robert Shiller's ``ie_data.xls``: S&P 500 trailing twelve-month earnings ``E``, monthly.

The unversioned ``…/downloads/ie_data.xls`` address still answers 200 with a copy frozen in 2024,
so the provider reads https://shillerdata.com/ and follows its link to ``ie_data.xls`` (a
per-upload folder on img1.wsimg.com, often protocol-relative ``//img1…/ie_data.xls?ver=…``).
Refusing a download older than what the store holds is the store's validation.

Format: sheet ``Data``, seven title rows, header ``Date, P, D, E, CPI, …``; dates are decimal
months, ``1871.01`` = January 1871 and ``2025.1`` = October 2025 (:func:`shiller_month`); the
latest months have no ``E`` yet; notes below the table.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from data_sources.providers import ProviderRecord, UploadFormat
from data_sources.providers.single_file import FileLocation, FileProvider
from data_sources.providers.spreadsheets import (
    Payload,
    find_column,
    read_cells,
    series_frame,
    table_under_header,
)

KEY = "shiller:earnings"
DATA_FILE = re.compile(r"/ie_data\.xls$", re.IGNORECASE)


def shiller_month(value: Any) -> str:
    """Shiller's decimal dates: 1871.01 is January 1871, 2025.1 is October 2025 (month =
    round(100 × fraction), 1…12); anything else is ``""``."""
    if isinstance(value, bool):
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    if not 1000 <= number < 10000:
        return ""
    year = int(number)
    month = round((number - year) * 100)
    return f"{year:04d}-{month:02d}-01" if 1 <= month <= 12 else ""


def data_file_link(links: list[str]) -> str | None:
    """The first link to a file named ``ie_data.xls`` (query string allowed)."""
    for link in links:
        if DATA_FILE.search(link.split("?", 1)[0].split("#", 1)[0]):
            return link
    return None


def parse_shiller(data: Payload, filename: str = "ie_data.xls") -> pd.DataFrame:
    """Sheet ``Data``: ``Date`` (decimal months) and ``E`` as a ``value`` series."""
    source = f"Shiller {filename}"
    hint = "; expected Shiller's ie_data.xls (sheet Data, columns Date and E)"
    table = table_under_header(read_cells(data, filename, "Data"), "Date", "E", source, hint)
    column = find_column(table, ("E",), source, hint)
    months = table["Date"].map(shiller_month)
    return series_frame(months, {"value": table[column]}, source, hint)


RECORD = ProviderRecord(
    name="shiller",
    display_name="Robert Shiller's online data (shillerdata.com)",
    short_name="Shiller",
    website="https://shillerdata.com/",
    manual_page="https://shillerdata.com/",
    timeout=60.0,
    budget=120.0,
    min_interval=0.0,
    base_url_env="INVESTABLE_SHILLER_URL",
    uploads=(
        UploadFormat(
            KEY,
            "Shiller's ie_data.xls (sheet Data), or a CSV with Date (1871.01 …) and E",
            (".xls", ".xlsx", ".csv"),
            parse_shiller,
        ),
    ),
)

SHILLER = FileProvider(
    RECORD,
    KEY,
    "ie_data.xls",
    FileLocation(
        "https://shillerdata.com",
        page_path="/",
        pick=data_file_link,
        link_description="ie_data.xls",
        own_hosts=("shillerdata.com", "www.shillerdata.com", "img1.wsimg.com"),
    ),
    parse_shiller,
)
