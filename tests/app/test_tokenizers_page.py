"""The Tokenizers page as a learner uses it: type text, read the counts, try hard text, share a link."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.models import load_tokenizer
from playground.tokenization.tokens import MAX_CHARS, tokenize

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "tokenization.py")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def run(typed=None, **link):
    """Open the page (with query params `link`), then type `typed` into the text box if given."""
    at = AppTest.from_file(PAGE, default_timeout=90)
    for name, value in link.items():
        at.query_params[name] = value
    at.run()
    if typed is not None:
        at.text_area[0].set_value(typed).run()
    assert not at.exception, at.exception
    return at


def metrics(at):
    return [(m.label, m.value) for m in at.metric]


def expected_metrics(text):
    rows = []
    for kind in ("gpt", "bert"):
        result = tokenize(load_tokenizer(kind).tokenizer, text)
        rows += [
            ("characters", str(len(text))),
            ("tokens", str(result.n_tokens)),
            ("chars / token", f"{result.chars_per_token:.2f}"),
        ]
    return rows


def test_default_text_shows_both_tokenizers_with_their_counts():
    at = run()
    text = at.text_area[0].value
    assert text.startswith("ROMEO:")
    assert metrics(at) == expected_metrics(text)
    assert [h.value for h in at.subheader] == ["byte-level BPE", "WordPiece"]
    assert not at.error and not at.warning


def test_typed_text_is_tokenized_and_goes_into_the_link():
    at = run("Wherefore art thou Romeo?")
    assert metrics(at) == expected_metrics("Wherefore art thou Romeo?")
    assert at.query_params["text"] == "Wherefore art thou Romeo?"
    assert "Wherefore art thou Romeo?" in at.code[-1].value  # the code panel uses the same text


def test_text_from_the_link():
    at = run(text="Good morrow, cousin.")
    assert at.text_area[0].value == "Good morrow, cousin."
    assert metrics(at) == expected_metrics("Good morrow, cousin.")


def test_emoji_greek_and_japanese_are_handled_and_explained():
    text = "Hello 🙂 λόγος 東京"
    at = run(text)
    assert metrics(at) == expected_metrics(text)
    assert any("[UNK]" in w.value for w in at.warning)  # WordPiece lost them
    assert any("byte-level BPE encodes them byte by byte" in i.value for i in at.info)


def test_long_text_is_capped_with_a_message():
    at = run("to be or not " * 400)
    assert any(f"only the first {MAX_CHARS:,}" in w.value for w in at.warning)
    assert metrics(at)[0] == ("characters", str(MAX_CHARS))


def test_empty_text_asks_for_text():
    at = run("")
    assert any("Type some text" in i.value for i in at.info)
    assert not at.metric


def test_bad_link_value_falls_back_with_a_warning():
    at = run(gpt="not-a-tokenizer")
    assert any("gpt=not-a-tokenizer" in w.value for w in at.warning)
    assert at.selectbox(key="tokenizers.gpt").value == "bundled"


def test_unreachable_hub_tokenizer_says_so_and_keeps_the_bundled_one():
    at = run()
    at.selectbox(key="tokenizers.bert").set_value("bert-base-uncased").run()
    assert not at.exception
    assert any("bert-base-uncased" in e.value for e in at.error)
    assert any("bundled tokenizer instead" in w.value for w in at.warning)
    assert len(at.metric) == 6
