"""Yahoo Finance daily prices through yfinance 1.7, one symbol at a time: quoted close and
dividend-adjusted close.

Why per symbol: ``yf.download`` swallows every error (rate limits included) and returns an empty
frame; it never raises ``YFRateLimitError`` nor fills ``shared._ERRORS``. So each symbol is
fetched with ``yf.Ticker(symbol, session=…).history(period="max", interval="1d",
auto_adjust=False, actions=False, raise_errors=True, timeout=…)``, which raises:

* ``YFRateLimitError`` on HTTP 429 (after yfinance's own second try with the other cookie
  strategy) → :class:`RateLimited`, retried here after ``backoff × 2^attempt`` seconds while the
  deadline allows;
* ``YFTzMissingError`` / ``YFPricesMissingError`` (a ``YFTickerMissingError``) when Yahoo has
  no chart for the symbol → :class:`SeriesNotFound` ("unknown or delisted"), unless our session
  saw the chart request fail at the network level, time out or answer 5xx/429/403: then
  :class:`SourceUnavailable` / :class:`RateLimited` / :class:`Blocked` (yfinance hides those
  failures of its time-zone lookup behind "no timezone found");
* network errors (curl_cffi's ``RequestException``, an ``OSError``) → :class:`SourceUnavailable`;
* anything else yfinance cannot read → :class:`BadPayload`.

Three steps per symbol: the request is the symbol itself (yfinance builds Yahoo's chart URL),
:meth:`YahooProvider.history` fetches it (the only network step) and :func:`parse_history`
turns yfinance's frame into a price frame.

The session is :class:`YahooSession`, a ``curl_cffi`` session (yfinance's own backend, with
Chrome's TLS fingerprint) that (1) caps every request's timeout by the refresh's deadline,
including yfinance's cookie and crumb requests, which use a fixed 30 s, and (2) when
``INVESTABLE_YAHOO_URL`` is set, sends every Yahoo request (``fc.yahoo.com``,
``query1/query2.finance.yahoo.com``, ``guce.yahoo.com``) to that base URL with its path and
query kept: a mirror, or a local test server answering in Yahoo's real formats.

yfinance keeps one process-wide ``YfData`` whose session is replaced by each ``Ticker(…,
session=…)``; Yahoo symbols are therefore fetched one after another (one provider thread).
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pandas as pd

from data_sources import http
from data_sources.deadline import Deadline
from data_sources.errors import (
    BadPayload,
    Blocked,
    DataSourceError,
    EmptyPayload,
    RateLimited,
    Rejected,
    SeriesNotFound,
    SourceUnavailable,
)
from data_sources.frames import check_frame
from data_sources.providers import (
    Progress,
    ProviderRecord,
    SeriesResult,
    one_series_at_a_time,
)
from data_sources.validate import check_dates, one_row_per_date

if TYPE_CHECKING:  # curl_cffi is imported only when a refresh asks Yahoo (page views never do)
    from data_sources.providers.yahoo_session import YahooSession

YAHOO_URL_ENV = "INVESTABLE_YAHOO_URL"
CHART_PATH = "/v8/finance/chart/"
FIELDS = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Volume": "volume",
    "Adj Close": "adj_close",
}
RATE_LIMIT_MESSAGE = "Yahoo Finance is rate limiting requests; try again later"

YAHOO_RECORD = ProviderRecord(
    name="yahoo",
    display_name="Yahoo Finance (through yfinance)",
    short_name="Yahoo Finance",
    website="https://finance.yahoo.com/",
    manual_page=None,
    credentials=(),
    timeout=30.0,
    budget=240.0,
    min_interval=0.5,
    base_url_env=YAHOO_URL_ENV,
    uploads=(),
)


def chart_repeats(body: bytes) -> str | None:
    """Yahoo's v8 chart answer checked for a session given twice with different prices, by
    :func:`~data_sources.validate.one_row_per_date` over (date, close, adjusted close); the
    date of a bar is its timestamp shifted by the exchange's ``gmtoffset``. None when every
    session is given once (or twice alike), or the answer is not a chart this can read (yfinance
    then reports it)."""
    try:
        result = json.loads(body)["chart"]["result"][0]
        stamps = result.get("timestamp") or []
        quote = result["indicators"]["quote"][0]
        adjusted = (result["indicators"].get("adjclose") or [{}])[0].get("adjclose")
        offset = int(result.get("meta", {}).get("gmtoffset") or 0)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    if len(stamps) < 2:
        return None
    columns = {"close": quote.get("close") or [None] * len(stamps)}
    if adjusted is not None:
        columns["adj_close"] = adjusted
    try:
        dates = pd.to_datetime([int(t) + offset for t in stamps], unit="s").normalize()
        frame = pd.DataFrame(columns, index=dates, dtype="float64")
    except (ValueError, TypeError):
        return None
    try:
        one_row_per_date(frame, source="Yahoo's chart")
    except Rejected as conflict:
        return str(conflict)
    return None


def parse_history(raw: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """A price frame from ``Ticker.history(auto_adjust=False)``: open/high/low/close/volume/
    adj_close, dates at midnight without time zone, rows without a close dropped, dates in
    order (:func:`~data_sources.validate.check_dates`) and one row per date
    (:func:`~data_sources.validate.one_row_per_date`). Raises :class:`EmptyPayload` when no row
    has a close."""
    raw = raw.rename(columns=FIELDS)
    raw = raw[[column for column in FIELDS.values() if column in raw.columns]]
    if "close" not in raw.columns:
        raise EmptyPayload(f"Yahoo Finance sent no closing prices for {symbol}")
    frame = raw.astype("float64").dropna(subset=["close"])
    if frame.empty:
        raise EmptyPayload(f"Yahoo Finance sent no closing prices for {symbol}")
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    index = index.normalize().rename("date")
    check_dates(index, source=f"Yahoo {symbol}")
    frame.index = index
    frame = one_row_per_date(frame, source=f"Yahoo {symbol}")
    return check_frame(frame, source=f"Yahoo {symbol}")


class YahooProvider:
    """Yahoo Finance through yfinance, one symbol at a time."""

    name = "yahoo"
    manual_page = None

    def __init__(
        self,
        *,
        retries: int = 2,
        backoff: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        pacer: http.Pacer | None = None,
    ) -> None:
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._pacer = pacer or http.PACER
        self._session: YahooSession | None = None
        # yfinance logs each failure itself ("Failed to get ticker 'SPY' reason: Failed to
        # perform, curl: (6) …"); this provider reports it per symbol in words, so only
        # yfinance's critical messages still reach the console.
        logging.getLogger("yfinance").setLevel(logging.CRITICAL)

    @property
    def record(self) -> ProviderRecord:
        return YAHOO_RECORD

    def session(self) -> YahooSession:
        """One session per provider (it keeps Yahoo's cookie), pointed at the current
        ``INVESTABLE_YAHOO_URL``."""
        from data_sources.providers.yahoo_session import YahooSession

        mirror = http.base_url("", YAHOO_URL_ENV) or None
        if self._session is None or self._session.mirror != mirror:
            self._session = YahooSession(mirror)
        return self._session

    # ---- per symbol ---------------------------------------------------------------------

    def download(
        self,
        keys: Sequence[str],
        *,
        deadline: Deadline,
        stored_last: Mapping[str, pd.Timestamp | None] | None = None,
        progress: Progress | None = None,
    ) -> dict[str, SeriesResult]:
        """One frame or error per key. After a rate limit that outlasts the retries, or when
        time runs out, the keys not yet asked get that error too."""

        def fetch(symbol: str) -> SeriesResult:
            try:
                return parse_history(self.history(symbol, deadline), symbol)
            except DataSourceError as error:
                return error

        def stops_the_rest(error: DataSourceError) -> bool:
            return isinstance(error, RateLimited) or deadline.expired

        return one_series_at_a_time("Yahoo", keys, fetch, stops_the_rest, progress)

    def history(self, symbol: str, deadline: Deadline) -> pd.DataFrame:
        """yfinance's daily history of ``symbol``; rate limits retried with backoff while the
        deadline allows. Raises a :class:`DataSourceError`."""
        for attempt in range(self.retries + 1):
            try:
                return self._history_once(symbol, deadline)
            except RateLimited:
                wait = self.backoff * 2**attempt
                if attempt == self.retries or wait >= deadline.remaining():
                    raise
                self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _history_once(self, symbol: str, deadline: Deadline) -> pd.DataFrame:
        import yfinance as yf
        from yfinance.exceptions import YFException, YFRateLimitError, YFTickerMissingError

        from data_sources.providers.yahoo_session import NETWORK_ERRORS

        session = self.session()
        session.start(deadline, self.record.timeout)
        host = urlsplit(session.mirror or "https://query2.finance.yahoo.com").netloc
        try:
            self._pacer.wait(host, self.record.min_interval, deadline=deadline, sleep=self._sleep)
            with warnings.catch_warnings():  # raise_errors is deprecated but still honoured
                warnings.simplefilter("ignore", DeprecationWarning)
                frame = yf.Ticker(symbol, session=session).history(
                    period="max",
                    interval="1d",
                    auto_adjust=False,
                    actions=False,
                    raise_errors=True,
                    timeout=deadline.timeout(self.record.timeout),
                )
        except YFRateLimitError:
            raise RateLimited(f"Yahoo {symbol}: {RATE_LIMIT_MESSAGE}") from None
        except SourceUnavailable as error:
            raise SourceUnavailable(f"Yahoo {symbol}: {error}") from None
        except YFTickerMissingError:
            raise self._network_failure(symbol, session) or self._unreadable_or_unknown(
                symbol, session
            ) from None
        except NETWORK_ERRORS:
            raise self._network_failure(symbol, session) or SourceUnavailable(
                f"Yahoo {symbol}: {http.CANNOT_CONNECT}"
            ) from None
        except (YFException, ValueError, KeyError, TypeError, IndexError, AttributeError):
            raise self._network_failure(symbol, session) or BadPayload(
                f"Yahoo {symbol}: Yahoo Finance sent an answer yfinance could not read"
            ) from None
        if session.repeat_conflict:
            raise Rejected(f"Yahoo {symbol}: {session.repeat_conflict}")
        failure = self._network_failure(symbol, session)
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            raise failure or self._unreadable_or_unknown(symbol, session)
        return frame

    @staticmethod
    def _unreadable_or_unknown(symbol: str, session: YahooSession) -> DataSourceError:
        """yfinance found no prices: a chart answered 200 means it could not read Yahoo's
        answer; otherwise Yahoo does not know the symbol."""
        if session.chart_answered:
            return BadPayload(
                f"Yahoo {symbol}: Yahoo Finance answered, but not with prices yfinance can read"
            )
        return SeriesNotFound(
            f"Yahoo Finance has no prices for {symbol} (unknown or delisted symbol)"
        )

    @staticmethod
    def _network_failure(symbol: str, session: YahooSession) -> DataSourceError | None:
        """What the session saw go wrong with the chart requests, as our error: a network-level
        failure first, then Yahoo's 404 for an unknown symbol."""
        if not session.failures:
            if session.chart_not_found:
                return SeriesNotFound(
                    f"Yahoo Finance has no prices for {symbol} (unknown or delisted symbol)"
                )
            return None
        last = session.failures[-1]
        if "429" in last:
            return RateLimited(f"Yahoo {symbol}: {RATE_LIMIT_MESSAGE}")
        if "refused the request" in last:
            return Blocked(f"Yahoo {symbol}: {last}; try again later, or from another network")
        return SourceUnavailable(f"Yahoo {symbol}: {last}")
