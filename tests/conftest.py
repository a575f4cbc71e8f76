"""Fixtures every page's tests share: a running app, a real browser, and screenshots to look at."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

import pytest

from playground.server_paths import ROOTS_ENV
from tests.helpers import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    assert_no_streamlit_error,
    free_port,
    screenshot,
    serve_streamlit,
    wait_for_app_idle,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def temporary_folders_are_allowed(tmp_path_factory):
    """Tests save models and run folders in pytest's temporary folders, which the server would refuse to read
    (playground/server_paths.py): they are added the way an operator adds a folder, through PLAYGROUND_PATH_ROOTS,
    which the servers the browser tests start inherit too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ROOTS_ENV, str(tmp_path_factory.getbasetemp()))
        yield


@contextlib.contextmanager
def serve_app(log_name: str = "streamlit.log"):
    """The real app, served the way `make run` serves it, on a free loopback port; yields its base URL."""
    with serve_streamlit("app.py", ROOT / "test-output" / log_name) as (url, _):
        yield url


@pytest.fixture(scope="session")
def app_url():
    with serve_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser_context():
    """Debian's Chromium, driven by playwright; never a downloaded browser."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="playground-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=DESKTOP,
        )
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser_page(browser_context):
    """A fresh tab at the desktop size; call `page.set_viewport_size(PHONE)` for the phone view."""
    page = browser_context.new_page()
    page.set_viewport_size(DESKTOP)
    page.set_default_timeout(60_000)
    yield page
    page.close()
