"""GPT generation, token by token: what the model thought at every step, and what each decoding knob does to it."""

import streamlit as st
import torch

from playground.attention.heatmap import attention_heatmap
from playground.attention.views import MAX_BERTVIZ_TOKENS, head_view_html
from playground.generation import decode as gen
from playground.generation.code_panel import generation_code
from playground.generation.figures import (
    entropy_chart,
    legend_html,
    stages_chart,
    temperature_chart,
    token_namer,
    tokens_html,
    visible,
)
from playground.generation.filters import stages
from playground.generation.logit_lens import logit_lens
from playground.models import GPT_DIR
from playground.url_values import one_of, within
from ui.code import show_code
from ui.models import require_model
from ui.state import PageState

METHODS = ["greedy", "sampling", "beam search"]


@st.cache_resource(max_entries=4, show_spinner="Reading the model's mind at this step…")  # shared, read-only: no copies
def analyse(model_name, ids: tuple, _model):
    """What the page draws from the text the model had read at one step: its logits, the logit lens, attention."""
    sequence = torch.tensor(ids)
    return (
        gen.step_logits(_model, sequence, len(ids)),
        logit_lens(_model, sequence[None], top=5),
        gen.attention_weights(_model, sequence),
    )


st.title("✍️ GPT generation, token by token")
st.markdown(
    "A GPT reads the text so far and gives **every token in its vocabulary a probability** of coming next. "
    "Generation is a loop: pick one token from that distribution, append it, ask again. *Greedy* always takes the "
    "most likely token; *sampling* draws one at random, shaped by **temperature** (sharper below 1, flatter above), "
    "**top-k** (only the k likeliest) and **top-p** (only the likeliest tokens until their probability adds up to p); "
    "*beam search* keeps several candidate texts and returns the most likely whole sequences."
)
ps = PageState("gpt")
loaded = require_model("gpt", ps)
model, tok = loaded.model, loaded.tokenizer
name = token_namer(tok)
eos = tok.eos_token_id
default_prompt = "ROMEO:" if loaded.source == "bundled" else "Once upon a time"
default_new = max(1, 50 - len(tok(default_prompt, add_special_tokens=False)["input_ids"]))

prompt = st.text_area("Prompt", key=ps.key("prompt", default_prompt), height=80)
max_new = st.number_input(
    "Max new tokens",
    1,
    10_000,
    step=10,
    key=ps.key("max_new", default_new, within(1, 10_000, int)),
    help=f"The lesson's `generate(max_length=50)` counts the prompt too: {default_new} new tokens "
    f"after {default_prompt!r} make 50. Capped at {gen.MAX_NEW_TOKENS} on this shared server.",
)
method = st.radio("Decoding", METHODS, horizontal=True, key=ps.key("method", "greedy", one_of(METHODS)))
sampling, row = method == "sampling", st.columns(2)  # one row per pair, so a phone stacks them in this order
temperature = row[0].slider(
    "Temperature",
    0.0,
    2.0,
    step=0.05,
    key=ps.key("temperature", 1.0, within(0, 2)),
    disabled=not sampling,
    help="0 means greedy.",
)
top_k = row[1].number_input(
    "Top-k (0 = off)", 0, 1_000_000, key=ps.key("top_k", 0, within(0, 1_000_000, int)), disabled=not sampling
)
row = st.columns(2)
top_p = row[0].slider(
    "Top-p (1 = off)", 0.0, 1.0, step=0.01, key=ps.key("top_p", 1.0, within(0, 1)), disabled=not sampling
)
penalty = row[1].slider("Repetition penalty (1 = off)", 1.0, 2.0, step=0.05, key=ps.key("penalty", 1.0, within(1, 2)))
row = st.columns(2)
beams = row[0].slider(
    "Beams", 2, gen.MAX_BEAMS, key=ps.key("beams", 4, within(2, gen.MAX_BEAMS, int)), disabled=method != "beam search"
)
n_seq = row[1].slider(
    "Sequences",
    1,
    gen.MAX_SEQUENCES,
    key=ps.key("n", 1, within(1, gen.MAX_SEQUENCES, int)),
    disabled=method == "greedy",
    help="Greedy always writes the same text, so it writes one.",
)
seed = row[0].number_input(
    "Seed", 0, gen.MAX_SEED, key=ps.key("seed", 0, within(0, gen.MAX_SEED, int)), disabled=not sampling
)
ps.show_warnings()  # links with values the widgets can't take

settings = gen.Settings(
    prompt,
    int(max_new),
    method == "sampling",
    temperature,
    int(top_k),
    top_p,
    penalty,
    beams if method == "beam search" else 1,
    n_seq,
    int(seed),
)
try:
    prepared = gen.prepare(settings, tok, model)
except ValueError as err:
    st.error(str(err))
    ps.publish()
    st.stop()
for note in prepared.notes:
    st.info(note)

