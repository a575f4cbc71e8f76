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

from playground.mlm_masking import IGNORE_INDEX, mask_tokens
from playground.nsp_pairs import collate_pairs, sample_nsp_pair


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
def mlm_nsp_heldout(model, tokenizer, lines: list[list[int]], max_pair_tokens: int, n_pairs: int = 1000,
                    batch_size: int = 50, seed: int = 0) -> MlmNspResult:
    rng, gen = random.Random(seed), torch.Generator().manual_seed(seed)
    model.eval()
    nll = correct = chosen = nsp_right = 0.0
    for start in range(0, n_pairs, batch_size):
        pairs = [sample_nsp_pair(lines, max_pair_tokens, rng) for _ in range(min(batch_size, n_pairs - start))]
        batch = collate_pairs(pairs, tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id)
        inputs, labels = mask_tokens(batch["input_ids"], batch["special_tokens_mask"], tokenizer.mask_token_id,
                                     len(tokenizer), generator=gen)
        out = model(input_ids=inputs, token_type_ids=batch["token_type_ids"], attention_mask=batch["attention_mask"])
        logits = out.prediction_logits.float()
        sel = labels != IGNORE_INDEX
        nll += torch.nn.functional.cross_entropy(logits[sel], labels[sel], reduction="sum").item()
        correct += (logits[sel].argmax(-1) == labels[sel]).sum().item()
        chosen += sel.sum().item()
        nsp_right += (out.seq_relationship_logits.argmax(-1) == batch["next_sentence_label"]).sum().item()
    return MlmNspResult(nll / chosen, correct / chosen, nsp_right / n_pairs)


@dataclass
class MaskedWordResult:
    accuracy: float
    n: int
    examples: list[tuple[str, str, str]] = field(default_factory=list)  # (masked line, true word, top-1)
    top5_accuracy: float = 0.0  # the word is among the five guesses the BERT page lists first


def masked_word_items(tokenizer, lines: list[str], n_lines: int = 500, seed: int = 0) -> list[tuple[str, str]]:
    """One ordinary word per line hidden behind the mask token: (masked line, the word). Ordinary: written in lower
    case in the line (so not a speaker name, a name or a sentence start), 3+ letters, and a single WordPiece token."""
    rng = random.Random(seed)
    vocab = tokenizer.get_vocab()
    items = []
    for line in lines:
        words = [m for m in re.finditer(r"\b[a-z]{3,}\b", line) if m.group() in vocab]
        if not words:
            continue
        m = rng.choice(words)
        items.append((line[: m.start()] + tokenizer.mask_token + line[m.end():], m.group().lower()))
        if len(items) >= n_lines:
            break
    return items


@torch.no_grad()
def masked_word_predictions(model, tokenizer, lines: list[str], n_lines: int = 500, seed: int = 0,
                            batch_size: int = 50) -> MaskedWordResult:
    """Mask one ordinary word per line (see `masked_word_items`) and report the model's top-1 accuracy."""
    items = masked_word_items(tokenizer, lines, n_lines, seed)
    model.eval()
    right, in_top5, examples = 0, 0, []
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        enc = tokenizer([masked for masked, _ in chunk], return_tensors="pt", padding=True)
        logits = model(**enc).prediction_logits
        for row, (masked, truth) in enumerate(chunk):
            pos = (enc["input_ids"][row] == tokenizer.mask_token_id).nonzero()[0, 0]
            top5 = tokenizer.convert_ids_to_tokens(logits[row, pos].topk(5).indices.tolist())
            pred = top5[0]
            right += pred == truth
            in_top5 += truth in top5
            examples.append((masked, truth, pred))
    n = max(1, len(items))
    return MaskedWordResult(right / n, len(items), examples, in_top5 / n)
