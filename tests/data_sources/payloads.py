"""Recorded payloads in each provider's real format for EVERY series of the live catalog, served
by one local HTTP server on 127.0.0.1, with faults injected per provider.

The data (:func:`good_frames`) is small and deterministic: per series a few dozen observations at
its own frequency, and ``step=1`` adds exactly one observation after the last one of ``step=0``
(the "one more new observation" a refresh must land). Values are chosen inside each series'
plausible range (rates 1-6 %, prices 50-500, AAII shares adding up to 100 %, ...).

Formats (as the providers read them in 2026):

* **Yahoo** — yfinance 1.7's own handshake (``/`` sets a cookie, ``/v1/test/getcrumb`` the
  crumb) and the v8 chart JSON (``chart.result[0]``: ``meta``, ``timestamp`` at the 09:30
  New York open, ``indicators.quote[0]`` open/high/low/close/volume and
  ``indicators.adjclose[0].adjclose``); an unknown symbol gets Yahoo's 404 JSON.
* **FRED keyless** — ``/graph/fredgraph.csv?id=ID``: ``observation_date,ID`` and ``.`` for a
  missing value. **FRED API** — ``/fred/series/observations?series_id=ID&api_key=K&
  file_type=json``: ``{"observations": [{"date", "value"}, ...]}``; a wrong key gets FRED's 400
  JSON error.
* **AAII** — ``/files/surveys/sentiment.xls``: sheet SENTIMENT, title rows, header ``Date,
  Bullish, Neutral, Bearish, Total``, shares as fractions. (Served as an xlsx workbook: the
  reader goes by content, and no ``.xls`` writer is a dependency of the project.)
* **NAAIM** — its exposure-index page linking ``USE_Data-since-Inception_YYYY-MM-DD.xlsx``
  (absolute link to naaim.org, rebased by the provider), the workbook newest first.
* **CBOE** — the archive ``totalpc.csv`` (title lines, ``DATE,CALLS,PUTS,TOTAL,P/C Ratio``,
  M/D/YYYY, 2006-11-01 to 2019-10-04) and one ``{day}_daily_options`` JSON per session after it;
  a day without statistics answers 404.
* **FINRA** — ``margin-statistics.xlsx``, ``Year-Month`` text, newest first.
* **Shiller** — shillerdata.com's page with a protocol-relative link to ``ie_data.xls``, the
  workbook's sheet ``Data`` with title rows, decimal-month dates and the notes below.

Every provider is served under its own path prefix (``/yahoo``, ``/fred``, ``/fredapi``,
``/aaii``, ``/naaim``, ``/cboe``, ``/finra``, ``/shiller``) of one server; :func:`point_env`
gives the ``INVESTABLE_*_URL`` variables.
"""

from __future__ import annotations

import io
import json
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pandas as pd

from data_sources.catalog import LIVE_SERIES, SECTORS
from data_sources.providers.cboe import ARCHIVE_END, ARCHIVE_START, cboe_sessions
from tests.data_sources.recorded_server import Asked, RecordedServer, Reply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data_sources"
JSON = {"Content-Type": "application/json;charset=utf-8"}
CSV = {"Content-Type": "text/csv"}
XLSX = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
XLS = {"Content-Type": "application/vnd.ms-excel"}
HTML = {"Content-Type": "text/html; charset=UTF-8"}

FAKE_FRED_KEY = "fakeKey0123456789abcdef01234567"

PROVIDERS = ("yahoo", "fred", "fredapi", "aaii", "naaim", "cboe", "finra", "shiller")
"""Server prefixes. ``fred`` and ``fredapi`` are the same provider ("fred") asked two ways."""

ENV = {
    "yahoo": "INVESTABLE_YAHOO_URL",
    "fred": "INVESTABLE_FRED_URL",
    "fredapi": "INVESTABLE_FRED_API_URL",
    "aaii": "INVESTABLE_AAII_URL",
    "naaim": "INVESTABLE_NAAIM_URL",
    "cboe": "INVESTABLE_CBOE_URL",
    "finra": "INVESTABLE_FINRA_URL",
    "shiller": "INVESTABLE_SHILLER_URL",
}

