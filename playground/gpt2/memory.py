"""How many bytes a GPT configuration needs: weights, AdamW training state, activations and the KV cache.

References:
- Rajbhandari et al. 2020, "ZeRO: Memory Optimizations Toward Training Trillion Parameter Models", section 3.1:
  mixed-precision Adam keeps 16-bit weights and gradients plus fp32 master weights, momentum and variance,
  2 + 2 + 12 = 16 bytes per parameter.
- Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models", section 4: one
  transformer layer stores s*b*h*(34 + 5*a*s/h) bytes of activations in 16-bit training with dropout; selective
  recomputation (redo softmax, its dropout and attention-over-values) removes the 5*a*s/h term; full recomputation
  keeps only each layer's input, 2*s*b*h bytes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from playground.gpt2 import params as param_count
from playground.gpt2.config import GPTConfig

GiB = 2**30

# Bytes per parameter for weights alone. int8/int4 ignore the small per-group scales real quantizers add.
WEIGHT_BYTES = {"fp32": 4.0, "fp16 / bf16": 2.0, "int8": 1.0, "int4": 0.5}

ACCELERATORS_GB = (16, 24, 40, 80)  # V100/T4, RTX 4090/A10, A100-40GB, A100/H100-80GB

RECOMPUTATION = ("none", "selective", "full")


@dataclass(frozen=True)
class Stored:
    """One activation a layer keeps for the backward pass, in multiples of s*b*h elements (or a*s*s*b for the
    attention matrix). `mask` marks dropout masks, which are one byte per element whatever the precision."""

    what: str
    sbh: int = 0
    as2b: int = 0
    mask: bool = False
    attention_core: bool = False  # recomputed by selective recomputation


# Korthikanti et al. 2022, section 4.1. With 2-byte activations these add up to 34 sbh + 5 as^2 b bytes.
PER_LAYER = (
    Stored("LN1 input", sbh=1),
    Stored("QKV projection input", sbh=1),
    Stored("Q and K (for Q K^T)", sbh=2),
    Stored("softmax output", as2b=1, attention_core=True),
    Stored("attention dropout mask", as2b=1, mask=True, attention_core=True),
    Stored("attention after dropout (for x V)", as2b=1, attention_core=True),
    Stored("V", sbh=1),
    Stored("output projection input", sbh=1),
    Stored("attention residual dropout mask", sbh=1, mask=True),
    Stored("LN2 input", sbh=1),
    Stored("MLP up input", sbh=1),
    Stored("GELU input (4h wide)", sbh=4),
    Stored("MLP down input = GELU output (4h wide)", sbh=4),
    Stored("MLP residual dropout mask", sbh=1, mask=True),
)


def _bytes(item: Stored, value_bytes: int, s: int, b: int, h: int, a: int) -> int:
    per = 1 if item.mask else value_bytes
    return per * (item.sbh * s * b * h + item.as2b * a * s * s * b)


def activation_bytes_per_layer(
    config: GPTConfig, batch: int, seq: int, recompute: str = "none", value_bytes: int = 2
) -> int:
    """Bytes one block keeps for backward. value_bytes=2 is the paper's 16-bit setting, 4 is fp32 training."""
    if recompute not in RECOMPUTATION:
        raise ValueError(f"recompute must be one of {RECOMPUTATION}, got {recompute!r}")
    s, b, h, a = seq, batch, config.emb_dim, config.n_heads
    if recompute == "full":
        return value_bytes * s * b * h  # only the block's input; the rest is recomputed in backward
    kept = [x for x in PER_LAYER if not (recompute == "selective" and x.attention_core)]
    return sum(_bytes(x, value_bytes, s, b, h, a) for x in kept)


def activation_bytes_outside_layers(config: GPTConfig, batch: int, seq: int, value_bytes: int = 2) -> int:
    """Korthikanti et al. 4.3 (no parallelism): embedding dropout mask sbh, final LN input and LM head input
    2*sbh each in 16-bit, and the logits for the cross-entropy loss in fp32, 4*s*b*v."""
    s, b, h, v = seq, batch, config.emb_dim, config.vocab_size
    return s * b * h + 2 * value_bytes * s * b * h + 4 * s * b * v


def activation_bytes(config: GPTConfig, batch: int, seq: int, recompute: str = "none", value_bytes: int = 2) -> int:
    per_layer = activation_bytes_per_layer(config, batch, seq, recompute, value_bytes)
    return config.n_layers * per_layer + activation_bytes_outside_layers(config, batch, seq, value_bytes)


def weight_bytes(n_params: int) -> dict[str, float]:
    return {name: n_params * per for name, per in WEIGHT_BYTES.items()}


