"""Fixtures of the web app tests: a live server on 127.0.0.1 and a real Chromium.

The browser is Playwright for Python driving the Debian ``chromium`` (``/usr/bin/chromium``,
installed by ``.ci/run``); Playwright's own browser downloads are never used. Without
Chromium or Playwright the browser tests skip on a developer machine and fail on CI
(``CI=true``). Screenshots of every screen go to ``test-artifacts/app/``.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from oncocohort.app.config import AppConfig
from oncocohort.app.server import free_port, start_in_thread

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "app"
WORKBOOKS = ROOT / "tests" / "fixtures" / "workbooks"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {what}")
    pytest.skip(what)


@pytest.fixture
def live_app():
    """A running app: ``(base_url, token, store, config)``; stopped and cleaned after."""
    config = AppConfig(port=free_port(), max_upload_bytes=2 * 1024 * 1024)
    server, thread, store = start_in_thread(config)
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the app did not start"
    yield f"http://127.0.0.1:{config.port}", config.token, store, config
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install playwright)")
    exe = _chromium()
    if exe is None:
        _missing("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.errors = errors
    yield pg
    context.close()


@pytest.fixture(scope="session")
def shots():
    """``shot(page, name)`` saves a full-page screenshot in test-artifacts/app/;
    ``shot(page, name, "#analysis")`` one of that part of the page."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shot(pg, name: str, part: str | None = None) -> Path:
        path = ARTIFACTS / f"{name}.png"
        if part is None:
            pg.screenshot(path=str(path), full_page=True)
        else:
            pg.locator(part).screenshot(path=str(path))
        return path

    return shot
