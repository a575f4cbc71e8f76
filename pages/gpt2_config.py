"""GPT-2 anatomy: every parameter, byte and FLOP of a GPT configuration, checked against transformers."""

import pandas as pd
import streamlit as st

from playground.gpt2 import config as gc
from playground.gpt2 import figures as param_figure
from playground.gpt2 import flops
from playground.gpt2 import memory as mem
from playground.gpt2 import params as param_count
from playground.gpt2.code_panel import anatomy_code
from playground.gpt2.config import GPTConfig
from ui.code import show_code
from ui.state import PageState

st.title("🧮 GPT-2 anatomy")
st.markdown(
    "A GPT is fixed by seven numbers. Change them and watch where the **parameters** live, how many **bytes** "
    "training and generation need, and how many **FLOPs** each token costs. The starting point is the lesson's "
    "`GPT_CONFIG_124M`. " + gc.TERMS["parameters"]
)

meta_check = st.cache_data(param_count.transformers_count, show_spinner=False, max_entries=64)
ps = PageState("gpt2_config")
keys = {name: ps.key(name, getattr(gc.LESSON_124M, name), gc.PARSERS[name]) for name in gc.PARSERS}


def load_preset():
    preset = gc.PRESETS.get(st.session_state["gpt2_config.preset"])
    for name, key in keys.items():
        if preset is not None:
            st.session_state[key] = getattr(preset, name)


config = GPTConfig(**{name: st.session_state[key] for name, key in keys.items()})
st.session_state["gpt2_config.preset"] = gc.matching_preset(config) or "Custom"
st.selectbox("Start from a preset", ["Custom", *gc.PRESETS], key="gpt2_config.preset", on_change=load_preset)
ps.show_warnings()

left, right = st.columns(2)
for column, names in ((left, ("vocab_size", "context_length", "emb_dim")), (right, ("n_heads", "n_layers"))):
    for name in names:
        column.number_input(name, key=keys[name], step=1, format="%d", help=gc.TERMS[name])
        column.caption(gc.TERMS[name])
right.number_input("drop_rate", key=keys["drop_rate"], step=0.05, format="%.2f", help=gc.TERMS["drop_rate"])
right.caption(gc.TERMS["drop_rate"])
left.toggle("qkv_bias", key=keys["qkv_bias"], help=gc.TERMS["qkv_bias"])
left.toggle("tied (weight tying)", key=keys["tied"], help=gc.TERMS["tied"])
config = GPTConfig(**{name: st.session_state[key] for name, key in keys.items()})

problems = config.problems()
if problems:
    for message in problems:
        st.error(message)
    st.info("Fix the values above to see the parameters, memory and FLOPs.")
    ps.publish()
    st.stop()

right.caption(f"**hidden_dim** = 4 x emb_dim = {config.hidden_dim:,}. {gc.TERMS['hidden_dim']}")
right.caption(f"**head size** = emb_dim / n_heads = {config.head_dim:,}.")

# ---- parameters -------------------------------------------------------------------------------------------------
st.header("Parameters")
n_params, per_layer = param_count.total(config), param_count.per_layer(config)
a, b = st.columns(2)
a.metric("Analytic count", f"{n_params:,}", help="Summed from the formulas in the table below.")
b.metric("Per transformer block", f"{per_layer:,}", help=f"x {config.n_layers:,} blocks")
check_slot = st.empty()


def show_meta_check():
    """Filled in last, so the analytic numbers show at once; the first build also pays for importing transformers."""
    with check_slot.container(), st.spinner("Building transformers' GPT2LMHeadModel on the meta device…"):
        check = meta_check(config)
        if not check.ran:
            st.info(check.note)
            return
        verdict = "✅ match" if check.matches(n_params) else "❌ differ"
        st.markdown(
            f"**transformers' `GPT2LMHeadModel` on the meta device:** {check.transformers_total:,} parameters, "
            f"built in {check.seconds * 1000:.0f} ms. Compared with the analytic count: "
            f"**{check.comparable:,}** → **{verdict}**. {check.note}"
        )


with st.expander('Why does "124M" have three answers?', expanded=config == gc.LESSON_124M):
    st.markdown(param_count.THREE_ANSWERS_124M)
    st.markdown(
        f"This configuration without position embeddings (nanoGPT's way): {param_count.nanogpt_count(config):,}."
    )

st.dataframe(
    pd.DataFrame(param_count.table_rows(config)),
    hide_index=True,
    column_config={
        "Share": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
        "One copy": st.column_config.NumberColumn(format="localized"),
        "Total": st.column_config.NumberColumn(format="localized"),
    },
)
st.plotly_chart(param_figure.treemap(config))

