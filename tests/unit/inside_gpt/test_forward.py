"""The hand-written pass equals the model's own forward pass, tensor by tensor: read from the model with forward
hooks, its `output_hidden_states` / `output_attentions`, and the q, k, v its attention function receives."""

import pytest
import torch
from transformers.models.gpt2 import modeling_gpt2

from playground.inside_gpt import lesson
from playground.inside_gpt.next_token import distribution

ATOL = 2e-5
PROMPT = "ROMEO: But soft, what light through yonder window breaks? It is the east"


@pytest.fixture(scope="module")
def both(loaded, monkeypatch_module):
    """(the page's pass, what the model computed) on the same prompt."""
    model, tok = loaded.model, loaded.tokenizer
    ids = lesson.read_prompt(tok, PROMPT, lesson.token_limit(model.config)).ids
    seen = {}
    hooks = []
    for i, block in enumerate(model.transformer.h):
        for part in ("ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.act", "mlp.c_proj"):
            module = block.get_submodule(part)
            hooks.append(module.register_forward_hook(lambda m, a, out, key=(i, part): seen.__setitem__(key, out)))
        hooks.append(block.register_forward_hook(lambda m, a, out, i=i: seen.__setitem__((i, "block"), out)))
    eager = modeling_gpt2.eager_attention_forward
    calls = []

    def recording(module, query, key, value, attention_mask, scaling=None, **kw):
        calls.append((query[0], key[0], value[0], scaling, attention_mask))
        return eager(module, query, key, value, attention_mask, scaling=scaling, **kw)

    monkeypatch_module.setattr(modeling_gpt2, "eager_attention_forward", recording)
    try:
        with torch.no_grad():
            out = model(torch.tensor([ids]), output_hidden_states=True, output_attentions=True)
    finally:
        for hook in hooks:
            hook.remove()
    return lesson.run_pass(model, tok, ids), out, seen, calls


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def close(a, b):
    assert a.shape == b.shape, (a.shape, b.shape)
    torch.testing.assert_close(a, b, atol=ATOL, rtol=1e-5)


def test_the_embeddings_are_the_models_first_hidden_state(both):
    p, out, _, _ = both
    close(p.x0, out.hidden_states[0][0])
    close(p.tok_emb + p.pos_emb, p.x0)


def test_every_block_tensor_is_what_the_model_computes(both):
    p, out, seen, calls = both
    assert len(p.blocks) == len(calls)
    for i, b in enumerate(p.blocks):
        close(b.x_in, out.hidden_states[i][0])
        close(b.ln1, seen[i, "ln_1"][0])
        close(b.qkv, seen[i, "attn.c_attn"][0])
        query, key, value, scaling, mask = calls[i]
        close(b.q, query), close(b.k, key), close(b.v, value)
        close(b.scores, query @ key.transpose(-1, -2) * scaling)
        blocked = mask[0, 0] < -1e30  # the model's own causal mask: a huge negative number where it may not look
        assert torch.equal(torch.isneginf(b.masked[0]), blocked)
        close(b.weights, out.attentions[i][0])
        close(b.attn, seen[i, "attn.c_proj"][0])
        close(b.resid1, b.x_in + b.attn)
        close(b.ln2, seen[i, "ln_2"][0])
        close(b.up, seen[i, "mlp.c_fc"][0])
        close(b.act, seen[i, "mlp.act"][0])
        close(b.down, seen[i, "mlp.c_proj"][0])
        block_out = seen[i, "block"]
        close(b.x_out, (block_out[0] if isinstance(block_out, tuple) else block_out)[0])


def test_the_weights_rows_sum_to_one_and_never_look_ahead(both):
    p = both[0]
    for b in p.blocks:
        torch.testing.assert_close(b.weights.sum(-1), torch.ones(b.weights.shape[:-1]))
        assert torch.all(b.weights.triu(1) == 0)


def test_final_layer_norm_logits_and_distribution_are_the_models(both):
    p, out, _, _ = both
    close(p.ln_f, out.hidden_states[-1][0])
    close(p.logits, out.logits[0])
    for temperature in (0.5, 1.0, 1.7):
        expected = torch.softmax(out.logits[0, -1] / temperature, dim=-1)
        torch.testing.assert_close(distribution(p, len(p.ids) - 1, temperature), expected, atol=1e-6, rtol=1e-4)


def test_the_pass_reads_the_weights_and_never_calls_the_models_forward(loaded, monkeypatch):
    def refuse(*args, **kw):
        raise AssertionError("the page's pass called the model's forward")

    monkeypatch.setattr(type(loaded.model), "forward", refuse)
    monkeypatch.setattr(type(loaded.model.transformer), "forward", refuse)
    p = lesson.run_pass(loaded.model, loaded.tokenizer, (1, 2, 3))
    assert p.logits.shape == (3, loaded.model.config.vocab_size)


def test_an_untied_gpt2_uses_its_own_output_head():
    from transformers import GPT2Config, GPT2LMHeadModel

    from playground.inside_gpt.steps import View, steps

    torch.manual_seed(1)
    config = GPT2Config(n_embd=16, n_layer=2, n_head=2, vocab_size=40, n_positions=16, tie_word_embeddings=False)
    model = GPT2LMHeadModel(config).eval()
    assert not torch.equal(model.lm_head.weight, model.transformer.wte.weight)
    ids = (3, 1, 4, 1, 5)
    p = lesson.run_pass(model, None, ids)
    with torch.no_grad():
        close(p.logits, model(torch.tensor([ids])).logits[0])
    logits = steps(p, config, View(), [str(i) for i in ids], str)[-1]
    assert logits.title == "Logits from the output head" and "W_headᵀ" in logits.shape
