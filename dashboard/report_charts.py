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
from collections.abc import Iterable
from concurrent.futures import Future
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import plotly.graph_objects as go

CHARTS_NEED_CHROME = (
    "The charts need Chrome or Chromium, which was not found on this computer: this report "
    "has the tables only."
)
BROWSER_TIMEOUT = 120.0  # seconds for the start and for drawing one batch of figures
SCALE = 2


class ChartsUnavailable(RuntimeError):
    """The charts could not be drawn; the message says why in one sentence."""


class ChromeMissing(ChartsUnavailable):
    """kaleido found no Chrome/Chromium to draw charts with."""


def failure_text(exc: BaseException) -> str:
    """One sentence for a browser that failed: its first message line, or the error's name."""
    first = exc.args[0].strip().rstrip(".") if exc.args and isinstance(exc.args[0], str) else ""
    word = first.split(" ", 1)[0]
    if word[1:] == word[1:].lower():  # "Tab crashed" -> "tab crashed"; "SIGTERM" stays
        first = first[:1].lower() + first[1:]
    reason = first or type(exc).__name__
    return f"The charts could not be drawn ({reason}): this report has the tables only."


class ChartBrowser:
    """A kaleido browser in its own thread and event loop; use as a context manager.

    ``pngs(figures, width)`` draws each figure at ``width`` × its layout height (460 px when
    unset) at 2× scale and returns the PNG bytes in order.
    """

    def __init__(self) -> None:
        import kaleido  # noqa: F401  (imported here, once: not raced by the browser's thread)

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
            # no MathJax: the charts have no LaTeX, and kaleido would fetch it from a CDN
            browser = kaleido.Kaleido(n=1, timeout=BROWSER_TIMEOUT, mathjax=False)
        except ChromeNotFoundError as exc:
            raise ChromeMissing(CHARTS_NEED_CHROME) from exc
        await browser.__aenter__()
        return browser

    def submit(self, fig: go.Figure, width: int) -> Future[bytes]:
        """Start drawing one figure (``width`` × its layout height, 460 px when unset, at 2×
        scale) and return at once; the PNG bytes are the future's result. Figures submitted
        while earlier ones are drawn wait for the browser's one tab, in order."""
        if self._closed:
            raise RuntimeError("the chart browser is closed")
        spec = fig.to_dict()
        opts = {"format": "png", "width": width, "height": int(fig.layout.height or 460),
                "scale": SCALE}  # fmt: skip
        opened = self._opened

        async def draw() -> bytes:
            browser = await asyncio.wrap_future(opened)
            image: bytes = await browser.calc_fig(spec, opts=opts)
            return image

        return asyncio.run_coroutine_threadsafe(draw(), self._loop)

    def pngs(self, figures: Iterable[go.Figure], width: int) -> list[bytes]:
        """The figures as PNGs, in order. Each figure is sent to the browser as soon as the
        iterable yields it, so building the next figure overlaps drawing the previous one."""
        from choreographer.errors import BrowserClosedError, BrowserFailedError
        from kaleido.errors import KaleidoError

        pending: list[Future[bytes]] = []
        try:
            pending += (self.submit(fig, width) for fig in figures)
            return [future.result(BROWSER_TIMEOUT) for future in pending]
        except (BrowserFailedError, BrowserClosedError, KaleidoError, TimeoutError) as exc:
            raise ChartsUnavailable(failure_text(exc)) from exc
        finally:
            for future in pending:
                future.cancel()  # no-op for the finished ones

    def close(self) -> None:
        """Close the browser (if it started), end every task still on the loop (drawings
        cancelled after a failure, the browser's watchdog) and stop the thread."""
        if self._closed:
            return
        self._closed = True
        try:
            browser = self._opened.result(BROWSER_TIMEOUT)
        except Exception:  # the browser never started: nothing to close
            browser = None
        shutdown = asyncio.run_coroutine_threadsafe(self._shutdown(browser), self._loop)
        shutdown.result(BROWSER_TIMEOUT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(BROWSER_TIMEOUT)
        self._loop.close()

    @staticmethod
    async def _shutdown(browser: Any) -> None:
        if browser is not None:
            await browser.__aexit__(None, None, None)
        current = asyncio.current_task()
        others = [task for task in asyncio.all_tasks() if task is not current]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def __enter__(self) -> ChartBrowser:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
