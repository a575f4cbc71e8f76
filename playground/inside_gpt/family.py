"""Which models this page can open: GPT-2's own architecture, because it recomputes GPT-2's layers by hand.

A model that merely generates text (GPT-Neo, Llama, …) is not enough: its layers differ (rotary positions, RMSNorm,
gated MLPs), and a hand-written GPT-2 pass would show numbers that model never computed. So anything else is turned
away with a message naming what the page does open.
"""

from __future__ import annotations

from transformers import GPT2LMHeadModel

from playground.inside_gpt.forward import ACTIVATIONS

OPENS = "GPT-2-family models (`GPT2LMHeadModel`): the bundled GPT, `gpt2`, `distilgpt2`, or a folder saved from one"


def refusal(model) -> str | None:
    """Why this page can't open `model`, said to a learner; None when it can."""
    if not isinstance(model, GPT2LMHeadModel):
        return (
            f"This model is a {type(model).__name__}. This page opens only {OPENS}, because it recomputes GPT-2's "
            f"own layers by hand. Pick one of those above; the GPT generation page runs any causal language model."
        )
    c = model.config
    unusual = []
    if c.activation_function not in ACTIVATIONS:
        unusual.append(f"its MLP activation `{c.activation_function}`")
    if not c.scale_attn_weights or c.scale_attn_by_inverse_layer_idx:
        unusual.append("its attention scaling (`scale_attn_weights` / `scale_attn_by_inverse_layer_idx`)")
    if c.n_embd % c.n_head:
        unusual.append(f"a width of {c.n_embd} that its {c.n_head} heads don't split evenly")
    if unusual:
        return (
            f"This GPT-2 changes {' and '.join(unusual)}, which the page's hand-written pass does not reproduce, so "
            f"its numbers would not be the model's. Pick the bundled GPT, `gpt2` or `distilgpt2`."
        )
    return None
