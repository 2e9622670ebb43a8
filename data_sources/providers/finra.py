"""FINRA margin statistics: ``margin-statistics.xlsx``, debit balances in **USD millions**.

FINRA updates the same file every month at
``https://www.finra.org/sites/default/files/2021-03/margin-statistics.xlsx`` (linked from its
margin-statistics page). Format: one sheet, header row ``Year-Month, Debit Balances in
Customers' Securities Margin Accounts, Free Credit Balances in Customers' Cash Accounts, Free
Credit Balances in Customers' Securities Margin Accounts``, ``Year-Month`` as ``YYYY-MM`` text
(read as the first of the month), newest first. The value is the debit balances column.
"""

from __future__ import annotations

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

KEY = "finra:margin_debt"
DEBIT_COLUMN = "Debit Balances in Customers' Securities Margin Accounts"
PAGE = "https://www.finra.org/rules-guidance/key-topics/margin-accounts/margin-statistics"


def parse_finra(data: Payload, filename: str = "margin-statistics.xlsx") -> pd.DataFrame:
    """FINRA's workbook (or a CSV of its columns): debit balances, USD millions, monthly."""
    source = f"FINRA {filename}"
    hint = f"; expected FINRA's margin-statistics.xlsx with Year-Month and {DEBIT_COLUMN!r}"
    table = table_under_header(read_cells(data, filename), "Year-Month", "Debit", source, hint)
    column = find_column(table, (DEBIT_COLUMN, "Debit Balances"), source, hint)
    return series_frame(table["Year-Month"], {"value": table[column]}, source, hint)


RECORD = ProviderRecord(
    name="finra",
    display_name="FINRA margin statistics",
    short_name="FINRA",
    website=PAGE,
    manual_page=PAGE,
    timeout=30.0,
    budget=90.0,
    min_interval=0.0,
    base_url_env="INVESTABLE_FINRA_URL",
    uploads=(
        UploadFormat(
            KEY,
            "FINRA's margin-statistics.xlsx, or a CSV with Year-Month and the debit balances",
            (".xlsx", ".xls", ".csv"),
            parse_finra,
        ),
    ),
)

FINRA = FileProvider(
    RECORD,
    KEY,
    "margin-statistics.xlsx",
    FileLocation(
        "https://www.finra.org", file_path="/sites/default/files/2021-03/margin-statistics.xlsx"
    ),
    parse_finra,
)