wanted = (loaded.name, prepared.settings, tuple(prepared.input_ids[0].tolist()))
previous = st.session_state.get("gpt.result")
clicked = st.button("Generate", type="primary")
st.subheader("Every token coloured by the probability the model gave it")
st.html(legend_html())
if clicked or previous is None or previous[0][0] != loaded.name:
    run, streaming = gen.StreamingRun(model, tok, prepared, eos), st.empty()
    try:
        if run.streams:
            streaming.write_stream(run)
        else:
            with st.spinner(f"{prepared.settings.method}: {prepared.settings.num_sequences} sequences…"):
                run.result()
        st.session_state["gpt.result"] = previous = (wanted, run.result(), prepared)
        st.session_state.pop("gpt.step", None)  # a new text opens on its last step
    except Exception as err:  # shown to the learner instead of a traceback
        st.error(f"Generation failed: {err}")
        ps.publish()
        st.stop()
    finally:
        run.cancel()  # if the learner interrupted the stream, stop the loop too
    streaming.empty()
(shown_for, result, shown_prep) = previous
if shown_for != wanted:
    st.caption("The settings changed since this text was generated: press **Generate** to see their effect.")
pieces = [[tok.decode([t]) for t in row[:n]] for row, n in zip(result.new_tokens.tolist(), result.lengths, strict=True)]
prompt_text = tok.decode(shown_prep.input_ids[0])
for i, row in enumerate(pieces):
    with st.container(border=True):
        st.html(tokens_html(prompt_text, row, result.chosen_probs[i, : len(row)].tolist()))
if not any(pieces):
    st.warning("The model ended the text straight away (it chose end-of-text first). Try another prompt or sampling.")
    ps.publish()
    st.stop()

st.subheader("Inside one step")
written = [i for i, row in enumerate(pieces) if row]  # a sequence may have ended at once
which = st.selectbox("Sequence", written, format_func=lambda i: f"sequence {i + 1}") if len(written) > 1 else written[0]
n_steps = max(1, len(pieces[which]))
st.session_state["gpt.step"] = min(st.session_state.get("gpt.step", n_steps), n_steps)
step = st.slider("Step", 1, n_steps, key="gpt.step") if n_steps > 1 else 1
sequence = result.sequences[which]
position = result.prompt_len + step - 1
chosen = int(sequence[position])
logits, lens, attentions = analyse(loaded.name, tuple(sequence[:position].tolist()), model)
st.markdown(
    f"At step {step} the model had read {position} tokens and chose **`{visible(pieces[which][step - 1])}`** "
    f"with probability **{result.chosen_probs[which, step - 1]:.3f}**. The bars show its top 20 before and after each knob:"
)
st.plotly_chart(stages_chart(stages(logits, sequence[:position], result.settings.knobs), name, chosen), width="stretch")
st.caption("A knob that is off is not drawn. Greedy and beam search use only the repetition penalty.")

st.subheader("How unsure was the model? Entropy per step")
st.plotly_chart(
    entropy_chart(
        result.entropies[which, : len(pieces[which])].tolist(),
        result.chosen_probs[which, : len(pieces[which])].tolist(),
        pieces[which],
    ),
    width="stretch",
)
st.caption("0 bits: certain. Each extra bit doubles the number of equally likely choices it is hesitating between.")


@st.fragment
def temperature_explorer():
    st.subheader("Temperature explorer")
    st.markdown(
        f"The distribution of step {step}, re-drawn live as you move the temperature. Bars right of a dashed "
        "line are cut by that filter; grey bars can never be sampled."
    )
    t = st.slider("Explorer temperature", 0.05, 3.0, 1.0, 0.05)
    c1, c2 = st.columns(2)
    k = c1.number_input("Explorer top-k (0 = off)", 0, 1000, 10)
    p = c2.slider("Explorer top-p", 0.0, 1.0, 0.9, 0.01)
    figure, cut = temperature_chart(logits, name, t, int(k), p)
    st.plotly_chart(figure, width="stretch")
    st.caption(
        f"At temperature {t:g}: top-k keeps {cut.top_k_kept}, top-p keeps {cut.top_p_kept}, together {cut.both_kept} tokens."
    )


temperature_explorer()

st.subheader("Attention over the text")
tokens = [visible(name(t)) for t in sequence[:position].tolist()]
view = st.segmented_control(
    "View", ["head view", "heatmap"], key=ps.key("view", "head view", one_of(["head view", "heatmap"]))
)
if view == "heatmap" or len(tokens) > MAX_BERTVIZ_TOKENS:
    c1, c2 = st.columns(2)
    layer = c1.selectbox("Layer", range(len(attentions)), key="gpt.layer")
    head = c2.selectbox("Head", range(attentions[0].shape[1]), key="gpt.head")
    st.plotly_chart(attention_heatmap(attentions, tokens, layer, head), width="stretch")
else:
    st.iframe(head_view_html(attentions, tokens), height="content")
st.caption(
    f"The {position} tokens the model read at step {step}. A GPT only looks back: each token attends to itself and earlier ones."
)

st.subheader("Logit lens: the prediction forming through the layers")
st.markdown(
    "The final layer norm and unembedding applied after every block: what the model would say if it stopped there."
)
st.dataframe(
    [
        {
            "layer": r.layer,
            "top token": visible(name(r.top_tokens[0])),
            "p": round(r.top_probs[0], 3),
            "next 4": " · ".join(visible(name(t)) for t in r.top_tokens[1:]),
            "p(final top token)": round(r.chosen_prob, 3),
        }
        for r in lens
    ],
    hide_index=True,
    width="stretch",
)

model_ref = "assets/models/" + GPT_DIR.name if loaded.source == "bundled" else loaded.name
show_code(generation_code(shown_prep, model_ref, eos, inspect=(which, step)))
ps.publish()
