"""GPT generation, token by token: what the model thought at every step, and what each decoding knob does to it."""

from functools import partial

import streamlit as st

from playground.generation import decode as gen
from playground.generation import lesson, text
from playground.generation.figures import legend_html, streaming_html, token_namer, tokens_html, visible
from ui.attention import HEAD_VIEW, HEATMAP, attention_view
from ui.code_panel import show_code
from ui.layout import say
from ui.models import per_model, require_model
from ui.serving import computed_once, left_the_queue
from ui.state import PageState, sets

EXPLORER_KEYS = ("gpt.explorer_t", "gpt.explorer_k", "gpt.explorer_p")
st.title("✍️ GPT generation, token by token")
st.markdown(text.INTRO)
ps = PageState("gpt")
loaded = require_model("gpt", ps)
ps.reserve_warnings_slot()  # filled in by publish(), with what a link held that the widgets could not take
model, tok, name = loaded.model, loaded.tokenizer, token_namer(loaded.tokenizer)
default_prompt, default_new = lesson.default_prompt(loaded)

prompt = ps.text("Prompt", "prompt", default_prompt, widget="text_area", height=80)
max_help = text.max_new_help(default_new, default_prompt, gen.MAX_NEW_TOKENS)
max_new = ps.number("Max new tokens", "max_new", default_new, 1, 10_000, step=10, help=max_help)
method = ps.select("Decoding", "method", lesson.METHODS, lesson.DEFAULT_METHOD, widget="radio", horizontal=True)
beam = method == "beam search"
row = st.columns(2)  # one row per pair, so a phone stacks them in this order
d, knob = lesson.DEFAULT, {"disabled": method != "sampling", "widget": "slider"}
temperature = ps.number(
    "Temperature", "temperature", d.temperature, 0.0, 2.0, where=row[0], step=0.05, help="0 means greedy.", **knob
)
top_k = ps.number("Top-k (0 = off)", "top_k", d.top_k, 0, 1_000_000, where=row[1], disabled=knob["disabled"])
row = st.columns(2)
top_p = ps.number("Top-p (1 = off)", "top_p", d.top_p, 0.0, 1.0, where=row[0], step=0.01, **knob)
penalty = ps.number(
    "Repetition penalty (1 = off)", "penalty", d.repetition_penalty, 1.0, 2.0, where=row[1], step=0.05, widget="slider"
)
row = st.columns(2)
beams = ps.number("Beams", "beams", 4, 2, gen.MAX_BEAMS, where=row[0], disabled=not beam, widget="slider")
greedy, n_help = method == "greedy", "Greedy always writes the same text, so it writes one."
n_seq = ps.number(
    "Sequences", "n", 1, 1, gen.MAX_SEQUENCES, where=row[1], disabled=greedy, help=n_help, widget="slider"
)
seed = ps.number("Seed", "seed", d.seed, 0, gen.MAX_SEED, where=row[0], disabled=knob["disabled"])

settings = lesson.settings(prompt, max_new, method, temperature, top_k, top_p, penalty, beams, n_seq, seed)
try:
    prepared = gen.prepare(settings, tok, model)
except ValueError as err:
    st.error(str(err))
    ps.publish()
    st.stop()
say(("info", note) for note in prepared.notes)
request, on_screen = lesson.Request.of(loaded, prepared), st.session_state.get("gpt.shown")
buttons, plain_greedy = st.container(horizontal=True), {"gpt.method": "greedy", "gpt.penalty": 1.0}
clicked = buttons.button("Generate", type="primary")
clicked |= buttons.button(text.GREEDY_BUTTON, help=text.GREEDY_HELP, **sets(plain_greedy, "on_click"))
st.caption(text.greedy_loops(lesson.DEFAULT))
st.subheader("Every token coloured by the probability the model gave it")
st.html(legend_html())
queue_status, texts = st.empty(), st.empty()  # the texts on screen; a new one streams in here, in their place
if lesson.must_generate(on_screen, request, clicked) and not left_the_queue(request, clicked):
    try:
        with texts, st.spinner(text.writing(prepared.settings)):
            write, draw = partial(lesson.write, loaded, prepared), lambda so_far: texts.html(streaming_html(*so_far))
            again = clicked and on_screen is not None and not on_screen.stale(request)  # watch it being written again
            on_screen = computed_once(request, "Generation", write, draw, queue_status, fresh=again)
            st.session_state["gpt.shown"] = on_screen
        for key in ("gpt.step", *EXPLORER_KEYS):
            st.session_state.pop(key, None)  # a new text opens on its last step, the explorer on its knobs
    except Exception as err:  # shown to the learner instead of a traceback
        texts.error(f"Generation failed: {err}")
        ps.publish()
        st.stop()
