"""The manifest-folder loader's quick path (needed columns, numbers by the CSV reader, ISO dates
by numpy) reads exactly what the all-text path reads, and falls back to it for anything odd.

Golden values are written out by hand from the CSV text below.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data_sources.errors import ManifestError
from data_sources.folder import FolderSource, ManifestPart, _read_needed_columns, read_part
from data_sources.frames import parse_dates, tidy_frame


def _folder(tmp_path: Path, csv_text: str, part: str) -> Path:
    (tmp_path / "s.csv").write_text(csv_text, encoding="utf-8")
    (tmp_path / "manifest.toml").write_text(
        f'[[series."fred:X"]]\nfile = "s.csv"\n{part}\n', encoding="utf-8"
    )
    return tmp_path


def _part(**changes: object) -> ManifestPart:
    base: dict[str, object] = {"key": "fred:X", "file": "s.csv", "date": "Date"}
    base["fields"] = {"value": "Value"}
    return ManifestPart(**(base | changes))  # type: ignore[arg-type]


def test_needed_columns_only_with_spaces_markers_and_a_bom(tmp_path) -> None:
    text = (
        "\ufeffDate, Unused , Value\n"
        "2024-01-03, x, 1.5\n"
        "2024-01-02, y, .\n"
        "2024-01-04 , z, 2.25\n"
        "2024-01-05, w,\n"
    )
    folder = _folder(tmp_path, text, 'date = "Date"\nfields = { value = "Value" }')
    raw = _read_needed_columns(folder / "s.csv", _part())
    assert raw is not None and [c.strip() for c in raw.columns] == ["Date", "Value"]
    frame = FolderSource(folder).load("fred:X")
    assert list(frame.index.strftime("%Y-%m-%d")) == ["2024-01-03", "2024-01-04"]
    assert frame["value"].tolist() == [1.5, 2.25]  # "." and blank are missing: rows dropped


def test_a_thousands_separator_falls_back_to_the_text_reader(tmp_path) -> None:
    folder = _folder(
        tmp_path,
        'Date,Value\n2024-01-02,"1,234.5"\n2024-01-03,7\n',
        'date = "Date"\nfields = { value = "Value" }',
    )
    frame = FolderSource(folder).load("fred:X")
    assert frame["value"].tolist() == [1234.5, 7.0]
    assert frame["value"].dtype == np.float64


def test_a_missing_column_keeps_the_message_naming_the_columns(tmp_path) -> None:
    folder = _folder(
        tmp_path, "Date,Other\n2024-01-02,1\n", 'date = "Date"\nfields = { value = "Value" }'
    )
    assert _read_needed_columns(folder / "s.csv", _part()) is None
    with pytest.raises(
        ManifestError, match="column\\(s\\) 'Value' not found; columns are 'Date', 'Other'"
    ):
        FolderSource(folder).load("fred:X")


@pytest.mark.parametrize(
    ("cell", "shown"),
    [("2024-02-30", "'2024-02-30'"), ("2024/01/05", "'2024/01/05'"), ("Jan 5", "'Jan 5'")],
)
def test_a_bad_date_is_the_same_one_line_message(tmp_path, cell, shown) -> None:
    folder = _folder(
        tmp_path,
        f"Date,Value\n2024-01-02,1\n{cell},2\n",
        'date = "Date"\nfields = { value = "Value" }',
    )
    with pytest.raises(ManifestError, match=f"date {shown} does not match the format YYYY-MM-DD"):
        read_part(folder, _part())


def test_formatted_and_monthly_dates_and_last_repeat_wins(tmp_path) -> None:
    folder = _folder(
        tmp_path,
        "Date,Value\n01/05/2024,1\n01/04/2024,2\n01/05/2024,3\n",
        'date = "Date"\ndate_format = "%m/%d/%Y"\nfields = { value = "Value" }',
    )
    frame = FolderSource(folder).load("fred:X")
    assert frame.index.strftime("%Y-%m-%d").tolist() == ["2024-01-04", "2024-01-05"]
    assert frame["value"].tolist() == [2.0, 3.0]
    monthly = parse_dates(pd.Series(["2024-01", "2024-02"], dtype=object))
    assert monthly.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-02-01"]


def test_quick_dates_equal_the_general_path() -> None:
    cells = pd.Series(["2024-01-02", " 2024-01-03", "2024-01-05 ", "1999-12-31"], dtype=object)
    quick = parse_dates(cells)
    general = pd.DatetimeIndex(
        pd.to_datetime(cells.astype("string").str.strip(), format="%Y-%m-%d")
    ).normalize()
    assert quick.equals(general) and quick.dtype == general.dtype
    assert quick.strftime("%Y-%m-%d").tolist() == ["2024-01-02", "2024-01-03", "2024-01-05",
                                                   "1999-12-31"]  # fmt: skip


def test_failures_leave_the_files_unchanged(tmp_path) -> None:
    folder = _folder(
        tmp_path, "Date,Value\n2024-13-01,1\n", 'date = "Date"\nfields = { value = "Value" }'
    )
    before = (folder / "s.csv").read_bytes(), (folder / "manifest.toml").read_bytes()
    with pytest.raises(ManifestError):
        FolderSource(folder).load("fred:X")
    assert ((folder / "s.csv").read_bytes(), (folder / "manifest.toml").read_bytes()) == before


def _general(cells: list[str], date_format: str | None) -> pd.DatetimeIndex:
    """The general path's dates, written out: stripped text, ``to_datetime`` with the format."""
    text = pd.Series(cells, dtype=object).astype("string").str.strip()
    return pd.DatetimeIndex(pd.to_datetime(text, format=date_format)).normalize()


