"""The page's generation loop is transformers' `generate`, written out, with every step's probabilities recorded."""

import pytest
import torch

from playground.generation.decode import (
    MAX_NEW_TOKENS,
    Settings,
    StreamingRun,
    generate,
    generate_kwargs,
    prepare,
    step_logits,
)
from tests.unit.tiny_gpt import one_torch_thread, tiny_gpt, tiny_tokenizer  # noqa: F401 (autouse fixture)


@pytest.fixture(scope="module")
def tok():
    return tiny_tokenizer()


@pytest.fixture(scope="module")
def model(tok):
    return tiny_gpt(tok)


def reference(model, prepared, eos):
    """transformers' own generate on the same prompt and settings."""
    ids = prepared.input_ids
    return model.generate(ids, attention_mask=torch.ones_like(ids), **generate_kwargs(prepared.settings, eos))


@pytest.mark.parametrize("prompt", ["ROMEO:", "Once upon a time", "O Romeo, Romeo! wherefore"])
def test_greedy_equals_transformers_generate_token_for_token(model, tok, prompt):
    prepared = prepare(Settings(prompt=prompt, max_new_tokens=30), tok, model)
    ours = generate(model, prepared, tok.eos_token_id)
    assert torch.equal(ours.sequences, reference(model, prepared, tok.eos_token_id))


def test_greedy_with_repetition_penalty_equals_transformers(model, tok):
    prepared = prepare(Settings(prompt="ROMEO:", max_new_tokens=30, repetition_penalty=5.0), tok, model)
    ours = generate(model, prepared, tok.eos_token_id)
    assert torch.equal(ours.sequences, reference(model, prepared, tok.eos_token_id))
    plain = generate(model, prepare(Settings(prompt="ROMEO:", max_new_tokens=30), tok, model), tok.eos_token_id)
    assert not torch.equal(ours.sequences, plain.sequences)  # the penalty changed something


@pytest.mark.parametrize(
    "knobs",
    [dict(temperature=1.0), dict(temperature=0.7, top_k=20), dict(temperature=1.3, top_p=0.8, repetition_penalty=1.2)],
)
def test_seeded_sampling_draws_the_same_tokens_as_transformers_with_that_seed(model, tok, knobs):
    prepared = prepare(
        Settings(prompt="ROMEO:", max_new_tokens=25, do_sample=True, num_sequences=3, seed=7, **knobs), tok, model
    )
    ours = generate(model, prepared, tok.eos_token_id)
    torch.manual_seed(7)
    assert torch.equal(ours.sequences, reference(model, prepared, tok.eos_token_id))


def test_seeded_sampling_is_reproducible_and_the_seed_matters(model, tok):
    def run(seed):
        s = Settings(prompt="ROMEO:", max_new_tokens=30, do_sample=True, temperature=1.5, seed=seed, num_sequences=2)
        return generate(model, prepare(s, tok, model), tok.eos_token_id).sequences

    assert torch.equal(run(3), run(3))
    assert not torch.equal(run(3), run(4))


def test_per_step_probabilities_are_the_softmax_of_the_models_logits(model, tok):
    s = Settings(prompt="Once upon", max_new_tokens=20, do_sample=True, temperature=0.9, top_k=30, seed=1)
    g = generate(model, prepare(s, tok, model), tok.eos_token_id)
    seq = g.sequences[0]
    with torch.no_grad():
        probs = model(seq[None]).logits[0].softmax(-1)  # one teacher-forced pass over the finished text
    for t in range(g.lengths[0]):
        position = g.prompt_len + t
        expected = probs[position - 1]
        assert g.chosen_probs[0, t].item() == pytest.approx(expected[seq[position]].item(), abs=1e-5)
        entropy = -(expected * expected.log2()).sum().item()
        assert g.entropies[0, t].item() == pytest.approx(entropy, abs=1e-3)
        assert torch.allclose(step_logits(model, seq, position).softmax(-1), expected, atol=1e-5)


