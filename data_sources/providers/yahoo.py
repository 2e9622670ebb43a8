"""Yahoo Finance daily prices through yfinance: quoted close and dividend-adjusted close.

One ``yf.download`` call for all symbols (``auto_adjust=False`` keeps both closes,
``group_by="ticker"`` gives columns ``(symbol, field)``). Offline, yfinance returns an empty frame
instead of raising; that is turned into :class:`SourceUnavailable`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from data_sources.errors import EmptyPayload, RateLimited, SourceUnavailable
from data_sources.frames import check_frame
from data_sources.providers import Request, symbol_of

FIELDS = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Volume": "volume",
    "Adj Close": "adj_close",
}


def _download_errors() -> dict[str, str]:
    """yfinance's per-symbol errors of the last download (it prints them instead of raising)."""
    try:
        from yfinance import shared
    except ImportError:
        return {}
    return dict(getattr(shared, "_ERRORS", {}))


class YahooProvider:
    name = "yahoo"
    manual_page = None

    def build_request(self, keys: Sequence[str]) -> Request:
        symbols = tuple(symbol_of(key) for key in keys)
        options = {
            "period": "max",
            "interval": "1d",
            "auto_adjust": False,
            "actions": False,
            "group_by": "ticker",
            "threads": False,
            "progress": False,
        }
        return Request(symbols=symbols, options=options)

    def fetch(self, request: Request, timeout: float) -> pd.DataFrame:
        import yfinance as yf
        from yfinance.exceptions import YFRateLimitError

        try:
            frame = yf.download(list(request.symbols), timeout=timeout, **request.options)
        except YFRateLimitError as exc:
            raise RateLimited("Yahoo Finance is rate limiting requests; try again later") from exc
        if frame is None or frame.empty:
            errors = " ".join(str(v) for v in _download_errors().values())
            if "Rate" in errors:
                raise RateLimited("Yahoo Finance is rate limiting requests; try again later")
            raise SourceUnavailable(
                "Yahoo Finance returned no data for "
                f"{', '.join(request.symbols)} (offline, or the symbols are unknown)"
            )
        return frame

    def parse(self, payload: Any, keys: Sequence[str]) -> dict[str, pd.DataFrame]:
        """Per key, a price frame with open/high/low/close/volume/adj_close."""
        frames = {}
        for key in keys:
            symbol = symbol_of(key)
            if isinstance(payload.columns, pd.MultiIndex):
                if symbol not in payload.columns.get_level_values(0):
                    continue
                raw = payload[symbol]
            else:
                raw = payload
            raw = raw.rename(columns=FIELDS)
            raw = raw[[column for column in FIELDS.values() if column in raw.columns]]
            if "close" not in raw.columns:
                continue
            frame = raw.astype("float64").dropna(how="all")
            if frame.empty:
                continue
            index = pd.DatetimeIndex(frame.index)
            if index.tz is not None:
                index = index.tz_localize(None)
            frame.index = index.normalize().rename("date")
            frame = frame[~frame.index.duplicated(keep="last")].sort_index()
            frames[key] = check_frame(frame, source=f"Yahoo {symbol}")
        if not frames:
            raise EmptyPayload(f"Yahoo Finance sent no prices for {', '.join(keys)}")
        return frames
