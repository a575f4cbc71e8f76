"""Where every parameter of a GPT-2 style model lives, counted with pen-and-paper formulas.

The analytic count is the lesson; `transformers_count` is the independent check: transformers' own
`GPT2LMHeadModel` built on the meta device (shapes only, no memory). OpenAI's GPT-2, and therefore transformers'
implementation, always has a bias on the query/key/value projection (`c_attn`), so for `qkv_bias=False` the
comparable number is transformers' count minus n_layers x 3 x emb_dim.

Why "124M" has three answers:
- Hugging Face's gpt2: 124,439,808 (QKV bias, tied embeddings);
- the lesson's GPT_CONFIG_124M: 124,412,160 tied, 163,009,536 untied (its out_head is a separate matrix);
- nanoGPT prints 123.65M because `get_num_params()` leaves out the position embeddings (1,024 x 768 = 786,432).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from playground.gpt2.config import GPTConfig

# Building on meta costs ~4 ms per block on an idle core (Python module construction), whatever the widths, and several
# times that on a busy machine: 48 layers (GPT-2 XL, the largest preset) takes ~0.2 s idle. Deeper models are skipped
# to keep the page responsive, and a tensor with more than 2**63 elements cannot even be described.
META_CHECK_MAX_LAYERS = 48
META_CHECK_MAX_TENSOR = 2**62


THREE_ANSWERS_124M = (
    "- Hugging Face's `gpt2` has **124,439,808** parameters: QKV biases and tied embeddings.\n"
    "- The lesson's `GPT_CONFIG_124M` (no QKV bias) has **124,412,160** with tied embeddings, 27,648 fewer "
    "(12 layers x 3 x 768 biases), and **163,009,536** untied, as its code builds it: the separate `out_head` "
    "adds 50,257 x 768 = 38,597,376.\n"
    "- nanoGPT prints **123.65M** because `get_num_params()` leaves out the position embeddings "
    "(1,024 x 768 = 786,432)."
)


@dataclass(frozen=True)
class Component:
    name: str
    group: str  # "Embeddings", "Each block", "Output"
    shape: str  # the tensors, as a learner would write them
    count: int  # parameters in ONE copy (one block for per-block components)
    copies: int  # 1, or n_layers for per-block components

    @property
    def total(self) -> int:
        return self.count * self.copies


def components(config: GPTConfig) -> list[Component]:
    """Every parameter tensor group of the model, in the order data flows through it."""
    V, T, d, L = config.vocab_size, config.context_length, config.emb_dim, config.n_layers
    h = config.hidden_dim
    qkv_b = 3 * d if config.qkv_bias else 0
    parts = [
        Component("Token embedding", "Embeddings", f"{V:,} x {d:,}", V * d, 1),
        Component("Position embedding", "Embeddings", f"{T:,} x {d:,}", T * d, 1),
        Component("LN1", "Each block", f"scale + shift, 2 x {d:,}", 2 * d, L),
        Component(
            "QKV",
            "Each block",
            f"{d:,} x {3 * d:,}" + (f" + bias {3 * d:,}" if config.qkv_bias else " (no bias)"),
            3 * d * d + qkv_b,
            L,
        ),
        Component("Attention out", "Each block", f"{d:,} x {d:,} + bias {d:,}", d * d + d, L),
        Component("LN2", "Each block", f"scale + shift, 2 x {d:,}", 2 * d, L),
        Component("MLP up", "Each block", f"{d:,} x {h:,} + bias {h:,}", d * h + h, L),
        Component("MLP down", "Each block", f"{h:,} x {d:,} + bias {d:,}", h * d + d, L),
        Component("Final LN", "Output", f"scale + shift, 2 x {d:,}", 2 * d, 1),
        Component(
            "LM head",
            "Output",
            "shares the token embedding (tied)" if config.tied else f"{d:,} x {V:,} (no bias)",
            0 if config.tied else d * V,
            1,
        ),
    ]
    return parts


def table_rows(config: GPTConfig) -> list[dict]:
    """The breakdown as table rows. Counts past 64-bit integers (absurd configurations) become text, since a
    dataframe column cannot hold them as numbers; the page still shows every digit."""
    n = total(config)
    exact = n < 2**63
    return [
        {
            "Component": c.name,
            "Shape": c.shape,
            "One copy": c.count if exact else f"{c.count:,}",
            "Copies": c.copies if exact else f"{c.copies:,}",
            "Total": c.total if exact else f"{c.total:,}",
            "Share": c.total / n,
        }
        for c in components(config)
    ]


def per_layer(config: GPTConfig) -> int:
    """One transformer block: 12 d^2 + 13 d with QKV bias (12 d^2 + 10 d without)."""
    return sum(c.count for c in components(config) if c.group == "Each block")


def total(config: GPTConfig) -> int:
    return sum(c.total for c in components(config))


def nanogpt_count(config: GPTConfig) -> int:
    """What nanoGPT's `get_num_params()` prints: the position embedding is subtracted (the token embedding stays,
    because it is also the LM head)."""
    return total(config) - config.context_length * config.emb_dim


def qkv_bias_params(config: GPTConfig) -> int:
    return config.n_layers * 3 * config.emb_dim


@dataclass(frozen=True)
class MetaCheck:
    ran: bool
    transformers_total: int | None  # what GPT2LMHeadModel reports (always with QKV bias)
    comparable: int | None  # adjusted for qkv_bias=False
    seconds: float
    note: str

    def matches(self, analytic: int) -> bool | None:
        return None if self.comparable is None else self.comparable == analytic


def meta_check_skip_reason(config: GPTConfig) -> str | None:
    if config.problems():
        return "the configuration is not valid"
    if config.n_layers > META_CHECK_MAX_LAYERS:
        return (
            f"{config.n_layers:,} layers is more than {META_CHECK_MAX_LAYERS} (GPT-2 XL): building even on the meta "
            "device takes a few milliseconds per block, so the check is skipped to keep the page responsive. "
            "The analytic count is exact at any size"
        )
    biggest = max(config.vocab_size, config.context_length, config.hidden_dim) * config.emb_dim
    if biggest > META_CHECK_MAX_TENSOR:
        return f"a {biggest:.3g}-element tensor is too big for PyTorch to describe, even on the meta device"
    return None


def transformers_count(config: GPTConfig) -> MetaCheck:
    """Build transformers' real GPT2LMHeadModel on the meta device and count its parameters (tied ones once)."""
    reason = meta_check_skip_reason(config)
    if reason:
        return MetaCheck(False, None, None, 0.0, f"Check skipped: {reason}.")
    import torch
    import transformers
    from transformers import GPT2Config, GPT2LMHeadModel

    transformers.logging.set_verbosity_error()
    special = min(50256, config.vocab_size - 1)  # GPT-2's <|endoftext|> id, kept inside tiny vocabularies
    start = time.perf_counter()
    with torch.device("meta"):
        model = GPT2LMHeadModel(
            GPT2Config(**config.to_hf_kwargs(), bos_token_id=special, eos_token_id=special, pad_token_id=None)
        )
    counted = sum(p.numel() for p in model.parameters())  # parameters() yields a tied matrix once
    seconds = time.perf_counter() - start
    comparable = counted if config.qkv_bias else counted - qkv_bias_params(config)
    note = (
        "transformers' GPT-2 always has QKV biases, so with qkv_bias off we compare against its count minus "
        f"n_layers x 3 x emb_dim = {qkv_bias_params(config):,}."
        if not config.qkv_bias
        else "Same architecture, counted directly."
    )
    return MetaCheck(True, counted, comparable, seconds, note)
