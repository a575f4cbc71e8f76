"""Text -> tokens -> ids, as a model sees it, with every token tied back to the characters it came from.

A language model never reads letters: a tokenizer cuts the text into pieces from a fixed vocabulary and hands the
model their ids. GPT-2 uses byte-level BPE (Radford et al. 2019): it works on the UTF-8 bytes, so any text can be
encoded (an emoji becomes several byte tokens), and a space is glued to the front of the next word, shown as `Ġ`
(a newline as `Ċ`). BERT uses WordPiece (Devlin et al. 2018): it splits on spaces and punctuation first, a piece
inside a word starts with `##`, and a word it has no pieces for becomes `[UNK]`, losing the information.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_CHARS = 2000  # the page draws one chip per token; longer texts make a wall of chips and a slow page


@dataclass
class Token:
    piece: str  # the vocabulary entry, as the tokenizer writes it (e.g. "Ġthe", "##ing", "[CLS]")
    id: int
    special: bool  # added by the tokenizer ([CLS], [SEP], <|endoftext|>), not read from the text
    unknown: bool  # the unknown-token fallback: the characters it stands for are lost
    start: int  # character span in the input text (start == end for special tokens)
    end: int
    text: str  # the characters of the input this token covers
    raw_bytes: bytes | None = None  # byte-level BPE only: the UTF-8 bytes the piece stands for


@dataclass
class CharacterGroup:
    """Tokens that split characters between them: byte-level BPE cuts a character's UTF-8 bytes into pieces when no
    merged piece holds them all, and each such piece alone is no character at all."""

    first: int  # token indices, inclusive
    last: int
    text: str  # the whole characters the pieces make together

    @property
    def n_bytes(self) -> int:
        return len(self.text.encode("utf-8"))


@dataclass
class Tokenized:
    tokenizer_name: str
    algorithm: str  # "byte-level BPE" | "WordPiece" | the tokenizer's model type
    text: str
    tokens: list[Token] = field(default_factory=list)
    vocab_size: int = 0

    @property
    def ids(self) -> list[int]:
        return [t.id for t in self.tokens]

    @property
    def n_tokens(self) -> int:
        return len(self.tokens)

    @property
    def n_special(self) -> int:
        return sum(t.special for t in self.tokens)

    @property
    def n_unknown(self) -> int:
        return sum(t.unknown for t in self.tokens)

    @property
    def chars_per_token(self) -> float:
        """Characters of text per token read from it (special tokens don't count): how much the vocabulary
        compresses this text; English in GPT-2's own vocabulary is about 4."""
        read = self.n_tokens - self.n_special
        return len(self.text) / read if read else 0.0

    def character_groups(self) -> list[CharacterGroup]:
        """Runs of two or more tokens whose character spans overlap: the tokenizer's offsets give every byte piece
        the span of the whole character it is part of, so pieces of one character share a span."""
        groups, start, end = [], None, -1
        for i, t in enumerate(self.tokens + [Token("", -1, True, False, -1, -1, "")]):
            if start is not None and t.end > t.start and t.start < end:
                end = max(end, t.end)
                continue
            if start is not None and i - 1 > start:
                groups.append(CharacterGroup(start, i - 1, self.text[self.tokens[start].start : end]))
            start, end = (i, t.end) if t.end > t.start else (None, -1)
        return groups


def check_text(text: str, max_chars: int = MAX_CHARS) -> tuple[str, str | None]:
    """(text to tokenize, message or None): long text is cut to `max_chars` with a message saying so."""
    if len(text) > max_chars:
        return text[:max_chars], (
            f"The text has {len(text):,} characters; only the first {max_chars:,} are tokenized here. "
            f"Shorten it to see all of it."
        )
    return text, None


def algorithm_of(tokenizer) -> str:
    backend = getattr(tokenizer, "backend_tokenizer", None) or getattr(tokenizer, "_tokenizer", None)
    if backend is None:
        return type(tokenizer).__name__
    model = type(backend.model).__name__
    byte_level = "ByteLevel" in str(backend.pre_tokenizer) or "ByteLevel" in str(backend.decoder)
    if model == "BPE" and byte_level:
        return "byte-level BPE"
    return model


def byte_decoder() -> dict[str, int]:
    """GPT-2's printable alphabet back to bytes: byte-level BPE writes byte 0xE6 as "æ", a space as "Ġ"."""
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    return {char: byte for byte, char in bytes_to_unicode().items()}


def tokenize(tokenizer, text: str, name: str = "") -> Tokenized:
    """Tokenize with the model's own special tokens ([CLS] ... [SEP] for BERT; none for GPT-2, whose
    <|endoftext|> only separates documents) and tie each token to its characters via the offset mapping."""
    enc = tokenizer(text, add_special_tokens=True, return_offsets_mapping=True, return_special_tokens_mask=True)
    ids = enc["input_ids"]
    pieces = tokenizer.convert_ids_to_tokens(ids)
    unk = tokenizer.unk_token_id
    # GPT-2 style tokenizers use one token as unk, bos and eos; in the text it can only come from the text itself
    unk_is_real = unk is not None and unk not in (tokenizer.eos_token_id, tokenizer.bos_token_id)
    algorithm = algorithm_of(tokenizer)
    to_byte = byte_decoder() if algorithm == "byte-level BPE" else None
    tokens = []
    for piece, token_id, (start, end), special in zip(
        pieces, ids, enc["offset_mapping"], enc["special_tokens_mask"], strict=True
    ):
        tokens.append(
            Token(
                piece=piece,
                id=int(token_id),
                special=bool(special),
                unknown=unk_is_real and token_id == unk and not special,
                start=int(start),
                end=int(end),
                text=text[start:end],
                raw_bytes=bytes(to_byte[c] for c in piece)
                if to_byte and not special and set(piece) <= to_byte.keys()
                else None,
            )
        )
    return Tokenized(name or getattr(tokenizer, "name_or_path", ""), algorithm, text, tokens, len(tokenizer))