CBOE_TODAY = pd.Timestamp("2019-11-08")  # the first refresh's "today": 25 daily sessions
CBOE_NEXT_TODAY = pd.Timestamp("2019-11-11")  # the next session (Veterans Day trades)
YAHOO_START = pd.Timestamp("2024-01-02")
FRED_DAILY_START = pd.Timestamp("2024-01-02")
WEEKLY_START = pd.Timestamp("2023-01-06")  # a Friday
MONTHLY_START = pd.Timestamp("2022-01-01")
ROWS = 30  # observations per series at step 0 (CBOE: the whole archive and backfill)

NAAIM_FILE = "/wp-content/uploads/2026/07/USE_Data-since-Inception_2026-07-01.xlsx"
SHILLER_FILE = (
    "/blobby/go/e5e77e0b-59d1-44d9-ab25-4763ac982e53/downloads/"
    "34a1781b-f073-448f-b9f9-6230becb2e49/ie_data.xls"
)
DATA_PATHS = {
    "aaii": "/files/surveys/sentiment.xls",
    "naaim": NAAIM_FILE,
    "finra": "/sites/default/files/2021-03/margin-statistics.xlsx",
    "shiller": SHILLER_FILE,
}
PAGE_PATHS = {"naaim": "/programs/naaim-exposure-index/", "shiller": "/"}
CBOE_ARCHIVE = "/resources/options/volume_and_call_put_ratios/totalpc.csv"
CBOE_DAILY_PREFIX = "/data/us/options/market_statistics/daily/"

# FRED levels: a typical value per series id (inside its catalog bounds, in its own units).
FRED_LEVELS = {
    "UNRATE": 3.7,
    "RRSFS": 226_000.0,
    "RSAFS": 705_000.0,
    "INDPRO": 102.5,
    "CPIAUCSL": 307.0,
    "CPILFESL": 312.0,
    "PCEPILFE": 121.0,
    "PAYEMS": 157_000.0,
    "UMCSENT": 69.5,
    "FEDFUNDS": 5.33,
    "JTSJOL": 8_800.0,
    "SPCS10RSA": 330.0,
    "SPCS20RSA": 315.0,
    "GACDFSA066MSFRBPHI": 12.0,
    "ICSA": 215_000.0,
    "CCSA": 1_800_000.0,
    "NFCI": 0.45,
    "WALCL": 7_700_000.0,
    "BAMLH0A0HYM2": 3.4,
    "BAMLC0A0CM": 1.1,
    "T10Y2Y": 0.35,
    "T10YIE": 2.3,
    "DGS10": 4.2,
    "DGS2": 4.4,
    "DGS3MO": 5.4,
    "DTB3": 5.2,
    "TEDRATE": 0.25,
    "VIXCLS": 14.5,
    "VXVCLS": 16.8,
    "SP500": 4_800.0,
}
YAHOO_LEVELS = {"SPY": 470.0, "^GSPC": 4_700.0, "^VIX": 13.5, "^VIX3M": 15.9} | {
    symbol: 40.0 + 5 * number for number, symbol in enumerate(SECTORS)
}

LIVE_KEYS: tuple[str, ...] = tuple(series.key for series in LIVE_SERIES)


def provider_of(key: str) -> str:
    return key.split(":", 1)[0]


def keys_of(provider: str) -> list[str]:
    name = "fred" if provider == "fredapi" else provider
    return [key for key in LIVE_KEYS if provider_of(key) == name]


# ---- the data --------------------------------------------------------------------------------


def _dates(key: str, rows: int) -> pd.DatetimeIndex:
    series = next(s for s in LIVE_SERIES if s.key == key)
    provider = provider_of(key)
    if provider == "yahoo":
        return cboe_sessions(YAHOO_START, YAHOO_START + pd.Timedelta(days=3 * rows))[:rows]
    if provider == "aaii":
        return pd.date_range("2023-01-05", periods=rows, freq="W-THU")
    if provider == "naaim":
        return pd.date_range("2023-01-04", periods=rows, freq="W-WED")
    if series.frequency == "D":
        return cboe_sessions(FRED_DAILY_START, FRED_DAILY_START + pd.Timedelta(days=3 * rows))[
            :rows
        ]
    if series.frequency == "W":
        return pd.date_range(WEEKLY_START, periods=rows, freq="W-FRI")
    return pd.date_range(MONTHLY_START, periods=rows, freq="MS")


