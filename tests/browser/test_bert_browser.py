"""The BERT page in a real Chromium: bertviz's attention views render with no internet, and nothing leaves 127.0.0.1.

Every request the page (and every iframe in it) makes is recorded at the page and at the browser-context level, and
any request to another host is blocked by a route: if bertviz still fetched d3/jQuery/require.js from a CDN, the
recording would show it and the SVG would never appear.
"""

from urllib.parse import urlparse

import pytest

from tests.helpers import assert_no_streamlit_error, open_at, screenshot, wait_for_app_idle

LOCAL_SCHEMES = ("data", "about", "blob", "chrome-extension")
# Tall viewports: Streamlit scrolls an inner container, so a screenshot only shows what fits in the viewport.
DESKTOP_TALL = {"width": 1280, "height": 5200}
PHONE_TALL = {"width": 390, "height": 9000}


def _is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in LOCAL_SCHEMES or parsed.hostname in ("127.0.0.1", "localhost")


@pytest.fixture
def watched_page(browser_page, browser_context):
    """The page with every request recorded twice (page and context) and non-local ones aborted."""
    seen, blocked = [], []
    browser_page.on("request", lambda request: seen.append(request.url))
    on_context = lambda request: seen.append(request.url)  # noqa: E731
    browser_context.on("request", on_context)

    def block_non_local(route):
        if _is_local(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    browser_page.route("**/*", block_non_local)
    yield browser_page, seen, blocked
    browser_context.remove_listener("request", on_context)
    browser_page.unroute("**/*")


def _bertviz_frame(page, timeout_s: float = 90):
    """The iframe whose document holds bertviz's SVG (Streamlit has other frames, e.g. for plotly)."""
    for _ in range(int(timeout_s * 2)):
        for frame in page.frames[1:]:
            try:
                if frame.locator("svg").count() and frame.locator("#vis").count():
                    return frame
            except Exception:  # a frame detached mid-rerun
                continue
        page.wait_for_timeout(500)
    raise AssertionError("no iframe with bertviz's SVG appeared")


def test_attention_views_render_offline_and_no_request_leaves_localhost(watched_page, app_url):
    page, seen, blocked = watched_page
    open_at(page, f"{app_url}/bert", DESKTOP_TALL, timeout=300)
    assert_no_streamlit_error(page)
    main = page.locator('[data-testid="stMain"]')
    assert "Masked-LM loss" in main.inner_text()

    head = _bertviz_frame(page)
    head.locator("svg text").first.wait_for()
    labels = head.locator("svg text").all_text_contents()
    assert "[CLS]" in labels and "[MASK]" in labels  # the tokens the model saw, drawn by bertviz's own JS
    assert head.evaluate("typeof window.d3 === 'object' && typeof window.jQuery === 'function'")
    assert head.evaluate("window.d3.version").startswith("5.")
    screenshot(page, "bert-desktop")

    page.get_by_text("model view", exact=True).click()
    wait_for_app_idle(page, timeout=300)
    model = _bertviz_frame(page)
    model.locator("svg").first.wait_for()
    assert model.locator("svg").count() >= 1
    assert_no_streamlit_error(page)
    screenshot(page, "bert-model-view-desktop")

    assert blocked == [], f"the page tried to reach the internet: {blocked}"
    leaving = sorted({url for url in seen if not _is_local(url)})
    assert leaving == [], f"requests left 127.0.0.1: {leaving}"
    assert any(urlparse(url).hostname == "127.0.0.1" for url in seen)  # the recorder really recorded


def test_phone_width_shows_the_page_and_the_head_view(watched_page, app_url):
    page, seen, blocked = watched_page
    open_at(page, f"{app_url}/bert", PHONE_TALL, timeout=300)
    assert_no_streamlit_error(page)
    frame = _bertviz_frame(page)
    assert frame.locator("svg text").count() > 0
    screenshot(page, "bert-phone")
    assert blocked == [] and all(_is_local(url) for url in seen)


def test_guessing_the_hidden_word_reveals_berts_bars_and_keeps_score(watched_page, app_url):
    page, seen, blocked = watched_page
    open_at(page, f"{app_url}/bert?quiz=2", DESKTOP_TALL, timeout=300)
    main = page.locator('[data-testid="stMain"]')
    assert "Line 3:" in main.inner_text()
    page.get_by_label("Your guess for the hidden word").fill("thou")
    page.get_by_label("Your guess for the hidden word").press("Enter")  # Enter submits, as the Reveal button does
    page.get_by_text("The hidden word is").wait_for(timeout=60_000)
    wait_for_app_idle(page, timeout=120)
    assert_no_streamlit_error(page)
    text = main.inner_text()
    assert "BERT's first guess" in text and "yours, thou, is" in text
    assert "1 of 1" in text  # the tally: you and BERT, one line each
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 3  # BERT's five best guesses as bars
    page.get_by_text("How often is BERT right?").click()
    page.get_by_role("button", name="Score BERT on 100 lines").click()
    page.get_by_text("First guess right", exact=True).wait_for(timeout=60_000)
    wait_for_app_idle(page, timeout=120)
    assert_no_streamlit_error(page)
    screenshot(page, "bert-quiz-desktop")

    open_at(page, f"{app_url}/bert?quiz=2", PHONE_TALL, timeout=300)
    assert "Line 3:" in main.inner_text()
    assert_no_streamlit_error(page)
    screenshot(page, "bert-quiz-phone")
    assert blocked == [] and all(_is_local(url) for url in seen)


def test_a_typed_mask_from_a_link_is_filled_in_with_no_loss_at_both_widths(watched_page, app_url):
    page, seen, blocked = watched_page
    link = f"{app_url}/bert?text=The%20capital%20of%20France%20is%20%5BMASK%5D."
    main = page.locator('[data-testid="stMain"]')
    for name, viewport in (("desktop", DESKTOP_TALL), ("phone", PHONE_TALL)):
        open_at(page, link, viewport, timeout=300)
        assert_no_streamlit_error(page)
        text = main.inner_text()
        assert "Filled in by the top predictions" in text and "typed in the text" in text
        assert "a mask you typed, whose answer nobody knows" in text
        assert "Masked-LM loss" not in text and "Nothing is masked yet" not in text
        screenshot(page, f"bert-typed-mask-{name}")
    assert blocked == [] and all(_is_local(url) for url in seen)
