"""The Training page in a real browser: start a 2-worker job and watch its curves (and a GPT's samples) appear,
then look at it, and hand a GPT's checkpoint on to GPT generation."""

import contextlib
import time

from playwright.sync_api import Error as PlaywrightError

from tests.helpers import DESKTOP, PHONE, assert_no_streamlit_error, open_at, screenshot, wait_for_app_idle


def wait_for(page, condition, timeout: float = 300, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except PlaywrightError:  # the app is between reruns (e.g. the fragment asked for a full rerun)
            pass
        time.sleep(0.5)
    raise AssertionError(f"waited {timeout}s for {what}; the page is at {page.url}")


def runs_table_status(page, run_name: str) -> str | None:
    """The status cell of `run_name`'s row, read from the grid's accessible table."""
    rows = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stDataFrame] tr')]
            .map(r => [...r.querySelectorAll('td')].map(c => c.innerText))"""
    )
    return next((row[1] for row in rows if len(row) > 1 and row[0] == run_name), None)


def test_curves_appear_live_and_the_finished_run_is_shown_on_desktop_and_phone(browser_page, app_url):
    page = browser_page
    page.goto(f"{app_url}/training?task=digits&epochs=3&workers=2&strategy=ddp&run=")
    wait_for_app_idle(page, timeout=180)
    main = page.locator('[data-testid="stMain"]')
    assert "Distributed training" in main.inner_text()
    assert_no_streamlit_error(page)
    page.get_by_role("button", name="▶ Start training").click()
    charts = page.locator(".js-plotly-plot")
    wait_for(page, lambda: charts.count() >= 3, what="the loss, accuracy and throughput charts")
    # The per-rank loss curves fill in as the ranks append records (the fragment polls every second).
    wait_for(page, lambda: "rank 1" in charts.first.inner_text(), what="rank 1's loss curve")
    wait_for(page, lambda: "Done: every rank wrote its" in main.inner_text(), what="the done records")
    run_name = page.url.split("run=")[1].split("&")[0].split("%2F")[-1]
    wait_for(
        page,
        lambda: runs_table_status(page, run_name) == "done",
        timeout=5,
        what="the runs table to say done beside the Done above it",
    )
    wait_for_app_idle(page)
    text = main.inner_text()
    assert "· done · 2 worker(s) · backend gloo · epoch 3 of 3" in text
    assert "overall (mean of ranks)" in charts.first.inner_text()
    assert_no_streamlit_error(page)
    screenshot(page, "training-desktop")
    run_url = page.url  # the run folder is in the link now, so the view can be shared
    assert "run=" in run_url and "epochs=3" in run_url
    open_at(page, run_url, PHONE)
    wait_for(page, lambda: page.locator(".js-plotly-plot").count() >= 3, what="the charts on a phone")
    assert "Done: every rank wrote its" in main.inner_text()
    assert_no_streamlit_error(page)
    screenshot(page, "training-phone")


def test_a_one_worker_run_after_a_two_worker_run_gives_the_speedup_chart(browser_page, app_url):
    page = browser_page
    main = page.locator('[data-testid="stMain"]')
    for workers in (2, 1):
        open_at(page, f"{app_url}/training?task=digits&epochs=2&workers={workers}&strategy=ddp&run=", DESKTOP)
        page.get_by_role("button", name="▶ Start training").click()
        wait_for(page, lambda: "Done: every rank wrote its" in main.inner_text(), what=f"the {workers}-worker run")
    wait_for_app_idle(page)
    heading = page.get_by_text("Runs on this server")
    heading.scroll_into_view_if_needed()
    wait_for(page, lambda: "Speedup over 1 worker" in main.inner_text(), what="the scaling chart")
    assert_no_streamlit_error(page)
    screenshot(page, "training-runs-desktop")


TALL_DESKTOP, TALL_PHONE = {"width": 1280, "height": 6000}, {"width": 390, "height": 12000}  # see the whole page
TINY_GPT = "task=gpt&workers=2&layers=1&heads=2&width=64&context=64&windows=4&steps=30&eval_every=10&run="


def test_a_gpt_run_shows_curves_and_samples_as_they_arrive_and_its_checkpoint_writes_in_gpt_generation(
    browser_page, app_url
):
    page = browser_page
    main = page.locator('[data-testid="stMain"]')
    open_at(page, f"{app_url}/training?{TINY_GPT}", TALL_DESKTOP)
    assert "Pretraining" in main.inner_text() and "GPT2LMHeadModel" in main.inner_text()
    page.get_by_role("button", name="▶ Start training").click()
    charts = page.locator(".js-plotly-plot")
    wait_for(page, lambda: charts.count() >= 2 and "rank 1" in charts.first.inner_text(), what="the loss curves")
    wait_for(page, lambda: "What the model writes from the same prompt" in main.inner_text(), what="the first sample")
    screenshot(page, "training-gpt-live-desktop")
    wait_for(page, lambda: "Done: every rank wrote its" in main.inner_text(), what="the done records")
    wait_for_app_idle(page)
    text = main.inner_text()
    assert "· done · 2 worker(s) · backend gloo · step 30 of 30" in text
    assert text.index("step 30") < text.index("step 20") < text.index("step 10")  # newest first
    assert "held-out (rank 0)" in charts.first.inner_text() and "tokens / s" in charts.nth(1).inner_text()
    assert_no_streamlit_error(page)
    screenshot(page, "training-gpt-desktop")
    run_url = page.url

    link = page.get_by_role("link", name="✍️ Write with this model")
    assert link.get_attribute("href").startswith("gpt?model=local&model_dir=")
    link.click()
    opened = lambda: "/gpt?" in page.url  # noqa: E731 - set when the server starts the page, which can take a while
    try:
        wait_for(page, opened, timeout=60, what="GPT generation to open")
    except AssertionError:
        # On a loaded 2-core machine a first click has been seen to leave the page on the run for minutes, with no
        # error; a learner clicks again, and so does this test, if the link is still there. The cause is not found.
        if "/training?" in page.url and link.count():
            with contextlib.suppress(PlaywrightError):  # the page may leave under the second click
                link.click(timeout=5_000)
        wait_for(page, opened, timeout=240, what="GPT generation to open, after a second click")
    wait_for_app_idle(page, timeout=300)
    assert_no_streamlit_error(page)
    text = main.inner_text()
    assert "GPT generation" in text and "(local)" in text and "/model" in text  # the run's checkpoint is the model
    assert "model_dir=" in page.url and "prompt=ROMEO" in page.url  # and the prompt its samples started from
    screenshot(page, "training-gpt-handed-to-generation")

    open_at(page, run_url, TALL_PHONE)
    wait_for(page, lambda: page.locator(".js-plotly-plot").count() >= 2, what="the charts on a phone")
    assert "Done: every rank wrote its" in main.inner_text()
    assert_no_streamlit_error(page)
    screenshot(page, "training-gpt-phone")
