"""File parsers on payloads in each provider's real format, the spreadsheet reader's failure
paths, and the upload checks (suffix, size, future dates, ranges, repeated dates)."""

from __future__ import annotations

import io
import json
import math
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data_sources.errors import BadPayload, EmptyPayload, MissingColumn, Rejected
from data_sources.providers.files import (
    RECORDS,
    UPLOAD_FORMATS,
    cboe_sessions,
    parse_aaii,
    parse_cboe_daily,
    parse_file,
    parse_finra,
    parse_naaim,
    parse_put_call_file,
    parse_shiller,
    shiller_month,
    upload_format,
)
from data_sources.providers.spreadsheets import read_cells
from data_sources.uploads import parse_upload
from data_sources.validate import check_update

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data_sources"
NOW = pd.Timestamp("2026-07-10")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def workbook(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    """An .xlsx written with openpyxl (cells as given; "#N/A" becomes an error cell)."""
    book = openpyxl.Workbook()
    table = book.active
    assert table is not None
    table.title = sheet
    for row in rows:
        table.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


NAAIM_HEADER = [
    "Date",
    "Mean/Average",
    "Most Bearish Response",
    "Quart 1 (25% at/below)",
    "Quart 2 (median)",
    "Quart 3 (25% at/above)",
    "Most Bullish Response",
    "Standard Deviation",
    "NAAIM Number",
    "S&P 500",
]


def naaim_row(day: str, number: float) -> list[object]:
    return [pd.Timestamp(day).to_pydatetime(), number, -100, 25, 75, 100, 200, 40.5, number, 5400]


def naaim_workbook() -> bytes:
    """NAAIM's layout, newest first, with its real repeat of 2006-07-05 (19.444… and 19.44)."""
    return workbook(
        [
            NAAIM_HEADER,
            naaim_row("2026-07-01", 84.69),
            naaim_row("2026-06-24", 92.15),
            naaim_row("2006-07-12", 31.2),
            naaim_row("2006-07-05", 19.444444444444443),
            naaim_row("2006-07-05", 19.44),
        ]
    )


FINRA_HEADER = [
    "Year-Month",
    "Debit Balances in Customers' Securities Margin Accounts",
    "Free Credit Balances in Customers' Cash Accounts",
    "Free Credit Balances in Customers' Securities Margin Accounts",
]


def shiller_workbook(last_e: object = 235.25) -> bytes:
    title = ['Stock Market Data Used in "Irrational Exuberance"', None, None, None, None]
    rows: list[list[object]] = [[None] * 5, title, ["Robert J. Shiller"] + [None] * 4]
    rows += [
        [None, "S&P", None, None, "Consumer"],
        [None, "Comp.", "Dividend", "Earnings", "Price"],
    ]
    rows += [["Date", "P", "D", "E", "CPI"]]
    rows += [[1871.01, 4.44, 0.26, 0.4, 12.46], [2025.09, 6600.0, 77.0, last_e, 324.0]]
    rows += [[2025.1, 6735.69, 78.63, None, 325.2], [None, "Oct price is Oct 1st close", None]]
    return workbook(rows, sheet="Data")


# ---- spreadsheets --------------------------------------------------------------------------


def test_truncated_and_corrupt_workbooks_are_a_user_message_not_a_traceback() -> None:
    whole = naaim_workbook()
    for data, name in [
        (whole[: len(whole) // 2], "USE_Data.xlsx"),  # truncated zip: BadZipFile inside
        (fixture("aaii_sentiment_small.xls")[:700], "sentiment.xls"),  # truncated BIFF
        (b"not a workbook at all", "sentiment.xls"),
    ]:
        with pytest.raises(BadPayload, match=r"is not a readable Excel workbook") as caught:
            read_cells(data, name)
        message = str(caught.value)
        assert "zip" not in message.lower() and "xlrd" not in message.lower()
        assert "download it again" in message


def test_a_web_page_in_place_of_the_file_is_named_as_such() -> None:
    page = b"\n  <!DOCTYPE html><html><body>Access denied</body></html>"
    with pytest.raises(BadPayload, match="is a web page, not the data file"):
        parse_aaii(page, "sentiment.xls")


def test_the_reader_goes_by_content_not_name() -> None:
    """An .xlsx saved as .xls (or the reverse) still reads."""
    frame = parse_naaim(naaim_workbook(), "naaim.xls")
    assert frame.index[-1] == pd.Timestamp("2026-07-01")


# ---- AAII ----------------------------------------------------------------------------------


def test_aaii_xls_error_cells_are_missing_not_42() -> None:
    frame = parse_aaii(fixture("aaii_sentiment_small.xls"), "sentiment.xls")
    assert list(frame.index.strftime("%Y-%m-%d")) == ["1996-01-04", "1996-01-18", "2024-06-13"]
    assert frame.loc["2024-06-13"].tolist() == pytest.approx([44.85, 27.21, 27.94])
    assert frame.loc["1996-01-04", "bullish"] == pytest.approx(55.0)
    assert (frame.to_numpy() <= 100).all()  # the "Count '24" footer (51) is not a survey row


def test_aaii_csv_in_fractions_becomes_percent_and_a_renamed_column_is_named() -> None:
    frame = parse_aaii(fixture("aaii_sentiment.csv"), "aaii_sentiment.csv")
    assert frame.loc["2024-06-13", "bullish"] == pytest.approx(45.0)
    assert frame.loc["2024-06-13", "bearish"] == pytest.approx(27.0)
    with pytest.raises(MissingColumn, match=r"no header row .*'Bullish'.*expected AAII"):
        parse_aaii(b"Date,Bulls\n2024-06-13,0.4\n", "x.csv")
    with pytest.raises(MissingColumn, match=r"no 'Neutral' column"):
        parse_aaii(b"Date,Bullish,Undecided,Bearish\n2024-06-13,0.4,0.3,0.3\n", "x.csv")


def test_aaii_xlsx_with_an_na_error_cell() -> None:
    rows = [["Reported"], ["Date", "Bullish", "Neutral", "Bearish"]]
    rows += [[pd.Timestamp("2024-06-06").to_pydatetime(), "#N/A", "#N/A", "#N/A"]]
    rows += [[pd.Timestamp("2024-06-13").to_pydatetime(), 0.45, 0.28, 0.27]]
    frame = parse_aaii(workbook(rows, "SENTIMENT"), "sentiment.xlsx")
    assert len(frame) == 1 and frame["bullish"].iloc[0] == pytest.approx(45.0)


# ---- NAAIM ---------------------------------------------------------------------------------


def test_naaim_workbook_newest_first_is_sorted_and_its_own_repeat_is_one_row() -> None:
    frame = parse_naaim(naaim_workbook(), "USE_Data-since-Inception_2026-07-01.xlsx")
    assert list(frame.index.strftime("%Y-%m-%d")) == [
        "2006-07-05",
        "2006-07-12",
        "2026-06-24",
        "2026-07-01",
    ]
    assert frame["value"].tolist() == pytest.approx([19.444444444444443, 31.2, 92.15, 84.69])


def test_naaim_repeated_date_with_other_values_is_refused() -> None:
    text = b"Date,naaim\n1/16/2025,65.38\n1/16/2025,70.21\n1/9/2025,60\n"
    with pytest.raises(
        Rejected, match=r"2025-01-16 appears 2 times with different values \(65\.38, 70\.21\)"
    ):
        parse_naaim(text, "naaim.csv")
    # Boundary of "the same value": 0.005 apart is a repeat, 0.006 is a conflict.
    same = b"Date,naaim\n1/16/2025,65.380\n1/16/2025,65.385\n"
    assert parse_naaim(same, "naaim.csv")["value"].tolist() == [65.38]
    with pytest.raises(Rejected, match="appears 2 times with different values"):
        parse_naaim(b"Date,naaim\n1/16/2025,65.380\n1/16/2025,65.386\n", "naaim.csv")


def test_aaii_repeats_are_judged_in_percent_not_in_fractions() -> None:
    """The 0.005 tolerance is in the stored unit: AAII's fractions 0.450 and 0.451 are 45.0 %
    and 45.1 %, a conflict; 0.45000 and 0.45004 (45.000 % and 45.004 %) are one row."""
    header = "Date,Bullish,Neutral,Bearish\n"
    same = header + "2024-06-13,0.45000,0.28,0.27\n2024-06-13,0.45004,0.28,0.27\n"
    assert parse_aaii(same.encode(), "s.csv")["bullish"].tolist() == [pytest.approx(45.0)]
    clash = header + "2024-06-13,0.450,0.28,0.27\n2024-06-13,0.451,0.28,0.27\n"
    with pytest.raises(Rejected, match="2024-06-13 appears 2 times with different values"):
        parse_aaii(clash.encode(), "s.csv")


def test_cboe_daily_total_ratio_given_twice() -> None:
    def document(*values: str) -> bytes:
        entries = [{"name": "TOTAL PUT/CALL RATIO", "value": v} for v in values]
        return json.dumps({"ratios": entries}).encode()

    assert parse_cboe_daily(document("0.87", "0.87"), "2024-06-13")["value"].tolist() == [0.87]
    with pytest.raises(Rejected, match="2024-06-13 appears 2 times with different values"):
        parse_cboe_daily(document("0.87", "1.31"), "2024-06-13")


def test_naaim_two_column_csv_and_renamed_value_column() -> None:
    frame = parse_naaim(fixture("naaim.csv"), "naaim.csv")
    assert frame["value"].tolist() == [92.4, 88.1]
    renamed = workbook(
        [["Date", "NAAIM Exposure", "S&P 500"], [pd.Timestamp("2026-07-01"), 84.7, 1]]
    )
    with pytest.raises(MissingColumn, match=r"no 'NAAIM Number' or 'naaim'.*NAAIM Exposure"):
        parse_naaim(renamed, "USE_Data.xlsx")


# ---- CBOE ----------------------------------------------------------------------------------


def test_cboe_archive_with_title_lines_and_daily_json() -> None:
    archive = parse_file("cboe:total_put_call", fixture("totalpc.csv"), "totalpc.csv", now=NOW)
    assert archive["value"].tolist() == [0.91, 1.13, 1.05]
    assert archive.index[0] == pd.Timestamp("2019-10-01")
    daily = parse_cboe_daily(fixture("cboe_daily_2024-06-14.json"), "2024-06-14")
    assert daily.loc["2024-06-14", "value"] == 0.87
    with pytest.raises(BadPayload, match="not JSON"):
        parse_cboe_daily(b"<html>", "2024-06-14")
    with pytest.raises(MissingColumn, match="TOTAL PUT/CALL"):
        parse_cboe_daily(
            b'{"ratios": [{"name": "EQUITY PUT/CALL RATIO", "value": "1"}]}', "2024-06-14"
        )
    with pytest.raises(EmptyPayload):
        parse_cboe_daily(
            b'{"ratios": [{"name": "TOTAL PUT/CALL RATIO", "value": ""}]}', "2024-06-14"
        )


def test_put_call_csv_in_the_daily_statistics_layout() -> None:
    text = (
        b"Fecha,TOTAL_PUT_CALL_RATIO,INDEX_PUT_CALL_RATIO,EQUITY_PUT_CALL_RATIO\n"
        b"2019-10-07,0.97,1.32,0.6\n2019-10-08,1.18,1.5,0.71\n"
    )
    frame = parse_put_call_file(text, "put_call_ratios.csv")
    assert frame["value"].tolist() == [0.97, 1.18]
    with pytest.raises(MissingColumn, match="TOTAL_PUT_CALL_RATIO"):
        parse_put_call_file(b"Fecha,EQUITY\n2019-10-07,0.6\n", "x.csv")


def test_cboe_sessions_match_published_trading_day_counts() -> None:
    """NYSE trading days per year, as published: 2019 252, 2020 253, 2021 252, 2022 251,
    2023 250, 2024 252, 2025 250; CBOE also traded (index options) on 2025-01-09, when NYSE
    closed for a day of mourning, so 251 here."""
    counts = {
        year: len(cboe_sessions(pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year}-12-31")))
        for year in range(2019, 2026)
    }
    assert counts == {2019: 252, 2020: 253, 2021: 252, 2022: 251, 2023: 250, 2024: 252, 2025: 251}
    week = cboe_sessions(pd.Timestamp("2024-03-25"), pd.Timestamp("2024-03-31"))
    assert pd.Timestamp("2024-03-29") not in week and len(week) == 4  # Good Friday
    assert pd.Timestamp("2021-12-31") in cboe_sessions(
        pd.Timestamp("2021-12-27"), pd.Timestamp("2021-12-31")
    )  # New Year's Day on a Saturday is not observed on Friday
    assert pd.Timestamp("2022-06-20") not in cboe_sessions(
        pd.Timestamp("2022-06-20"), pd.Timestamp("2022-06-20")
    )  # Juneteenth (a Sunday) observed on Monday from 2022
    assert pd.Timestamp("2021-06-18") in cboe_sessions(
        pd.Timestamp("2021-06-18"), pd.Timestamp("2021-06-18")
    )  # ... and not before


# ---- FINRA and Shiller ---------------------------------------------------------------------


def test_finra_workbook_newest_first_in_usd_millions() -> None:
    rows = [FINRA_HEADER, ["2026-05", 1_182_531, 201_154, 232_004]]
    rows += [["2026-04", 1_128_377, 205_880, 228_437], ["1997-01", 100_166, 37_110, None]]
    frame = parse_finra(workbook(rows), "margin-statistics.xlsx")
    assert list(frame.index.strftime("%Y-%m-%d")) == ["1997-01-01", "2026-04-01", "2026-05-01"]
    assert frame["value"].tolist() == [100_166.0, 1_128_377.0, 1_182_531.0]
    renamed = [["Year-Month", "Debits", "Credits"], ["2026-05", 1, 2]]
    with pytest.raises(MissingColumn, match=r"margin-statistics\.xlsx"):
        parse_finra(workbook(renamed), "margin-statistics.xlsx")


def test_shiller_decimal_months_and_data_sheet() -> None:
    assert shiller_month(1871.01) == "1871-01-01"
    assert shiller_month(2025.1) == "2025-10-01"  # Shiller's "2025.1" is October
    assert shiller_month("2025.12") == "2025-12-01"
    assert shiller_month(2025.13) == "" and shiller_month(2025.0) == ""  # months 1..12 only
    assert shiller_month("Date") == "" and shiller_month(None) == "" and shiller_month(True) == ""
    frame = parse_shiller(shiller_workbook(), "ie_data.xls")
    assert frame["value"].tolist() == [0.4, 235.25]
    assert frame.index[-1] == pd.Timestamp("2025-09-01")


# ---- plausibility and uploads --------------------------------------------------------------


def one_row(value: float, day: str = "2026-07-01") -> pd.DataFrame:
    return pd.DataFrame({"value": [value]}, index=pd.DatetimeIndex([day], name="date"))


@pytest.mark.parametrize(
    ("key", "inside", "outside", "bounds"),
    [
        ("naaim:exposure", (-200.0, 200.0), (-200.01, 200.01), "between -200 and 200"),
        ("cboe:total_put_call", (0.01, 5.0), (0.0, -0.16), "above 0"),
        ("finra:margin_debt", (0.01,), (0.0, -1.0), "above 0"),
    ],
)
def test_uploads_get_the_catalog_bounds_of_validate(key, inside, outside, bounds) -> None:
    """One home for the bounds: ``catalog`` declares them, ``validate`` applies them to uploads
    and live payloads alike (put/call and margin debt strictly above 0, NAAIM inclusive)."""
    for value in inside:
        check_update(key, one_row(value), None, now=NOW, source="t.csv")
    for value in outside:
        with pytest.raises(Rejected, match=rf"^t\.csv: value is {value:g} on 2026-07-01, "):
            check_update(key, one_row(value), None, now=NOW, source="t.csv")
        with pytest.raises(Rejected, match=rf"outside its possible range \({bounds}; 1 such"):
            check_update(key, one_row(value), None, now=NOW, source="t.csv")


def test_aaii_shares_are_percent_between_0_and_100_adding_up_to_100() -> None:
    frame = pd.DataFrame(
        {"bullish": [100.0], "neutral": [0.0], "bearish": [0.0]},
        index=pd.DatetimeIndex(["2026-07-02"], name="date"),
    )
    check_update("aaii:sentiment", frame, None, now=NOW)
    with pytest.raises(Rejected, match=r"bullish is 100\.5 on 2026-07-02, outside"):
        check_update("aaii:sentiment", frame + 0.5, None, now=NOW)
    upload = b"Date,Bullish,Neutral,Bearish\n2026-07-02,0.45,0.28,0.30\n"  # 103 %
    with pytest.raises(Rejected, match=r"^sentiment\.csv: bullish \+ neutral \+ bearish add up"):
        parse_file("aaii:sentiment", upload, "sentiment.csv", now=NOW)


def test_future_dates_one_day_of_grace_for_uploads() -> None:
    """validate's rule: the last date at most today + 1 day (time zones)."""
    ahead = b"Date,naaim\n2026-07-01,80\n2026-07-11,80\n"
    assert len(parse_file("naaim:exposure", ahead, "naaim.csv", now=NOW)) == 2
    too_far = b"Date,naaim\n2026-07-01,80\n2026-07-12,80\n"
    with pytest.raises(Rejected, match=r"^naaim\.csv: the payload has dates in the future"):
        parse_file("naaim:exposure", too_far, "naaim.csv", now=NOW)
    text = b"Date,naaim\n2026-07-01,80\n9999-12-31,80\n"
    with pytest.raises(BadPayload, match="9999-12-31"):
        parse_file("naaim:exposure", text, "naaim.csv", now=NOW)


def test_upload_refuses_wrong_suffix_too_big_empty_and_bad_values(monkeypatch) -> None:
    import data_sources.uploads as uploads

    (fmt,) = UPLOAD_FORMATS["cboe:total_put_call"]
    with pytest.raises(BadPayload, match=r"totalpc.json: cboe:total_put_call takes \.csv files"):
        parse_upload(fmt, b"{}", "totalpc.json")
    with pytest.raises(EmptyPayload, match="is empty"):
        parse_upload(fmt, b"", "totalpc.csv")
    negative = b"DATE,CALLS,PUTS,TOTAL,P/C Ratio\n10/1/2019,1,1,2,-0.16\n"
    with pytest.raises(BadPayload, match=r"^totalpc.csv: value is -0.16 on 2019-10-01, outside"):
        parse_upload(fmt, negative, "totalpc.csv", now=NOW)
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 100)
    big = io.BytesIO(b"DATE,CALLS,PUTS,TOTAL,P/C Ratio\n" + b"10/1/2019,1,1,2,0.9\n" * 10)
    with pytest.raises(BadPayload, match=r"uploads are limited to"):
        parse_upload(fmt, big, "totalpc.csv")
    assert big.tell() == 0  # refused on its size, before reading it


class OneWayStream(io.RawIOBase):
    """An upload that can only be read forward (no seek)."""

    def __init__(self, data: bytes) -> None:
        self.inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        chunk = self.inner.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_upload_reads_streams_seekable_or_not() -> None:
    (fmt,) = UPLOAD_FORMATS["naaim:exposure"]
    stream = io.BytesIO(naaim_workbook())
    assert parse_upload(fmt, stream, "USE_Data.xlsx", now=NOW)["value"].iloc[-1] == 84.69
    one_way = io.BufferedReader(OneWayStream(fixture("naaim.csv")))
    assert parse_upload(fmt, one_way, "naaim.csv", now=NOW)["value"].tolist() == [92.4, 88.1]


def sample_upload(key: str, suffix: str) -> bytes:
    """A small file in the provider's format, written in ``suffix``'s kind."""
    tables: dict[str, list[list[object]]] = {
        "aaii:sentiment": [
            ["Date", "Bullish", "Neutral", "Bearish"],
            ["2024-06-13", 0.45, 0.28, 0.27],
        ],
        "naaim:exposure": [NAAIM_HEADER, naaim_row("2026-07-01", 84.69)],
        "cboe:total_put_call": [
            ["DATE", "CALLS", "PUTS", "TOTAL", "P/C Ratio"],
            ["10/1/2019", 2, 1, 3, 0.5],
        ],
        "finra:margin_debt": [FINRA_HEADER, ["2026-05", 1_182_531, 201_154, 232_004]],
        "shiller:earnings": [["Date", "P", "D", "E"], [2025.09, 6600.0, 77.0, 235.25]],
    }
    rows = tables[key]
    if suffix == ".csv":
        return "\n".join(",".join(str(c) for c in row) for row in rows).encode()
    return workbook(rows)


def test_every_declared_upload_format_parses_a_file_of_each_suffix() -> None:
    declared = 0
    for record in RECORDS.values():
        assert record.uploads, record.name
        for fmt in record.uploads:
            for suffix in fmt.suffixes:
                frame = parse_upload(fmt, sample_upload(fmt.key, suffix), f"file{suffix}", now=NOW)
                assert len(frame) == 1 and not frame.isna().any().any(), (fmt.key, suffix)
                declared += 1
    assert declared == 13
    assert upload_format("aaii:sentiment", "SENTIMENT.XLS").key == "aaii:sentiment"
    with pytest.raises(KeyError, match="no file format known"):
        upload_format("fred:DGS10", "x.csv")


def test_records_are_complete_and_env_names_distinct() -> None:
    envs = [record.base_url_env for record in RECORDS.values()]
    assert envs == [f"INVESTABLE_{name.upper()}_URL" for name in RECORDS]
    for record in RECORDS.values():
        assert record.manual_page and record.manual_page.startswith("https://")
        assert 0 < record.timeout <= record.budget and not math.isnan(record.min_interval)


def test_a_refused_upload_leaves_the_store_byte_for_byte_unchanged(tmp_path) -> None:
    from data_sources.store import Store

    store = Store(tmp_path)
    assert store.import_file("naaim:exposure", fixture("naaim.csv"), "naaim.csv") == 2
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file() and not p.name.endswith(".lock"))
    before = {p: p.read_bytes() for p in files}
    bad_files = [
        (naaim_workbook()[:900], "USE_Data.xlsx"),
        (b"Date,naaim\n2026-07-01,250\n", "naaim.csv"),
        (b"Date,naaim\n9999-12-31,50\n", "naaim.csv"),
        (b"Date,naaim\n1/16/2025,65.38\n1/16/2025,70.21\n", "naaim.csv"),
        (b"<!DOCTYPE html><html></html>", "naaim.xlsx"),
        (b"Date,Exposure\n2026-07-01,50\n", "naaim.csv"),
        (b"", "naaim.csv"),
        (b"x", "naaim.pdf"),
    ]
    for data, name in bad_files:
        with pytest.raises(BadPayload) as caught:
            store.import_file("naaim:exposure", data, name)
        assert "NoneType" not in str(caught.value) and "\n" not in str(caught.value)
    assert {p: p.read_bytes() for p in files} == before


# ---- the real files ------------------------------------------------------------------------


@pytest.mark.shared_data
def test_real_aaii_and_shiller_workbooks(shared_data_dir) -> None:
    aaii = parse_aaii((shared_data_dir / "sentiment/raw/aaii_sentiment.xls").read_bytes())
    reference = pd.read_csv(shared_data_dir / "sentiment/aaii.csv", index_col="Date")
    reference = reference.dropna(subset=["Bullish"])
    assert len(aaii) == len(reference) == 2037
    assert aaii["bullish"].to_numpy() == pytest.approx(100 * reference["Bullish"].to_numpy())
    assert "1996-01-11" not in aaii.index.strftime("%Y-%m-%d")  # the #N/A row, once "42"
    assert aaii.index[-1] == pd.Timestamp("2026-08-20")
    check_update("aaii:sentiment", aaii, None, now=pd.Timestamp("2026-11-25"))
    shiller = parse_shiller((shared_data_dir / "sp500/raw/shiller_ie_data.xls").read_bytes())
    monthly = pd.read_csv(shared_data_dir / "sp500/shiller_ie_data_monthly.csv")
    monthly = monthly.dropna(subset=["E"])
    assert len(shiller) == len(monthly) == 1857
    assert shiller["value"].to_numpy() == pytest.approx(monthly["E"].to_numpy())
    assert shiller.index[0] == pd.Timestamp("1871-01-01")
    assert shiller.loc["2025-09-01", "value"] == pytest.approx(235.25)


@pytest.mark.shared_data
def test_cboe_sessions_match_cboe_daily_statistics_dates(shared_data_dir) -> None:
    """Every date of CBOE's daily statistics 2019-10-07 → 2026-07-22 is a session, and the
    calendar adds only the two weekdays missing from that copy (2026-07-14 and 2026-07-20,
    ordinary trading days: gaps of the copy, not holidays)."""
    reference = pd.read_csv(shared_data_dir / "cboe/put_call_ratios_2019-2026.csv")
    published = pd.DatetimeIndex(pd.to_datetime(reference.iloc[:, 0]))
    sessions = cboe_sessions(published[0], published[-1])
    assert len(published) == 1705
    assert published.difference(sessions).empty
    assert list(sessions.difference(published).strftime("%Y-%m-%d")) == ["2026-07-14", "2026-07-20"]


def test_archive_zip_member_names_are_not_in_messages() -> None:
    """A workbook whose zip is valid but whose sheets are missing still reads as unreadable."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(BadPayload, match="not a readable Excel workbook") as caught:
        parse_finra(buffer.getvalue(), "margin-statistics.xlsx")
    assert "hello" not in str(caught.value)


def test_csv_rows_wider_than_the_first_lines_still_read() -> None:
    """pandas' C parser reads CSVs at the width of their first 200 lines; a wider row later
    falls back to the row reader, losing nothing."""
    lines = ["Date,naaim"] + [f"2020-01-{d:02d},50" for d in range(1, 29)] * 8
    lines += ["2021-01-07,60,note"]
    cells = read_cells("\n".join(lines).encode(), "naaim.csv")
    assert cells.shape == (226, 3) and cells.iloc[-1].tolist() == ["2021-01-07", "60", "note"]
    frame = parse_naaim("\n".join(lines).encode(), "naaim.csv")
    assert frame["value"].tolist() == [50.0] * 28 + [60.0]


def test_every_registered_provider_has_a_short_name_for_messages() -> None:
    from data_sources.providers import ProviderRecord
    from data_sources.registry import RECORDS as ALL_RECORDS

    assert {name: record.short_name for name, record in ALL_RECORDS.items()} == {
        "yahoo": "Yahoo Finance",
        "fred": "FRED",
        "aaii": "AAII",
        "naaim": "NAAIM",
        "cboe": "CBOE",
        "finra": "FINRA",
        "shiller": "Shiller",
    }
    assert ProviderRecord("x", "Example data", "https://x.invalid", None).short_name == (
        "Example data"  # without one, the display name
    )
