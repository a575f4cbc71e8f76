"""The GPT-2 anatomy page in one call: a configuration and a workload in, every count the page shows out."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from playground.gpt2 import figures, flops, text
from playground.gpt2 import memory as mem
from playground.gpt2 import params as param_count
from playground.gpt2.code_panel import anatomy_code
from playground.gpt2.config import GPTConfig


@dataclass(frozen=True)
class Workload:
    """What the memory and compute sections are asked about, beside the configuration."""

    batch: int = 8
    seq: int = 1024
    recompute: str = "none"
    tokens_b: float = 10.0  # training tokens D, in billions
    tflops: float = 100.0  # achieved throughput


@dataclass
class Parameters:
    total: int
    per_layer: int
    nanogpt: int  # without position embeddings, as nanoGPT prints it
    table: pd.DataFrame
    treemap: go.Figure


@dataclass
class Memory:
    weights: str
    training: pd.DataFrame
    activations: str
    kv_cache: str
    fits: pd.DataFrame


@dataclass
class Compute:
    summary: flops.ComputeSummary
    text: str


def parameters(config: GPTConfig) -> Parameters:
    return Parameters(
        total=param_count.total(config),
        per_layer=param_count.per_layer(config),
        nanogpt=param_count.nanogpt_count(config),
        table=pd.DataFrame(param_count.table_rows(config)),
        treemap=figures.treemap(config),
    )


def fitted_seq(seq: int, context_length: int) -> tuple[int, str | None]:
    """A sequence longer than the model's context (say, after lowering context_length) follows it down, saying so."""
    if seq <= context_length:
        return seq, None
    return context_length, mem.workload_problems(1, seq, context_length)[0] + " Using context_length."


def memory(config: GPTConfig, w: Workload) -> Memory:
    """What training and generation hold in memory; call only when `mem.workload_problems` found nothing wrong."""
    b, s = w.batch, w.seq
    per_mode = {m: mem.human_bytes(mem.activation_bytes(config, b, s, m)) for m in mem.RECOMPUTATION}
    return Memory(
        weights=" · ".join(
            f"{k} **{mem.human_bytes(v)}**" for k, v in mem.weight_bytes(param_count.total(config)).items()
        ),
        training=pd.DataFrame(mem.training_breakdown(config, b, s, w.recompute)).T.map(mem.human_bytes),
        activations=text.activations(mem.human_bytes(mem.activation_bytes_per_layer(config, b, s)), per_mode),
        kv_cache=text.kv_cache(b, s, mem.human_bytes(mem.kv_cache_bytes(config, b, s))),
        fits=pd.DataFrame(mem.fits_table(config, b, s, w.recompute)),
    )


def compute(config: GPTConfig, w: Workload) -> Compute:
    summary = flops.summary(config, w.seq, w.tokens_b * 1e9, w.tflops * 1e12)
    total, duration = flops.human_flops(summary.training_total), flops.human_duration(summary.training_seconds)
    rate = summary.tokens_per_second
    return Compute(summary, text.compute(w.seq, summary.attention_share, w.tokens_b, total, w.tflops, duration, rate))


def code(config: GPTConfig, w: Workload) -> str:
    return anatomy_code(config, w.batch, w.seq, w.recompute, w.tokens_b * 1e9, w.tflops * 1e12)
