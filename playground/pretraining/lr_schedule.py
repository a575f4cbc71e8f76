"""Learning-rate schedule: linear warmup, then cosine decay to a floor (as in nanoGPT's `get_lr`).

It takes *progress* in [0, 1] rather than a step number, so a run with a wall-clock budget (the bundled models are
trained "for N minutes") can follow the same curve without knowing in advance how many steps it will get.
"""

from __future__ import annotations

import math


def warmup_cosine(progress: float, peak_lr: float, warmup: float = 0.05, min_ratio: float = 0.1) -> float:
    """Learning rate at `progress` (fraction of the run done). Warmup avoids large, noisy Adam steps while its
    moment estimates are still poor; the cosine tail lets the weights settle."""
    progress = min(max(progress, 0.0), 1.0)
    min_lr = peak_lr * min_ratio
    if warmup > 0 and progress < warmup:
        return peak_lr * (progress / warmup)
    decay = (progress - warmup) / max(1e-12, 1.0 - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * decay)) * (peak_lr - min_lr)
