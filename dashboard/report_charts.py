"""One headless browser that draws every chart of a report as a PNG (issue #15).

kaleido 1.x drives Chrome/Chromium; starting the browser costs about 0.5 s, loading the full
plotly.js into its page about 2 s (the basic bundle 0.3–0.6 s), each chart after that 0.1–0.3
s. A :class:`ChartBrowser` starts the browser in a background thread as soon as it is created
(so the start overlaps with loading the data) and then draws any number of figures in one page:
kaleido reloads its page (and so plotly.js) after every figure, which doubled the time per
chart; a PNG export leaves nothing behind in the page, so it is reloaded only every
:data:`RELOAD_EVERY` figures. The page loads plotly.js from files here, never a CDN (no network
needed): the basic bundle vendored in ``dashboard/vendor`` (scatter, bar and pie; 1.2 MB) when
its version is the installed plotly's, else the full ``plotly.min.js`` of the plotly package.
Unlike kaleido's global sync server a missing browser is an exception (:class:`ChromeMissing`)
instead of a hang. :func:`shared_browser` keeps one browser for a whole process (the app), so
only its first report pays the start.
"""

from __future__ import annotations

import asyncio
import atexit
import re
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import plotly.graph_objects as go

CHARTS_NEED_CHROME = (
    "The charts need Chrome or Chromium, which was not found on this computer: this report "
    "has the tables only."
)
PLOTLY_JS_MISSING = (
    "The charts need the plotly.min.js of the plotly package, which was not found: this "
    "report has the tables only."
)
BASIC_BUNDLE = Path(__file__).parent / "vendor" / "plotly-basic.min.js"
BASIC_TRACES = frozenset({"scatter", "bar", "pie"})  # the trace types of the basic bundle
BANNER = re.compile(r"plotly\.js (?:\([^)]*\) )?v(\d+\.\d+\.\d+)")
BROWSER_TIMEOUT = 120.0  # seconds for the start and for drawing one batch of figures
SCALE = 2
RELOAD_EVERY = 50  # figures drawn in one page before kaleido's page reload


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


def bundle_version(path: Path) -> str | None:
    """``"X.Y.Z"`` from a plotly.js bundle's banner (``plotly.js vX.Y.Z`` or ``plotly.js
    (basic - minified) vX.Y.Z`` in its first 300 bytes); ``None`` without one."""
    with path.open("rb") as handle:
        found = BANNER.search(handle.read(300).decode("utf-8", errors="replace"))
    return found.group(1) if found else None


def plotly_js(basic: bool = True) -> Path:
    """The plotly.js file the browser's page loads: with ``basic``, the vendored basic bundle
    (:data:`BASIC_BUNDLE`) when it exists and its version equals the installed plotly's;
    otherwise the ``plotly.min.js`` shipped in the plotly package's data. kaleido would fetch
    plotly.js from a CDN when that file is missing, so a missing file is
    :class:`ChartsUnavailable` (one sentence) instead of a hang without network."""
    import plotly

    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not full.is_file():
        raise ChartsUnavailable(PLOTLY_JS_MISSING)
    if basic and BASIC_BUNDLE.is_file():
        version = bundle_version(full)
        if version is not None and bundle_version(BASIC_BUNDLE) == version:
            return BASIC_BUNDLE
    return full


def basic_traces_only(fig: go.Figure) -> bool:
    """Whether every trace of ``fig`` is one the basic bundle draws (:data:`BASIC_TRACES`)."""
    return all(trace.type in BASIC_TRACES for trace in fig.data)


@cache
def page_keeping_kaleido() -> type[Any]:
    """A ``kaleido.Kaleido`` that keeps its page between figures: kaleido reloads the page (and
    plotly.js, ~2 s on a busy machine) after each figure to start from a clean page, but a PNG
    export (``Plotly.toImage`` on a detached element it purges) changes nothing in the page.
    The page is still reloaded after every :data:`RELOAD_EVERY`-th figure, so a browser that
    lives as long as the app starts afresh now and then. Only for PNG (a PDF export writes into
    the page). Built on first use, so importing this module does not import kaleido."""
    import kaleido

    class PageKeepingKaleido(kaleido.Kaleido):  # type: ignore[misc]
        drawn = 0

        async def _return_kaleido_tab(self, tab: Any) -> None:
            self.drawn += 1
            if self.drawn % RELOAD_EVERY == 0:
                await tab.reload()
            await self.tabs_ready.put(tab)

    return PageKeepingKaleido


