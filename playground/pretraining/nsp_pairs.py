"""Next-sentence-prediction pairs for BERT pretraining (Devlin et al. 2018, section 3.1).

The corpus is a list of "sentences" (for a play: its lines, already tokenized). A pair is a run of consecutive
sentences A and either the run that really follows it (label 0, "is next") or a run from a random place in the
corpus (label 1, "random"), each half of the time. Labels follow transformers' `BertForPreTraining`:
next_sentence_label 0 means B continues A.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch

IS_NEXT, IS_RANDOM = 0, 1


@dataclass
class NspPair:
    a: list[int]
    b: list[int]
    label: int  # IS_NEXT or IS_RANDOM


def _take_run(sentences: list[list[int]], start: int, budget: int) -> tuple[list[int], int]:
    """Concatenate sentences from `start` until `budget` tokens; returns (ids, index after the last one used)."""
    ids: list[int] = []
    i = start
    while i < len(sentences) and (not ids or len(ids) + len(sentences[i]) <= budget):
        ids.extend(sentences[i])
        i += 1
    return ids[:budget], i


def sample_nsp_pair(
    sentences: list[list[int]], max_pair_tokens: int, rng: random.Random, short_seq_prob: float = 0.0
) -> NspPair:
    """One pair whose A and B together use at most `max_pair_tokens` tokens (special tokens not counted).

    With probability `short_seq_prob` the pair gets a random, shorter budget (BERT's `short_seq_prob`, 0.1 in
    Google's create_pretraining_data.py): otherwise the model only ever sees full-length inputs, while a learner
    types one short line, so short inputs would be new to it."""
    if len(sentences) < 4:
        raise ValueError(f"need at least 4 sentences to build pairs, got {len(sentences)}")
    if short_seq_prob and rng.random() < short_seq_prob:
        max_pair_tokens = rng.randint(2, max_pair_tokens)
    half = max(1, max_pair_tokens // 2)
    start = rng.randrange(0, len(sentences) - 2)
    a, after_a = _take_run(sentences, start, half)
    if after_a < len(sentences) and rng.random() < 0.5:
        b, _ = _take_run(sentences, after_a, max_pair_tokens - len(a))
        return NspPair(a, b, IS_NEXT)
    other = rng.randrange(0, len(sentences))
    while other == after_a:  # the real next sentence would be mislabelled "random"
        other = rng.randrange(0, len(sentences))
    b, _ = _take_run(sentences, other, max_pair_tokens - len(a))
    return NspPair(a, b, IS_RANDOM)


def collate_pairs(pairs: list[NspPair], cls_id: int, sep_id: int, pad_id: int) -> dict[str, torch.Tensor]:
    """[CLS] A [SEP] B [SEP] padded to the longest pair: input_ids, token_type_ids, attention_mask,
    special_tokens_mask (True on [CLS]/[SEP]/[PAD], never chosen for masking) and next_sentence_label."""
    length = max(len(p.a) + len(p.b) + 3 for p in pairs)
    ids = torch.full((len(pairs), length), pad_id, dtype=torch.long)
    types = torch.zeros_like(ids)
    attention = torch.zeros_like(ids)
    special = torch.ones_like(ids, dtype=torch.bool)
    for row, p in enumerate(pairs):
        seq = [cls_id, *p.a, sep_id, *p.b, sep_id]
        ids[row, : len(seq)] = torch.tensor(seq)
        types[row, len(p.a) + 2 : len(seq)] = 1
        attention[row, : len(seq)] = 1
        special[row, 1 : 1 + len(p.a)] = False
        special[row, len(p.a) + 2 : len(p.a) + 2 + len(p.b)] = False
    labels = torch.tensor([p.label for p in pairs], dtype=torch.long)
    return {
        "input_ids": ids,
        "token_type_ids": types,
        "attention_mask": attention,
        "special_tokens_mask": special,
        "next_sentence_label": labels,
    }
