"""One headless browser that draws every chart of a report as a PNG (issue #15).

kaleido 1.x drives Chrome/Chromium; starting the browser and loading plotly.js into its page
costs about 2.5 s, each chart after that 0.2–0.5 s. A :class:`ChartBrowser` starts the browser
in a background thread as soon as it is created (so the start overlaps with loading the data)
and then draws any number of figures in it. Unlike kaleido's global sync server it is not
shared between threads, and a missing browser is an exception (:class:`ChromeMissing`) instead
of a hang.
"""

from __future__ import annotations

import asyncio
import threading
import warnings
from collections.abc import Sequence
from concurrent.futures import Future
from types import TracebackType
from typing import Any

import plotly.graph_objects as go

CHARTS_NEED_CHROME = (
    "The charts need Chrome or Chromium, which was not found on this computer: this report "
    "has the tables only."
)
BROWSER_TIMEOUT = 120.0  # seconds for the start and for drawing one batch of figures
SCALE = 2


class ChromeMissing(RuntimeError):
    """kaleido found no Chrome/Chromium to draw charts with."""


class ChartBrowser:
    """A kaleido browser in its own thread and event loop; use as a context manager.

    ``pngs(figures, width)`` draws each figure at ``width`` × its layout height (460 px when
    unset) at 2× scale and returns the PNG bytes in order.
    """

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="investable-chart-browser", daemon=True
        )
        self._thread.start()
        self._opened: Future[Any] = asyncio.run_coroutine_threadsafe(self._open(), self._loop)
        self._closed = False

    async def _open(self) -> Any:
        import kaleido
        from kaleido.errors import ChromeNotFoundError

        try:
            browser = kaleido.Kaleido(n=1, timeout=BROWSER_TIMEOUT)
        except ChromeNotFoundError as exc:
            raise ChromeMissing(CHARTS_NEED_CHROME) from exc
        await browser.__aenter__()
        return browser

    def pngs(self, figures: Sequence[go.Figure], width: int) -> list[bytes]:
        """The figures as PNGs, drawn one after another in the one browser."""
        if self._closed:
            raise RuntimeError("the chart browser is closed")
        browser = self._opened.result(BROWSER_TIMEOUT)
        specs = [
            (fig.to_dict(), {"format": "png", "width": width,
                             "height": int(fig.layout.height or 460), "scale": SCALE})
            for fig in figures
        ]  # fmt: skip

        async def draw() -> list[bytes]:
            return [await browser.calc_fig(spec, opts=opts) for spec, opts in specs]

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            result = asyncio.run_coroutine_threadsafe(draw(), self._loop)
            return result.result(BROWSER_TIMEOUT * max(1, len(specs)))

    def close(self) -> None:
        """Close the browser (if it started) and stop the thread."""
        if self._closed:
            return
        self._closed = True
        try:
            browser = self._opened.result(BROWSER_TIMEOUT)
        except Exception:  # the browser never started: nothing to close
            browser = None
        if browser is not None:
            closing = asyncio.run_coroutine_threadsafe(
                browser.__aexit__(None, None, None), self._loop
            )
            closing.result(BROWSER_TIMEOUT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(BROWSER_TIMEOUT)
        self._loop.close()

    def __enter__(self) -> ChartBrowser:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
