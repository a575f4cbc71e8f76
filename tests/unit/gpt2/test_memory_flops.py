"""Memory and FLOPs: the papers' formulas, checked by hand and against PyTorch's own FLOP counter."""

from dataclasses import replace

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode
from transformers import GPT2Config, GPT2LMHeadModel

from playground.gpt2 import flops
from playground.gpt2 import memory as mem
from playground.gpt2 import params as param_count
from playground.gpt2.config import LESSON_124M, PRESETS, GPTConfig
from playground.url_values import one_of

GPT2_SMALL = PRESETS["GPT-2 small (HF gpt2)"]
TINY = GPTConfig(vocab_size=97, context_length=32, emb_dim=48, n_heads=4, n_layers=3, qkv_bias=True, tied=True)


def tiny_hf_model(config: GPTConfig) -> GPT2LMHeadModel:
    torch.manual_seed(0)
    hf = GPT2Config(**config.to_hf_kwargs(), bos_token_id=0, eos_token_id=0, attn_implementation="eager")
    return GPT2LMHeadModel(hf)


# ---- weights and optimizer state ---------------------------------------------------------------------------------


def test_weights_take_4_2_1_and_half_a_byte_per_parameter():
    n = param_count.total(GPT2_SMALL)
    assert mem.weight_bytes(n) == {"fp32": 4 * n, "fp16 / bf16": 2 * n, "int8": n, "int4": n / 2}
    assert mem.human_bytes(4 * 124_439_808) == "474.70 MiB"  # the size of gpt2's pytorch_model.bin, give or take


def test_adamw_keeps_16_bytes_per_parameter_in_fp32_and_in_mixed_precision():
    assert mem.TRAINING_FP32.per_param == 16  # weights, gradients, momentum, variance
    assert mem.TRAINING_MIXED.per_param == 16  # 2 + 2 + 12 (ZeRO section 3.1)
    table = mem.training_breakdown(GPT2_SMALL, 1, 1024, "none")
    n = 124_439_808
    assert table["Adam momentum + variance"]["mixed precision AdamW"] == 8 * n
    assert table["fp32 master weights"] == {"fp32 AdamW": 0, "mixed precision AdamW": 4 * n}
    assert table["total"]["fp32 AdamW"] == 16 * n + mem.activation_bytes(GPT2_SMALL, 1, 1024, "none", 4)


# ---- activations (Korthikanti et al. 2022) -----------------------------------------------------------------------


def test_one_layer_stores_sbh_times_34_plus_5as_over_h_bytes_in_16_bit():
    for s, b, h, a in [(1024, 8, 768, 12), (2048, 1, 12288, 96), (7, 3, 40, 5)]:
        config = GPTConfig(emb_dim=h, n_heads=a)
        assert mem.activation_bytes_per_layer(config, b, s) == 34 * s * b * h + 5 * a * s * s * b
        assert mem.activation_bytes_per_layer(config, b, s, "selective") == 34 * s * b * h
        assert mem.activation_bytes_per_layer(config, b, s, "full") == 2 * s * b * h


