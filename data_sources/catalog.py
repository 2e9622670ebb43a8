"""The live series the dashboard keeps in its store, which provider fetches each one, and the
facts validation reads about each (one home per rule: ``data_sources.validate`` applies them).

Per series:

* ``units`` — what one number means (shown to users, e.g. "percent");
* ``bounds`` — per column, the physically possible range (a put/call ratio is above 0, an AAII
  share lies in [0, 100], a NAAIM exposure in [-200, 200], a price is above 0, rates and
  spreads within ranges never seen outside a crisis by a wide margin);
* ``total`` — columns that must add up to a total (AAII's three shares: 100 ± 1);
* ``full_history`` — whether a download is the series' whole history (then a payload that
  starts much later than the store, or covers far fewer of its rows, lost history). False for
  CBOE (its provider resumes a daily backfill from the last stored date) and FRED's SP500
  (FRED publishes only the last ten years, a moving window).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SECTORS = ("XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY")


@dataclass(frozen=True)
class Bounds:
    """A closed or open interval; ``None`` is unbounded on that side."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False  # True: the value must be strictly above ``low``
    high_open: bool = False  # True: the value must be strictly below ``high``

    def describe(self) -> str:
        """``"above 0"``, ``"between 0 and 100"``, ``"at most 30"`` …"""
        low = None if self.low is None else f"{self.low:g}"
        high = None if self.high is None else f"{self.high:g}"
        if low is not None and high is not None:
            if not (self.low_open or self.high_open):
                return f"between {low} and {high}"
            lower = f"above {low}" if self.low_open else f"at least {low}"
            upper = f"below {high}" if self.high_open else f"at most {high}"
            return f"{lower} and {upper}"
        if low is not None:
            return f"above {low}" if self.low_open else f"at least {low}"
        if high is not None:
            return f"below {high}" if self.high_open else f"at most {high}"
        return "any number"


@dataclass(frozen=True)
class Total:
    """``columns`` add up to ``total`` within ``tolerance`` on every row where all are known."""

    columns: tuple[str, ...]
    total: float
    tolerance: float


@dataclass(frozen=True)
class LiveSeries:
    key: str
    frequency: str  # D, W, M
    description: str
    units: str = ""
    bounds: tuple[tuple[str, Bounds], ...] = ()  # (column, bounds) pairs
    total: Total | None = None
    full_history: bool = True

    @property
    def bounds_by_column(self) -> dict[str, Bounds]:
        return dict(self.bounds)


POSITIVE = Bounds(0.0, None, low_open=True)
NON_NEGATIVE = Bounds(0.0, None)
RATE = Bounds(-5.0, 30.0)  # percent: policy rates and Treasury yields
SPREAD = Bounds(-10.0, 10.0)  # percentage points between two yields
CREDIT_SPREAD = Bounds(0.0, 50.0)  # option-adjusted spreads, percent
VOLATILITY = Bounds(0.0, 200.0, low_open=True)  # VIX-style index points
PRICE_BOUNDS: tuple[tuple[str, Bounds], ...] = (
    ("open", NON_NEGATIVE),
    ("high", NON_NEGATIVE),
    ("low", NON_NEGATIVE),
    ("close", POSITIVE),
    ("adj_close", POSITIVE),
    ("volume", NON_NEGATIVE),
)
SHARE = Bounds(0.0, 100.0)
AAII_SHARES = ("bullish", "neutral", "bearish")


def _yahoo(symbol: str, description: str) -> LiveSeries:
    return LiveSeries(f"yahoo:{symbol}", "D", description, "price", PRICE_BOUNDS)


def _fred(
    series_id: str,
    frequency: str,
    description: str,
    units: str,
    bounds: Bounds,
    *,
    full_history: bool = True,
) -> LiveSeries:
    return LiveSeries(
        f"fred:{series_id}",
        frequency,
        description,
        units,
        (("value", bounds),),
        full_history=full_history,
    )