def test_us_dates_from_their_numbers_equal_strptime() -> None:
    cells = ["1/2/1990", "12/31/1999", " 2/29/2024", "07/04/2026 ", "10/1/1678"]
    quick = parse_dates(pd.Series(cells, dtype="str"), "%m/%d/%Y")
    general = _general(cells, "%m/%d/%Y")
    assert quick.equals(general) and quick.dtype == general.dtype
    assert quick.strftime("%Y-%m-%d").tolist() == [
        "1990-01-02", "1999-12-31", "2024-02-29", "2026-07-04", "1678-10-01",
    ]  # fmt: skip


@pytest.mark.parametrize("cell", ["2/30/2024", "2/29/2023", "13/01/2024", "0/10/2024",
                                  "1/0/2024", "1/2/90", "1-2-1990", "1/2/1990x"])  # fmt: skip
def test_a_bad_us_date_keeps_the_general_message(tmp_path, cell) -> None:
    folder = _folder(
        tmp_path,
        f"Date,Value\n1/2/2024,1\n{cell},2\n",
        'date = "Date"\ndate_format = "%m/%d/%Y"\nfields = { value = "Value" }',
    )
    with pytest.raises(
        ManifestError, match=f"date '{cell}' does not match the format %m/%d/%Y \\(1 such rows\\)"
    ):
        FolderSource(folder).load("fred:X")


def test_monthly_dates_on_the_quick_path_equal_the_general_one(tmp_path) -> None:
    quick = parse_dates(pd.Series(["1997-01", "1997-02", "1997-03"], dtype="str"))
    general = _general(["1997-01", "1997-02", "1997-03"], "%Y-%m")
    assert quick.equals(general) and quick.dtype == general.dtype and quick.freq == general.freq
    assert quick.strftime("%Y-%m-%d").tolist() == ["1997-01-01", "1997-02-01", "1997-03-01"]
    folder = _folder(
        tmp_path,
        "Date,Value\n2024-01,1\n2024-13,2\n",
        'date = "Date"\nfields = { value = "Value" }',
    )
    with pytest.raises(ManifestError, match="date '2024-13' does not match the format %Y-%m"):
        FolderSource(folder).load("fred:X")