def test_gpt2_small_at_1024_tokens_keeps_34_plus_80_bytes_per_token_and_channel():
    assert mem.activation_bytes_per_layer(GPT2_SMALL, 1, 1024) == 1024 * 768 * (34 + 5 * 12 * 1024 // 768)


def test_fp32_activations_double_values_but_not_one_byte_dropout_masks():
    s, b, h, a = 64, 2, 48, 4
    config = GPTConfig(emb_dim=h, n_heads=a)
    assert mem.activation_bytes_per_layer(config, b, s, value_bytes=4) == 66 * s * b * h + 9 * a * s * s * b


def test_outside_the_blocks_the_fp32_logits_dominate():
    s, b = 1024, 1
    extra = mem.activation_bytes_outside_layers(GPT2_SMALL, b, s)
    assert extra == 5 * s * b * 768 + 4 * s * b * 50257
    total = mem.activation_bytes(GPT2_SMALL, b, s)
    assert total == 12 * mem.activation_bytes_per_layer(GPT2_SMALL, b, s) + extra


def test_unknown_recomputation_is_refused():
    with pytest.raises(ValueError, match="recompute"):
        mem.activation_bytes_per_layer(GPT2_SMALL, 1, 1, "some")
    with pytest.raises(ValueError, match="none, selective, full"):
        one_of(mem.RECOMPUTATION)("everything")  # how the page reads it from a link


# ---- KV cache and fitting --------------------------------------------------------------------------------------


def test_kv_cache_matches_the_tensors_transformers_caches_during_generation():
    model = tiny_hf_model(TINY).eval()
    ids = torch.randint(0, TINY.vocab_size, (2, 10))
    with torch.no_grad():
        cache = model(ids, use_cache=True).past_key_values
    fp32_bytes = sum(layer.keys.numel() * 4 + layer.values.numel() * 4 for layer in cache.layers)
    assert fp32_bytes == mem.kv_cache_bytes(TINY, batch=2, seq=10, value_bytes=4)
    assert mem.kv_cache_bytes(GPT2_SMALL, 1, 1024) == 2 * 12 * 1024 * 768 * 2  # 36 MiB per 1024-token sequence


def test_fitting_compares_the_need_with_each_memory_size():
    rows = mem.fits_table(LESSON_124M, 8, 1024, "none", ram_bytes=16 * mem.GiB)
    by_use = {row["Use"]: row for row in rows}
    fp32 = by_use["Train: fp32 AdamW"]
    assert fp32["Needs (GiB)"] * mem.GiB == 16 * 163_009_536 + mem.activation_bytes(LESSON_124M, 8, 1024, "none", 4)
    assert fp32["16 GB"] == "no" and fp32["24 GB"] == "yes" and fp32["RAM 16 GiB"] == "no"
    assert all(row["80 GB"] == "yes" for row in rows)
    xl = mem.fits_table(PRESETS["GPT-2 XL (HF gpt2-xl)"], 8, 1024, "none", ram_bytes=0)
    assert {row["Use"]: row["16 GB"] for row in xl}["Train: mixed precision AdamW"] == "no"  # 1.56B x 16 B > 16 GB
    assert mem.machine_ram_bytes() > 0


def test_sequence_longer_than_the_context_is_explained():
    (message,) = mem.workload_problems(1, 2048, 1024)
    assert "cannot exceed context_length (1,024)" in message
    assert mem.workload_problems(0, 10, 1024)[0].startswith("`batch size` must be between 1")
    assert mem.workload_problems(8, 1024, 1024) == []


# ---- FLOPs ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tied", [True, False])
def test_forward_flops_equal_pytorchs_flop_counter_on_transformers_gpt2(tied):
    config = replace(TINY, tied=tied)
    model = tiny_hf_model(config)
    b, s = 2, 16
    ids = torch.randint(0, config.vocab_size, (b, s))
    with FlopCounterMode(display=False) as counter:
        model(ids)
    assert counter.get_total_flops() == b * s * flops.forward_flops_per_token(config, s)


def test_training_flops_are_three_forwards_by_pytorchs_flop_counter():
    model = tiny_hf_model(TINY)
    b, s = 2, 16
    ids = torch.randint(0, TINY.vocab_size, (b, s))
    with FlopCounterMode(display=False) as counter:
        model(ids, labels=ids).loss.backward()
    assert counter.get_total_flops() == b * s * flops.training_flops_per_token(TINY, s)


def test_six_n_is_close_for_gpt2_small_and_training_time_follows():
    summary = flops.summary(GPT2_SMALL, 1024, training_tokens=300e9, throughput_flops=8 * 100e12)
    assert summary.training_rule_of_thumb == 6 * 124_439_808
    assert abs(summary.training_per_token / summary.training_rule_of_thumb - 1) < 0.15
    assert summary.training_seconds == pytest.approx(300e9 * summary.training_per_token / 800e12)
    assert 0.1 < summary.attention_share < 0.2  # at 1,024 tokens attention is a minor cost for GPT-2 small
    assert flops.human_duration(summary.training_seconds).endswith("days")
    with pytest.raises(ValueError, match="throughput"):
        flops.summary(GPT2_SMALL, 1024, 1e9, 0)
