"""The Tokenizers page in one call: the text and the two tokenizers in, everything the page shows out."""

from __future__ import annotations

from dataclasses import dataclass, field

from playground.models import LoadedTokenizer
from playground.tokenization.code_panel import tokenization_code
from playground.tokenization.tokens import Tokenized, check_text, tokenize

INTRO = (
    "A language model never sees letters. A **tokenizer** cuts the text into pieces from a fixed vocabulary and "
    "hands the model their **ids**, one number per piece. GPT-2 uses **byte-level BPE**: it works on bytes, so it can "
    "encode anything, and a space belongs to the next word, shown as `Ġ` (a newline is `Ċ`). BERT uses "
    "**WordPiece**: it splits at spaces and punctuation first; a piece *inside* a word starts with `##`, and a word "
    "it has no pieces for becomes `[UNK]`. Both vocabularies were learned from text: frequent words are one token, "
    "rare words are cut into several."
)
DEFAULT_TEXT = "ROMEO: But soft, what light through yonder window breaks?\nTokenizers dislike unfamiliar words."
EXAMPLES = {
    "Shakespeare": DEFAULT_TEXT,
    "emoji, Greek, Japanese": "Hello 🙂 λόγος 東京",
    "numbers and code": "x = 12345 + 678; print(x)",
    "a long made-up word": "Antidisestablishmentarianism is unbelievably long.",
}


@dataclass
class Side:
    """One tokenizer's reading of the text, and what a learner should be told about it."""

    result: Tokenized
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class TokenizationLesson:
    text: str  # what was tokenized: the typed text, cut to the cap
    too_long: str | None  # the message when it was cut
    sides: list[Side]
    code: str


def read(loaded: LoadedTokenizer, text: str) -> Side:
    tok = loaded.tokenizer
    side = Side(tokenize(tok, text, loaded.name))
    if side.result.n_unknown:
        side.warnings.append(
            f"{side.result.n_unknown} piece(s) became `{tok.unk_token}`: this vocabulary has no pieces for them, so "
            "the model cannot tell what was written there."
        )
    non_ascii = sum(ord(ch) > 127 for ch in text)
    if non_ascii and side.result.algorithm == "byte-level BPE":
        n_bytes = len(text.encode("utf-8")) - (len(text) - non_ascii)
        side.notes.append(
            f"{non_ascii} non-ASCII character(s) take {n_bytes} UTF-8 bytes; byte-level BPE encodes them byte by byte "
            "when it has no merged piece, so nothing is ever unknown. Pieces like `ð` or `Ł` are such bytes, written "
            "in GPT-2's printable byte alphabet."
        )
    return side


def run(typed: str, tokenizers: list[LoadedTokenizer]) -> TokenizationLesson:
    text, too_long = check_text(typed)
    sides = [read(loaded, text) for loaded in tokenizers] if text.strip() else []
    return TokenizationLesson(text, too_long, sides, tokenization_code(text, [t.code_ref for t in tokenizers]))