LIVE_SERIES: tuple[LiveSeries, ...] = (
    _yahoo("SPY", "SPDR S&P 500 ETF"),
    _yahoo("^GSPC", "S&P 500 index"),
    _yahoo("^VIX", "CBOE Volatility Index"),
    _yahoo("^VIX3M", "CBOE 3-month Volatility Index"),
    *(_yahoo(symbol, f"Select Sector SPDR {symbol}") for symbol in SECTORS),
    _fred("UNRATE", "M", "Unemployment rate", "percent", Bounds(0.0, 50.0)),
    _fred(
        "RRSFS", "M", "Real retail and food services sales", "millions of 2017 dollars", POSITIVE
    ),
    _fred("RSAFS", "M", "Retail and food services sales", "millions of dollars", POSITIVE),
    _fred("INDPRO", "M", "Industrial production index", "index 2017=100", POSITIVE),
    _fred("CPIAUCSL", "M", "Consumer price index", "index 1982-84=100", POSITIVE),
    _fred("CPILFESL", "M", "Core consumer price index", "index 1982-84=100", POSITIVE),
    _fred("PCEPILFE", "M", "Core PCE price index", "index 2017=100", POSITIVE),
    _fred("PAYEMS", "M", "Nonfarm payrolls", "thousands of persons", POSITIVE),
    _fred(
        "UMCSENT",
        "M",
        "University of Michigan consumer sentiment",
        "index 1966:Q1=100",
        Bounds(0.0, 200.0),
    ),
    _fred("FEDFUNDS", "M", "Effective federal funds rate", "percent", RATE),
    _fred("JTSJOL", "M", "Job openings", "thousands", POSITIVE),
    _fred(
        "SPCS10RSA", "M", "Case-Shiller 10-city home price index", "index Jan 2000=100", POSITIVE
    ),
    _fred(
        "SPCS20RSA", "M", "Case-Shiller 20-city home price index", "index Jan 2000=100", POSITIVE
    ),
    _fred(
        "GACDFSA066MSFRBPHI",
        "M",
        "Philadelphia Fed manufacturing: current activity",
        "diffusion index",
        Bounds(-100.0, 100.0),
    ),
    _fred("ICSA", "W", "Initial jobless claims", "number", POSITIVE),
    _fred("CCSA", "W", "Continuing jobless claims", "number", POSITIVE),
    _fred(
        "NFCI",
        "W",
        "Chicago Fed National Financial Conditions Index",
        "index (standard deviations)",
        Bounds(-10.0, 20.0),
    ),
    _fred("WALCL", "W", "Federal Reserve total assets", "millions of dollars", POSITIVE),
    _fred("BAMLH0A0HYM2", "D", "ICE BofA US high yield OAS", "percent", CREDIT_SPREAD),
    _fred("BAMLC0A0CM", "D", "ICE BofA US corporate OAS", "percent", CREDIT_SPREAD),
    _fred("T10Y2Y", "D", "10-year minus 2-year Treasury spread", "percentage points", SPREAD),
    _fred("T10YIE", "D", "10-year breakeven inflation", "percent", Bounds(-5.0, 20.0)),
    _fred("DGS10", "D", "10-year Treasury yield", "percent", RATE),
    _fred("DGS2", "D", "2-year Treasury yield", "percent", RATE),
    _fred("DGS3MO", "D", "3-month Treasury yield", "percent", RATE),
    _fred("DTB3", "D", "3-month Treasury bill rate", "percent", RATE),
    _fred("TEDRATE", "D", "TED spread (discontinued 2022-01-21)", "percentage points", SPREAD),
    _fred("VIXCLS", "D", "VIX close (FRED)", "index points", VOLATILITY),
    _fred("VXVCLS", "D", "VIX3M close (FRED)", "index points", VOLATILITY),
    _fred(
        "SP500", "D", "S&P 500 (FRED, last 10 years)", "index points", POSITIVE, full_history=False
    ),
    LiveSeries(
        "aaii:sentiment",
        "W",
        "AAII investor sentiment survey",
        "percent of respondents",
        tuple((column, SHARE) for column in AAII_SHARES),
        Total(AAII_SHARES, 100.0, 1.0),
    ),
    LiveSeries(
        "naaim:exposure",
        "W",
        "NAAIM exposure index",
        "percent exposure",
        (("value", Bounds(-200.0, 200.0)),),
    ),
    LiveSeries(
        "cboe:total_put_call",
        "D",
        "CBOE total put/call ratio",
        "ratio",
        (("value", POSITIVE),),
        full_history=False,
    ),
    LiveSeries(
        "finra:margin_debt",
        "M",
        "FINRA margin debt",
        "millions of dollars",
        (("value", POSITIVE),),
    ),
    LiveSeries(
        "shiller:earnings",
        "M",
        "S&P 500 trailing earnings (Shiller)",
        "dollars per share",
        (("value", POSITIVE),),  # trailing 12-month E has never been negative (low 2009: 6.86)
    ),
)

LIVE_BY_KEY: Mapping[str, LiveSeries] = {series.key: series for series in LIVE_SERIES}


def provider_name(key: str) -> str:
    """``"fred:DGS10"`` -> ``"fred"``; raises for a key without a provider prefix."""
    if ":" not in key:
        raise KeyError(f"{key!r} is not a series key of the form provider:symbol")
    return key.split(":", 1)[0]
