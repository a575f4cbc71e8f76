"""What the tests share: running a code panel as a learner would, a free port, and for the browser tests
screenshots to look at, waiting for Streamlit, and failing on error boxes."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a browser playwright downloads
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


def run_panel(source: str, cwd: Path | None = None) -> tuple[dict, str]:
    """Run "the code" as a learner pasting it into a notebook would (a script of our own making, never a user's
    text): its variables, and what it printed. torch's thread count is put back, since a panel may set it."""
    namespace, printed, threads, here = {"__name__": "__main__"}, io.StringIO(), torch.get_num_threads(), os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(printed):
            exec(compile(source, "the_code.py", "exec"), namespace)
    finally:
        os.chdir(here)
        torch.set_num_threads(threads)
    return namespace, printed.getvalue()


def assert_self_contained(source: str) -> None:
    """A panel pasted alone must name nothing it does not define or import, and import nothing it does not use."""
    ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F,E9", "--stdin-filename", "panel.py"]
    result = subprocess.run([*ruff, "-"], input=source, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve_streamlit(script: str, log_path: Path, healthy_within: float = 120):
    """`script` served the way `make run` serves the app (offline, headless, no file watcher) on a free loopback port,
    in its own process group, and killed on the way out whatever happens; yields (url, pid). The browser tests and
    the benchmarks all start their servers here."""
    port = free_port()
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    command += ["--server.fileWatcherType", "none"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process, log_path, healthy_within)
            yield url, process.pid
        finally:
            with contextlib.suppress(ProcessLookupError):  # already gone: it died, or was killed
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_healthy(url: str, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy at {url} within {timeout:g}s; see {log_path}")


SCREENSHOTS = ROOT / "test-output" / "screenshots"
DESKTOP = {"width": 1280, "height": 2400}
PHONE = {"width": 390, "height": 2400}


def screenshot(page, name: str) -> Path:
    """Save a full screenshot to test-output/screenshots/NAME.png, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


_SNAPSHOT = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const main = document.querySelector('[data-testid="stMain"]');
    const loading = main ? main.querySelectorAll('[data-testid="stSkeleton"]').length : 0;
    return [app ? app.getAttribute('data-test-script-state') : null, main ? main.innerText : '', loading];
}"""


def wait_for_app_idle(page, timeout: float = 120) -> None:
    """Wait until Streamlit has drawn the page and its script has stopped: the app root reports the script state
    `notRunning`, the main area has text, no element is still a grey skeleton (Streamlit draws one while an element's
    code loads, which can take seconds on a busy machine), and that text holds still for a moment."""
    deadline = time.monotonic() + timeout
    previous, stable_since, state = None, None, None
    while time.monotonic() < deadline:
        state, text, loading = page.evaluate(_SNAPSHOT)
        if state == "notRunning" and text.strip() and not loading and text == previous:
            if stable_since and time.monotonic() - stable_since > 1.0:
                return
            stable_since = stable_since or time.monotonic()
        else:
            stable_since = None
        previous = text
        time.sleep(0.3)
    raise AssertionError(f"the page was still blank or running after {timeout}s (script state {state!r})")


_CHARTS = """() => {
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return [charts.length, charts.filter(c => !c.querySelector('.main-svg')).length];
}"""


def wait_for_every_chart(page, at_least: int = 1, timeout: float = 300) -> None:
    """Plotly draws each chart when its code has loaded, not in page order: a test that reads charts by position
    must wait until none is left undrawn, or a later chart can stand in for an earlier one."""
    deadline = time.monotonic() + timeout
    while (counts := page.evaluate(_CHARTS))[0] < at_least or counts[1]:
        if time.monotonic() > deadline:
            raise AssertionError(f"some charts were still undrawn after {timeout}s")
        time.sleep(0.3)


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
