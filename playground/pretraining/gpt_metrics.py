"""Held-out figures for a causal language model: loss per token, perplexity and loss per character.

Loss per token and perplexity depend on the tokenizer (a bigger vocabulary makes fewer, harder tokens), so models
with different tokenizers can't be compared with them. Loss per character divides the same total negative
log-likelihood by the number of characters instead: the cost, in nats, of encoding the text one character at a time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass
class HeldOutLoss:
    total_nll: float  # nats, summed over every predicted token
    n_tokens: int
    n_chars: int

    @property
    def loss_per_token(self) -> float:
        return self.total_nll / self.n_tokens

    @property
    def perplexity(self) -> float:
        return math.exp(self.loss_per_token)

    @property
    def loss_per_char(self) -> float:
        return self.total_nll / self.n_chars

    @property
    def bits_per_char(self) -> float:
        return self.loss_per_char / math.log(2)


@torch.no_grad()
def causal_lm_heldout_loss(model, tokenizer, text: str, block_size: int, batch_size: int = 16) -> HeldOutLoss:
    """Every token of `text` is predicted exactly once. The stream starts with the end-of-text token (so the first
    real token is predicted too) and is cut into consecutive windows of `block_size` predictions; the context
    restarts at each window. Because byte-level BPE is lossless, the tokens cover exactly len(text) characters."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    stream = torch.tensor([tokenizer.eos_token_id, *ids], dtype=torch.long)
    windows = [stream[i : i + block_size + 1] for i in range(0, len(stream) - 1, block_size)]
    total = 0.0
    model.eval()
    for start in range(0, len(windows), batch_size):
        chunk = windows[start : start + batch_size]
        width = max(len(w) for w in chunk) - 1
        x = torch.zeros((len(chunk), width), dtype=torch.long)
        y = torch.full((len(chunk), width), -100, dtype=torch.long)
        for row, w in enumerate(chunk):
            x[row, : len(w) - 1] = w[:-1]
            y[row, : len(w) - 1] = w[1:]
        logits = model(input_ids=x).logits.float()
        total += torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.size(-1)), y.reshape(-1), ignore_index=-100, reduction="sum"
        ).item()
    return HeldOutLoss(total_nll=total, n_tokens=len(ids), n_chars=len(text))
