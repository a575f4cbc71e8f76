"""GPT-2's forward pass written out by hand from its `state_dict`, keeping every intermediate tensor.

This is the function the Inside GPT page runs, and the one its "the code" panel shows as it is. It does what
transformers' `GPT2LMHeadModel.forward` does, one named step at a time (Radford et al. 2019, "Language Models are
Unsupervised Multitask Learners"; OpenAI's gpt-2 `model.py`): pre-LayerNorm blocks, fused QKV, causal softmax
attention, a 4x-wide GELU MLP, residual adds, a final LayerNorm and the output head tied to the token embedding.
Only one prompt at a time (no batch dimension), so every shape reads as T tokens by d widths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

# GPT-2 checkpoints name their MLP activation; each maps to one torch function.
ACTIVATIONS = {
    "gelu_new": lambda x: F.gelu(x, approximate="tanh"),  # what OpenAI's GPT-2 used
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "gelu": F.gelu,
    "relu": F.relu,
    "silu": F.silu,
}


@dataclass
class Block:
    """One transformer block's tensors, in the order the pass makes them (T tokens, d width, h heads)."""

    x_in: torch.Tensor  # (T, d) the residual stream coming in
    ln1: torch.Tensor  # (T, d)
    qkv: torch.Tensor  # (T, 3d) queries, keys and values side by side
    q: torch.Tensor  # (h, T, d/h) each head's queries
    k: torch.Tensor  # (h, T, d/h)
    v: torch.Tensor  # (h, T, d/h)
    scores: torch.Tensor  # (h, T, T) Q·Kᵀ/√(d/h): how well each query matches each key
    masked: torch.Tensor  # (h, T, T) the scores with -inf wherever a key comes after its query
    weights: torch.Tensor  # (h, T, T) softmax over each row: the attention weights
    heads: torch.Tensor  # (h, T, d/h) each head's weighted sum of values
    merged: torch.Tensor  # (T, d) the heads side by side again
    attn: torch.Tensor  # (T, d) after the output projection
    resid1: torch.Tensor  # (T, d) x_in + attn
    ln2: torch.Tensor  # (T, d)
    up: torch.Tensor  # (T, 4d) the MLP's up-projection
    act: torch.Tensor  # (T, 4d) after GELU
    down: torch.Tensor  # (T, d) the MLP's down-projection
    x_out: torch.Tensor  # (T, d) resid1 + down: the residual stream going out


@dataclass
class Pass:
    ids: torch.Tensor  # (T,) token ids
    tok_emb: torch.Tensor  # (T, d) rows of the token embedding wte
    pos_emb: torch.Tensor  # (T, d) rows 0…T-1 of the position embedding wpe
    x0: torch.Tensor  # (T, d) their sum: the residual stream entering block 0
    blocks: list[Block]
    ln_f: torch.Tensor  # (T, d) the final LayerNorm
    logits: torch.Tensor  # (T, V) a score for every token of the vocabulary, at every position


def layer_norm(x, params, name, eps):
    return F.layer_norm(x, x.shape[-1:], params[f"{name}.weight"], params[f"{name}.bias"], eps)


def linear(x, params, name):
    """GPT-2 stores its projections as (in, out) matrices (a `Conv1D`), so x @ W + b, with no transpose."""
    return x @ params[f"{name}.weight"] + params[f"{name}.bias"]


@torch.no_grad()
def forward_pass(params: dict, ids: torch.Tensor, n_head: int, eps: float = 1e-5, activation: str = "gelu_new"):
    """params: a GPT2LMHeadModel's state_dict; ids: (T,) token ids. Returns every tensor of the pass."""
    T = ids.shape[0]
    tok_emb = params["transformer.wte.weight"][ids]
    pos_emb = params["transformer.wpe.weight"][:T]
    x = x0 = tok_emb + pos_emb
    gelu = ACTIVATIONS[activation]
    future = torch.ones(T, T, dtype=torch.bool).triu(1)  # True where a key comes after its query
    blocks = []
    for i in range(sum(1 for name in params if name.endswith(".attn.c_attn.weight"))):
        p = f"transformer.h.{i}"
        x_in = x
        ln1 = layer_norm(x, params, f"{p}.ln_1", eps)
        qkv = linear(ln1, params, f"{p}.attn.c_attn")
        d = qkv.shape[-1] // 3
        # (T, d) -> (h, T, d/h): each head gets its own slice of the width
        q, k, v = (part.view(T, n_head, d // n_head).transpose(0, 1) for part in qkv.split(d, dim=-1))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // n_head)
        masked = scores.masked_fill(future, float("-inf"))
        weights = masked.softmax(dim=-1)
        heads = weights @ v
        merged = heads.transpose(0, 1).reshape(T, d)
        attn = linear(merged, params, f"{p}.attn.c_proj")
        resid1 = x_in + attn
        ln2 = layer_norm(resid1, params, f"{p}.ln_2", eps)
        up = linear(ln2, params, f"{p}.mlp.c_fc")
        act = gelu(up)
        down = linear(act, params, f"{p}.mlp.c_proj")
        x = resid1 + down
        blocks.append(
            Block(x_in, ln1, qkv, q, k, v, scores, masked, weights, heads, merged, attn, resid1, ln2, up, act, down, x)
        )
    ln_f = layer_norm(x, params, "transformer.ln_f", eps)
    logits = ln_f @ params["lm_head.weight"].T  # GPT-2 ties it: lm_head.weight is the token embedding wte itself
    return Pass(ids, tok_emb, pos_emb, x0, blocks, ln_f, logits)
