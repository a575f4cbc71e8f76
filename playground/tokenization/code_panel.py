""" "The code" of the Tokenizers page: `panels/text_to_ids.py` with the page's text and tokenizers."""

from __future__ import annotations

from pathlib import Path

from playground.code_panels import render

TEMPLATE = Path(__file__).with_name("panels") / "text_to_ids.py"


def tokenization_code(text: str, tokenizer_refs: list[str]) -> str:
    """tokenizer_refs: folders or hub ids, as the learner would pass them to AutoTokenizer.from_pretrained. The
    text goes in as a string literal, so whatever the learner typed stays data."""
    return render(TEMPLATE, {"text": text, "tokenizers": list(tokenizer_refs)})
