"""The GPT page in a real browser: it generates text coloured by probability, regenerates on demand, and reads well
on a projector (1280 wide) and on a phone (390 wide)."""

from tests.helpers import PHONE, assert_no_streamlit_error, screenshot, wait_for_app_idle

WHOLE_PAGE_DESKTOP = {"width": 1280, "height": 6500}  # Streamlit scrolls an inner box: a tall window shows it all
WHOLE_PAGE_PHONE = {"width": PHONE["width"], "height": 11000}
COLOURED_TOKEN = '[data-testid="stMain"] span[title^="p = "]'


def test_gpt_page_generates_coloured_text_and_regenerates_from_a_new_prompt(browser_page, app_url):
    page = browser_page
    page.goto(f"{app_url}/gpt")
    wait_for_app_idle(page, timeout=240)
    assert_no_streamlit_error(page)
    assert page.locator(COLOURED_TOKEN).count() > 5, "no generated tokens shown"
    main = page.locator('[data-testid="stMain"]')
    assert "ROMEO:" in main.inner_text()
    for section in (
        "Inside one step",
        "Entropy per step",
        "Temperature explorer",
        "Attention over the text",
        "Logit lens",
        "The code",
    ):
        assert section in main.inner_text(), f"missing section {section}"

    prompt = page.get_by_label("Prompt")
    prompt.fill("JULIET:")
    prompt.press("Control+Enter")
    wait_for_app_idle(page, timeout=240)
    page.get_by_role("button", name="Generate").click()
    wait_for_app_idle(page, timeout=240)
    assert_no_streamlit_error(page)
    coloured = page.locator('[data-testid="stMain"] [data-testid="stHtml"]').filter(
        has=page.locator('span[title^="p = "]')
    )
    assert coloured.first.inner_text().startswith("JULIET:")
    assert "prompt=JULIET" in page.url  # the prompt lives in the URL
    page.set_viewport_size(WHOLE_PAGE_DESKTOP)
    wait_for_app_idle(page, timeout=240)
    screenshot(page, "gpt-desktop")

    page.set_viewport_size(WHOLE_PAGE_PHONE)
    wait_for_app_idle(page, timeout=240)
    assert_no_streamlit_error(page)
    assert page.locator(COLOURED_TOKEN).count() > 5
    screenshot(page, "gpt-phone")


def test_gpt_page_sampling_from_a_link(browser_page, app_url):
    page = browser_page
    page.goto(f"{app_url}/gpt?method=sampling&temperature=1.3&top_k=40&top_p=0.9&seed=3&max_new=40&n=2")
    wait_for_app_idle(page, timeout=240)
    assert_no_streamlit_error(page)
    boxes = page.locator('[data-testid="stMain"] [data-testid="stHtml"]').filter(
        has=page.locator('span[title^="p = "]')
    )
    assert boxes.count() == 2  # two sampled sequences
    screenshot(page, "gpt-sampling-desktop")
