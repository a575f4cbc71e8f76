"""How fast are the GPT-2 anatomy page's numbers? The analytic ones against the meta-device check, side by side.

For each configuration: every analytic number the page shows (parameters, memory, FLOPs) against building
transformers' GPT2LMHeadModel on the meta device, alternating rounds so load from other processes hits both alike.
Targets: the meta build of GPT-2 small under 0.1 s (the issue's figure) and the analytic numbers under 1 ms at any
size, including a 10^12-token vocabulary. The page skips the check above params.META_CHECK_MAX_LAYERS (48, GPT-2
XL's depth); the GPT-3-shaped row shows why. Timings on the shared 2-core machine are noisy: medians of the rounds.

    .venv/bin/python bench/bench_gpt_anatomy.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.gpt2 import flops, params  # noqa: E402
from playground.gpt2 import memory as memory_estimate  # noqa: E402
from playground.gpt2.config import LESSON_124M, PRESETS  # noqa: E402

TARGET_META_SMALL = 0.1
TARGET_ANALYTIC = 0.001


def analytic(config):
    params.components(config)
    memory_estimate.fits_table(config, 8, min(1024, config.context_length), "none")
    memory_estimate.training_breakdown(config, 8, min(1024, config.context_length), "none")
    flops.summary(config, min(1024, config.context_length), 10e9, 100e12)


def meta_build(config):
    """The page's check without its layer cap, so the deep row shows what the cap avoids."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    with torch.device("meta"):
        model = GPT2LMHeadModel(GPT2Config(**config.to_hf_kwargs(), bos_token_id=0, eos_token_id=0))
    return sum(p.numel() for p in model.parameters())


def timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    configs = {name: config for name, config in PRESETS.items()}
    configs["GPT-3 shape (96 x 12288)"] = replace(
        LESSON_124M, emb_dim=12288, n_heads=96, n_layers=96, context_length=2048
    )
    configs["vocab 10^12"] = replace(LESSON_124M, vocab_size=10**12)
    params.transformers_count(LESSON_124M)  # warm up imports
    print(f"{'configuration':<32}{'analytic (ms)':>15}{'meta build (ms)':>17}{'meta / analytic':>17}")
    small_meta = None
    worst_analytic = 0.0
    for name, config in configs.items():
        a_times, m_times = [], []
        for _ in range(rounds):
            a_times.append(timed(analytic, config))
            m_times.append(timed(meta_build, config))
        a, m = statistics.median(a_times), statistics.median(m_times)
        worst_analytic = max(worst_analytic, a)
        if name == "GPT-2 small (HF gpt2)":
            small_meta = m
        print(f"{name:<32}{a * 1e3:>15.3f}{m * 1e3:>17.1f}{m / a:>17,.0f}x")
    print(
        f"\nmeta build of GPT-2 small: {small_meta * 1e3:.1f} ms (target < {TARGET_META_SMALL * 1e3:.0f} ms): "
        f"{'OK' if small_meta < TARGET_META_SMALL else 'MISSED'}"
    )
    print(
        f"slowest analytic: {worst_analytic * 1e3:.3f} ms (target < {TARGET_ANALYTIC * 1e3:.0f} ms): "
        f"{'OK' if worst_analytic < TARGET_ANALYTIC else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
