"""Every page in the navigation opens in a real browser, renders something, and shows no error."""

import re

import pytest

from app import PAGES, ROOT
from tests.helpers import PHONE, assert_no_streamlit_error, open_at, screenshot, wait_for_app_idle

REGISTERED = [(path, title) for group in PAGES.values() for path, title, *_ in group if (ROOT / path).exists()]


def test_home_page_lists_a_card_per_page_and_the_runtime(browser_page, app_url):
    browser_page.goto(app_url)
    wait_for_app_idle(browser_page)
    main = browser_page.locator('[data-testid="stMain"]')
    assert "LLM Playground" in main.inner_text()
    for _, title in REGISTERED:
        assert title in main.inner_text(), f"no card for {title}"
    assert re.search(r"torch \d+\.\d+", main.inner_text())
    assert_no_streamlit_error(browser_page)
    screenshot(browser_page, "home-desktop")
    open_at(browser_page, app_url, PHONE)
    assert_no_streamlit_error(browser_page)
    screenshot(browser_page, "home-phone")


@pytest.mark.parametrize("path,title", REGISTERED, ids=[title for _, title in REGISTERED])
def test_page_renders_without_errors_on_desktop_and_phone(browser_page, app_url, path, title):
    slug = path.removeprefix("pages/").removesuffix(".py")
    browser_page.goto(f"{app_url}/{slug}")
    wait_for_app_idle(browser_page, timeout=180)
    main = browser_page.locator('[data-testid="stMain"]')
    assert len(main.inner_text().strip()) > 200, f"{title} looks blank"
    assert_no_streamlit_error(browser_page)
    screenshot(browser_page, f"page-{slug}-desktop")
    open_at(browser_page, f"{app_url}/{slug}", PHONE)
    assert_no_streamlit_error(browser_page)
    screenshot(browser_page, f"page-{slug}-phone")


def test_navigation_lists_every_registered_page_in_its_group(browser_page, app_url):
    browser_page.goto(app_url)
    wait_for_app_idle(browser_page)
    sidebar = browser_page.locator('[data-testid="stSidebarNav"]').inner_text()
    for _, title in REGISTERED:
        assert title in sidebar
    for group, pages in PAGES.items():
        if any((ROOT / path).exists() for path, *_ in pages):
            assert group in sidebar