if on_screen is None:  # the learner left the queue before their first text
    st.info(text.LEFT_THE_QUEUE)
    ps.publish()
    st.stop()
result, prompt_text = on_screen.result, tok.decode(on_screen.prepared.input_ids[0])
with texts.container():
    if on_screen.stale(request):
        st.caption(text.STALE)
    for i, pieces in enumerate(on_screen.pieces):
        with st.container(border=True):
            st.html(tokens_html(prompt_text, pieces, result.chosen_probs[i, : len(pieces)].tolist()))
if not on_screen.written:
    st.warning(text.ENDED_AT_ONCE)
    ps.publish()
    st.stop()

st.subheader("Inside one step")
written = on_screen.written
which = st.selectbox("Sequence", written, format_func=lambda i: f"sequence {i + 1}") if len(written) > 1 else written[0]
n_steps = max(1, len(on_screen.pieces[which]))
st.session_state["gpt.step"] = min(st.session_state.get("gpt.step", n_steps), n_steps)
at = lesson.step(on_screen, which, st.slider("Step", 1, n_steps, key="gpt.step") if n_steps > 1 else 1)
read_ids, knobs = tuple(at.read.tolist()), result.settings.knobs
with st.spinner("Reading the model's mind at this step…"):
    view = per_model(lesson.step_view, loaded, read_ids, knobs, at.chosen, shared=True)
st.markdown(text.chosen(at.step, at.position, at.piece, at.probability))
st.plotly_chart(view.stages, width="stretch")
st.caption(text.KNOBS_OFF)

st.subheader("How unsure was the model? Entropy per step")
shown_steps = len(on_screen.pieces[which])
entropies, probabilities = result.entropies[which, :shown_steps], result.chosen_probs[which, :shown_steps]
numbers = (tuple(entropies.tolist()), tuple(probabilities.tolist()), tuple(on_screen.pieces[which]))
st.plotly_chart(per_model(lesson.entropy_figure, loaded, *numbers, shared=True, many=True), width="stretch")
st.caption(text.ENTROPY)


@st.fragment
def temperature_explorer():
    st.subheader("Temperature explorer")
    start = lesson.explorer_start(result.settings)  # the knobs this text was generated with
    st.markdown(text.explorer(at.step, result.settings, start))
    for key, value in zip(EXPLORER_KEYS, start, strict=True):
        st.session_state.setdefault(key, value)
    t = st.slider("Explorer temperature", *lesson.EXPLORER_T, step=0.05, key="gpt.explorer_t")
    c1, c2 = st.columns(2)
    k = c1.number_input("Explorer top-k (0 = off)", 0, 1000, key="gpt.explorer_k")
    p = c2.slider("Explorer top-p (1 = off)", 0.0, 1.0, step=0.01, key="gpt.explorer_p")
    figure, cut, vocabulary, bars = per_model(
        lesson.explorer_figure, loaded, read_ids, t, int(k), p, shared=True, many=True
    )
    st.plotly_chart(figure, width="stretch")
    st.markdown(text.survivors(t, int(k), p, cut, vocabulary, bars))


temperature_explorer()

st.subheader("Attention over the text")
read = [visible(name(t)) for t in read_ids]
attention_view(ps, view.attentions, read, (HEAD_VIEW, HEATMAP), long_as_heatmap=True, key=(loaded.name, read_ids))
st.caption(text.attention(at.position, at.step))

st.subheader("Logit lens: the prediction forming through the layers")
st.markdown(text.LOGIT_LENS)
st.dataframe(view.lens_rows, hide_index=True, width="stretch")
show_code(lesson.code(loaded, on_screen, at))
ps.publish()
