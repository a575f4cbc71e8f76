""" "The code" panel of the GPT-2 anatomy page runs and reproduces every number the page shows."""

from dataclasses import replace

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from playground.gpt2 import flops
from playground.gpt2 import memory as mem
from playground.gpt2 import params as param_count
from playground.gpt2.code_panel import anatomy_code
from playground.gpt2.config import LESSON_124M, PRESETS, GPTConfig
from tests.helpers import assert_self_contained, run_panel

TINY = GPTConfig(vocab_size=101, context_length=16, emb_dim=24, n_heads=3, n_layers=2, qkv_bias=False, tied=False)


def run(config, batch=8, seq=1024, recompute="none", tokens=10e9, throughput=100e12):
    source = anatomy_code(config, batch, seq, recompute, tokens, throughput)
    assert_self_contained(source)
    return run_panel(source)


CASES = [
    (LESSON_124M, 8, 1024, "none"),
    (replace(LESSON_124M, tied=True), 4, 512, "selective"),
    (PRESETS["GPT-2 small (HF gpt2)"], 1, 1024, "full"),
    (TINY, 2, 16, "none"),
]


@pytest.mark.parametrize("config, batch, seq, recompute", CASES)
def test_the_code_reproduces_the_pages_numbers(config, batch, seq, recompute):
    ns, printed = run(config, batch, seq, recompute, tokens=3e9, throughput=50e12)
    n = param_count.total(config)
    assert ns["n_params"] == n and f"parameters: {n:,}" in printed
    assert ns["per_layer"] == param_count.per_layer(config)
    assert ns["weights"] == mem.weight_bytes(n)
    table = mem.training_breakdown(config, batch, seq, recompute)
    assert ns["adam_fp32"] + ns["act_fp32"] == table["total"]["fp32 AdamW"]
    assert ns["adam_mixed"] + ns["act_16bit"] == table["total"]["mixed precision AdamW"]
    assert ns["kv_cache"] == mem.kv_cache_bytes(config, batch, seq)
    summary = flops.summary(config, seq, 3e9, 50e12)
    assert ns["forward_per_token"] == summary.forward_per_token
    assert ns["training_per_token"] == summary.training_per_token
    assert ns["training_seconds"] == pytest.approx(summary.training_seconds, rel=1e-12)


def test_the_lessons_three_numbers_come_out_of_the_code():
    assert run(LESSON_124M)[0]["n_params"] == 163_009_536
    assert run(replace(LESSON_124M, tied=True))[0]["n_params"] == 124_412_160
    ns, printed = run(PRESETS["GPT-2 small (HF gpt2)"])
    assert ns["n_params"] == 124_439_808 and "nanoGPT would print 123.65M" in printed


def test_the_codes_model_is_a_working_gpt_whose_flops_match():
    """Not just shapes: the same classes built on the CPU run a forward pass costing exactly forward_per_token."""
    ns, _ = run(TINY, batch=2, seq=16)
    torch.manual_seed(0)
    model = ns["GPT"](ns["cfg"], ns["tied"])
    ids = torch.randint(0, TINY.vocab_size, (2, 16))
    with FlopCounterMode(display=False) as counter:
        logits = model(ids)
    assert logits.shape == (2, 16, TINY.vocab_size)
    assert counter.get_total_flops() == 2 * 16 * ns["forward_per_token"]
