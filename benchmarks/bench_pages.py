"""Every page of the app against a one-chart Streamlit page, served and driven the same way.

uv run --extra dev --extra bench python benchmarks/bench_pages.py --data DATA_DIR [--rounds N]
uv run --extra dev --extra bench python benchmarks/bench_pages.py --store STORE_DIR

Each round starts two fresh Streamlit servers on 127.0.0.1: the app (``dashboard/app.py``) over
a store (``--store``, or a temporary one imported from the manifest folder ``--data`` and
precomputed as ``investable import`` leaves it), and a one-chart page written to a temporary
folder: one Plotly line of SPY's closes and one slider. Debian's chromium, driven by Playwright
(headless), then measures:

- first view: a new browser context opens the page; the time from navigation start to the last
  visible DOM change once the app is idle (Streamlit's script-finished message received, no
  ``stStatusWidget`` running, the page's charts drawn, then no DOM change for 0.6 s). The first
  page of each server is its cold view (nothing cached yet);
- rerun: a widget change on an idle page (as-of date, composite threshold, category; the slider
  of the one-chart page), timed from the input that commits it (the slider's key press, the
  category's click, the click that leaves the date field) to the last DOM change once idle,
  both read on the page's clock. Playwright's own work before that input (finding, focusing
  and scrolling to the element: 100–235 ms for the date field, 7–50 ms for the slider) is
  not the app's and is left out, as a user's mouse travel is. A screen reader's announcer (a
  one-pixel live region the date field writes to and clears half a second later) is not seen;
- peak server memory: the server process's peak resident set (VmHWM) after every page.

The servers run with Python's bytecode caches (:func:`benchmarks.child_environment`); a warm-up
start of both servers, not counted, writes them.

Times are medians over ``--repeats`` reruns within a round; with ``--rounds N`` the table shows
the medians of the N rounds. Ratios are against the one-chart page in the same round.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import child_environment  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
# url path -> (page name, charts drawn with the reference data)
PAGES = {
    "": ("Overview", 3),
    "indicators": ("Indicators", 1),  # one tab (one chart) at a time
    "composite": ("Composite", 2),
    "levels": ("Levels", 1),
    "regimes": ("Regimes", 1),
    "data": ("Data", 0),
}
QUIET_MS = 600
TIMEOUT_MS = int(os.environ.get("BENCH_TIMEOUT_MS", "180000"))

ONE_CHART_PAGE = '''\
"""One Plotly line of SPY's closes and one slider (the benchmark's anchor)."""

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st


@st.cache_data
def closes() -> pd.Series:
    return pd.read_csv(
        Path(__file__).with_name("spy.csv"), index_col=0, parse_dates=True
    )["close"]


st.title("SPY")
years = st.slider("Years shown", min_value=1, max_value=30, value=10)
data = closes()
shown = data[data.index >= data.index[-1] - pd.DateOffset(years=years)]
st.plotly_chart(go.Figure(go.Scatter(x=shown.index, y=shown.to_numpy(), mode="lines")))
'''

# Records the page-clock time of the last DOM change (added/removed nodes, text) and of the last
# key press or pointer press. Changes inside a screen reader's announcer (a live region of one
# pixel) are not seen: the date field announces "Selected Date: …" there and clears it 0.4–0.7 s
# later, which would count as the end of every rerun after a date change.
OBSERVER = """
window.__lastChange = 0;
window.__lastInput = 0;
for (const kind of ["keydown", "pointerdown"]) {
  window.addEventListener(kind, () => { window.__lastInput = performance.now(); }, true);
}
const unseen = (node) => {
  const element = node.nodeType === 1 ? node : node.parentElement;
  const live = element && element.closest("[aria-live]");
  return Boolean(live) && live.getBoundingClientRect().width <= 1;
};
new MutationObserver((records) => {
  if (records.some((record) => !unseen(record.target))) window.__lastChange = performance.now();
}).observe(document, {childList: true, subtree: true, characterData: true});
"""
IDLE = """([charts, quiet]) =>
  !document.querySelector('[data-testid="stStatusWidget"]')
  && document.querySelectorAll('.js-plotly-plot .main-svg').length >= charts
  && performance.now() - window.__lastChange >= quiet"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A ``streamlit run`` process on a local port."""

    process: subprocess.Popen[bytes]
    url: str

    def peak_rss_mib(self) -> float:
        """Peak resident set (VmHWM) of the server process, in MiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
        return kib / 1024


@contextmanager
def serve(
    script: Path, env_changes: dict[str, str], drop: tuple[str, ...] = (), cwd: Path | None = None
) -> Iterator[Server]:
    """A Streamlit server for ``script``, started in ``cwd`` (default: the script's folder):
    Streamlit reads ``.streamlit/config.toml`` from there."""
    port = _free_port()
    env = child_environment(env_changes, drop)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    with subprocess.Popen(
        command,
        cwd=cwd or script.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as process:
        try:
            deadline = time.monotonic() + 90
            while True:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"streamlit did not start: {' '.join(command)}")
                time.sleep(0.2)
            yield Server(process, f"http://127.0.0.1:{port}")
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


class Tab:
    """A page in its own browser context, with Streamlit's run messages counted."""

    def __init__(self, browser: Any, url: str, charts: int) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.charts = charts
        self.finished = 0
        self.context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
        self.context.add_init_script(OBSERVER)
        self.page = self.context.new_page()

        def frame(payload: bytes | str) -> None:
            if isinstance(payload, bytes):
                message = ForwardMsg()
                message.ParseFromString(payload)
                if message.WhichOneof("type") == "script_finished":
                    self.finished += 1

        self.page.on("websocket", lambda ws: ws.on("framereceived", frame))
        self.url = url

    def first_view(self) -> float:
        """Seconds from navigation start to the last DOM change once idle."""
        self.page.goto(self.url, wait_until="commit", timeout=TIMEOUT_MS)
        return self._settle(0.0, finished_before=0)

    def rerun(self, action: Callable[[Any], None]) -> float:
        """Seconds from the last key press or click of ``action`` to the last DOM change once
        idle."""
        before = self.finished
        action(self.page)
        return self._settle(None, finished_before=before)

    def _settle(self, start_ms: float | None, finished_before: int) -> float:
        """Seconds from ``start_ms`` (page clock; ``None``: the last input) to the last DOM
        change, once the script finished and the page is idle."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while self.finished <= finished_before:
            if time.monotonic() > deadline:
                raise SystemExit(f"{self.url}: the script did not finish")
            self.page.wait_for_timeout(20)
        self.page.wait_for_function(
            IDLE, arg=[self.charts, QUIET_MS], polling=50, timeout=TIMEOUT_MS
        )
        last, last_input = self.page.evaluate("[window.__lastChange, window.__lastInput]")
        return (float(last) - (float(last_input) if start_ms is None else start_ms)) / 1000

    def close(self) -> None:
        self.context.close()


def _press_slider(key: str) -> Callable[[Any], None]:
    def act(page: Any) -> None:
        page.locator('[data-testid="stSlider"] input[type="range"]').first.focus()
        page.keyboard.press(key)

    return act


def _step_date(part: str, key: str) -> Callable[[Any], None]:
    """Move the as-of date one ``part`` (the date field's "month" or "year" spin button), then
    leave the field."""

    def act(page: Any) -> None:
        spin = page.locator(f'[data-testid="stDateInput"] [role="spinbutton"][data-type="{part}"]')
        spin.first.focus()
        page.keyboard.press(key)
        page.locator('[data-testid="stMain"] h1').first.click()  # leaving the field commits

    return act


def _click_category(number: int) -> Callable[[Any], None]:
    def act(page: Any) -> None:
        page.locator('[data-testid="stButtonGroup"] button').nth(number).click()

    return act


@dataclass
class Round:
    """One round's measurements, in seconds (memory in MiB)."""

    times: dict[str, float] = field(default_factory=dict)


def _reruns(tab: Tab, actions: list[Callable[[Any], None]], repeats: int) -> float:
    """Median of ``repeats`` reruns, cycling through ``actions``. Every rerun goes to a value
    not shown before in the session (one more step right, one month earlier, the next
    category), so no rerun is served from a cache the benchmark itself filled."""
    return statistics.median(tab.rerun(actions[i % len(actions)]) for i in range(repeats))


def one_round(browser: Any, store: Path, anchor: Path, repeats: int) -> Round:
    result = Round()
    with serve(anchor, {}) as server:
        tab = Tab(browser, server.url, 1)
        result.times["anchor cold"] = tab.first_view()
        tab.close()
        tab = Tab(browser, server.url, 1)
        result.times["anchor view"] = tab.first_view()
        result.times["anchor rerun"] = _reruns(tab, [_press_slider("ArrowRight")], repeats)
        tab.close()
        result.times["anchor memory"] = server.peak_rss_mib()
    env = {"INVESTABLE_STORE": str(store), "INVESTABLE_READ_ONLY": "1"}
    # from the repository's top, as the README and Community Cloud run it: its config applies
    app = ROOT / "dashboard" / "app.py"
    with serve(app, env, drop=("INVESTABLE_DATA_DIR",), cwd=ROOT) as server:
        tab = Tab(browser, f"{server.url}/", PAGES[""][1])
        result.times["Overview cold"] = tab.first_view()
        tab.close()
        for path, (name, charts) in PAGES.items():
            tab = Tab(browser, f"{server.url}/{path}", charts)
            result.times[f"{name} view"] = tab.first_view()
            if path in ("", "indicators"):
                result.times[f"{name} as-of"] = _reruns(
                    # months back on the Overview, years back on Indicators: all new dates
                    tab,
                    [_step_date("month" if path == "" else "year", "ArrowDown")],
                    repeats,
                )
                result.times[f"{name} threshold"] = _reruns(
                    tab, [_press_slider("ArrowRight")], repeats
                )
            if path == "indicators":
                result.times[f"{name} category"] = _reruns(
                    tab, [_click_category(1 + i) for i in range(repeats)], repeats
                )
            tab.close()
        result.times["app memory"] = server.peak_rss_mib()
    return result


def _rows(times: dict[str, float]) -> list[tuple[str, str, str, str]]:
    """The issue's table: what, now, anchor, ratio."""
    cold, view, rerun = times["anchor cold"], times["anchor view"], times["anchor rerun"]
    rows = [
        (
            "Overview, cold server",
            f"{times['Overview cold']:.2f} s",
            f"one-chart page, cold server {cold:.2f} s",
            f"{times['Overview cold'] / cold:.2f}",
        )
    ]
    for name, _ in PAGES.values():
        rows.append(
            (
                f"{name}, new session",
                f"{times[f'{name} view']:.2f} s",
                f"one-chart page, new session {view:.2f} s",
                f"{times[f'{name} view'] / view:.2f}",
            )
        )
    for name in ("Overview", "Indicators"):
        for change in ("as-of", "threshold", "category"):
            key = f"{name} {change}"
            if key in times:
                rows.append(
                    (
                        f"rerun: {name} new {change}",
                        f"{times[key]:.2f} s",
                        f"one-chart slider rerun {rerun:.2f} s",
                        f"{times[key] / rerun:.2f}",
                    )
                )
    memory, anchor = times["app memory"], times["anchor memory"]
    rows.append(
        (
            "peak server memory after all pages",
            f"{memory:.0f} MiB",
            f"one-chart page {anchor:.0f} MiB",
            f"{memory / anchor:.2f}",
        )
    )
    return rows


def print_table(title: str, times: dict[str, float]) -> None:
    print(f"\n{title}\n")
    print("| what | now | anchor | ratio |\n|---|---|---|---|")
    for row in _rows(times):
        print("| " + " | ".join(row) + " |")


def _prepare_store(args: argparse.Namespace, workdir: Path) -> Path:
    from data_sources.store import Store

    if args.store:
        return Path(args.store)
    from dashboard.precompute import precompute

    location = workdir / "store"
    store = Store(location, providers={})
    report = store.import_folder(Path(args.data))
    precompute(store)
    print(f"store at {location}: {len(report.added)} series imported from {args.data}, precomputed")
    return location


def _anchor_page(store_dir: Path, workdir: Path) -> Path:
    """Write the one-chart page and SPY's closes beside it."""
    from data_sources.store import Store

    spy = Store(store_dir, providers={}).load("yahoo:SPY")
    folder = workdir / "one_chart"
    folder.mkdir()
    spy[["close"]].to_csv(folder / "spy.csv")
    page = folder / "one_chart.py"
    page.write_text(textwrap.dedent(ONE_CHART_PAGE))
    return page


def warm_up(browser: Any, store: Path, anchor: Path) -> None:
    """Serve both pages once and open them (not measured): Python writes the bytecode caches
    of every module they import, as a first start does wherever the app runs."""
    with serve(anchor, {}) as server:
        Tab(browser, server.url, 1).first_view()
    env = {"INVESTABLE_STORE": str(store), "INVESTABLE_READ_ONLY": "1"}
    app = ROOT / "dashboard" / "app.py"
    with serve(app, env, drop=("INVESTABLE_DATA_DIR",), cwd=ROOT) as server:
        for path, (_, charts) in PAGES.items():
            Tab(browser, f"{server.url}/{path}", charts).first_view()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--data", help="a manifest folder, imported into a temporary store")
    where.add_argument("--store", help="an existing store folder")
    parser.add_argument("--rounds", type=int, default=1, help="fresh servers N times (default 1)")
    parser.add_argument("--repeats", type=int, default=3, help="reruns timed per widget (3)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="bench_pages_"))
    try:
        store = _prepare_store(args, workdir)
        anchor = _anchor_page(store, workdir)
        rounds: list[Round] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            warm_up(browser, store, anchor)
            for number in range(1, args.rounds + 1):
                rounds.append(one_round(browser, store, anchor, args.repeats))
                print_table(f"round {number} of {args.rounds}", rounds[-1].times)
            browser.close()
        if args.rounds > 1:
            medians = {
                key: statistics.median(r.times[key] for r in rounds) for key in rounds[0].times
            }
            print_table(f"medians of {args.rounds} rounds", medians)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
