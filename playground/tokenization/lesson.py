"""The Tokenizers page in one call: the text and the two tokenizers in, everything the page shows out."""

from __future__ import annotations

from dataclasses import dataclass, field

from playground.models import LoadedTokenizer
from playground.tokenization import text
from playground.tokenization.code_panel import tokenization_code
from playground.tokenization.tokens import Tokenized, check_text, tokenize


@dataclass
class Side:
    """One tokenizer's reading of the text, and what a learner should be told about it."""

    result: Tokenized
    messages: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)


@dataclass
class TokenizationLesson:
    text: str  # what was tokenized: the typed text, cut to the cap
    too_long: str | None  # the message when it was cut
    sides: list[Side]
    code: str


def read(loaded: LoadedTokenizer, typed: str) -> Side:
    tok = loaded.tokenizer
    side = Side(tokenize(tok, typed, loaded.name))
    if side.result.n_unknown:
        side.messages.append(("warning", text.UNKNOWN.format(n=side.result.n_unknown, unk=tok.unk_token)))
    non_ascii = sum(ord(ch) > 127 for ch in typed)
    if non_ascii and side.result.algorithm == "byte-level BPE":
        n_bytes = len(typed.encode("utf-8")) - (len(typed) - non_ascii)
        side.messages.append(("info", text.BYTES.format(chars=non_ascii, n_bytes=n_bytes)))
    return side


def run(typed: str, tokenizers: list[LoadedTokenizer]) -> TokenizationLesson:
    kept, too_long = check_text(typed)
    sides = [read(loaded, kept) for loaded in tokenizers] if kept.strip() else []
    return TokenizationLesson(kept, too_long, sides, tokenization_code(kept, [t.code_ref for t in tokenizers]))
