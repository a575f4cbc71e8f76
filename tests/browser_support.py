"""Helpers for browser tests: screenshots to look at, waiting for Streamlit, and failing on error boxes.

Import them in a browser test: `from tests.browser_support import screenshot, wait_for_app_idle, ...`.
"""

from __future__ import annotations

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-output" / "screenshots"
DESKTOP = {"width": 1280, "height": 2400}
PHONE = {"width": 390, "height": 2400}


def screenshot(page, name: str) -> Path:
    """Save a full screenshot to test-output/screenshots/NAME.png, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_app_idle(page, timeout: float = 90) -> None:
    """Wait until Streamlit has drawn the page and stopped running: content present, no 'Running…' status widget,
    and the main text unchanged for a moment (a script can draw in several bursts)."""
    main = page.locator('[data-testid="stMain"]')
    status = page.locator('[data-testid="stStatusWidget"]')
    deadline = time.monotonic() + timeout
    previous, stable_since = None, None
    while time.monotonic() < deadline:
        text = main.inner_text() if main.count() else ""
        running = status.count() > 0 and "Running" in (status.first.inner_text() or "Running")
        if text.strip() and not running and text == previous:
            if stable_since and time.monotonic() - stable_since > 1.5:
                return
            stable_since = stable_since or time.monotonic()
        else:
            stable_since = None
        previous = text
        time.sleep(0.3)
    raise AssertionError(f"the page was still blank or running after {timeout}s")


def assert_no_streamlit_error(page) -> None:
    """A page passes only if it shows no exception and no error box."""
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, f"Streamlit exception on page: {exceptions.first.inner_text()[:2000]}"
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, f"error box on page: {errors.first.inner_text()[:2000]}"


def open_at(page, url: str, viewport: dict, timeout: float = 180) -> None:
    """Load URL afresh at a viewport size. Resizing a loaded page instead catches the sidebar mid-animation."""
    page.set_viewport_size(viewport)
    page.goto(url)
    wait_for_app_idle(page, timeout=timeout)
