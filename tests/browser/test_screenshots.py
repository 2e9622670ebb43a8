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
    "indicators": ("indicators", 5),  # Technicals: 6 with the reference data, 5 in the fixture
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


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"no chromium at {CHROMIUM} (bash .ci/run installs Debian's chromium)")
    data = SHARED_DATA if (SHARED_DATA / "manifest.toml").is_file() else FIXTURE_DATA
    port = _free_port()
    env = {
        **os.environ,
        "INVESTABLE_DATA_DIR": str(data),
        "INVESTABLE_STORE": str(tmp_path_factory.mktemp("store")),
    }
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "dashboard" / "app.py"),
        "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
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
