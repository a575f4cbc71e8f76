"""The words of the GPT-2 anatomy page, kept beside the code they explain rather than inside the page file."""

from playground.gpt2.config import TERMS

INTRO = (
    "A GPT is fixed by seven numbers. Change them and watch where the **parameters** live, how many **bytes** "
    "training and generation need, and how many **FLOPs** each token costs. The starting point is the lesson's "
    "`GPT_CONFIG_124M`. " + TERMS["parameters"]
)
FIX_FIRST = "Fix the values above to see the parameters, memory and FLOPs."
THROUGHPUT_HELP = "An A100 peaks at 312 bf16 TFLOP/s; good training runs achieve 40–60 %."


def meta_check(check, analytic: int) -> str:
    """The difference is said before the verdict: two different totals side by side with a tick read as a mismatch."""
    built = (
        f"**transformers' `GPT2LMHeadModel`, built on the meta device** in {check.seconds * 1000:.0f} ms, has "
        f"**{check.transformers_total:,}** parameters."
    )
    extra = check.transformers_total - check.comparable
    if extra:
        built += (
            f" That is {extra:,} more than this configuration has, and the difference is known: transformers' GPT-2 "
            f"always gives the Q, K and V projections a bias (n_layers x 3 x emb_dim = {extra:,}), while qkv_bias is "
            f"off here. Without those biases it has **{check.comparable:,}**."
        )
    if check.comparable == analytic:
        return f"{built} ✅ That matches the analytic count, **{analytic:,}**, exactly."
    return f"{built} ❌ That differs from the analytic count, **{analytic:,}**, by {check.comparable - analytic:+,}."


def activations(per_layer: str, per_mode: dict[str, str]) -> str:
    return (
        "AdamW keeps 16 bytes per parameter either way (ZeRO, Rajbhandari et al. 2020): mixed precision saves on "
        "activations and time, not on optimizer state. Activations follow Korthikanti et al. (2022): "
        f"s·b·h·(34 + 5·a·s/h) bytes per layer in 16-bit, {per_layer} per layer here, plus fp32 logits for the loss "
        "(4·s·b·vocab). Selective recomputation drops the 5·a·s/h term; full keeps only each layer's input (2·s·b·h). "
        "16-bit activations: " + ", ".join(f"{m} **{v}**" for m, v in per_mode.items()) + "."
    )


def kv_cache(batch: int, seq: int, size: str) -> str:
    return (
        f"bf16, batch {batch:,}, {seq:,} tokens: **{size}** = 2 (K and V) x n_layers x batch x seq x emb_dim x 2 bytes."
    )


def compute(seq: int, attention_share: float, tokens_b: float, total: str, tflops: float, duration: str, rate) -> str:
    return (
        f"Attention (Q Kᵀ and A·V at {seq:,} tokens) is **{attention_share:.1%}** of the forward FLOPs. The exact "
        "count leaves out the embedding tables (lookups, not matmuls) and adds attention, so it differs from 2N. "
        f"Training on **{tokens_b:,.3g} B tokens** needs {total}: at {tflops:,.3g} TFLOP/s that is **{duration}** "
        f"({rate:,.0f} tokens/s)."
    )
