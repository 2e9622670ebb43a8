"""Sector relative strength: the eleven Select Sector SPDRs against SPY (SPEC section 7).

Over a lookback of ``n`` trading days ending on the as-of date, with adjusted closes ``P``::

    return_n(X)   = P_X(t) / P_X(t − n) − 1
    relative_n(X) = (1 + return_n(X)) / (1 + return_n(SPY)) − 1

Lookbacks: 1 month = 21, 3 months = 63, 6 months = 126 trading days (SPY's calendar). A sector
without a close on both ends of a window (XLRE before 2015-10, XLC before 2018-06) has no value
for that window. Ranked by the 3-month relative strength, leaders first.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analytics.errors import NotEnoughData

SECTORS: Mapping[str, str] = {
    "XLB": "Materials",
    "XLC": "Communication Services",
    "XLE": "Energy",
    "XLF": "Financials",
    "XLI": "Industrials",
    "XLK": "Technology",
    "XLP": "Consumer Staples",
    "XLRE": "Real Estate",
    "XLU": "Utilities",
    "XLV": "Health Care",
    "XLY": "Consumer Discretionary",
}

LOOKBACKS: Mapping[str, int] = {"1M": 21, "3M": 63, "6M": 126}
RANK_BY = "3M"


def relative_strength(
    sectors: Mapping[str, pd.Series],
    benchmark: pd.Series,
    as_of: pd.Timestamp | None = None,
    lookbacks: Mapping[str, int] = LOOKBACKS,
) -> pd.DataFrame:
    """One row per sector: name, ``return_<L>`` and ``relative_<L>`` per lookback, and ``rank``
    (1 = strongest by ``relative_3M``). ``sectors`` maps symbol -> adjusted close series.

    Raises ``ValueError`` when no sector is given or the benchmark has fewer closes than the
    longest lookback + 1.
    """
    if not sectors:
        raise NotEnoughData("no sector ETF prices are loaded (yahoo:XLB … yahoo:XLY)")
    bench = benchmark.dropna()
    if as_of is not None:
        bench = bench.loc[: pd.Timestamp(as_of)]
    longest = max(lookbacks.values())
    if len(bench) <= longest:
        raise NotEnoughData(
            f"not enough history: relative strength needs {longest + 1} closes of the "
            f"benchmark, found {len(bench)}"
        )
    end = bench.index[-1]
    rows = []
    for symbol, close in sectors.items():
        close = close.dropna().reindex(bench.index)
        row: dict[str, object] = {"symbol": symbol, "sector": SECTORS.get(symbol, symbol)}
        for label, days in lookbacks.items():
            start = bench.index[-1 - days]
            bench_return = bench.loc[end] / bench.loc[start] - 1.0
            sector_return = close.loc[end] / close.loc[start] - 1.0
            row[f"return_{label}"] = sector_return
            row[f"relative_{label}"] = (1.0 + sector_return) / (1.0 + bench_return) - 1.0
        rows.append(row)
    table = pd.DataFrame(rows).set_index("symbol")
    rank_column = (
        f"relative_{RANK_BY}" if RANK_BY in lookbacks else f"relative_{next(iter(lookbacks))}"
    )
    table["rank"] = table[rank_column].rank(ascending=False, method="min")
    table.attrs["as_of"] = end
    return table.sort_values(["rank", "sector"], na_position="last")
