"""Which tokens BERT is asked to predict, and what is done to each: the 15% / 80-10-10 rule, one decision per token.

Devlin et al. 2018 ("BERT", section 3.1 and appendix A.1; Google's `create_pretraining_data.py`): pick 15% of the
ordinary tokens (never [CLS] or [SEP]) for prediction; replace 80% of the picks by [MASK], 10% by a random token and
leave 10% unchanged. The model must predict the original token at every pick. The random and unchanged cases exist
because [MASK] never appears when BERT is used later: the model cannot learn that only [MASK] positions matter.

Like Google's script (and unlike a per-token coin flip) we pick exactly max(1, round(15% of n)) tokens, so a short
sentence always gets at least one prediction to look at. The page shows what was done to each picked token.

A mask token the learner types ("The capital of France is [MASK].") is a blank of another kind: BERT predicts it
like any other, but nobody knows the answer, so it has no label and adds nothing to the loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

MASKED, RANDOM, UNCHANGED = "[MASK]", "random token", "unchanged"
TYPED = "typed in the text"  # a mask token the learner wrote: no answer to score


@dataclass(frozen=True)
class MaskDecision:
    position: int  # index into the token ids, [CLS] included
    original_id: int | None  # the label: what the model must predict here; None for a typed mask (no answer)
    action: str  # MASKED, RANDOM, UNCHANGED or TYPED
    new_id: int  # the id the model actually sees at this position


def maskable_positions(special_tokens_mask: Sequence[int | bool]) -> list[int]:
    """Positions a learner (or the rule) may mask: everything except [CLS], [SEP] and padding."""
    return [i for i, special in enumerate(special_tokens_mask) if not special]


def number_to_predict(n_maskable: int, probability: float = 0.15) -> int:
    """Google's rule: round(15% of the tokens), at least one when there is anything to mask."""
    if n_maskable <= 0:
        return 0
    return min(n_maskable, max(1, int(round(n_maskable * probability))))


def pretraining_mask(
    input_ids: Sequence[int],
    special_tokens_mask: Sequence[int | bool],
    mask_token_id: int,
    vocab_size: int,
    seed: int,
    *,
    probability: float = 0.15,
    never_random_ids: Sequence[int] = (),
) -> list[MaskDecision]:
    """Apply the 15% / 80-10-10 rule with a seeded generator; one MaskDecision per picked token, by position.

    `never_random_ids` (the special tokens) are not drawn as "random tokens", so [CLS] never appears mid-sentence.
    A mask token already in the text is a typed blank with no answer: the rule never picks it.
    """
    if len(input_ids) != len(special_tokens_mask):
        raise ValueError(f"{len(input_ids)} ids but {len(special_tokens_mask)} special-token flags: they must match.")
    generator = torch.Generator().manual_seed(int(seed))
    candidates = [p for p in maskable_positions(special_tokens_mask) if input_ids[p] != mask_token_id]
    n_pick = number_to_predict(len(candidates), probability)
    order = torch.randperm(len(candidates), generator=generator)[:n_pick].tolist()
    picked = sorted(candidates[i] for i in order)

    allowed = torch.ones(vocab_size, dtype=torch.bool)
    allowed[[i for i in {*never_random_ids, mask_token_id} if 0 <= i < vocab_size]] = False
    random_pool = allowed.nonzero().flatten()
    decisions = []
    for position in picked:
        original = int(input_ids[position])
        roll = torch.rand((), generator=generator).item()
        if roll < 0.8:
            decisions.append(MaskDecision(position, original, MASKED, mask_token_id))
        elif roll < 0.9:
            new_id = int(random_pool[torch.randint(len(random_pool), (), generator=generator)])
            decisions.append(MaskDecision(position, original, RANDOM, new_id))
        else:
            decisions.append(MaskDecision(position, original, UNCHANGED, original))
    return decisions


def mask_chosen(input_ids: Sequence[int], positions: Sequence[int], mask_token_id: int) -> list[MaskDecision]:
    """The learner's own choice: every clicked token becomes [MASK]."""
    return [MaskDecision(p, int(input_ids[p]), MASKED, mask_token_id) for p in sorted(set(positions))]


def typed_masks(input_ids: Sequence[int], mask_token_id: int) -> list[MaskDecision]:
    """Every mask token the learner typed: a blank to predict whose answer is unknown, so it carries no label."""
    return [MaskDecision(p, None, TYPED, mask_token_id) for p, i in enumerate(input_ids) if i == mask_token_id]


def apply_decisions(input_ids: Sequence[int], decisions: Sequence[MaskDecision]) -> list[int]:
    """The ids the model sees: the original sentence with each decision applied."""
    corrupted = list(int(i) for i in input_ids)
    for decision in decisions:
        corrupted[decision.position] = decision.new_id
    return corrupted
