"""Fixtures every page's tests share: a running app, a real browser, and screenshots to look at."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from playground.server_paths import ROOTS_ENV
from tests.helpers import DESKTOP, assert_no_streamlit_error, free_port, screenshot, wait_for_app_idle  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session", autouse=True)
def temporary_folders_are_allowed(tmp_path_factory):
    """Tests save models and run folders in pytest's temporary folders, which the server would refuse to read
    (playground/server_paths.py): they are added the way an operator adds a folder, through PLAYGROUND_PATH_ROOTS,
    which the servers the browser tests start inherit too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ROOTS_ENV, str(tmp_path_factory.getbasetemp()))
        yield


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy at {url} within {timeout}s")


@contextlib.contextmanager
def serve_app(log_name: str = "streamlit.log"):
    """The real app, served the way `make run` serves it, on a free loopback port; yields its base URL."""
    port = free_port()
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
    (ROOT / "test-output").mkdir(exist_ok=True)
    with open(ROOT / "test-output" / log_name, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
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
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process)
            yield url
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


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
