"""Each decoding knob does what transformers' own logits processor does, and the cut-offs are counted right."""

import pytest
import torch
from transformers import RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

from playground.generation.filters import (
    Knobs,
    apply_repetition_penalty,
    apply_temperature,
    apply_top_k,
    apply_top_p,
    cutoffs,
    entropy_bits,
    final_logits,
    stages,
)


@pytest.fixture
def logits():
    return torch.randn(3, 100, generator=torch.Generator().manual_seed(0)) * 3


def test_repetition_penalty_matches_transformers(logits):
    previous = torch.randint(0, 100, (3, 7), generator=torch.Generator().manual_seed(1))
    ours = apply_repetition_penalty(logits, previous, 1.7)
    theirs = RepetitionPenaltyLogitsProcessor(1.7)(previous, logits.clone())
    assert torch.allclose(ours, theirs)
    assert not torch.equal(ours, logits)


def test_temperature_matches_transformers_and_rejects_zero(logits):
    assert torch.allclose(apply_temperature(logits, 0.7), TemperatureLogitsWarper(0.7)(None, logits.clone()))
    with pytest.raises(ValueError, match="greedy"):
        apply_temperature(logits, 0.0)


@pytest.mark.parametrize("k", [1, 5, 50, 99])
def test_top_k_matches_transformers(logits, k):
    ours = apply_top_k(logits, k)
    assert torch.equal(ours, TopKLogitsWarper(k)(None, logits.clone()))
    assert (torch.isfinite(ours).sum(dim=-1) == k).all()


def test_top_k_of_zero_or_above_the_vocabulary_keeps_everything(logits):
    assert torch.equal(apply_top_k(logits, 0), logits)
    assert torch.equal(apply_top_k(logits, 10_000), logits)


@pytest.mark.parametrize("p", [0.05, 0.3, 0.9, 0.99])
def test_top_p_matches_transformers(logits, p):
    ours = apply_top_p(logits, p)
    assert torch.equal(torch.isfinite(ours), torch.isfinite(TopPLogitsWarper(p)(None, logits.clone())))
    kept_mass = logits.softmax(-1).masked_fill(~torch.isfinite(ours), 0).sum(-1)
    assert (kept_mass >= p).all()


def test_top_p_zero_keeps_only_the_most_likely_token(logits):
    kept = torch.isfinite(apply_top_p(logits, 0.0))
    assert (kept.sum(-1) == 1).all()
    assert torch.equal(kept.float().argmax(-1), logits.argmax(-1))


def test_final_logits_compose_like_transformers_sampling_processors(logits):
    previous = torch.randint(0, 100, (3, 5), generator=torch.Generator().manual_seed(2))
    knobs = Knobs(temperature=0.8, top_k=20, top_p=0.9, repetition_penalty=1.3, do_sample=True)
    theirs = logits.clone()
    for proc in (
        RepetitionPenaltyLogitsProcessor(1.3),
        TemperatureLogitsWarper(0.8),
        TopKLogitsWarper(20),
        TopPLogitsWarper(0.9),
    ):
        theirs = proc(previous, theirs)
    assert torch.allclose(final_logits(logits, previous, knobs).softmax(-1), theirs.softmax(-1), atol=1e-6)


def test_stages_show_one_distribution_per_active_knob_each_summing_to_one(logits):
    knobs = Knobs(temperature=0.5, top_k=10, top_p=0.8, repetition_penalty=1.2, do_sample=True)
    names = [name for name, _ in stages(logits[0], torch.tensor([1, 2]), knobs)]
    assert names == ["model (softmax of logits)", "repetition penalty 1.2", "temperature 0.5", "top-k 10", "top-p 0.8"]
    for _, probs in stages(logits[0], torch.tensor([1, 2]), knobs):
        assert torch.isclose(probs.sum(), torch.tensor(1.0), atol=1e-5)
    assert len(stages(logits[0], torch.tensor([1]), Knobs())) == 1


def test_cutoffs_count_the_tokens_each_filter_keeps():
    logits = torch.log(torch.tensor([0.5, 0.3, 0.1, 0.06, 0.04]))
    c = cutoffs(logits, temperature=1.0, top_k=3, top_p=0.75)
    assert (c.top_k_kept, c.top_p_kept, c.both_kept) == (3, 2, 2)
    hot = cutoffs(logits, temperature=5.0, top_k=3, top_p=0.75)
    assert hot.top_p_kept > c.top_p_kept  # a flatter distribution needs more tokens to reach the same mass


def test_entropy_in_bits():
    assert entropy_bits(torch.full((8,), 1 / 8)).item() == pytest.approx(3.0)
    assert entropy_bits(torch.tensor([1.0, 0.0, 0.0])).item() == 0.0
