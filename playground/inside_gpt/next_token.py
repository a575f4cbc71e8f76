"""The last step: logits over the vocabulary, divided by the temperature, through softmax.

A temperature below 1 sharpens the distribution (the likely tokens take more), above 1 flattens it. The page shows
the distribution after the token the learner follows; for the last token that is the model's prediction for what
comes next, `softmax(model(ids).logits[0, -1] / T)`.
"""

from __future__ import annotations

import torch

from playground.inside_gpt.forward import Pass

MIN_TEMPERATURE = 0.05  # 0 would divide by zero; greedy decoding is temperature → 0, shown as the top bar
MAX_TEMPERATURE = 3.0
TOP = 10


def distribution(p: Pass, row: int, temperature: float) -> torch.Tensor:
    """(V,) probabilities of the token after position `row`."""
    return torch.softmax(p.logits[row] / temperature, dim=-1)


def top_rows(p: Pass, row: int, temperature: float, name, k: int = TOP) -> list[dict]:
    probs = distribution(p, row, temperature)
    best = probs.topk(min(k, probs.shape[-1]))
    return [
        {"token": name(int(i)), "id": int(i), "logit": float(p.logits[row, i]), "probability": float(pr)}
        for pr, i in zip(best.values, best.indices, strict=True)
    ]
