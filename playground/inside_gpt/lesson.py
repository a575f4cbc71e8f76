"""The Inside GPT page's calls: read the prompt, run the pass once, and show any part of it.

The pass runs once per model and prompt (the page caches `run_pass`); every other choice (layer, head, token, cell,
temperature) only picks which of its tensors to draw, through `steps`, `cell` and `next_token`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from playground.generation.figures import token_namer, visible
from playground.inside_gpt import text
from playground.inside_gpt.forward import Pass, forward_pass

MAX_TOKENS = 64  # every tensor has a row per token: beyond this the heatmaps stop being readable on a phone


def default_prompt(source: str) -> str:
    """The bundled model learned Shakespeare; hub models read English."""
    return (
        "ROMEO: But soft, what light through yonder" if source == "bundled" else "The capital of France is the city of"
    )


def token_limit(config) -> int:
    return min(MAX_TOKENS, config.n_positions)


@dataclass(frozen=True)
class Prompt:
    ids: tuple[int, ...]
    labels: list[str]  # one per token, "3 ␣light": its position and its text with whitespace shown
    notes: list[tuple[str, str]] = field(default_factory=list)  # (kind, message) for the page to say


def read_prompt(tokenizer, prompt: str, limit: int) -> Prompt:
    """The prompt's ids, cut to `limit` tokens with a note saying so. Raises ValueError (a message for the
    learner) for a prompt with no tokens."""
    ids = tokenizer(prompt, add_special_tokens=False)["input_ids"] if prompt.strip() else []
    if not ids:
        raise ValueError(text.EMPTY)
    notes = [("warning", text.too_long(len(ids), limit))] if len(ids) > limit else []
    ids = ids[:limit]
    name = token_namer(tokenizer)
    return Prompt(tuple(ids), [f"{i} {visible(name(t))}" for i, t in enumerate(ids)], notes)


def run_pass(model, tokenizer, ids: tuple[int, ...]) -> Pass:
    """The whole pass, by hand from the weights (the page caches this per model and prompt)."""
    c = model.config
    return forward_pass(model.state_dict(), torch.tensor(ids), c.n_head, c.layer_norm_epsilon, c.activation_function)
