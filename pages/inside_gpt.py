"""Inside GPT: one forward pass of a real GPT-2, opened step by step, every tensor drawn with its named shape."""

import pandas as pd
import streamlit as st

from playground.generation.figures import token_namer
from playground.inside_gpt import anatomy, family, lesson, text
from playground.inside_gpt.cell import score_cell, term_rows, written_out
from playground.inside_gpt.code_panel import pass_code
from playground.inside_gpt.figures import distribution_chart, heatmap
from playground.inside_gpt.next_token import MAX_TEMPERATURE, MIN_TEMPERATURE, top_rows
from playground.inside_gpt.steps import View, overview, steps
from ui.code_panel import show_code
from ui.layout import say
from ui.models import per_model, require_model
from ui.state import PageState

NO_BAR = {"displayModeBar": False}

st.title("🔬 Inside GPT: one forward pass, step by step")
st.markdown(text.INTRO)
ps = PageState("inside_gpt")
loaded = require_model("gpt", ps)
st.caption(f"This page opens {family.OPENS}.")
ps.reserve_warnings_slot()  # filled in by publish(), with what a link held that the widgets could not take
if (refusal := family.refusal(loaded.model)) is not None:
    st.error(refusal)
    ps.publish()
    st.stop()
config, name = loaded.model.config, token_namer(loaded.tokenizer)
limit = lesson.token_limit(config)
prompt_text = ps.text(
    "Prompt", "prompt", lesson.default_prompt(loaded.source), widget="text_area", height=80,
    help=text.PROMPT_HELP.format(limit=limit),
)  # fmt: skip
try:
    prompt = lesson.read_prompt(loaded.tokenizer, prompt_text, limit)
except ValueError as err:
    st.error(str(err))
    ps.publish()
    st.stop()
say(prompt.notes)
with st.spinner("Running the forward pass…"):
    the_pass = per_model(lesson.run_pass, loaded, prompt.ids, shared=True)  # once per model and prompt
links = anatomy.links(config)


def draw_step(step):
    st.subheader(step.title, anchor=step.anchor)
    st.markdown(f"`{step.shape}`")
    st.markdown(text.WORDS[step.anchor])
    for label, url in links.get(step.anchor, []):
        st.markdown(f"↗ [{label}]({url})")
    columns = st.columns(len(step.panels)) if all(p.tensor.shape[-1] <= 64 for p in step.panels) else None
    for n, panel in enumerate(step.panels):
        where = columns[n] if columns else st
        where.plotly_chart(heatmap(panel), key=f"fig-{step.anchor}-{n}", config=NO_BAR, width="stretch")


def draw_cell(view, tokens):
    st.markdown(f"##### One number, explained\n{text.CELL_INTRO}")
    cell = score_cell(the_pass, view.layer, view.head, view.row, view.key)
    st.markdown(written_out(cell, tokens))
    with st.expander(f"All {len(cell.q)} terms of the dot product"):
        st.dataframe(pd.DataFrame(term_rows(cell)), hide_index=True, width="stretch")


@st.fragment
def explore():
    """Everything below the prompt: choosing what to follow only redraws, the pass above is not run again."""
    T, tokens = len(prompt.ids), prompt.labels
    with st.container(border=True):
        row = st.columns(2)
        layer = ps.number("Layer", "layer", 0, 0, config.n_layer - 1, where=row[0], step=1)
        head = ps.number("Head", "head", 0, 0, config.n_head - 1, where=row[1], step=1)
        row = st.columns(2)
        follow = ps.select(
            "Follow token", "row", list(range(T)), T - 1, where=row[0], format_func=tokens.__getitem__,
            help=text.FOLLOW_HELP,
        )  # fmt: skip
        key = ps.select(
            "Score cell: key", "key", list(range(T)), 0, where=row[1], format_func=tokens.__getitem__,
            help=text.KEY_HELP,
        )  # fmt: skip
        temperature = ps.number(
            "Temperature", "temperature", 1.0, MIN_TEMPERATURE, MAX_TEMPERATURE, step=0.05, widget="slider"
        )
    ps.show_warnings()
    view = View(layer, head, follow, key, temperature)
    jumps = [f"[{label}](#{anchor})" for anchor, label in overview(layer)]
    st.markdown("**The pass:** " + " → ".join(jumps))
    st.caption(text.COLUMNS)
    for step in steps(the_pass, config, view, tokens, name):
        draw_step(step)
        if step.anchor == "scores":
            draw_cell(view, tokens)
    st.subheader("The next-token distribution", anchor="probs")
    st.markdown(f"`softmax(logits[{follow}] / {temperature:g})` → `(V={config.vocab_size:,})`")
    st.markdown(text.WORDS["probs"])
    rows = top_rows(the_pass, follow, temperature, name)
    st.markdown(text.next_token(tokens[follow], rows[0], follow == T - 1))
    if follow != T - 1:
        st.caption(text.not_last(follow, T - 1))
    st.plotly_chart(distribution_chart(rows, temperature), key="fig-probs", config=NO_BAR, width="stretch")
    show_code(pass_code(loaded.code_ref, prompt.ids, view))
    st.caption(text.ABOUT_CODE)
    ps.publish()


explore()
