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
    typed_masks,
)
from playground.bert.quiz import QuizLine, is_right
from playground.models import LoadedModel

# Chosen by measuring the bundled model: it gets all three blanks right (tests/unit/bert/test_defaults.py).
DEFAULT_TEXT = "O Romeo, Romeo! wherefore art thou Romeo? Deny thy father and refuse thy name."
DEFAULT_MASKED_WORDS = ("thou", "thy")
# Where the bundled model fails: it never read modern English, so the capital of France is beyond it.
MODERN_TEXT = "The capital of France is Paris."
MODERN_MASKED_WORDS = ("paris",)
LESSON_MASK = "[MASK]"  # how the lesson, and every tutorial, writes a blank


@dataclass
class Reading:
    """The learner's text as BERT reads it, and what to tell the learner about that."""

    typed: str
    encoded: EncodedText
    maskable: list[int]  # every position but [CLS], [SEP] and the masks typed in the text
    blanks: list[int]  # the mask tokens typed in the text: predicted, with no answer
    read_as: str  # the text the tokenizer was given: `typed` with [MASK] in this model's spelling
    messages: list[tuple[str, str]] = field(default_factory=list)  # (kind, text): what to tell the learner


@dataclass
class Filling:
    decisions: list[MaskDecision]
    result: FillMaskResult
    messages: list[tuple[str, str]]  # (kind, text)
    picked: str  # what was done to the picked tokens, and the loss of a uniform guess
    code: str


def in_model_spelling(tokenizer, typed: str) -> str:
    """The text with the lesson's [MASK] written as this model's own mask token (`<mask>` for some): the tokenizer
    only turns its own spelling into the mask token, and would read "[MASK]" as brackets and letters."""
    mask = tokenizer.mask_token
    return typed.replace(LESSON_MASK, mask) if mask and mask != LESSON_MASK else typed


def read(loaded: LoadedModel, typed: str, limit: int) -> Reading:
    tok = loaded.tokenizer
    read_as = in_model_spelling(tok, typed)
    enc = encode(tok, read_as, limit)
    blanks = [d.position for d in typed_masks(enc.input_ids, tok.mask_token_id)]
    maskable = [p for p in maskable_positions(enc.special_tokens_mask) if p not in blanks]
    reading = Reading(typed, enc, maskable, blanks, read_as)
    if not maskable and not blanks:
        reading.messages.append(("info", text.NOTHING_TO_MASK))
    if read_as != typed:
        reading.messages.append(("info", text.respelled(LESSON_MASK, tok.mask_token)))
    if enc.truncated:
        reading.messages.append(("warning", text.truncated(enc.n_tokens_before_cut, limit)))
    if unknown := enc.unknown_positions(tok.unk_token):
        words = enc.unknown_words(read_as, tok.unk_token)
        every = len(unknown) == len(maskable)
        reading.messages.append(("info", text.unknown(len(unknown), tok.unk_token, words, every, loaded.name)))
    return reading


def words_at(loaded: LoadedModel, sentence: str, words: tuple[str, ...], limit: int) -> list[int]:
    """The positions of `words` in `sentence` as this tokenizer splits it (a cased or byte-level vocabulary
    writes "Paris" or "Ġparis"); a word it splits into pieces is not found."""
    tokens = encode(loaded.tokenizer, sentence, limit).tokens
    return [i for i, token in enumerate(tokens) if token.lstrip("Ġ▁").lower() in words]


def default_masked(loaded: LoadedModel, linked: str | None, limit: int) -> list[int]:
    """The default sentence's positions of the words the page masks first; none in a link's own text (`linked`;
    None when the link gives no text, and the page opens on the default sentence)."""
    return words_at(loaded, DEFAULT_TEXT, DEFAULT_MASKED_WORDS, limit) if linked in (None, DEFAULT_TEXT) else []


def modern_example(loaded: LoadedModel, limit: int) -> dict:
    """The page's settings (by link name) for the button that shows where the small model fails: the modern
    sentence, its word masked by a click, the rule off."""
    return {"text": MODERN_TEXT, "masked": words_at(loaded, MODERN_TEXT, MODERN_MASKED_WORDS, limit), "rule": False}


def still_masked(loaded: LoadedModel, reading: Reading, masked: list[int], rule: bool, seed: int) -> list[int]:
    """The clicked positions that are still there to click, or the rule's pick when the rule is on: it picks again
    whenever the text or the seed changes."""
    chosen = rule_positions(loaded, reading, seed) if rule else masked
    return [p for p in chosen if p in reading.maskable]


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
    """BERT's guesses at the clicked tokens, or at those the pretraining rule picked (when `rule` and any are), and
    at every mask typed in the text."""
    tok, enc, limit = loaded.tokenizer, reading.encoded, reading.encoded.max_tokens
    rule = rule and bool(chosen)
    picked = by_the_rule(loaded, enc, seed) if rule else mask_chosen(enc.input_ids, chosen, tok.mask_token_id)
    decisions = sorted(picked + typed_masks(enc.input_ids, tok.mask_token_id), key=lambda d: d.position)
    result = fill_mask(loaded.model, tok, enc.input_ids, decisions, token_type_ids=enc.token_type_ids, top_k=top_k)
    every = bool(picked) and len(picked) == len(reading.maskable) and not rule
    counts = figures.action_counts(result)
    code = fill_mask_code(
        loaded.code_ref,
        loaded.has_nsp,
        reading.typed,
        limit,
        decisions,
        top_k,
        seed if rule else None,
        respelled=reading.read_as != reading.typed,
    )
    return Filling(
        decisions,
        result,
        [("info", text.NOTHING_MASKED)] if not decisions else [("warning", text.EVERY_TOKEN_MASKED)] if every else [],
        text.picked(len(picked), counts, len(tok), MASKED, RANDOM, UNCHANGED, len(reading.blanks)),
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
