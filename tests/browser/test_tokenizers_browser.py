"""The Tokenizers page in a real Chromium, on a projector and on a phone: chips drawn, no error, screenshots."""

from urllib.parse import quote

import pytest

from tests.helpers import assert_no_streamlit_error, open_at, screenshot

DESKTOP_TALL = {"width": 1280, "height": 2600}
PHONE_TALL = {"width": 390, "height": 5200}
TEXT = "ROMEO: But soft, what light through yonder window breaks? Unfamiliar 🙂 東京"


@pytest.mark.parametrize("name, viewport", [("desktop", DESKTOP_TALL), ("phone", PHONE_TALL)])
def test_tokens_of_both_tokenizers_are_drawn(browser_page, app_url, name, viewport):
    page = browser_page
    open_at(page, f"{app_url}/tokenization?text={quote(TEXT)}", viewport)
    assert_no_streamlit_error(page)
    main = page.locator('[data-testid="stMain"]')
    text = main.inner_text()
    assert "byte-level BPE" in text and "WordPiece" in text
    assert "Ġsoft" in text  # GPT's leading-space marker
    assert "[CLS]" in text and "[SEP]" in text and "[UNK]" in text  # BERT's specials, the emoji/kanji lost
    # the chips are on screen, not squeezed to nothing: the first one has a readable size
    chip = page.get_by_title("token 0:", exact=False).first
    box = chip.bounding_box()
    assert box and box["width"] > 20 and box["height"] > 20
    screenshot(page, f"tokenizers-{name}")