def test_beam_search_is_transformers_and_reports_each_tokens_probability(model, tok):
    prepared = prepare(Settings(prompt="ROMEO:", max_new_tokens=15, num_beams=3, num_sequences=2), tok, model)
    g = generate(model, prepared, tok.eos_token_id)
    assert torch.equal(g.sequences, reference(model, prepared, tok.eos_token_id))
    assert g.sequences.shape[0] == 2
    assert ((g.chosen_probs[:, : min(g.lengths)] > 0) & (g.chosen_probs[:, : min(g.lengths)] <= 1)).all()
    # The best beam's probabilities come from the beam it was extended from: check them by teacher forcing.
    seq = g.sequences[0]
    with torch.no_grad():
        probs = model(seq[None]).logits[0].softmax(-1)
    for t in range(g.lengths[0]):
        assert g.chosen_probs[0, t].item() == pytest.approx(
            probs[g.prompt_len + t - 1, seq[g.prompt_len + t]].item(), abs=1e-4
        )


def test_streaming_yields_the_generated_text_and_the_same_result(model, tok):
    prepared = prepare(Settings(prompt="ROMEO:", max_new_tokens=20), tok, model)
    run = StreamingRun(model, tok, prepared, tok.eos_token_id)
    streamed = "".join(run)
    result = run.result()
    assert streamed == tok.decode(result.new_tokens[0], skip_special_tokens=True)
    assert torch.equal(result.sequences, generate(model, prepared, tok.eos_token_id).sequences)


def test_an_error_in_the_generation_thread_surfaces_in_result(model, tok):
    prepared = prepare(Settings(prompt="ROMEO:", max_new_tokens=5), tok, model)
    prepared.input_ids = torch.tensor([[10_000]])  # not in the vocabulary
    run = StreamingRun(model, tok, prepared, tok.eos_token_id, timeout=30)
    assert "".join(run) == ""  # the stream ends instead of hanging
    with pytest.raises(IndexError):
        run.result()


def test_empty_prompt_starts_from_the_end_of_text_token(model, tok):
    prepared = prepare(Settings(prompt="", max_new_tokens=5), tok, model)
    assert prepared.input_ids.tolist() == [[tok.eos_token_id]]
    assert any("empty" in note for note in prepared.notes)


def test_a_prompt_longer_than_the_context_is_truncated_from_the_left(model, tok):
    long_prompt = "Romeo and Juliet " * 80
    prepared = prepare(Settings(prompt=long_prompt, max_new_tokens=10), tok, model)
    full = tok(long_prompt)["input_ids"]
    assert prepared.input_ids.shape[1] == model.config.n_positions - 10
    assert prepared.input_ids[0].tolist() == full[-(model.config.n_positions - 10) :]
    assert any("truncated from the left" in note for note in prepared.notes)
    generate(model, prepared, tok.eos_token_id)  # and it runs


def test_max_new_tokens_is_capped(model, tok):
    prepared = prepare(Settings(max_new_tokens=5000), tok, model)
    assert prepared.settings.max_new_tokens <= MAX_NEW_TOKENS
    assert any(str(MAX_NEW_TOKENS) in note for note in prepared.notes)
    assert prepared.settings.max_new_tokens == model.config.n_positions - 1  # the tiny model's context is smaller


def test_temperature_zero_is_greedy(model, tok):
    prepared = prepare(Settings(max_new_tokens=10, do_sample=True, temperature=0.0), tok, model)
    assert not prepared.settings.do_sample and any("greedy" in n for n in prepared.notes)
    greedy = prepare(Settings(max_new_tokens=10), tok, model)
    assert torch.equal(generate(model, prepared, 0).sequences, generate(model, greedy, 0).sequences)


def test_top_p_zero_and_top_k_above_the_vocabulary_are_handled(model, tok):
    p0 = prepare(Settings(max_new_tokens=10, do_sample=True, top_p=0.0, seed=3), tok, model)
    greedy = prepare(Settings(max_new_tokens=10), tok, model)
    assert torch.equal(generate(model, p0, 0).sequences, generate(model, greedy, 0).sequences)
    big_k = prepare(Settings(max_new_tokens=10, do_sample=True, top_k=10**6), tok, model)
    assert big_k.settings.top_k == 0 and any("vocabulary" in n for n in big_k.notes)
    generate(model, big_k, 0)


def test_greedy_asks_for_one_sequence_only(model, tok):
    prepared = prepare(Settings(max_new_tokens=5, num_sequences=4), tok, model)
    assert prepared.settings.num_sequences == 1
