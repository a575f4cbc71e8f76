"""Guess the hidden word: the learner and BERT each guess one word hidden in a line neither has seen.

The lines are the held-out sentences shipped for next-sentence prediction (assets/bert/sentences.txt, from the last
10% of the corpus, which the bundled BERT never trained on), so BERT's score here is what the model learned, not
what it memorised. The hidden word is picked by the model card's own routine (`playground.bert.held_out.
masked_word_items`): an ordinary word, one per line. The card runs it over every held-out *line* of the plays, the
quiz over these *sentences*; whole sentences give BERT a little more context, so it scores a few points higher here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from playground.bert.encode import encode
from playground.bert.fill_mask import FillMaskResult, fill_mask
from playground.bert.held_out import MaskedWordResult, masked_word_items, predict_masked_words
from playground.bert.masking import MaskDecision, mask_chosen
from playground.bert.next_sentence import corpus_sentences

TOP_K = 5  # BERT's guesses shown after a reveal: the five the card's "in the top five" counts
MAX_SCORED_LINES = 400  # all the quiz has (396 lines): about a second for the bundled BERT, a few on bert-base


@dataclass(frozen=True)
class QuizLine:
    number: int  # which round: the same number always gives the same line and word, so a link can share it
    masked: str
    answer: str


@lru_cache(maxsize=8)  # per tokenizer object: models are cached once per process, so their tokenizers are too
def rounds_from(sentences: tuple[str, ...], tokenizer, max_tokens: int = 512) -> tuple[QuizLine, ...]:
    """Every round in order: the sentences in a fixed shuffle (so consecutive rounds come from different scenes),
    each with one ordinary word masked. Sentences with no such word for this tokenizer, or longer than `max_tokens`
    tokens for this model, are left out: no hidden word is ever cut off."""
    sentences = list(sentences)
    random.Random(0).shuffle(sentences)
    items = masked_word_items(tokenizer, sentences, n_lines=len(sentences), seed=0)
    if not items:
        return ()
    lengths = [len(ids) for ids in tokenizer([masked for masked, _ in items], verbose=False)["input_ids"]]
    fitting = [item for item, length in zip(items, lengths, strict=True) if length <= max_tokens]
    return tuple(QuizLine(number, masked, answer) for number, (masked, answer) in enumerate(fitting))


def quiz_lines(tokenizer, max_tokens: int = 512, sentences: tuple[str, ...] | None = None) -> tuple[QuizLine, ...]:
    """The quiz's rounds, from the held-out sentences the project ships unless `sentences` are given."""
    return rounds_from(sentences or corpus_sentences(), tokenizer, max_tokens)


def quiz_line(tokenizer, number: int, max_tokens: int = 512, sentences: tuple[str, ...] | None = None) -> QuizLine:
    """Round `number` (any int ≥ 0; after the last line it starts again from the first)."""
    lines = quiz_lines(tokenizer, max_tokens, sentences)
    if not lines:
        raise ValueError(
            "none of the held-out sentences has an ordinary word this tokenizer keeps whole, in a "
            "sentence short enough for the model"
        )
    return lines[number % len(lines)]  # its own number: a link past the last line wraps round to the first


def is_right(guess: str, answer: str) -> bool:
    """A guess counts when it is the word, whatever its case or surrounding spaces."""
    return guess.strip().lower() == answer.lower()


@dataclass
class Reveal:
    text: str  # the line with its word back in place
    decisions: list[MaskDecision]  # the one masked position, for "the code"
    result: FillMaskResult

    @property
    def bert_top1(self) -> str:
        return self.result.predictions[0].top[0].token


def reveal(model, tokenizer, line: QuizLine, max_tokens: int) -> Reveal:
    """BERT's guesses for the hidden word, through the very fill-mask path of the page's first section, so the
    probabilities, the bars and "the code" are the ones a learner gets by clicking that word up there."""
    enc = encode(tokenizer, line.masked, max_tokens)
    position = enc.input_ids.index(tokenizer.mask_token_id)
    ids = list(enc.input_ids)
    ids[position] = tokenizer.convert_tokens_to_ids(line.answer)  # the answer is one token: the line's own ids
    decisions = mask_chosen(ids, [position], tokenizer.mask_token_id)
    result = fill_mask(model, tokenizer, ids, decisions, token_type_ids=enc.token_type_ids, top_k=TOP_K)
    return Reveal(line.masked.replace(tokenizer.mask_token, line.answer, 1), decisions, result)


def score_on_held_out_lines(
    model, tokenizer, n_lines: int, max_tokens: int = 512, sentences: tuple[str, ...] | None = None
) -> MaskedWordResult:
    """BERT alone on the quiz's first `n_lines` rounds: how often its top guess (and its top five) hold the word."""
    lines = quiz_lines(tokenizer, max_tokens, sentences)[: max(1, min(n_lines, MAX_SCORED_LINES))]
    return predict_masked_words(model, tokenizer, [(q.masked, q.answer) for q in lines])


def scored_table(result: MaskedWordResult) -> list[dict]:
    """One row per line: what was hidden, BERT's first guess and whether the word is among its five."""
    return [
        {"line": e.masked, "word": e.truth, "BERT's first guess": e.top1, "right": e.right, "in its top 5": e.in_top5}
        for e in result.examples
    ]