def test_a_file_without_spaces_reads_as_the_same_file_with_them(tmp_path) -> None:
    spaced, plain = tmp_path / "spaced", tmp_path / "plain"
    spaced.mkdir(), plain.mkdir()
    part = 'date = "Date"\nfields = { close = "Close", volume = "Volume" }\nadjusted = true'
    one = FolderSource(
        _folder(spaced, "Date, Close, Volume\n2024-01-02, 1.5, 100\n2024-01-03, ., 7\n", part)
    ).load("fred:X")
    two = FolderSource(
        _folder(plain, "Date,Close,Volume\n2024-01-02,1.5,100\n2024-01-03,.,7\n", part)
    ).load("fred:X")
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert one.attrs == two.attrs == {"adjusted": True}
    assert list(one.columns) == ["close", "volume", "adj_close"]
    assert one["adj_close"].tolist()[0] == 1.5 and np.isnan(one["adj_close"].tolist()[1])
    assert one["volume"].tolist() == [100.0, 7.0]


def test_a_quoted_header_with_a_comma_is_read(tmp_path) -> None:
    folder = _folder(
        tmp_path,
        'Date,"Debit, margin"\n2024-01,10\n2024-02,12\n',
        'date = "Date"\nfields = { value = "Debit, margin" }',
    )
    frame = FolderSource(folder).load("fred:X")
    assert frame["value"].tolist() == [10.0, 12.0]
    assert frame.index.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-02-01"]


def test_numeric_quick_frames_equal_the_text_path() -> None:
    """``tidy_frame`` of numbers (the quick numpy path) and of the same cells as text (the
    general path): the same frame, scale, adjusted copy and dropped empty rows included."""
    text = pd.DataFrame(
        {
            "Date": ["2024-01-03", "2024-01-02", "2024-01-04", "2024-01-05"],
            "Close": ["1.5", "2.25", "", "3"],
            "Volume": ["10", "20", "", "40"],
        },
        dtype=object,
    )
    numbers = text.assign(
        Close=pd.to_numeric(text["Close"]), Volume=pd.to_numeric(text["Volume"])
    ).astype({"Date": "str"})
    fields = {"close": "Close", "volume": "Volume"}
    for rows in (slice(None), slice(1, None)):  # out of order (general), then in order (quick)
        quick = tidy_frame(numbers[rows], "Date", fields, scale=2.0, adjusted=True)
        general = tidy_frame(text[rows], "Date", fields, scale=2.0, adjusted=True)
        pd.testing.assert_frame_equal(quick, general, check_exact=True)
        assert quick.attrs == general.attrs == {"adjusted": True}
    assert quick["close"].tolist() == [4.5, 6.0] and quick["adj_close"].tolist() == [4.5, 6.0]
    assert quick.index.strftime("%Y-%m-%d").tolist() == ["2024-01-02", "2024-01-05"]


def test_changing_a_loaded_frame_leaves_the_next_load_intact(tmp_path) -> None:
    part = 'date = "Date"\nfields = { close = "Close" }\nadjusted = true'
    source = FolderSource(_folder(tmp_path, "Date,Close\n2024-01-02,1.5\n2024-01-03,2\n", part))
    first = source.load("fred:X")
    first.iloc[0, 0] = 99.0
    first["close"] *= 2
    first.index.name = "renamed"
    first.attrs["adjusted"] = False
    first["extra"] = 1.0
    again = source.load("fred:X")
    assert again["close"].tolist() == [1.5, 2.0] and again["adj_close"].tolist() == [1.5, 2.0]
    assert list(again.columns) == ["close", "adj_close"]
    assert again.index.name == "date" and again.attrs == {"adjusted": True}


def test_an_edited_manifest_is_read_again(tmp_path) -> None:
    folder = _folder(
        tmp_path,
        "Date,Value,Other\n2024-01-02,1,5\n",
        'date = "Date"\nfields = { value = "Value" }',
    )
    assert FolderSource(folder).load("fred:X")["value"].tolist() == [1.0]
    (folder / "manifest.toml").write_text(
        '[[series."fred:X"]]\nfile = "s.csv"\ndate = "Date"\nfields = { value = "Other" }\n'
        'notes = "the other column, now"\n',
        encoding="utf-8",
    )
    assert FolderSource(folder).load("fred:X")["value"].tolist() == [5.0]
    (folder / "manifest.toml").write_text("not = [valid", encoding="utf-8")
    with pytest.raises(ManifestError, match="not valid TOML"):
        FolderSource(folder).keys()
