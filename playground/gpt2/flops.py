"""Floating-point operations of a GPT: a multiply-add is 2 FLOPs, so a matmul with N weights costs 2N per token.

Kaplan et al. 2020 ("Scaling Laws for Neural Language Models", table 1) give forward ~ 2N + 2 n_layers n_ctx d per
token, and training ~ 3x that (backward needs a gradient for the input and one for the weights of every matmul),
hence the famous 6N. Here we count what the code actually computes: every weight matmul, including the LM head even
when it is tied, and both attention matmuls (Q K^T and A V) over the full s x s square, which is what an eager
implementation does before masking. `torch.utils.flop_counter.FlopCounterMode` on transformers' GPT-2 is the
reference in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.gpt2 import params as param_count
from playground.gpt2.config import GPTConfig


def matmul_weights(config: GPTConfig) -> int:
    """Weights that multiply an activation: QKV, attention output, MLP up and down, and the LM head.
    Embedding lookups, biases and LayerNorms cost (next to) nothing."""
    d, L, V = config.emb_dim, config.n_layers, config.vocab_size
    per_block = 3 * d * d + d * d + d * config.hidden_dim + config.hidden_dim * d
    return L * per_block + V * d


def attention_flops_per_token(config: GPTConfig, seq: int) -> int:
    """Q K^T and attention x V: each 2 x seq x emb_dim per token per layer."""
    return 4 * config.n_layers * seq * config.emb_dim


def forward_flops_per_token(config: GPTConfig, seq: int) -> int:
    return 2 * matmul_weights(config) + attention_flops_per_token(config, seq)


def training_flops_per_token(config: GPTConfig, seq: int) -> int:
    """Forward + backward; the backward pass is twice the forward (gradients for inputs and for weights)."""
    return 3 * forward_flops_per_token(config, seq)


@dataclass(frozen=True)
class ComputeSummary:
    n_params: int
    forward_per_token: int
    forward_rule_of_thumb: int  # 2N
    training_per_token: int
    training_rule_of_thumb: int  # 6N
    attention_share: float  # fraction of forward FLOPs spent in Q K^T and A V
    training_tokens: float
    throughput_flops: float  # achieved FLOP/s
    training_total: float
    training_seconds: float
    tokens_per_second: float


def summary(config: GPTConfig, seq: int, training_tokens: float, throughput_flops: float) -> ComputeSummary:
    """Per-token FLOPs and how long training on `training_tokens` takes at an achieved `throughput_flops`."""
    if throughput_flops <= 0:
        raise ValueError(f"throughput must be positive FLOP/s, got {throughput_flops}")
    n = param_count.total(config)
    fwd = forward_flops_per_token(config, seq)
    train = training_flops_per_token(config, seq)
    total = float(train) * training_tokens
    return ComputeSummary(
        n_params=n,
        forward_per_token=fwd,
        forward_rule_of_thumb=2 * n,
        training_per_token=train,
        training_rule_of_thumb=6 * n,
        attention_share=attention_flops_per_token(config, seq) / fwd,
        training_tokens=training_tokens,
        throughput_flops=throughput_flops,
        training_total=total,
        training_seconds=total / throughput_flops,
        tokens_per_second=throughput_flops / train,
    )


def human_flops(n: float) -> str:
    for unit, size in (("ZFLOP", 1e21), ("EFLOP", 1e18), ("PFLOP", 1e15), ("TFLOP", 1e12), ("GFLOP", 1e9)):
        if abs(n) >= size:
            return f"{n / size:,.2f} {unit}"
    return f"{n:,.0f} FLOP"


def human_duration(seconds: float) -> str:
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:,.1f} seconds"
