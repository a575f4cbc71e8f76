"""The home page introduces the playground and says what it runs on."""

import torch
import transformers
from streamlit.testing.v1 import AppTest

from app import PAGES, ROOT


def test_home_shows_a_card_for_each_page_that_exists_and_the_runtime():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert torch.__version__ in text and transformers.__version__ in text
    assert "CPU" in text or "CUDA" in text
    present = [title for group in PAGES.values() for path, title, *_ in group if (ROOT / path).exists()]
    assert len(at.get("page_link")) == len(present)


def test_missing_pages_are_left_out_of_the_navigation():
    from app import available_pages

    listed = {path for _, path, *_ in available_pages()}
    for group in PAGES.values():
        for path, *_ in group:
            assert (path in listed) == (ROOT / path).exists()