def cboe_dates(today: pd.Timestamp) -> pd.DatetimeIndex:
    """The archive's sessions and the daily sessions to ``today``: continuous from 2006-11-01."""
    return cboe_sessions(ARCHIVE_START, today)


def _frame(key: str, step: int) -> pd.DataFrame:
    provider = provider_of(key)
    if provider == "cboe":
        index = cboe_dates(CBOE_TODAY if step == 0 else CBOE_NEXT_TODAY)
        values = [round(0.7 + (i % 37) / 100, 2) for i in range(len(index))]
        return pd.DataFrame({"value": values}, index=index.rename("date"))
    index = _dates(key, ROWS + step).rename("date")
    i = pd.Series(range(len(index)), dtype="float64").to_numpy()
    if provider == "yahoo":
        level = YAHOO_LEVELS[key.split(":", 1)[1]]
        close = (level * (1 + 0.002 * i)).round(2)
        return pd.DataFrame(
            {
                "open": (close * 0.995).round(2),
                "high": (close * 1.01).round(2),
                "low": (close * 0.99).round(2),
                "close": close,
                "volume": 1_000_000.0 + 1_000.0 * i,
                "adj_close": (close * 0.98).round(2),
            },
            index=index,
        )
    if provider == "fred":
        level = FRED_LEVELS.get(key.split(":", 1)[1], 100.0)
        return pd.DataFrame({"value": (level * (1 + 0.001 * i)).round(4)}, index=index)
    if provider == "aaii":
        bullish = (0.35 + 0.002 * i).round(4)
        neutral = (0.30 - 0.001 * i).round(4)
        bearish = (1.0 - bullish - neutral).round(4)
        return pd.DataFrame(
            {"bullish": bullish * 100, "neutral": neutral * 100, "bearish": bearish * 100},
            index=index,
        ).round(2)
    if provider == "naaim":
        return pd.DataFrame({"value": (60.0 + 0.5 * i).round(2)}, index=index)
    if provider == "finra":
        return pd.DataFrame({"value": (700_000.0 + 1_500.0 * i).round(0)}, index=index)
    if provider == "shiller":
        return pd.DataFrame({"value": (180.0 + 0.75 * i).round(2)}, index=index)
    raise KeyError(key)


def good_frames(step: int = 0) -> dict[str, pd.DataFrame]:
    """Every live series' frame as the store should hold it after a good refresh of ``step``."""
    return {key: _frame(key, step) for key in LIVE_KEYS}


# ---- renderers: one frame (any row order, duplicates and NaN allowed) -> the provider's bytes ----


