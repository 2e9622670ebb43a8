"""NAAIM exposure index: the weekly ``USE_Data-since-Inception_YYYY-MM-DD.xlsx``.

NAAIM renames the file every week (``/wp-content/uploads/YYYY/MM/USE_Data-since-Inception_
YYYY-MM-DD.xlsx``) and links it from its exposure-index page. The provider reads the page, takes
the link with the newest date in its name (relative or absolute links, any case), and downloads
it.

Format: header row ``Date, Mean/Average, Most Bearish Response, Quart 1 (25% at/below), Quart 2
(median), Quart 3 (25% at/above), Most Bullish Response, Standard Deviation, NAAIM Number, S&P
500``, newest first (the parser sorts). The value is ``NAAIM Number`` (a two-column ``Date,
naaim`` CSV is read too). NAAIM's own file repeats 2006-07-05 and 2006-07-12 with the same value
to two decimals (19.444… and 19.44): such repeats are one observation; a date repeated with
different values is an error (see ``spreadsheets.series_frame``).
"""

from __future__ import annotations

import re

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

KEY = "naaim:exposure"
PAGE_PATH = "/programs/naaim-exposure-index/"
WEEKLY_FILE = re.compile(r"USE_Data-since-Inception_(\d{4}-\d{2}-\d{2})\.xlsx$", re.IGNORECASE)
VALUE_COLUMNS = ("NAAIM Number", "naaim", "NAAIM Exposure Index")


def newest_weekly_link(links: list[str]) -> str | None:
    """The link whose file name carries the newest date (ties: the first on the page)."""
    dated = []
    for order, link in enumerate(links):
        match = WEEKLY_FILE.search(link.split("?", 1)[0].split("#", 1)[0])
        if match:
            dated.append((match.group(1), -order, link))
    return max(dated)[2] if dated else None


def parse_naaim(data: Payload, filename: str = "USE_Data-since-Inception.xlsx") -> pd.DataFrame:
    """NAAIM's spreadsheet (or a ``Date, naaim`` CSV) as a ``value`` series, sorted."""
    source = f"NAAIM {filename}"
    hint = "; expected NAAIM's USE_Data-since-Inception xlsx or a CSV with Date and NAAIM Number"
    table = table_under_header(read_cells(data, filename), "Date", "NAAIM", source, hint)
    column = find_column(table, VALUE_COLUMNS, source, hint)
    return series_frame(table["Date"], {"value": table[column]}, source, hint)


RECORD = ProviderRecord(
    name="naaim",
    display_name="NAAIM (National Association of Active Investment Managers)",
    short_name="NAAIM",
    website="https://naaim.org/programs/naaim-exposure-index/",
    manual_page="https://naaim.org/programs/naaim-exposure-index/",
    timeout=30.0,
    budget=90.0,
    min_interval=0.0,
    base_url_env="INVESTABLE_NAAIM_URL",
    uploads=(
        UploadFormat(
            KEY,
            "NAAIM's USE_Data-since-Inception_….xlsx, or a CSV with Date and NAAIM Number",
            (".xlsx", ".xls", ".csv"),
            parse_naaim,
        ),
    ),
)

NAAIM = FileProvider(
    RECORD,
    KEY,
    "USE_Data-since-Inception_YYYY-MM-DD.xlsx",
    FileLocation(
        "https://naaim.org",
        page_path=PAGE_PATH,
        pick=newest_weekly_link,
        link_description="the weekly USE_Data-since-Inception_YYYY-MM-DD.xlsx file",
        own_hosts=("naaim.org", "www.naaim.org"),
    ),
    parse_naaim,
)
