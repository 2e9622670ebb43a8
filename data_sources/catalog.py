"""The live series the dashboard keeps in its store, and which provider fetches each one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SECTORS = ("XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY")


@dataclass(frozen=True)
class LiveSeries:
    key: str
    frequency: str  # D, W, M
    description: str


def _yahoo(symbol: str, description: str) -> LiveSeries:
    return LiveSeries(f"yahoo:{symbol}", "D", description)


def _fred(series_id: str, frequency: str, description: str) -> LiveSeries:
    return LiveSeries(f"fred:{series_id}", frequency, description)


LIVE_SERIES: tuple[LiveSeries, ...] = (
    _yahoo("SPY", "SPDR S&P 500 ETF"),
    _yahoo("^GSPC", "S&P 500 index"),
    _yahoo("^VIX", "CBOE Volatility Index"),
    _yahoo("^VIX3M", "CBOE 3-month Volatility Index"),
    *(_yahoo(symbol, f"Select Sector SPDR {symbol}") for symbol in SECTORS),
    _fred("UNRATE", "M", "Unemployment rate"),
    _fred("RRSFS", "M", "Real retail and food services sales"),
    _fred("RSAFS", "M", "Retail and food services sales"),
    _fred("INDPRO", "M", "Industrial production index"),
    _fred("CPIAUCSL", "M", "Consumer price index"),
    _fred("CPILFESL", "M", "Core consumer price index"),
    _fred("PCEPILFE", "M", "Core PCE price index"),
    _fred("PAYEMS", "M", "Nonfarm payrolls"),
    _fred("UMCSENT", "M", "University of Michigan consumer sentiment"),
    _fred("FEDFUNDS", "M", "Effective federal funds rate"),
    _fred("JTSJOL", "M", "Job openings"),
    _fred("SPCS10RSA", "M", "Case-Shiller 10-city home price index"),
    _fred("SPCS20RSA", "M", "Case-Shiller 20-city home price index"),
    _fred("GACDFSA066MSFRBPHI", "M", "Philadelphia Fed manufacturing: current activity"),
    _fred("ICSA", "W", "Initial jobless claims"),
    _fred("CCSA", "W", "Continuing jobless claims"),
    _fred("NFCI", "W", "Chicago Fed National Financial Conditions Index"),
    _fred("WALCL", "W", "Federal Reserve total assets"),
    _fred("BAMLH0A0HYM2", "D", "ICE BofA US high yield OAS"),
    _fred("BAMLC0A0CM", "D", "ICE BofA US corporate OAS"),
    _fred("T10Y2Y", "D", "10-year minus 2-year Treasury spread"),
    _fred("T10YIE", "D", "10-year breakeven inflation"),
    _fred("DGS10", "D", "10-year Treasury yield"),
    _fred("DGS2", "D", "2-year Treasury yield"),
    _fred("DGS3MO", "D", "3-month Treasury yield"),
    _fred("DTB3", "D", "3-month Treasury bill rate"),
    _fred("TEDRATE", "D", "TED spread (discontinued 2022-01-21)"),
    _fred("VIXCLS", "D", "VIX close (FRED)"),
    _fred("VXVCLS", "D", "VIX3M close (FRED)"),
    _fred("SP500", "D", "S&P 500 (FRED, last 10 years)"),
    LiveSeries("aaii:sentiment", "W", "AAII investor sentiment survey"),
    LiveSeries("naaim:exposure", "W", "NAAIM exposure index"),
    LiveSeries("cboe:total_put_call", "D", "CBOE total put/call ratio"),
    LiveSeries("finra:margin_debt", "M", "FINRA margin debt"),
    LiveSeries("shiller:earnings", "M", "S&P 500 trailing earnings (Shiller)"),
)

LIVE_BY_KEY: Mapping[str, LiveSeries] = {series.key: series for series in LIVE_SERIES}


def provider_name(key: str) -> str:
    """``"fred:DGS10"`` -> ``"fred"``; raises for a key without a provider prefix."""
    if ":" not in key:
        raise KeyError(f"{key!r} is not a series key of the form provider:symbol")
    return key.split(":", 1)[0]
