"""The analytic parameter count is the one transformers' own GPT2LMHeadModel has, for every preset and any config."""

from dataclasses import replace

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers import GPT2Config, GPT2LMHeadModel

from playground.gpt2 import params as param_count
from playground.gpt2.config import LESSON_124M, PRESETS, GPTConfig


def hf_count(config: GPTConfig) -> int:
    """Built here independently of param_count.transformers_count: the reference is transformers itself."""
    with torch.device("meta"):
        model = GPT2LMHeadModel(GPT2Config(**config.to_hf_kwargs(), bos_token_id=0, eos_token_id=0))
    return sum(p.numel() for p in model.parameters())


def comparable_hf_count(config: GPTConfig) -> int:
    """transformers' GPT-2 always has QKV biases: without them the model has n_layers x 3 x emb_dim fewer."""
    return hf_count(config) - (0 if config.qkv_bias else config.n_layers * 3 * config.emb_dim)


def test_the_three_answers_to_124m():
    assert param_count.total(PRESETS["GPT-2 small (HF gpt2)"]) == 124_439_808
    assert param_count.total(replace(LESSON_124M, tied=True)) == 124_412_160
    assert param_count.total(replace(LESSON_124M, tied=False)) == 163_009_536
    nanogpt = param_count.nanogpt_count(PRESETS["GPT-2 small (HF gpt2)"])
    assert nanogpt == 123_653_376 and f"{nanogpt / 1e6:.2f}M" == "123.65M"


def test_hugging_faces_published_sizes():
    expected = {
        "GPT-2 medium (HF gpt2-medium)": 354_823_168,
        "GPT-2 large (HF gpt2-large)": 774_030_080,
        "GPT-2 XL (HF gpt2-xl)": 1_557_611_200,
    }
    for name, count in expected.items():
        assert param_count.total(PRESETS[name]) == count


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("tied", [True, False])
def test_every_preset_matches_transformers(name, tied):
    config = replace(PRESETS[name], tied=tied)
    assert param_count.total(config) == comparable_hf_count(config)


def test_the_pages_check_agrees_and_explains_the_qkv_adjustment():
    check = param_count.transformers_count(LESSON_124M)
    assert check.ran and check.transformers_total == 163_037_184  # transformers' model, with its QKV biases
    assert check.comparable == 163_009_536 and check.matches(163_009_536)
    assert "n_layers x 3 x emb_dim" in check.note
    assert param_count.transformers_count(PRESETS["GPT-2 small (HF gpt2)"]).comparable == 124_439_808


def test_a_single_block_is_12_d_squared_plus_13_d_with_qkv_bias():
    d = 768
    assert param_count.per_layer(replace(LESSON_124M, qkv_bias=True)) == 12 * d * d + 13 * d
    assert param_count.per_layer(replace(LESSON_124M, qkv_bias=False)) == 12 * d * d + 10 * d


def test_the_check_is_skipped_with_a_note_where_building_would_be_slow_or_impossible():
    deep = replace(LESSON_124M, n_layers=param_count.META_CHECK_MAX_LAYERS + 1)
    check = param_count.transformers_count(deep)
    assert not check.ran and check.matches(1) is None and "skipped" in check.note
    huge = replace(LESSON_124M, vocab_size=10**15, emb_dim=10**15, n_heads=1)
    assert not param_count.transformers_count(huge).ran


def test_a_vocabulary_of_a_trillion_is_still_counted_exactly():
    config = replace(LESSON_124M, vocab_size=10**12)
    assert param_count.total(config) == 163_009_536 + 2 * (10**12 - 50257) * 768


configs = st.builds(
    lambda heads, head_dim, **kw: GPTConfig(n_heads=heads, emb_dim=heads * head_dim, **kw),
    heads=st.integers(1, 8),
    head_dim=st.integers(1, 64),
    vocab_size=st.integers(1, 70_000),
    context_length=st.integers(1, 4096),
    n_layers=st.integers(1, 4),
    drop_rate=st.floats(0, 0.99),
    qkv_bias=st.booleans(),
    tied=st.booleans(),
)


@settings(max_examples=30, deadline=None)
@given(configs)
def test_random_valid_configs_match_transformers(config):
    assert config.problems() == []
    assert param_count.total(config) == comparable_hf_count(config)
    assert sum(c.total for c in param_count.components(config)) == param_count.total(config)


def test_table_rows_keep_numbers_and_switch_to_exact_text_past_64_bit():
    rows = param_count.table_rows(LESSON_124M)
    assert [r["Component"] for r in rows][:2] == ["Token embedding", "Position embedding"]
    assert sum(r["Total"] for r in rows) == 163_009_536 and abs(sum(r["Share"] for r in rows) - 1) < 1e-12
    d = 10**15
    huge = GPTConfig(vocab_size=d, context_length=d, emb_dim=d, n_heads=1, n_layers=d)
    assert param_count.table_rows(huge)[0]["Total"] == f"{d * d:,}"


def test_the_pages_explanation_of_124m_quotes_numbers_this_module_computes():
    text = param_count.THREE_ANSWERS_124M
    small = PRESETS["GPT-2 small (HF gpt2)"]
    for number in (
        param_count.total(small),
        param_count.total(replace(LESSON_124M, tied=True)),
        param_count.total(LESSON_124M),
        param_count.qkv_bias_params(LESSON_124M),
        50257 * 768,
        1024 * 768,
    ):
        assert f"{number:,}" in text
    assert f"{param_count.nanogpt_count(small) / 1e6:.2f}M" in text


def test_the_check_says_what_the_difference_is_before_it_says_the_counts_match():
    from playground.gpt2.text import meta_check

    said = meta_check(param_count.transformers_count(LESSON_124M), 163_009_536)
    difference, verdict = said.index("27,648 more"), said.index("✅ That matches the analytic count")
    assert said.index("163,037,184") < difference < said.index("Q, K and V projections a bias") < verdict
    off_by_one = meta_check(param_count.transformers_count(LESSON_124M), 163_009_537)
    assert "❌" in off_by_one and "by -1" in off_by_one


def test_with_qkv_biases_on_the_check_has_no_difference_to_explain():
    from playground.gpt2.text import meta_check

    said = meta_check(param_count.transformers_count(PRESETS["GPT-2 small (HF gpt2)"]), 124_439_808)
    assert "more than" not in said and "✅ That matches the analytic count, **124,439,808**" in said
