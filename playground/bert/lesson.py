"""The BERT page's first two sections as calls: the learner's text read, masked and filled in; and the tally of
the guess-the-word game. The other sections are one call each, to `next_sentence` and `classification`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playground.bert import figures, text
from playground.bert.code_panel import fill_mask_code
from playground.bert.encode import EncodedText, encode
from playground.bert.fill_mask import FillMaskResult, fill_mask
from playground.bert.masking import (
    MASKED,
    RANDOM,
    UNCHANGED,
    MaskDecision,
    mask_chosen,
    maskable_positions,
    pretraining_mask,
)
from playground.bert.quiz import QuizLine, is_right
from playground.models import LoadedModel

DEFAULT_TEXT = "O Romeo, Romeo! wherefore art thou Romeo? Deny thy father and refuse thy name."
DEFAULT_MASKED_WORDS = ("thou", "father")


@dataclass
class Reading:
    """The learner's text as BERT reads it, and what to tell the learner about that."""

    typed: str
    encoded: EncodedText
    maskable: list[int]  # every position but [CLS] and [SEP]
    messages: list[tuple[str, str]] = field(default_factory=list)  # (kind, text): what to tell the learner


@dataclass
class Filling:
    decisions: list[MaskDecision]
    result: FillMaskResult
    messages: list[tuple[str, str]]  # (kind, text)
    picked: str  # what was done to the picked tokens, and the loss of a uniform guess
    code: str


def read(loaded: LoadedModel, typed: str, limit: int) -> Reading:
    enc = encode(loaded.tokenizer, typed, limit)
    reading = Reading(typed, enc, maskable_positions(enc.special_tokens_mask))
    if not reading.maskable:
        reading.messages.append(("info", text.NOTHING_TO_MASK))
    if enc.truncated:
        reading.messages.append(("warning", text.truncated(enc.n_tokens_before_cut, limit)))
    if unknown := enc.unknown_positions(loaded.tokenizer.unk_token):
        reading.messages.append(("info", text.unknown(len(unknown), loaded.tokenizer.unk_token)))
    return reading


def default_masked(loaded: LoadedModel, limit: int) -> list[int]:
    """The default sentence's positions of the words the page masks first."""
    tokens = encode(loaded.tokenizer, DEFAULT_TEXT, limit).tokens
    return [i for i, token in enumerate(tokens) if token in DEFAULT_MASKED_WORDS]


def rule_positions(loaded: LoadedModel, reading: Reading, seed: int) -> list[int]:
    """The positions BERT's pretraining rule picks in this text with this seed."""
    return [d.position for d in by_the_rule(loaded, reading.encoded, seed)]


def by_the_rule(loaded: LoadedModel, enc: EncodedText, seed: int) -> list[MaskDecision]:
    """BERT's pretraining rule on this text; special tokens are never the "random token"."""
    tok = loaded.tokenizer
    return pretraining_mask(
        enc.input_ids, enc.special_tokens_mask, tok.mask_token_id, len(tok), seed, never_random_ids=tok.all_special_ids
    )


def fill(loaded: LoadedModel, reading: Reading, chosen: list[int], rule: bool, seed: int, top_k: int) -> Filling:
    """BERT's guesses at the clicked tokens, or at those the pretraining rule picked (when `rule` and any are)."""
    tok, enc, limit = loaded.tokenizer, reading.encoded, reading.encoded.max_tokens
    rule = rule and bool(chosen)
    decisions = by_the_rule(loaded, enc, seed) if rule else mask_chosen(enc.input_ids, chosen, tok.mask_token_id)
    result = fill_mask(loaded.model, tok, enc.input_ids, decisions, token_type_ids=enc.token_type_ids, top_k=top_k)
    every = bool(decisions) and len(decisions) == len(reading.maskable) and not rule
    counts = figures.action_counts(result)
    code = fill_mask_code(
        loaded.code_ref, loaded.has_nsp, reading.typed, limit, decisions, top_k, seed if rule else None
    )
    return Filling(
        decisions,
        result,
        [("info", text.NOTHING_MASKED)] if not decisions else [("warning", text.EVERY_TOKEN_MASKED)] if every else [],
        text.picked(len(decisions), counts, len(tok), MASKED, RANDOM, UNCHANGED),
        code,
    )


def plain_guess(guess: str) -> str:
    """The learner's guess as plain text inside the page's markdown: letters, apostrophes, hyphens and spaces."""
    return re.sub(r"[^\w' -]", "", guess).strip()


@dataclass(frozen=True)
class Round:
    guess: str  # the guess that counted: the one made before the reveal
    you: bool
    bert: bool


@dataclass
class Tally:
    """You against BERT: one round per line revealed. A line counts once, with the guess made before its reveal,
    so guessing again after seeing the answer changes nothing."""

    rounds: dict[int, Round] = field(default_factory=dict)

    def count(self, line: QuizLine, guess: str, bert_top1: str) -> Round:
        if line.number not in self.rounds:
            guess = plain_guess(guess)
            self.rounds[line.number] = Round(guess, is_right(guess, line.answer), is_right(bert_top1, line.answer))
        return self.rounds[line.number]

    def revealed(self, line: QuizLine) -> bool:
        return line.number in self.rounds

    @property
    def you(self) -> str:
        return f"{sum(r.you for r in self.rounds.values())} of {len(self.rounds)}"

    @property
    def bert(self) -> str:
        return f"{sum(r.bert for r in self.rounds.values())} of {len(self.rounds)}"
