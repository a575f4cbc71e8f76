"""A teacher's link opens the page it names, inside the app's own navigation, even as a fresh server's first visit."""

import pytest

from tests.conftest import serve_app
from tests.helpers import wait_for_app_idle


def test_a_deep_link_as_the_first_request_gets_the_grouped_navigation_and_keeps_its_settings(browser_page):
    with serve_app("streamlit-deep-link.log") as url:
        browser_page.goto(f"{url}/tensors?preset=3D")
        wait_for_app_idle(browser_page, timeout=300)
        sidebar = browser_page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "GPT-2 anatomy" in sidebar and "Basics" in sidebar, sidebar
        assert "gpt2 config" not in sidebar
        assert "preset=3D" in browser_page.url
        assert "Tensors" in browser_page.locator("h1").first.inner_text()


# The paths of the links teachers have already shared: a page may move or be renamed, its link may not.
SHARED_LINKS = {
    "tensors": "Tensors",
    "autograd": "Autograd",
    "gpt2_config": "GPT-2 anatomy",
    "tokenization": "Tokenizers",
    "bert": "BERT",
    "gpt": "GPT generation",
    "training": "Distributed training",
}


@pytest.mark.parametrize("path, title", SHARED_LINKS.items(), ids=SHARED_LINKS)
def test_a_link_shared_before_still_opens_its_page(browser_page, app_url, path, title):
    browser_page.goto(f"{app_url}/{path}")
    wait_for_app_idle(browser_page, timeout=180)
    assert title in browser_page.locator("h1").first.inner_text()
