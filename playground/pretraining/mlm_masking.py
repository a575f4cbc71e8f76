"""BERT's masked-language-model corruption rule (Devlin et al. 2018, section 3.1 and appendix A.1).

15% of the ordinary (non-special, non-padding) tokens are chosen for prediction. Of those, 80% are replaced by
[MASK], 10% by a random token and 10% are left unchanged: the random and unchanged cases keep the model from
learning that only [MASK] positions matter, since [MASK] never appears when the model is used later.
"""

from __future__ import annotations

import torch

IGNORE_INDEX = -100  # label value that PyTorch's cross_entropy (and transformers) skip


def mask_tokens(
    input_ids: torch.Tensor,
    special_tokens_mask: torch.Tensor,
    mask_token_id: int,
    vocab_size: int,
    mlm_probability: float = 0.15,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (corrupted_ids, labels). labels hold the original id at chosen positions and IGNORE_INDEX elsewhere.

    special_tokens_mask is True where a token must never be chosen ([CLS], [SEP], [PAD]).
    """
    if input_ids.shape != special_tokens_mask.shape:
        raise ValueError(
            f"input_ids {tuple(input_ids.shape)} and special_tokens_mask {tuple(special_tokens_mask.shape)} differ"
        )
    probs = torch.full(input_ids.shape, mlm_probability)
    probs.masked_fill_(special_tokens_mask.bool(), 0.0)
    chosen = torch.bernoulli(probs, generator=generator).bool()

    labels = input_ids.clone()
    labels[~chosen] = IGNORE_INDEX

    corrupted = input_ids.clone()
    # 80% of chosen -> [MASK]
    to_mask = torch.bernoulli(torch.full(input_ids.shape, 0.8), generator=generator).bool() & chosen
    corrupted[to_mask] = mask_token_id
    # half of the remaining 20% (10% of chosen) -> a random token; the rest stay as they were
    to_random = torch.bernoulli(torch.full(input_ids.shape, 0.5), generator=generator).bool() & chosen & ~to_mask
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator, dtype=input_ids.dtype)
    corrupted[to_random] = random_ids[to_random]
    return corrupted, labels
