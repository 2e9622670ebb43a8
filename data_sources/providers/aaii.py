"""AAII investor sentiment survey: ``sentiment.xls`` (sheet SENTIMENT).

AAII's firewall answers scripts with HTTP 403; requests with a desktop browser's headers (and the
survey page as Referer) got the file through 2026. When it still refuses, the error says so and
names the download page, where a user downloads the file and loads it by hand.

Format: four title rows, then ``Date, Bullish, Neutral, Bearish, Total, …``; shares as
fractions (0.36 = 36 %); weekly (Thursday) rows; summary rows (``Count '24`` …) at the bottom;
``#N/A`` error cells on days without a survey (1996-01-11). A CSV with ``Date, Bullish, Neutral,
Bearish`` is read the same way. Result in **percent**: when the median share is at most 1 the
file is in fractions and every share is multiplied by 100.
"""

from __future__ import annotations

import pandas as pd

from data_sources.frames import to_numeric
from data_sources.providers import ProviderRecord, UploadFormat
from data_sources.providers.single_file import FileLocation, FileProvider
from data_sources.providers.spreadsheets import (
    Payload,
    column_dates,
    find_column,
    read_cells,
    series_frame,
    table_under_header,
)

KEY = "aaii:sentiment"
SURVEY_PAGE = "https://www.aaii.com/sentimentsurvey/sent_results"
FIELDS = {"bullish": "Bullish", "neutral": "Neutral", "bearish": "Bearish"}


def parse_aaii(data: Payload, filename: str = "sentiment.xls") -> pd.DataFrame:
    """AAII's ``sentiment.xls`` (or a CSV of the same columns) as percent shares."""
    source = f"AAII {filename}"
    hint = "; expected AAII's sentiment.xls or a CSV with Date, Bullish, Neutral, Bearish"
    table = table_under_header(
        read_cells(data, filename, "SENTIMENT"), "Date", "Bullish", source, hint
    )
    columns = {field: find_column(table, (name,), source, hint) for field, name in FIELDS.items()}
    shares = {field: to_numeric(table[column]) for field, column in columns.items()}
    dated = column_dates(table["Date"]).notna()
    if pd.concat([values[dated] for values in shares.values()]).median() <= 1.0:
        shares = {field: values * 100.0 for field, values in shares.items()}  # fractions
    # in percent before series_frame: the repeated-date tolerance is in the stored unit
    return series_frame(table["Date"], shares, source, hint)


RECORD = ProviderRecord(
    name="aaii",
    display_name="AAII (American Association of Individual Investors)",
    short_name="AAII",
    website="https://www.aaii.com/sentimentsurvey",
    manual_page=SURVEY_PAGE,
    timeout=30.0,
    budget=90.0,
    min_interval=0.0,
    base_url_env="INVESTABLE_AAII_URL",
    uploads=(
        UploadFormat(
            KEY,
            "AAII's sentiment.xls, or a CSV with Date, Bullish, Neutral, Bearish",
            (".xls", ".xlsx", ".csv"),
            parse_aaii,
        ),
    ),
)

AAII = FileProvider(
    RECORD,
    KEY,
    "sentiment.xls",
    FileLocation("https://www.aaii.com", file_path="/files/surveys/sentiment.xls"),
    parse_aaii,
    browser=True,
    referer=SURVEY_PAGE,
)
