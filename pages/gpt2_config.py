"""GPT-2 anatomy: every parameter, byte and FLOP of a GPT configuration, checked against transformers."""

import streamlit as st

from playground.gpt2 import config as gc
from playground.gpt2 import lesson, text
from playground.gpt2 import memory as mem
from playground.gpt2 import params as param_count
from playground.url_values import one_of
from ui.code_panel import show_code
from ui.state import PageState

st.title("🧮 GPT-2 anatomy")
st.markdown(text.INTRO)
meta_check = st.cache_data(param_count.transformers_count, show_spinner=False, max_entries=64)
ps = PageState("gpt2_config")
keys = {name: ps.key(name, getattr(gc.LESSON_124M, name), gc.PARSERS[name]) for name in gc.PARSERS}
# The memory and compute settings are read now, though drawn far below: the page stops early on a configuration or
# workload it can't size, and a bad link value for a setting never read would be dropped without its warning.
casts = {"batch": gc.parse_int, "seq": gc.parse_int, "recompute": one_of(mem.RECOMPUTATION)}
later = {name: ps.key(name, getattr(lesson.Workload, name), cast) for name, cast in casts.items()}
later |= {name: ps.key(name, getattr(lesson.Workload, name), gc.parse_amount) for name in ("tokens_b", "tflops")}


def chosen_config() -> gc.GPTConfig:
    return gc.GPTConfig(**{name: st.session_state[key] for name, key in keys.items()})


def load_preset():
    if (preset := gc.PRESETS.get(st.session_state["gpt2_config.preset"])) is not None:
        st.session_state.update({key: getattr(preset, name) for name, key in keys.items()})


st.session_state["gpt2_config.preset"] = gc.matching_preset(chosen_config()) or "Custom"
st.selectbox("Start from a preset", ["Custom", *gc.PRESETS], key="gpt2_config.preset", on_change=load_preset)
ps.reserve_warnings_slot()  # filled in by publish(): the memory and compute settings are read further down
left, right = st.columns(2)
for column, names in ((left, ("vocab_size", "context_length", "emb_dim")), (right, ("n_heads", "n_layers"))):
    for name in names:
        column.number_input(name, key=keys[name], step=1, format="%d", help=gc.TERMS[name])
        column.caption(gc.TERMS[name])
right.number_input("drop_rate", key=keys["drop_rate"], step=0.05, format="%.2f", help=gc.TERMS["drop_rate"])
right.caption(gc.TERMS["drop_rate"])
left.toggle("qkv_bias", key=keys["qkv_bias"], help=gc.TERMS["qkv_bias"])
left.toggle("tied (weight tying)", key=keys["tied"], help=gc.TERMS["tied"])
config = chosen_config()
if problems := config.problems():
    for message in problems:
        st.error(message)
    st.info(text.FIX_FIRST)
    ps.publish()
    st.stop()
right.caption(f"**hidden_dim** = 4 x emb_dim = {config.hidden_dim:,}. {gc.TERMS['hidden_dim']}")
right.caption(f"**head size** = emb_dim / n_heads = {config.head_dim:,}.")

st.header("Parameters")
params = lesson.parameters(config)
a, b = st.columns(2)
a.metric("Analytic count", f"{params.total:,}", help="Summed from the formulas in the table below.")
b.metric("Per transformer block", f"{params.per_layer:,}", help=f"x {config.n_layers:,} blocks")
check_slot = st.empty()


def show_meta_check():
    """Filled in last, so the analytic numbers show at once; the first build also pays for importing transformers."""
    with check_slot.container(), st.spinner("Building transformers' GPT2LMHeadModel on the meta device…"):
        if not (check := meta_check(config)).ran:
            st.info(check.note)
        else:
            st.markdown(text.meta_check(check, params.total))


with st.expander('Why does "124M" have three answers?', expanded=config == gc.LESSON_124M):
    st.markdown(param_count.THREE_ANSWERS_124M)
    st.markdown(f"This configuration without position embeddings (nanoGPT's way): {params.nanogpt:,}.")
counts = {"One copy": st.column_config.NumberColumn(format="localized")}
counts["Total"] = st.column_config.NumberColumn(format="localized")
share = st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)
pinned = st.column_config.TextColumn(pinned=True)  # a phone scrolls the numbers sideways under the row's name
st.dataframe(params.table, hide_index=True, column_config={"Component": pinned, "Share": share, **counts})
st.plotly_chart(params.treemap)

st.header("Memory")
c1, c2, c3 = st.columns(3)
batch = c1.number_input("batch size", key=later["batch"], step=1, format="%d")
st.session_state[later["seq"]], followed = lesson.fitted_seq(st.session_state[later["seq"]], config.context_length)
if followed:
    st.warning(followed)
seq = c2.number_input("sequence length", key=later["seq"], step=1, format="%d")
recompute = ps.select("activation recomputation", "recompute", mem.RECOMPUTATION, "none", where=c3)
if bad := mem.workload_problems(batch, seq, config.context_length):
    for message in bad:
        st.error(message)
    show_meta_check()
    ps.publish()
    st.stop()

st.subheader("Weights")
workload = lesson.Workload(batch, seq, recompute)
held = lesson.memory(config, workload)
st.markdown(held.weights)
st.subheader("Training with AdamW")
st.dataframe(held.training)
st.caption(held.activations)
st.subheader("KV cache for generation")
st.markdown(held.kv_cache)
st.subheader("Does it fit?")
needs = {"Needs (GiB)": st.column_config.NumberColumn(format="%.2f")}
st.dataframe(held.fits, hide_index=True, column_config={"Use": pinned, **needs})

st.header("Compute")
c1, c2 = st.columns(2)
tokens_help = f"Chinchilla's rule of thumb: about 20 tokens per parameter, {20 * params.total / 1e9:,.1f} billion here."
tokens_b = c1.number_input(
    "training tokens D (billions)", key=later["tokens_b"], min_value=0.001, step=1.0, help=tokens_help
)
tflops = c2.number_input(
    "achieved throughput (TFLOP/s)", key=later["tflops"], min_value=0.001, step=10.0, help=text.THROUGHPUT_HELP
)
workload = lesson.Workload(batch, seq, recompute, tokens_b, tflops)
spent = lesson.compute(config, workload)
cs = spent.summary
c1, c2 = st.columns(2)  # a fresh row per pair, so a phone shows each exact count beside its rule of thumb
c1.metric(
    "Forward FLOPs per token", f"{cs.forward_per_token:,}", help="2 x matmul weights + 4 x n_layers x seq x emb_dim"
)
c2.metric("≈ 2N", f"{cs.forward_rule_of_thumb:,}")
c1, c2 = st.columns(2)
c1.metric("Training FLOPs per token", f"{cs.training_per_token:,}", help="3 x forward: backward costs twice forward")
c2.metric("≈ 6N", f"{cs.training_rule_of_thumb:,}")
st.markdown(spent.text)
show_code(lesson.code(config, workload))
show_meta_check()
ps.publish()
