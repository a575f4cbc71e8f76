"""Held-out figures for a BERT pretrained on masked-LM + next-sentence prediction.

Two views of the masked-LM head: the loss/accuracy on the training objective itself (15% corrupted by the 80/10/10
rule, fixed seed so every evaluation sees the same corruption), and a learner's view: hide one ordinary word in a
line and ask for the top prediction. The second is what the BERT page shows, so the model card reports it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import torch

from playground.bert.fill_mask import accepts_token_type_ids, masked_lm_logits
from playground.pretraining.mlm_masking import IGNORE_INDEX, mask_tokens
from playground.pretraining.nsp_pairs import collate_pairs, sample_nsp_pair


@dataclass
class MlmNspResult:
    mlm_loss: float
    mlm_accuracy: float
    nsp_accuracy: float

    def __lt__(self, other):  # lets a training loop keep "the best" by masked-LM loss
        return self.mlm_loss < (other.mlm_loss if isinstance(other, MlmNspResult) else other)

    def __str__(self):
        return f"MLM loss {self.mlm_loss:.4f}, MLM top-1 {self.mlm_accuracy:.3f}, NSP acc {self.nsp_accuracy:.3f}"


@torch.no_grad()
def mlm_nsp_heldout(
    model,
    tokenizer,
    lines: list[list[int]],
    max_pair_tokens: int,
    n_pairs: int = 1000,
    batch_size: int = 50,
    seed: int = 0,
) -> MlmNspResult:
    rng, gen = random.Random(seed), torch.Generator().manual_seed(seed)
    model.eval()
    nll = correct = chosen = nsp_right = 0.0
    for start in range(0, n_pairs, batch_size):
        pairs = [sample_nsp_pair(lines, max_pair_tokens, rng) for _ in range(min(batch_size, n_pairs - start))]
        batch = collate_pairs(pairs, tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id)
        inputs, labels = mask_tokens(
            batch["input_ids"], batch["special_tokens_mask"], tokenizer.mask_token_id, len(tokenizer), generator=gen
        )
        out = model(input_ids=inputs, token_type_ids=batch["token_type_ids"], attention_mask=batch["attention_mask"])
        logits = out.prediction_logits.float()
        sel = labels != IGNORE_INDEX
        nll += torch.nn.functional.cross_entropy(logits[sel], labels[sel], reduction="sum").item()
        correct += (logits[sel].argmax(-1) == labels[sel]).sum().item()
        chosen += sel.sum().item()
        nsp_right += (out.seq_relationship_logits.argmax(-1) == batch["next_sentence_label"]).sum().item()
    return MlmNspResult(nll / chosen, correct / chosen, nsp_right / n_pairs)


@dataclass
class MaskedWord:
    masked: str  # the line with the word replaced by the mask token
    truth: str
    top5: list[str]  # the model's five most likely tokens, best first

    @property
    def top1(self) -> str:
        return self.top5[0]

    @property
    def right(self) -> bool:
        return self.top1 == self.truth

    @property
    def in_top5(self) -> bool:
        return self.truth in self.top5


@dataclass
class MaskedWordResult:
    """The model's guesses for some masked words; every figure is counted from them, so none can disagree."""

    examples: list[MaskedWord] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.examples)

    @property
    def right(self) -> int:
        """How many first guesses are the word."""
        return [e.right for e in self.examples].count(True)

    @property
    def in_top5(self) -> int:
        """How many words are among the five guesses the BERT page lists."""
        return [e.in_top5 for e in self.examples].count(True)

    @property
    def accuracy(self) -> float:
        return self.right / max(1, self.n)

    @property
    def top5_accuracy(self) -> float:
        return self.in_top5 / max(1, self.n)


def ordinary_word_pattern(min_letters: int = 3) -> str:
    """A whole word written in lower case (so not a speaker name, a name or a sentence start). A letter run touching
    an apostrophe is a fragment, not a word: the `d` of call'd, the `tis` of 'tis."""
    return rf"(?<![\w'’])[a-z]{{{min_letters},}}(?![\w'’])"


def ordinary_words(line: str, vocab, min_letters: int = 3) -> list[re.Match]:
    """The ordinary words of a line (see `ordinary_word_pattern`) that are one WordPiece token."""
    return [m for m in re.finditer(ordinary_word_pattern(min_letters), line) if m.group() in vocab]


def masked_word_items(
    tokenizer, lines: list[str], n_lines: int = 500, seed: int = 0, min_letters: int = 3
) -> list[tuple[str, str]]:
    """One ordinary word per line (see `ordinary_words`) hidden behind the mask token: (masked line, the word)."""
    rng = random.Random(seed)
    vocab = tokenizer.get_vocab()
    items = []
    for line in lines:
        words = ordinary_words(line, vocab, min_letters)
        if not words:
            continue
        m = rng.choice(words)
        items.append((line[: m.start()] + tokenizer.mask_token + line[m.end() :], m.group()))
        if len(items) >= n_lines:
            break
    return items


@torch.no_grad()
def predict_masked_words(model, tokenizer, items: list[tuple[str, str]], batch_size: int = 50) -> MaskedWordResult:
    """The model's five best tokens for each (masked line, word); any BERT-like masked LM, as the BERT page loads it."""
    model.eval()
    examples = []
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        enc = tokenizer([masked for masked, _ in chunk], return_tensors="pt", padding=True)
        if not accepts_token_type_ids(model):
            enc.pop("token_type_ids", None)
        logits = masked_lm_logits(model(**enc))
        for row, (masked, truth) in enumerate(chunk):
            pos = (enc["input_ids"][row] == tokenizer.mask_token_id).nonzero()[0, 0]
            top5 = tokenizer.convert_ids_to_tokens(logits[row, pos].topk(5).indices.tolist())
            examples.append(MaskedWord(masked, truth, top5))
    return MaskedWordResult(examples)


def masked_word_predictions(
    model, tokenizer, lines: list[str], n_lines: int = 500, seed: int = 0, batch_size: int = 50, min_letters: int = 3
) -> MaskedWordResult:
    """Mask one ordinary word per line (see `masked_word_items`) and report how often the model's guess is right."""
    return predict_masked_words(
        model, tokenizer, masked_word_items(tokenizer, lines, n_lines, seed, min_letters), batch_size
    )


@dataclass
class FrequencyBand(MaskedWordResult):
    label: str = ""  # how often the training text has the word, e.g. "100 times or more"


def by_training_frequency(result: MaskedWordResult, word_counts) -> list[FrequencyBand]:
    """Split the figures by how often the model read each word: a model knows the words it saw many times."""
    bands = {
        "100 times or more": lambda c: c >= 100,
        "10 to 99 times": lambda c: 10 <= c < 100,
        "fewer than 10 times": lambda c: c < 10,
    }
    return [
        FrequencyBand([e for e in result.examples if holds(word_counts.get(e.truth, 0))], label)
        for label, holds in bands.items()
    ]
