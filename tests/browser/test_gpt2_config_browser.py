"""The GPT-2 anatomy page in a real browser: a teacher's link opens exactly that model, and it reads on a phone."""

from urllib.parse import urlencode

from tests.helpers import DESKTOP, PHONE, assert_no_streamlit_error, screenshot, wait_for_app_idle


def _open(page, app_url, until="built on the meta device", **params):
    page.goto(f"{app_url}/gpt2_config" + (f"?{urlencode(params)}" if params else ""))
    # The transformers check is drawn last; the first visit also imports transformers, slow on a busy machine.
    page.get_by_text(until).first.wait_for(timeout=300_000)
    wait_for_app_idle(page, timeout=120)
    return page.locator('[data-testid="stMain"]')


def _both_sizes(page, name):
    """Streamlit scrolls an inner container, so the viewport must be as tall as the whole page to capture it."""
    page.set_viewport_size({**DESKTOP, "height": 5200})
    wait_for_app_idle(page)
    page.wait_for_timeout(2000)  # tables and the treemap draw on canvases after the text settles
    screenshot(page, f"gpt2_config-{name}-desktop")
    page.set_viewport_size({**PHONE, "height": 9600})
    wait_for_app_idle(page)
    page.wait_for_timeout(2000)
    screenshot(page, f"gpt2_config-{name}-phone")
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_lesson_config_shows_its_count_checked_against_transformers(browser_page, app_url):
    main = _open(browser_page, app_url)
    text = main.inner_text()
    assert "163,009,536" in text  # the lesson's GPT_CONFIG_124M as its code builds it (untied)
    assert "✅ That matches the analytic count" in text
    browser_page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=60_000)  # plotly charts draw lazily
    assert browser_page.locator('[data-testid="stPlotlyChart"]').count() == 1  # the treemap
    assert_no_streamlit_error(browser_page)
    assert "vocab_size=50257" in browser_page.url and "tied=false" in browser_page.url
    _both_sizes(browser_page, "lesson")


def test_a_link_opens_hugging_faces_gpt2_small(browser_page, app_url):
    main = _open(browser_page, app_url, qkv_bias="true", tied="true")
    text = main.inner_text()
    assert "124,439,808" in text and "✅ That matches the analytic count" in text
    assert_no_streamlit_error(browser_page)


def test_heads_that_do_not_divide_the_embedding_get_a_clear_message(browser_page, app_url):
    main = _open(browser_page, app_url, until="Fix the values above", emb_dim=770)
    assert "must be divisible by n_heads" in main.inner_text()
    assert browser_page.locator('[data-testid="stException"]').count() == 0
    _both_sizes(browser_page, "bad-heads")