# ---- memory -----------------------------------------------------------------------------------------------------
st.header("Memory")
c1, c2, c3 = st.columns(3)
batch = c1.number_input("batch size", key=ps.key("batch", 8, gc.parse_int), step=1, format="%d")
seq_key = ps.key("seq", 1024, gc.parse_int)
if st.session_state[seq_key] > config.context_length:  # e.g. after lowering context_length: follow it down
    st.warning(mem.workload_problems(1, st.session_state[seq_key], config.context_length)[0] + " Using context_length.")
    st.session_state[seq_key] = config.context_length
seq = c2.number_input("sequence length", key=seq_key, step=1, format="%d")
recompute = c3.selectbox(
    "activation recomputation", mem.RECOMPUTATION, key=ps.key("recompute", "none", mem.parse_recompute)
)
bad = mem.workload_problems(batch, seq, config.context_length)
if bad:
    for message in bad:
        st.error(message)
    show_meta_check()
    ps.publish()
    st.stop()

st.subheader("Weights")
st.markdown(" · ".join(f"{k} **{mem.human_bytes(v)}**" for k, v in mem.weight_bytes(n_params).items()))
st.subheader("Training with AdamW")
st.dataframe(pd.DataFrame(mem.training_breakdown(config, batch, seq, recompute)).T.map(mem.human_bytes))
per_mode = {m: mem.human_bytes(mem.activation_bytes(config, batch, seq, m)) for m in mem.RECOMPUTATION}
st.caption(
    "AdamW keeps 16 bytes per parameter either way (ZeRO, Rajbhandari et al. 2020): mixed precision saves on "
    "activations and time, not on optimizer state. Activations follow Korthikanti et al. (2022): "
    f"s·b·h·(34 + 5·a·s/h) bytes per layer in 16-bit, {mem.human_bytes(mem.activation_bytes_per_layer(config, batch, seq))} "
    "per layer here, plus fp32 logits for the loss (4·s·b·vocab). Selective recomputation drops the 5·a·s/h term; "
    "full keeps only each layer's input (2·s·b·h). 16-bit activations: "
    + ", ".join(f"{m} **{v}**" for m, v in per_mode.items())
    + "."
)
st.subheader("KV cache for generation")
st.markdown(
    f"bf16, batch {batch:,}, {seq:,} tokens: **{mem.human_bytes(mem.kv_cache_bytes(config, batch, seq))}** "
    "= 2 (K and V) x n_layers x batch x seq x emb_dim x 2 bytes."
)
st.subheader("Does it fit?")
st.dataframe(
    pd.DataFrame(mem.fits_table(config, batch, seq, recompute)),
    hide_index=True,
    column_config={"Needs (GiB)": st.column_config.NumberColumn(format="%.2f")},
)

# ---- compute ----------------------------------------------------------------------------------------------------
st.header("Compute")
c1, c2 = st.columns(2)
tokens_b = c1.number_input(
    "training tokens D (billions)",
    key=ps.key("tokens_b", 10.0, gc.parse_amount),
    min_value=0.001,
    step=1.0,
    help=f"Chinchilla's rule of thumb: about 20 tokens per parameter, {20 * n_params / 1e9:,.1f} billion here.",
)
tflops = c2.number_input(
    "achieved throughput (TFLOP/s)",
    key=ps.key("tflops", 100.0, gc.parse_amount),
    min_value=0.001,
    step=10.0,
    help="An A100 peaks at 312 bf16 TFLOP/s; good training runs achieve 40–60 %.",
)
cs = flops.summary(config, seq, tokens_b * 1e9, tflops * 1e12)
c1, c2 = st.columns(2)  # a fresh row per pair, so a phone shows each exact count beside its rule of thumb
c1.metric(
    "Forward FLOPs per token", f"{cs.forward_per_token:,}", help="2 x matmul weights + 4 x n_layers x seq x emb_dim"
)
c2.metric("≈ 2N", f"{cs.forward_rule_of_thumb:,}")
c1, c2 = st.columns(2)
c1.metric("Training FLOPs per token", f"{cs.training_per_token:,}", help="3 x forward: backward costs twice forward")
c2.metric("≈ 6N", f"{cs.training_rule_of_thumb:,}")
st.markdown(
    f"Attention (Q Kᵀ and A·V at {seq:,} tokens) is **{cs.attention_share:.1%}** of the forward FLOPs. The exact "
    "count leaves out the embedding tables (lookups, not matmuls) and adds attention, so it differs from 2N. "
    f"Training on **{tokens_b:,.3g} B tokens** needs {flops.human_flops(cs.training_total)}: at "
    f"{tflops:,.3g} TFLOP/s that is **{flops.human_duration(cs.training_seconds)}** "
    f"({cs.tokens_per_second:,.0f} tokens/s)."
)

show_code(anatomy_code(config, batch, seq, recompute, tokens_b * 1e9, tflops * 1e12))
show_meta_check()
ps.publish()