def _num(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def workbook(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    """An .xlsx written with openpyxl, cells as given (None is an empty cell)."""
    book = openpyxl.Workbook()
    table = book.active
    assert table is not None
    table.title = sheet
    for row in rows:
        table.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _py_date(day: pd.Timestamp) -> object:
    return pd.Timestamp(day).to_pydatetime()


SPY_META = json.loads((FIXTURES / "yahoo_chart_SPY.json").read_bytes())["chart"]["result"][0][
    "meta"
]


def yahoo_chart(symbol: str, frame: pd.DataFrame, renamed: bool = False) -> bytes:
    """Yahoo's v8 chart JSON; timestamps at the 09:30 New York open of each date."""
    opens = [
        int(
            (pd.Timestamp(day) + pd.Timedelta(hours=9, minutes=30))
            .tz_localize("America/New_York")
            .timestamp()
        )
        for day in frame.index
    ]
    quote = {
        field: [_num(float(v)) for v in frame[field]]
        for field in ("open", "high", "low", "close", "volume")
    }
    if renamed:
        quote["closing"] = quote.pop("close")
    meta = dict(SPY_META, symbol=symbol, longName=symbol, shortName=symbol)
    meta.pop("firstTradeDate", None)
    result = {
        "meta": meta,
        "timestamp": opens,
        "indicators": {
            "quote": [quote],
            "adjclose": [{"adjclose": [_num(float(v)) for v in frame["adj_close"]]}],
        },
    }
    return json.dumps({"chart": {"result": [result], "error": None}}).encode()


YAHOO_NOT_FOUND = (FIXTURES / "yahoo_chart_not_found.json").read_bytes()


def _fred_value(value: float) -> str:
    return "." if math.isnan(value) else f"{value:.10g}"


def fred_csv(series_id: str, frame: pd.DataFrame, renamed: bool = False) -> bytes:
    header = f"observation_date,{'VALUE' if renamed else series_id}"
    lines = [header] + [
        f"{day:%Y-%m-%d},{_fred_value(float(v))}"
        for day, v in zip(frame.index, frame["value"], strict=True)
    ]
    return ("\n".join(lines) + "\n").encode()


def fred_api_json(series_id: str, frame: pd.DataFrame, renamed: bool = False) -> bytes:
    field = "val" if renamed else "value"
    observations = [
        {
            "realtime_start": "2026-11-25",
            "realtime_end": "2026-11-25",
            "date": f"{day:%Y-%m-%d}",
            field: _fred_value(float(v)),
        }
        for day, v in zip(frame.index, frame["value"], strict=True)
    ]
    document = {
        "realtime_start": "2026-11-25",
        "realtime_end": "2026-11-25",
        "observation_start": "1600-01-01",
        "observation_end": "9999-12-31",
        "units": "lin",
        "output_type": 1,
        "file_type": "json",
        "order_by": "observation_date",
        "sort_order": "asc",
        "count": len(observations),
        "offset": 0,
        "limit": 100000,
        "observations": observations,
    }
    return json.dumps(document).encode()


FRED_BAD_KEY = (
    b'{"error_code":400,"error_message":"Bad Request.  The value for variable api_key is not '
    b"registered.  Read https:\\/\\/fred.stlouisfed.org\\/docs\\/api\\/api_key.html for more "
    b'information."}'
)


FRED_NO_SERIES = b'{"error_code":400,"error_message":"Bad Request.  The series does not exist."}'


def aaii_workbook(frame: pd.DataFrame, renamed: bool = False, scale: float = 0.01) -> bytes:
    """AAII's sentiment layout: title rows, header on row 4, shares as fractions (``scale``)."""
    rows: list[list[object]] = [
        [None, None, None, "American Association of Individual Investors 625 N. Michigan Ave."],
        [None, None, None, None, None, "Bullish", None, None, "Bullish", "Bullish"],
        ["Reported", None, None, None, None, "8-week"],
        ["Date", "Bulls" if renamed else "Bullish", "Neutral", "Bearish", "Total", "Mov Avg"],
        [None],
    ]
    for day, row in frame.iterrows():
        shares = [_num(float(row[c]) * scale) for c in ("bullish", "neutral", "bearish")]
        known = [s for s in shares if s is not None]
        total = round(sum(known), 4) if len(known) == 3 else None
        rows.append([_py_date(day), *shares, total, None])
    rows.append(["Count '24", 51, 51, 51])
    return workbook(rows, sheet="SENTIMENT")


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


def naaim_workbook(frame: pd.DataFrame, renamed: bool = False) -> bytes:
    """NAAIM's weekly workbook, newest first (the frame's order reversed)."""
    header: list[object] = [("Exposure Number" if c == "NAAIM Number" else c) for c in NAAIM_HEADER]
    rows: list[list[object]] = [header if renamed else list(NAAIM_HEADER)]
    for day, value in reversed(list(zip(frame.index, frame["value"], strict=True))):
        number = _num(float(value))
        rows.append([_py_date(day), number, -100, 25, 75, 100, 200, 40.5, number, 5400])
    return workbook(rows)


def naaim_page() -> bytes:
    return (FIXTURES / "naaim_exposure_index_page.html").read_bytes()


FINRA_HEADER = [
    "Year-Month",
    "Debit Balances in Customers' Securities Margin Accounts",
    "Free Credit Balances in Customers' Cash Accounts",
    "Free Credit Balances in Customers' Securities Margin Accounts",
]


def finra_workbook(frame: pd.DataFrame, renamed: bool = False) -> bytes:
    """FINRA's margin statistics, ``YYYY-MM`` text, newest first."""
    header: list[object] = (
        ["Year-Month", "Debits", *FINRA_HEADER[2:]] if renamed else [*FINRA_HEADER]
    )
    rows: list[list[object]] = [header]
    for day, value in reversed(list(zip(frame.index, frame["value"], strict=True))):
        rows.append([f"{day:%Y-%m}", _num(float(value)), 201_154, 232_004])
    return workbook(rows)


def shiller_workbook(frame: pd.DataFrame, renamed: bool = False) -> bytes:
    """Sheet ``Data``: title rows, ``Date, P, D, E, CPI``, decimal months, notes below."""
    title: list[object] = ['Stock Market Data Used in "Irrational Exuberance"', None, None, None]
    rows: list[list[object]] = [[None] * 5, title, ["Robert J. Shiller"] + [None] * 4]
    rows += [
        [None, "S&P", None, None, "Consumer"],
        [None, "Comp.", "Dividend", "Earnings", "Price"],
    ]
    rows += [["Date", "P", "D", "Earnings" if renamed else "E", "CPI"]]
    for day, value in zip(frame.index, frame["value"], strict=True):
        rows.append([round(day.year + day.month / 100, 2), 4700.0, 70.0, _num(float(value)), 300.0])
    rows += [[None, "Latest month's price is the 1st's close", None]]
    return workbook(rows, sheet="Data")


def shiller_page() -> bytes:
    return (FIXTURES / "shillerdata_page.html").read_bytes()


def cboe_archive(frame: pd.DataFrame, renamed: bool = False) -> bytes:
    """``totalpc.csv``: title lines, then ``DATE,CALLS,PUTS,TOTAL,P/C Ratio``, M/D/YYYY."""
    lines = [
        "CBOE TOTAL PUT/CALL RATIO",
        "Source: Cboe Global Markets",
        "",
        f"DATE,CALLS,PUTS,TOTAL,{'P/C' if renamed else 'P/C Ratio'}",
    ]
    for day, value in zip(frame.index, frame["value"], strict=True):
        ratio = "" if math.isnan(value) else f"{value:.2f}"
        lines.append(f"{day.month}/{day.day}/{day.year}, 2097645, 1909846, 4007491, {ratio}")
    return ("\n".join(lines) + "\n").encode()


def cboe_daily(values: list[float | None], renamed: bool = False, order: int = 1) -> bytes:
    """One day's statistics JSON; ``values`` are the TOTAL entries (two: a repeated entry)."""
    name = "TOTAL P/C RATIO" if renamed else "TOTAL PUT/CALL RATIO"
    totals = [{"name": name, "value": "" if v is None else f"{v:.2f}"} for v in values]
    others = [
        {"name": "INDEX PUT/CALL RATIO", "value": "1.21"},
        {"name": "EQUITY PUT/CALL RATIO", "value": "0.61"},
        {"name": "CBOE VOLATILITY INDEX (VIX) PUT/CALL RATIO", "value": "0.44"},
    ]
    ratios = totals + others if order > 0 else others + totals
    return json.dumps({"ratios": ratios}).encode()


# ---- faults ---------------------------------------------------------------------------------

HTTP_FAULTS = ("429", "403", "500", "timeout", "refused", "empty", "malformed")
DATA_FAULTS = (
    "renamed column",
    "unsorted dates",
    "duplicated dates",
    "trailing NaNs",
    "shrunk history",
    "stale copy",
    "future dates",
    "wrong units",
    "negative values",
)
FAULTS = HTTP_FAULTS + DATA_FAULTS
FUTURE = pd.Timestamp("9999-12-31")
HANG_SECONDS = 1.5


def fault_frame(frame: pd.DataFrame, fault: str, provider: str) -> pd.DataFrame:
    """``frame`` (a step-1 frame: stored rows plus one new observation) with a data fault."""
    if fault == "unsorted dates":  # two rows inside the stored range swapped
        order = list(range(len(frame)))
        middle = len(frame) // 2
        order[middle], order[middle + 1] = order[middle + 1], order[middle]
        return frame.iloc[order]
    if fault == "duplicated dates":  # the last stored date again, with other values
        repeat = frame.iloc[[-2]] * 1.01
        return pd.concat([frame.iloc[:-1], repeat, frame.iloc[[-1]]])
    if fault == "trailing NaNs":  # three dated rows after the new one, every value missing
        step = frame.index[-1] - frame.index[-2]
        extra = pd.DatetimeIndex([frame.index[-1] + step * n for n in (1, 2, 3)], name="date")
        return pd.concat([frame, pd.DataFrame(math.nan, index=extra, columns=frame.columns)])
    if fault == "shrunk history":  # the older half is gone
        return frame.iloc[len(frame) // 2 :]
    if fault == "stale copy":  # an old copy: ends one observation before what is stored
        return frame.iloc[:-2]
    if fault == "future dates":
        extra = pd.DataFrame(frame.iloc[[-1]].to_numpy(), columns=frame.columns)
        extra.index = pd.DatetimeIndex([FUTURE], name="date")
        return pd.concat([frame, extra])
    if fault == "wrong units":
        unit_free = [c for c in frame.columns if c == "volume"]
        factor = 0.01 if provider in ("fred", "fredapi") else 100.0
        scaled = frame * factor
        scaled[unit_free] = frame[unit_free]
        return scaled
    if fault == "negative values":  # the new observation with its sign flipped
        flipped = frame.copy()
        columns = [c for c in frame.columns if c != "volume"]
        flipped.iloc[-1, [frame.columns.get_loc(c) for c in columns]] *= -1
        return flipped
    return frame


@dataclass
class Site:
    """What the server answers: ``frames`` per series key (the good data), the CBOE sessions up
    to ``cboe_today``, and optionally one ``fault`` served for ``faulty`` only (the data request:
    chart, CSV/JSON, workbook or daily JSON; pages and Yahoo's cookie stay good)."""

    frames: Mapping[str, pd.DataFrame]
    fault: str | None = None
    faulty: str | None = None
    fred_key: str = FAKE_FRED_KEY

    def _frame(self, key: str, provider: str) -> pd.DataFrame:
        frame = self.frames[key]
        if provider == self.faulty and self.fault in DATA_FAULTS:
            return fault_frame(frame, self.fault, provider)
        return frame

    def _renamed(self, provider: str) -> bool:
        return provider == self.faulty and self.fault == "renamed column"

    def answer(self, asked: Asked) -> Reply:
        path = unquote(asked.path)
        prefix, _, rest = path.lstrip("/").partition("/")
        rest = "/" + rest
        if prefix not in PROVIDERS:
            return Reply(404, b"Not Found", {"Content-Type": "text/plain"})
        good = self._good(prefix, rest, asked)
        if prefix != self.faulty or self.fault not in HTTP_FAULTS or not good.data:
            return good.reply
        return http_fault(self.fault, good.reply)

    def _good(self, provider: str, path: str, asked: Asked) -> Served:
        renamed = self._renamed(provider)
        if provider == "yahoo":
            if path == "/":
                return Served(Reply(404, b"", {"Set-Cookie": "A3=d=AQABBKx; Path=/; HttpOnly"}))
            if path == "/v1/test/getcrumb":
                return Served(Reply(200, b"Xy1crumbAB", {"Content-Type": "text/plain"}))
            if path.startswith("/v8/finance/chart/"):
                symbol = path.rsplit("/", 1)[1]
                key = f"yahoo:{symbol}"
                if key not in self.frames:
                    return Served(Reply(404, YAHOO_NOT_FOUND, JSON))
                body = yahoo_chart(symbol, self._frame(key, provider), renamed)
                return Served(Reply(200, body, JSON), data=True)
            body = b'{"quoteSummary":{"result":null,"error":{"code":"Not Found",'
            body += b'"description":"Quote not found for symbol"}}}'
            return Served(Reply(404, body, JSON))
        if provider == "fred" and path == "/graph/fredgraph.csv":
            key = f"fred:{asked.query.get('id', '')}"
            if key not in self.frames:
                return Served(Reply(404, b"<html><title>Error - FRED</title></html>", HTML))
            body = fred_csv(key[5:], self._frame(key, provider), renamed)
            return Served(Reply(200, body, CSV), data=True)
        if provider == "fredapi" and path == "/fred/series/observations":
            if asked.query.get("api_key") != self.fred_key:
                return Served(Reply(400, FRED_BAD_KEY, JSON))
            key = f"fred:{asked.query.get('series_id', '')}"
            if key not in self.frames:
                body = (
                    b'{"error_code":400,"error_message":"Bad Request.  The series does not exist."}'
                )
                return Served(Reply(400, body, JSON))
            body = fred_api_json(key[5:], self._frame(key, provider), renamed)
            return Served(Reply(200, body, JSON), data=True)
        if provider in PAGE_PATHS and path == PAGE_PATHS[provider]:
            return Served(Reply(200, naaim_page() if provider == "naaim" else shiller_page(), HTML))
        if provider in DATA_PATHS and path == DATA_PATHS[provider]:
            key = keys_of(provider)[0]
            frame = self._frame(key, provider)
            render: Callable[[pd.DataFrame, bool], bytes] = {
                "aaii": aaii_workbook,
                "naaim": naaim_workbook,
                "finra": finra_workbook,
                "shiller": shiller_workbook,
            }[provider]
            headers = XLS if provider in ("aaii", "shiller") else XLSX
            return Served(Reply(200, render(frame, renamed), headers), data=True)
        if provider == "cboe":
            return self._cboe(path)
        return Served(Reply(404, b"Not Found", {"Content-Type": "text/plain"}))

    def _cboe(self, path: str) -> Served:
        frame = self.frames["cboe:total_put_call"]
        fault = self.fault if self.faulty == "cboe" else None
        if path == CBOE_ARCHIVE:
            archive = frame[frame.index <= ARCHIVE_END]
            return Served(Reply(200, cboe_archive(archive), CSV), data=True)
        if not path.startswith(CBOE_DAILY_PREFIX) or not path.endswith("_daily_options"):
            return Served(Reply(404, b"Not Found", {"Content-Type": "text/plain"}))
        day = pd.Timestamp(path[len(CBOE_DAILY_PREFIX) : -len("_daily_options")])
        last = frame.index[-1]
        if day not in frame.index or day <= ARCHIVE_END:
            return Served(Reply(404, b"Not Found", {"Content-Type": "text/plain"}))
        value = float(frame.loc[day, "value"])
        if fault == "stale copy" and day == last:  # the newest day not published yet
            return Served(Reply(404, b"Not Found", {"Content-Type": "text/plain"}))
        if fault == "shrunk history" and day < last:  # the older days no longer published
            return Served(Reply(404, b"Not Found", {"Content-Type": "text/plain"}))
        values: list[float | None] = [value]
        order = 1
        if fault == "trailing NaNs" and day == last:
            values = [None]
        elif fault == "duplicated dates":
            values = [value, round(value * 1.5, 2)]
        elif fault == "unsorted dates":
            order = -1
        elif fault == "wrong units":
            values = [value * 100]
        elif fault == "negative values" and day == last:
            values = [-value]
        body = cboe_daily(values, renamed=fault == "renamed column", order=order)
        return Served(Reply(200, body, JSON), data=True)


@dataclass
class Served:
    reply: Reply
    data: bool = False  # a data request (where HTTP faults are injected), not a page or cookie


def http_fault(fault: str, good: Reply) -> Reply:
    """The reply for an HTTP-level fault in place of ``good``."""
    text = {"Content-Type": "text/plain"}
    if fault == "429":
        return Reply(429, b"Too Many Requests\r\n", {**text, "Retry-After": "0"})
    if fault == "403":
        return Reply(403, b"<html><body>Access denied</body></html>", HTML)
    if fault == "500":
        return Reply(500, b"Internal Server Error", text)
    if fault == "timeout":
        return Reply(good.status, good.body, good.headers, delay=HANG_SECONDS)
    if fault == "empty":
        return Reply(200, b"", good.headers)
    if fault == "malformed":  # the first half of the file: truncated in transit or on the site
        return Reply(200, good.body[: len(good.body) // 2], good.headers)
    raise ValueError(fault)


def point_env(base: str, refused: str | None = None, refused_url: str = "") -> dict[str, str]:
    """``INVESTABLE_*_URL`` for every provider prefix on the server at ``base``; ``refused``
    points that provider at ``refused_url`` (nothing listening) instead."""
    env = {name: f"{base}/{provider}" for provider, name in ENV.items()}
    if refused is not None:
        env[ENV[refused]] = refused_url
    return env


class QuickServer(RecordedServer):
    """:class:`RecordedServer` whose shutdown returns within 20 ms (``serve_forever`` polls
    every 0.5 s by default: half a second per matrix case)."""

    POLL = 0.02

    def __enter__(self) -> QuickServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(self.POLL,), daemon=True
        )
        self._thread.start()
        return self
