"""File-provider parsers on fixture payloads in each provider's real format, and the fetch
step's failure paths (the network is never touched). Yahoo, FRED and the HTTP layer have their
own files: test_yahoo.py, test_fred.py, test_http.py."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from data_sources import http
from data_sources.errors import (
    BadPayload,
    EmptyPayload,
    MissingColumn,
    SourceUnavailable,
)
from data_sources.providers import download
from data_sources.providers.files import (
    CboeProvider,
    parse_aaii,
    parse_cboe_daily,
    parse_file,
    parse_finra,
    parse_naaim,
    parse_shiller,
    shiller_month,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data_sources"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# ---- file providers ------------------------------------------------------------------------


def test_aaii_csv_in_fractions_becomes_percent() -> None:
    frame = parse_aaii(_fixture("aaii_sentiment.csv"), "aaii_sentiment.csv")
    assert frame.loc["2024-06-13", "bullish"] == pytest.approx(45.0)
    assert frame.loc["2024-06-13", "bearish"] == pytest.approx(27.0)
    with pytest.raises(MissingColumn, match="Bullish"):
        parse_aaii(b"Date,Bulls\n2024-06-13,0.4\n", "x.csv")


def test_naaim_two_column_csv_with_duplicates_and_spreadsheet_layout(tmp_path) -> None:
    frame = parse_naaim(_fixture("naaim.csv"), "naaim.csv")
    assert frame["value"].tolist() == [92.4, 88.1]  # sorted, duplicate removed
    sheet = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2024-06-12", "2024-06-05"]),
            "Mean/Average": [88.1, 92.4],
            "Most Bearish Response": [0.0, 0.0],
            "NAAIM Number": [88.1, 92.4],
            "S&P 500": [5421.0, 5354.0],
        }
    )
    buffer = io.BytesIO()
    sheet.to_excel(buffer, index=False)
    assert parse_naaim(buffer.getvalue(), "naaim.xlsx")["value"].tolist() == [92.4, 88.1]


def test_cboe_archive_with_title_lines_and_daily_json() -> None:
    archive = parse_file("cboe:total_put_call", _fixture("totalpc.csv"), "totalpc.csv")
    assert archive["value"].tolist() == [0.91, 1.13, 1.05]
    assert archive.index[0] == pd.Timestamp("2019-10-01")
    daily = parse_cboe_daily(_fixture("cboe_daily_2024-06-14.json"), "2024-06-14")
    assert daily.loc["2024-06-14", "value"] == 0.87
    with pytest.raises(BadPayload, match="not JSON"):
        parse_cboe_daily(b"<html>", "2024-06-14")
    with pytest.raises(MissingColumn, match="TOTAL PUT/CALL"):
        parse_cboe_daily(b'{"ratios": [{"name": "EQUITY PUT/CALL RATIO", "value": "1"}]}', "d")


def test_cboe_provider_skips_missing_days_but_fails_when_nothing_arrives(monkeypatch) -> None:
    provider = CboeProvider(recent_days=2, today=pd.Timestamp("2024-06-14"))
    request = provider.build_request(["cboe:total_put_call"])
    assert request.urls[-1].endswith("/2024-06-14_daily_options")

    def some(url, **_):
        if url.endswith("2024-06-14_daily_options"):
            return _fixture("cboe_daily_2024-06-14.json")
        if url.endswith("totalpc.csv"):
            return _fixture("totalpc.csv")
        raise SourceUnavailable(f"{url}: HTTP 404")

    monkeypatch.setattr(http, "get_bytes", some)
    frames = download(provider, ["cboe:total_put_call"], timeout=1)
    assert frames["cboe:total_put_call"]["value"].tolist() == [0.91, 1.13, 1.05, 0.87]

    def none(url, **_):
        raise SourceUnavailable(f"{url}: cannot connect")

    monkeypatch.setattr(http, "get_bytes", none)
    with pytest.raises(SourceUnavailable, match="import-file --series cboe:total_put_call"):
        download(provider, ["cboe:total_put_call"], timeout=1)


def test_finra_spreadsheet_layout(tmp_path) -> None:
    sheet = pd.DataFrame(
        {
            "Year-Month": ["2024-04", "2024-05"],
            "Debit Balances in Customers' Securities Margin Accounts": [780_000, 809_000],
            "Free Credit Balances in Customers' Cash Accounts": [160_000, 165_000],
        }
    )
    buffer = io.BytesIO()
    sheet.to_excel(buffer, index=False)
    frame = parse_finra(buffer.getvalue(), "margin-statistics.xlsx")
    assert frame["value"].tolist() == [780_000.0, 809_000.0]
    assert frame.index[-1] == pd.Timestamp("2024-05-01")


def test_shiller_decimal_months_and_data_sheet() -> None:
    assert shiller_month(1871.01) == "1871-01-01"
    assert shiller_month(2025.1) == "2025-10-01"  # Shiller's "2025.1" is October
    assert shiller_month("2025.12") == "2025-12-01"
    assert shiller_month("Date") == ""
    rows = [["Stock Market Data", "", "", "", ""], [""] * 5, ["Date", "P", "D", "E", "CPI"]]
    rows += [[2025.09, 6600.0, 77.0, 235.25, 324.0], [2025.1, 6700.0, 77.5, "", 325.0]]
    buffer = io.BytesIO()
    pd.DataFrame(rows).to_excel(buffer, sheet_name="Data", header=False, index=False)
    frame = parse_shiller(buffer.getvalue(), "ie_data.xlsx")
    assert frame["value"].tolist() == [235.25]
    assert frame.index[0] == pd.Timestamp("2025-09-01")


def test_file_import_refuses_unknown_keys_and_empty_files() -> None:
    with pytest.raises(KeyError, match="no file format known"):
        parse_file("fred:DGS10", b"x", "x.csv")
    with pytest.raises(EmptyPayload, match="is empty"):
        parse_file("aaii:sentiment", b"", "sentiment.xls")
    with pytest.raises(BadPayload, match=r"not a readable \.xls"):
        parse_file("aaii:sentiment", b"not a workbook", "sentiment.xls")


@pytest.mark.shared_data
def test_real_aaii_and_shiller_workbooks(shared_data_dir) -> None:
    aaii = parse_aaii((shared_data_dir / "sentiment/raw/aaii_sentiment.xls").read_bytes())
    reference = pd.read_csv(shared_data_dir / "sentiment/aaii.csv", index_col="Date")
    assert aaii.loc["2020-03-19", "bullish"] == pytest.approx(
        100 * reference.loc["2020-03-19", "Bullish"]
    )
    assert "1996-01-11" not in aaii.index.strftime("%Y-%m-%d")  # AAII's stray "42" row
    shiller = parse_shiller((shared_data_dir / "sp500/raw/shiller_ie_data.xls").read_bytes())
    assert shiller.index[0] == pd.Timestamp("1871-01-01")
    assert shiller.loc["2025-09-01", "value"] == pytest.approx(235.25)
