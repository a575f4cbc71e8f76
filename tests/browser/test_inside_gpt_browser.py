"""The Inside GPT page in a real browser: every tensor drawn, the overview jumps to its step, another head redraws
in place and goes into the URL, and the page fits a phone (390 px) as well as a projector (1280 px)."""

from tests.helpers import DESKTOP, PHONE, assert_no_streamlit_error, open_at, screenshot, wait_for_every_chart

CHARTS = 23  # every tensor of block 0's pass, then the next-token distribution
IN_VIEW = (
    """a => { const r = document.getElementById(a).getBoundingClientRect(); return [r.top, window.innerHeight]; }"""
)
# a code block scrolls sideways inside itself (tests/browser/test_phone_layout.py): everything else must fit
WIDEST = """() => Math.max(...[...document.querySelectorAll('[data-testid="stMain"] *')]
    .filter(e => e.offsetParent !== null && !e.closest('[data-testid="stCode"]'))
    .map(e => e.getBoundingClientRect().right))"""


def test_the_pass_is_drawn_and_the_overview_jumps_to_a_step(browser_page, app_url):
    page = browser_page
    open_at(page, f"{app_url}/inside_gpt", {"width": DESKTOP["width"], "height": 900}, timeout=240)
    assert_no_streamlit_error(page)
    wait_for_every_chart(page, at_least=CHARTS)
    assert page.locator('[data-testid="stPlotlyChart"]').count() == CHARTS
    top, height = page.evaluate(IN_VIEW, "softmax")
    assert top > height  # the softmax step starts below the first screen…
    page.get_by_role("link", name="block 0: softmax").click()
    page.wait_for_timeout(1500)
    top, height = page.evaluate(IN_VIEW, "softmax")
    assert 0 <= top < height / 2  # …and the overview's link brings it to the top


def test_another_head_redraws_in_place_and_lives_in_the_url(browser_page, app_url):
    page = browser_page
    open_at(page, f"{app_url}/inside_gpt?head=1", DESKTOP, timeout=240)
    main = page.locator('[data-testid="stMain"]')
    assert "head 1 shown" in main.inner_text()
    head = page.get_by_role("spinbutton", name="Head")
    head.fill("3")
    head.press("Enter")
    page.wait_for_function("() => document.body.innerText.includes('head 3 shown')", timeout=60_000)
    wait_for_every_chart(page, at_least=CHARTS)
    assert_no_streamlit_error(page)
    assert "head=3" in page.url
    assert "scores[head 3]" in main.inner_text()


def test_on_a_phone_nothing_runs_off_the_screen(browser_page, app_url):
    page = browser_page
    open_at(page, f"{app_url}/inside_gpt", {"width": PHONE["width"], "height": 12000}, timeout=240)
    wait_for_every_chart(page, at_least=CHARTS)
    assert_no_streamlit_error(page)
    assert page.evaluate(WIDEST) <= PHONE["width"] + 1
    screenshot(page, "inside_gpt-phone")
