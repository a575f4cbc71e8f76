"""Text to BERT input ids, with the facts a learner should be told: truncation, unknown characters, special tokens.

BERT's position embeddings stop at `max_position_embeddings` (512 for bert-base), so longer text is cut; WordPiece
turns characters it has never seen (emoji, most CJK in an English vocabulary) into [UNK].
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EncodedText:
    input_ids: list[int]
    tokens: list[str]  # WordPiece strings, [CLS]/[SEP] included
    special_tokens_mask: list[int]  # 1 on [CLS]/[SEP]
    token_type_ids: list[int]
    n_tokens_before_cut: int  # how many tokens the whole text has, specials included
    max_tokens: int
    spans: list[tuple[int, int]] = field(default_factory=list)  # each token's characters in the text, if known

    @property
    def truncated(self) -> bool:
        return self.n_tokens_before_cut > len(self.input_ids)

    def unknown_positions(self, unk_token: str | None) -> list[int]:
        return [i for i, token in enumerate(self.tokens) if unk_token is not None and token == unk_token]

    def unknown_words(self, text: str, unk_token: str | None) -> list[str]:
        """What the learner wrote where the model sees [UNK], each once, in order (empty without the spans)."""
        spans = [self.spans[i] for i in self.unknown_positions(unk_token) if i < len(self.spans)]
        return list(dict.fromkeys(text[start:end] for start, end in spans if end > start))


def max_input_tokens(model, tokenizer, hard_cap: int = 512) -> int:
    """The longest input this model accepts: its position table, the tokenizer's limit and 512, whichever is least."""
    limits = [hard_cap, getattr(model.config, "max_position_embeddings", hard_cap)]
    tokenizer_limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(tokenizer_limit, int) and 0 < tokenizer_limit < 10**6:
        limits.append(tokenizer_limit)
    return min(limits)


def encode(tokenizer, text: str, max_tokens: int, text_pair: str | None = None) -> EncodedText:
    """Tokenize (a pair if `text_pair`), cutting to `max_tokens` and remembering how long it was before the cut."""
    full = tokenizer(text, text_pair, add_special_tokens=True, truncation=False, verbose=False)
    cut = tokenizer(
        text,
        text_pair,
        add_special_tokens=True,
        truncation=True,
        max_length=max_tokens,
        return_special_tokens_mask=True,
        return_token_type_ids=True,
        return_offsets_mapping=bool(getattr(tokenizer, "is_fast", False)),  # only fast tokenizers know them
    )
    ids = list(cut["input_ids"])
    return EncodedText(
        input_ids=ids,
        tokens=tokenizer.convert_ids_to_tokens(ids),
        special_tokens_mask=list(cut["special_tokens_mask"]),
        token_type_ids=list(cut.get("token_type_ids") or [0] * len(ids)),
        n_tokens_before_cut=len(full["input_ids"]),
        max_tokens=max_tokens,
        spans=[tuple(span) for span in cut.get("offset_mapping") or []],
    )
