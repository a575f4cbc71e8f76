"""The decoding knobs, each one a small function from logits to logits.

A language model only ever produces a score (logit) for every token in its vocabulary. Everything called "decoding"
happens afterwards, in this order (the order transformers' `generate` uses, so our numbers match its own):

    repetition penalty -> temperature -> top-k -> top-p -> softmax -> pick a token

Filtering is done by setting a logit to -inf, so its probability after softmax is exactly 0 and the rest renormalise.
Keeping each knob separate lets the GPT page show the distribution before and after every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

NEG_INF = float("-inf")


def apply_repetition_penalty(logits: torch.Tensor, previous_ids: torch.Tensor, penalty: float) -> torch.Tensor:
    """CTRL's penalty (Keskar et al. 2019): tokens already in the text become less likely.

    A positive logit is divided by the penalty and a negative one multiplied, so both move towards "less likely".
    logits: (batch, vocab); previous_ids: (batch, seq) every token so far, prompt included.
    """
    if penalty == 1.0:
        return logits
    seen = torch.zeros_like(logits, dtype=torch.bool).scatter_(1, previous_ids, True)
    penalised = torch.where(logits < 0, logits * penalty, logits / penalty)
    return torch.where(seen, penalised, logits)


def apply_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Below 1 sharpens the distribution (towards greedy), above 1 flattens it (towards uniform)."""
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0 (use greedy decoding for temperature 0), got {temperature}")
    return logits / temperature


def apply_top_k(logits: torch.Tensor, top_k: int) -> torch.Tensor:
    """Keep the k highest logits; 0 (or anything >= the vocabulary size) keeps everything. Ties at the k-th value
    stay."""
    vocab = logits.shape[-1]
    if top_k <= 0 or top_k >= vocab:
        return logits
    kth_value = torch.topk(logits, top_k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth_value, NEG_INF)


def apply_top_p(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """Nucleus sampling (Holtzman et al. 2019): keep the smallest set of most likely tokens whose probability adds
    up to at least top_p. The most likely token always stays, so top_p = 0 behaves like greedy."""
    if top_p >= 1.0:
        return logits
    sorted_logits, order = torch.sort(logits, descending=True, dim=-1)
    probs = sorted_logits.softmax(dim=-1)
    mass_before = probs.cumsum(dim=-1) - probs  # probability of all the tokens ranked above this one
    drop_sorted = mass_before >= top_p
    drop_sorted[..., 0] = False
    drop = torch.zeros_like(drop_sorted).scatter_(-1, order, drop_sorted)
    return logits.masked_fill(drop, NEG_INF)


@dataclass(frozen=True)
class Knobs:
    """The settings that shape the next-token distribution. Greedy decoding ignores everything but the penalty."""

    temperature: float = 1.0
    top_k: int = 0  # 0 = off
    top_p: float = 1.0  # 1.0 = off
    repetition_penalty: float = 1.0  # 1.0 = off
    do_sample: bool = False


def final_logits(logits: torch.Tensor, previous_ids: torch.Tensor, knobs: Knobs) -> torch.Tensor:
    """The logits the next token is actually chosen from."""
    logits = apply_repetition_penalty(logits, previous_ids, knobs.repetition_penalty)
    if not knobs.do_sample:
        return logits
    logits = apply_temperature(logits, knobs.temperature)
    logits = apply_top_k(logits, knobs.top_k)
    return apply_top_p(logits, knobs.top_p)


def stages(logits: torch.Tensor, previous_ids: torch.Tensor, knobs: Knobs) -> list[tuple[str, torch.Tensor]]:
    """The distribution after each knob in turn, as probabilities: what the "before / after" charts draw.

    logits: (vocab,) for one step; previous_ids: (seq,) the tokens before that step.
    """
    out = [("model (softmax of logits)", logits)]
    if knobs.repetition_penalty != 1.0:
        logits = apply_repetition_penalty(logits[None], previous_ids[None], knobs.repetition_penalty)[0]
        out.append((f"repetition penalty {knobs.repetition_penalty:g}", logits))
    if knobs.do_sample:
        if knobs.temperature != 1.0:
            logits = apply_temperature(logits, knobs.temperature)
            out.append((f"temperature {knobs.temperature:g}", logits))
        if 0 < knobs.top_k < logits.shape[-1]:
            logits = apply_top_k(logits, knobs.top_k)
            out.append((f"top-k {knobs.top_k}", logits))
        if knobs.top_p < 1.0:
            logits = apply_top_p(logits, knobs.top_p)
            out.append((f"top-p {knobs.top_p:g}", logits))
    return [(name, stage.softmax(dim=-1)) for name, stage in out]


@dataclass(frozen=True)
class Cutoffs:
    """What the two filters keep at one temperature, in the order sampling applies them: top-k first, then top-p on
    what top-k left, renormalised. So together they can keep fewer tokens than either alone: top-p measures its
    mass among the k survivors, where each holds a larger share than it did among all tokens."""

    top_k_kept: int  # tokens top-k keeps (every token when top-k is off)
    top_p_kept: int  # tokens top-p alone would keep, on the whole distribution
    both_kept: int  # tokens that survive top-k and then top-p: the ones that can be sampled
    top_k_mass: float  # the probability the top-k survivors hold before renormalising
    survives_top_k: torch.Tensor  # (vocab,) bool: not cut by top-k
    survives_both: torch.Tensor  # (vocab,) bool: can be sampled

    def fate(self, token_id: int) -> str:
        """Which filter cut this token, or "kept"."""
        if self.survives_both[token_id]:
            return "kept"
        return "top-p" if self.survives_top_k[token_id] else "top-k"


def cutoffs(logits: torch.Tensor, temperature: float, top_k: int, top_p: float) -> Cutoffs:
    """logits: (vocab,). Which tokens each filter keeps at this temperature, as `final_logits` applies them."""
    scaled = apply_temperature(logits, temperature)
    after_k = apply_top_k(scaled, top_k)
    survives_top_k = torch.isfinite(after_k)
    survives_both = torch.isfinite(apply_top_p(after_k, top_p))
    kept_p = torch.isfinite(apply_top_p(scaled, top_p)).sum().item()
    mass = scaled.softmax(-1)[survives_top_k].sum().item()
    return Cutoffs(
        int(survives_top_k.sum()), int(kept_p), int(survives_both.sum()), float(mass), survives_top_k, survives_both
    )


def entropy_bits(probs: torch.Tensor) -> torch.Tensor:
    """Shannon entropy in bits over the last axis: 0 = certain, log2(vocab) = no idea. Zero probabilities add 0."""
    logs = torch.where(probs > 0, probs.log2(), torch.zeros_like(probs))
    return -(probs * logs).sum(dim=-1)