class ChartBrowser:
    """A kaleido browser in its own thread and event loop; use as a context manager.

    ``pngs(figures, width)`` draws each figure at ``width`` × its layout height (460 px when
    unset) at 2× scale and returns the PNG bytes in order. With ``basic`` (the default) the page
    may load plotly.js's basic bundle (:func:`plotly_js`), so only scatter, bar and pie traces
    can be drawn; ``basic=False`` loads the full plotly.js.
    """

    def __init__(self, basic: bool = True) -> None:
        import kaleido  # noqa: F401  (imported here, once: not raced by the browser's thread)

        self.basic = basic

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="investable-chart-browser", daemon=True
        )
        self._thread.start()
        self._opened: Future[Any] = asyncio.run_coroutine_threadsafe(self._open(), self._loop)
        self._closing: Future[None] | None = None
        self._closed = False
        self.failed = False  # set when drawing failed: the browser may be gone

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` or :meth:`start_closing` was called."""
        return self._closing is not None or self._closed

    async def _open(self) -> Any:
        from kaleido.errors import ChromeNotFoundError

        try:
            # no MathJax: the charts have no LaTeX, and kaleido would fetch it from a CDN
            browser = page_keeping_kaleido()(
                n=1, timeout=BROWSER_TIMEOUT, plotlyjs=plotly_js(self.basic), mathjax=False
            )
        except ChromeNotFoundError as exc:
            raise ChromeMissing(CHARTS_NEED_CHROME) from exc
        await browser.__aenter__()
        return browser

    def submit(self, fig: go.Figure, width: int) -> Future[bytes]:
        """Start drawing one figure (``width`` × its layout height, 460 px when unset, at 2×
        scale) and return at once; the PNG bytes are the future's result. Figures submitted
        while earlier ones are drawn wait for the browser's one tab, in order."""
        if self.closed:
            raise RuntimeError("the chart browser is closed")
        if self.basic and not basic_traces_only(fig):
            types = sorted({trace.type for trace in fig.data} - BASIC_TRACES)
            raise ValueError(
                f"This chart browser loads plotly.js's basic bundle, which cannot draw "
                f"{', '.join(types)} traces: open it with ChartBrowser(basic=False)."
            )
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
        return self.collect(self.submit_all(figures, width))

    def submit_all(self, figures: Iterable[go.Figure], width: int) -> list[Future[bytes]]:
        """:meth:`submit` every figure as the iterable yields it and return at once; the
        browser draws them while the caller does other work, :meth:`collect` waits for them.
        When the iterable raises, the figures already sent are cancelled."""
        pending: list[Future[bytes]] = []
        try:
            pending += (self.submit(fig, width) for fig in figures)
        except BaseException:
            for future in pending:
                future.cancel()
            raise
        return pending

    def collect(self, pending: list[Future[bytes]]) -> list[bytes]:
        """The PNGs of figures sent by :meth:`submit_all`, in order; a browser that fails or
        times out is :class:`ChartsUnavailable` (and marks this browser :attr:`failed`)."""
        from choreographer.errors import BrowserClosedError, BrowserFailedError
        from kaleido.errors import KaleidoError

        try:
            return [future.result(BROWSER_TIMEOUT) for future in pending]
        except ChartsUnavailable:
            self.failed = True
            raise
        except (BrowserFailedError, BrowserClosedError, KaleidoError, TimeoutError) as exc:
            self.failed = True
            raise ChartsUnavailable(failure_text(exc)) from exc
        finally:
            for future in pending:
                future.cancel()  # no-op for the finished ones

    def start_closing(self) -> None:
        """Start closing the browser and return at once, so its shutdown (0.2–0.5 s) overlaps
        what comes next (rendering the document); :meth:`close` waits for it."""
        if self.closed:
            return
        self._closing = asyncio.run_coroutine_threadsafe(self._close_browser(), self._loop)

    async def _close_browser(self) -> None:
        try:
            browser = await asyncio.wrap_future(self._opened)
        except Exception:  # the browser never started: nothing to close
            browser = None
        await self._shutdown(browser)

    def close(self) -> None:
        """Close the browser (if it started), end every task still on the loop (drawings
        cancelled after a failure, the browser's watchdog) and stop the thread."""
        if self._closed:
            return
        self.start_closing()
        self._closed = True
        assert self._closing is not None
        try:
            self._closing.result(BROWSER_TIMEOUT)
        finally:
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


_shared: ChartBrowser | None = None
_shared_lock = threading.Lock()


def shared_browser() -> ChartBrowser:
    """One :class:`ChartBrowser` for the whole process (the app's report builds), started on
    first use and closed when the interpreter exits. A browser whose drawing failed (crashed,
    timed out, no Chrome) is closed and replaced by a new one on the next call. Drawing from
    several threads at once is safe: the figures queue for the browser's one tab."""
    global _shared
    with _shared_lock:
        if _shared is not None and (_shared.failed or _shared.closed):
            atexit.unregister(_shared.close)
            _shared.close()
            _shared = None
        if _shared is None:
            _shared = ChartBrowser()
            atexit.register(_shared.close)
        return _shared


_early: ChartBrowser | None = None


def start_early() -> None:
    """Start a :class:`ChartBrowser` now, for :func:`take_early`: ``investable report`` calls
    it before its modules load (pandas, the store, the model: about 1.5 s), so the browser's own
    start (1–2 s on two cores) overlaps them instead of following them (issue #15)."""
    global _early
    if _early is None:
        _early = ChartBrowser()


def take_early() -> ChartBrowser | None:
    """The browser :func:`start_early` started, now the caller's to close; None without one."""
    global _early
    browser, _early = _early, None
    return browser


def close_early() -> None:
    """Close the browser :func:`start_early` started if no one took it (a usage error)."""
    browser = take_early()
    if browser is not None:
        browser.close()


def close_shared_browser() -> None:
    """Close the process's shared browser now, if one was started (the next
    :func:`shared_browser` starts a new one). Test sessions call it before the interpreter
    exits, so the browser's temporary folders are removed by it rather than by their
    finalizers."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            atexit.unregister(_shared.close)
            _shared.close()
            _shared = None
