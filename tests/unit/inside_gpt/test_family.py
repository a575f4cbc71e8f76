"""The page opens GPT-2's architecture and says so to anything else, instead of showing numbers a different
architecture never computed."""

import torch
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

from playground.inside_gpt.family import refusal


def small(**kw):
    return GPT2LMHeadModel(GPT2Config(n_embd=16, n_layer=1, n_head=2, vocab_size=50, n_positions=16, **kw))


def test_gpt2_models_open(loaded):
    assert refusal(loaded.model) is None
    assert refusal(small(activation_function="gelu")) is None


def test_another_causal_lm_is_refused_with_what_the_page_opens():
    torch.manual_seed(0)
    llama = LlamaForCausalLM(LlamaConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                         num_attention_heads=2, num_key_value_heads=2, vocab_size=50))  # fmt: skip
    message = refusal(llama)
    assert "LlamaForCausalLM" in message and "GPT2LMHeadModel" in message and "distilgpt2" in message


def test_a_gpt2_whose_layers_the_hand_pass_does_not_reproduce_is_refused():
    assert "scaling" in refusal(small(scale_attn_by_inverse_layer_idx=True))
    assert "quick_gelu" in refusal(small(activation_function="quick_gelu"))
