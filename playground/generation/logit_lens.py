"""The logit lens: what would the model predict if it stopped after layer l?

A GPT adds each block's output to a running "residual stream". Only after the last block does the final layer norm
(`ln_f`) and the unembedding (`lm_head`) turn that stream into a score per vocabulary token. nostalgebraist's logit
lens (2020, "interpreting GPT: the logit lens", LessWrong) applies that same ending to the stream after every block,
so you can watch the prediction form through depth: early layers often guess something generic, later ones settle.

transformers' GPT-2 returns `hidden_states` = (embeddings, after block 1, ..., after block n) where the LAST entry has
already been through `ln_f`; we must not normalise it twice. Its lens reading is exactly the model's own output.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class LensRow:
    layer: str  # "embeddings", "block 1", ..., "block n (output)"
    top_tokens: list[int]  # most likely token ids, best first
    top_probs: list[float]
    chosen_prob: float  # probability of the token the full model ranks first, read at this layer


def final_norm_and_head(model):
    """(final layer norm, unembedding) of a causal LM; GPT-2 names them transformer.ln_f and lm_head."""
    base = model.base_model
    for name in ("ln_f", "norm", "final_layer_norm"):
        norm = getattr(base, name, None)
        if norm is not None:
            return norm, model.get_output_embeddings()
    raise ValueError(f"{type(model).__name__} has no final layer norm the logit lens knows about (ln_f / norm).")


@torch.no_grad()
def logit_lens(model, input_ids: torch.Tensor, top: int = 5) -> list[LensRow]:
    """One row per layer for the LAST position of input_ids (1, seq)."""
    norm, head = final_norm_and_head(model)
    out = model(input_ids=input_ids, output_hidden_states=True)
    hidden = out.hidden_states
    final_choice = int(out.logits[0, -1].argmax())
    rows = []
    for index, state in enumerate(hidden):
        last = state[0, -1]
        is_output = index == len(hidden) - 1
        logits = head(last if is_output else norm(last)).float()
        probs = logits.softmax(dim=-1)
        values, ids = probs.topk(min(top, probs.shape[-1]))
        name = "embeddings" if index == 0 else f"block {index}" + (" (output)" if is_output else "")
        rows.append(LensRow(name, ids.tolist(), values.tolist(), float(probs[final_choice])))
    return rows
