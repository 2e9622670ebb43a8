"""Every page in a real browser: Playwright drives Debian's chromium against the running app.

Starts ``streamlit run dashboard/app.py`` on a free local port over the reference data (or the
small fixture folder where ``../shared/data`` is absent), opens each page, waits for its charts,
saves a full-page PNG to ``artifacts/screenshots/`` and fails on an exception or error element.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, SHARED_DATA

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("INVESTABLE_CHROMIUM", "/usr/bin/chromium"))
SHOTS = REPO_ROOT / "artifacts" / "screenshots"
FIXTURE_DATA = REPO_ROOT / "tests" / "fixtures" / "app"
# url path -> (file name, the least number of charts the page draws)
PAGES = {
    "": ("overview", 3),
    "indicators": ("indicators", 1),  # one tab (one chart) at a time
    "composite": ("composite", 2),
    "levels": ("levels", 1),
    "regimes": ("regimes", 1),
    "data": ("data", 0),
}
PROBLEMS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(env_changes: dict[str, str], drop: tuple[str, ...] = ()) -> Iterator[str]:
    """``streamlit run dashboard/app.py`` on a free local port with these environment changes."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in drop} | env_changes
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "dashboard" / "app.py"),
        "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with subprocess.Popen(  # the with-block closes the pipe and reaps the server
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.3)
        else:
            server.kill()
            pytest.fail("streamlit did not start within 60 s")
        yield f"http://127.0.0.1:{port}"
        server.terminate()
        server.wait(timeout=20)


def _need_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"no chromium at {CHROMIUM} (bash .ci/run installs Debian's chromium)")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    _need_chromium()
    data = SHARED_DATA if (SHARED_DATA / "manifest.toml").is_file() else FIXTURE_DATA
    yield from _serve(
        {"INVESTABLE_DATA_DIR": str(data), "INVESTABLE_STORE": str(tmp_path_factory.mktemp("s"))}
    )


@pytest.fixture(scope="module")
def empty_store_url(tmp_path_factory) -> Iterator[str]:
    """A writable app over an empty local store."""
    _need_chromium()
    store = tmp_path_factory.mktemp("empty")
    yield from _serve({"INVESTABLE_STORE": str(store)}, drop=("INVESTABLE_DATA_DIR",))


@pytest.fixture(scope="module")
def replica_url(tmp_path_factory) -> Iterator[str]:
    """A read-only app over a local store filled from the reference data (or the fixture)."""
    _need_chromium()
    from data_sources.store import Store

    data = SHARED_DATA if (SHARED_DATA / "manifest.toml").is_file() else FIXTURE_DATA
    store = tmp_path_factory.mktemp("replica")
    Store(store, providers={}).import_folder(data)
    yield from _serve(
        {"INVESTABLE_STORE": str(store), "INVESTABLE_READ_ONLY": "1"},
        drop=("INVESTABLE_DATA_DIR",),
    )


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


def _settle(page, charts: int) -> None:
    """Wait until the script has finished and the charts have drawn."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )
    if charts:
        page.wait_for_function(
            f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
            timeout=120_000,
        )
    page.wait_for_timeout(1500)


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders_without_errors(app_url, browser, path) -> None:
    name, charts = PAGES[path]
    page = browser.new_page(viewport={"width": 1440, "height": 900}, device_scale_factor=1)
    try:
        page.goto(f"{app_url}/{path}", wait_until="domcontentloaded")
        _settle(page, charts)
        problems = page.locator(PROBLEMS)
        texts = [problems.nth(i).inner_text() for i in range(problems.count())]
        drawn = page.locator(".js-plotly-plot").count()
        height = page.evaluate(
            "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
        )
        page.set_viewport_size({"width": 1440, "height": max(900, int(height))})
        page.wait_for_timeout(800)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    finally:
        page.close()
    assert not texts, f"{name}: errors on the page: {texts}"
    assert drawn >= charts, f"{name}: {drawn} charts drawn, expected at least {charts}"


def test_as_of_in_the_address_reproduces_a_past_week(app_url, browser) -> None:
    if not (SHARED_DATA / "manifest.toml").is_file():
        pytest.skip("the 2022 view needs the reference data")
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"{app_url}/?as_of=2022-06-17", wait_until="domcontentloaded")
        _settle(page, 3)
        text = page.locator('[data-testid="stMain"]').inner_text()
    finally:
        page.close()
    assert "2022-06-17" in text and "CASH" in text


def test_chromium_is_debians(browser) -> None:
    assert shutil.which("chromium") or CHROMIUM.exists()
    assert browser.version


def _shot(browser, url: str, name: str, charts: int) -> str:
    """Open ``url``, wait for it, save ``name``.png and return the main area's text."""
    page = browser.new_page(viewport={"width": 1440, "height": 900}, device_scale_factor=1)
    try:
        page.goto(url, wait_until="domcontentloaded")
        _settle(page, charts)
        text = page.locator('[data-testid="stMain"]').inner_text()
        text += "\n" + page.locator('[data-testid="stSidebar"]').inner_text()
        problems = page.locator('[data-testid="stException"]').count()
        height = page.evaluate(
            "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
        )
        page.set_viewport_size({"width": 1440, "height": max(900, int(height))})
        page.wait_for_timeout(800)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    finally:
        page.close()
    assert problems == 0, f"{name}: an exception on the page"
    return text


def test_an_empty_store_opens_on_the_data_page(empty_store_url, browser) -> None:
    text = _shot(browser, empty_store_url, "empty-store-data", 0)
    assert "The store holds no data yet" in text
    assert "investable import --from DIR" in text
    assert "Refresh now" in text


def test_a_read_only_replica_has_no_writing_controls(replica_url, browser) -> None:
    overview = _shot(browser, replica_url, "replica-overview", 3)
    assert "Data as of" in overview and "Composite" in overview
    data = _shot(browser, f"{replica_url}/data", "replica-data", 0)
    assert "read-only" in data
    assert "Refresh now" not in data and "Load a file" not in data


@pytest.fixture(scope="module")
def fresh_url(tmp_path_factory) -> Iterator[str]:
    """A server no browser has opened yet (its first request is the one under test)."""
    _need_chromium()
    yield from _serve(
        {
            "INVESTABLE_DATA_DIR": str(FIXTURE_DATA),
            "INVESTABLE_STORE": str(tmp_path_factory.mktemp("f")),
        }
    )


def test_a_shared_link_opens_the_whole_app_on_a_fresh_server(fresh_url, browser) -> None:
    """Issue 13: ``/indicators`` as the first request of a fresh server runs app.py (sidebar
    with the threshold and As-of controls, the app's page names), not the page file alone."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(f"{fresh_url}/indicators", wait_until="domcontentloaded")
        _settle(page, 1)
        main = page.locator('[data-testid="stMain"]').inner_text()
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        deploy = page.locator('[data-testid="stAppDeployButton"]').count()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "fresh-indicators.png"))
    finally:
        page.close()
    assert "Indicators" in main and "Category" in main
    assert "Composite threshold" in sidebar and "As of" in sidebar
    assert "Levels & risk/reward" in sidebar  # the navigation's titles, not file names
    assert "views" not in sidebar.lower().split() and "levels.py" not in sidebar
    assert deploy == 0  # client.toolbarMode = "viewer": no Deploy button