@dataclass(frozen=True)
class TrainingState:
    """What AdamW keeps per parameter, in bytes, split by role."""

    name: str
    weights: float
    gradients: float
    master_weights: float
    adam_momentum: float
    adam_variance: float

    @property
    def per_param(self) -> float:
        return self.weights + self.gradients + self.master_weights + self.adam_momentum + self.adam_variance


TRAINING_FP32 = TrainingState("fp32 AdamW", 4, 4, 0, 4, 4)
TRAINING_MIXED = TrainingState("mixed precision AdamW (bf16/fp16 + fp32 master)", 2, 2, 4, 4, 4)


def kv_cache_bytes(config: GPTConfig, batch: int, seq: int, value_bytes: int = 2) -> int:
    """Generation keeps every past token's key and value in every layer: 2 x n_layers x batch x seq x emb_dim."""
    return 2 * config.n_layers * batch * seq * config.emb_dim * value_bytes


def machine_ram_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


@dataclass(frozen=True)
class Need:
    scenario: str
    bytes: float


def needs(config: GPTConfig, batch: int, seq: int, recompute: str) -> list[Need]:
    """The memory each common way of using the model needs (weights + whatever that use adds)."""
    n = param_count.total(config)
    act16 = activation_bytes(config, batch, seq, recompute, value_bytes=2)
    act32 = activation_bytes(config, batch, seq, recompute, value_bytes=4)
    return [
        Need("Generate: bf16 weights + KV cache", n * 2 + kv_cache_bytes(config, batch, seq, 2)),
        Need("Generate: int4 weights + KV cache", n * 0.5 + kv_cache_bytes(config, batch, seq, 2)),
        Need("Train: mixed precision AdamW", n * TRAINING_MIXED.per_param + act16),
        Need("Train: fp32 AdamW", n * TRAINING_FP32.per_param + act32),
    ]


def fits_table(config: GPTConfig, batch: int, seq: int, recompute: str, ram_bytes: int | None = None) -> list[dict]:
    """One row per scenario: GiB needed and whether it fits each accelerator size and this machine's RAM.
    Training includes the activations for this batch and sequence length."""
    ram = machine_ram_bytes() if ram_bytes is None else ram_bytes
    rows = []
    for need in needs(config, batch, seq, recompute):
        row = {"Use": need.scenario, "Needs (GiB)": need.bytes / GiB}
        for gb in ACCELERATORS_GB:
            row[f"{gb} GB"] = "yes" if need.bytes <= gb * GiB else "no"
        row[f"RAM {ram / GiB:.0f} GiB"] = "yes" if need.bytes <= ram else "no"
        rows.append(row)
    return rows


def training_breakdown(config: GPTConfig, batch: int, seq: int, recompute: str) -> dict[str, dict[str, float]]:
    """Bytes by role for fp32 and mixed-precision AdamW training: {role: {setting: bytes}}."""
    n = param_count.total(config)
    settings = {"fp32 AdamW": (TRAINING_FP32, 4), "mixed precision AdamW": (TRAINING_MIXED, 2)}
    table: dict[str, dict[str, float]] = {}
    for label, (state, value_bytes) in settings.items():
        act = activation_bytes(config, batch, seq, recompute, value_bytes)
        column = {
            "weights": state.weights * n,
            "gradients": state.gradients * n,
            "fp32 master weights": state.master_weights * n,
            "Adam momentum + variance": (state.adam_momentum + state.adam_variance) * n,
            (
                "activations (no recomputation)" if recompute == "none" else f"activations ({recompute} recomputation)"
            ): act,
            "total": state.per_param * n + act,
        }
        for role, value in column.items():
            table.setdefault(role, {})[label] = value
    return table


def human_bytes(n: float) -> str:
    """Bytes in binary units a learner can compare with a GPU's label."""
    units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
    value, unit = float(n), 0
    while abs(value) >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    if unit == len(units) - 1 and value >= 1024:
        return f"{n / 1024**8:.3g} YiB"
    return f"{value:,.0f} {units[unit]}" if unit == 0 else f"{value:,.2f} {units[unit]}"


MAX_BATCH = 10**6


def workload_problems(batch: int, seq: int, context_length: int) -> list[str]:
    found = []
    if not 1 <= batch <= MAX_BATCH:
        found.append(f"`batch size` must be between 1 and {MAX_BATCH:,}, got {batch:,}.")
    if seq < 1:
        found.append(f"`sequence length` must be at least 1, got {seq:,}.")
    elif seq > context_length:
        found.append(
            f"`sequence length` ({seq:,}) cannot exceed context_length ({context_length:,}): the model has no "
            "position embedding beyond it. Lower the sequence length or raise context_length."
        )
    return found
