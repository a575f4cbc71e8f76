"""BERT: masking, fill-in predictions, a guess-the-word game, next-sentence prediction, attention, classification."""

import streamlit as st

from playground.bert import classification as sc
from playground.bert import code_panel, lesson, text
from playground.bert import figures as bert_figures
from playground.bert import next_sentence as ns
from playground.bert import quiz as wq
from playground.bert.encode import max_input_tokens
from playground.generation.decode import MAX_SEED  # torch.manual_seed takes any 0…2**31-1
from playground.url_values import parse_bool, positions, within
from ui.attention import attention_view
from ui.code_panel import show_code
from ui.layout import charts, metrics, say
from ui.models import per_model, per_model_in_turn, require_model
from ui.state import PageState, sets

st.title("🎭 BERT")
st.markdown(text.INTRO)
ps = PageState("bert")
loaded = require_model("bert", ps)
ps.reserve_warnings_slot()
model, tok, ref = loaded.model, loaded.tokenizer, loaded.code_ref
limit = max_input_tokens(model, tok)

st.header("1 · Mask tokens, let BERT fill them in")
st.markdown(text.MASKING + (f"\n\n{text.BUNDLED_FAILS}" if loaded.source == "bundled" else ""))
text_key = ps.key("text", lesson.DEFAULT_TEXT)
masked_key = ps.key("masked", lesson.default_masked(loaded, st.query_params.get("text"), limit), positions)
rule_key, seed_key = ps.key("rule", False, parse_bool), ps.key("seed", 0, within(0, MAX_SEED, int))
forget = sets({masked_key: [], rule_key: False})
typed = ps.text("Your text", "text", lesson.DEFAULT_TEXT, widget="text_area", max_chars=6000, height=80, **forget)
reading, filling = lesson.read(loaded, typed, limit), None
say(reading.messages)
if reading.maskable:
    masked, rule = st.session_state[masked_key], st.session_state[rule_key]
    st.session_state[masked_key] = lesson.still_masked(loaded, reading, masked, rule, st.session_state[seed_key])
    st.pills(
        "Click tokens to mask them",
        reading.maskable,
        selection_mode="multi",
        key=masked_key,
        format_func=reading.encoded.tokens.__getitem__,
        **sets({rule_key: False}),
    )
left, middle, right = st.columns([1, 2, 2], vertical_alignment="bottom")
seed = ps.number("Seed", "seed", 0, 0, MAX_SEED, where=left, step=1)
middle.button("🎲 Mask like pretraining (15% · 80/10/10)", width="stretch", **sets({rule_key: True}, "on_click"))
modern = {ps.key(name, value): value for name, value in lesson.modern_example(loaded, limit).items()}
right.button("🌍 Try a modern sentence", width="stretch", **sets(modern, "on_click"))
if reading.maskable or reading.blanks:
    top_k = ps.number("Predictions per mask (top-k)", "k", 5, 1, 10, widget="slider")
    with st.spinner("Running BERT…"):
        filling = lesson.fill(loaded, reading, st.session_state[masked_key], st.session_state[rule_key], seed, top_k)
    say(filling.messages)
    if (result := filling.result).predictions:
        st.html(bert_figures.filled_html(result, set(tok.all_special_tokens)))
        if result.mlm_loss is not None:
            st.metric("Masked-LM loss on the picked tokens", f"{result.mlm_loss:.3f}", help=text.LOSS_HELP)
        st.caption(filling.picked)
        st.dataframe(bert_figures.decisions_table(result), hide_index=True, width="stretch")
        charts([bert_figures.top_k_bars(p) for p in result.predictions[:24]], key="bars", width="stretch")
    show_code(filling.code)

st.header("2 · Guess the hidden word: you against BERT")
st.markdown(text.QUIZ)
tally = st.session_state.setdefault("bert.quiz_tally", {}).setdefault(loaded.name, lesson.Tally())  # one per model
quiz_key = ps.key("quiz", 0, within(0, 10**6, int))
ps.key("quiz_n", 100, within(20, wq.MAX_SCORED_LINES, int))  # in the link even for a model with no quiz
try:
    line = wq.quiz_line(tok, st.session_state[quiz_key], limit)
except ValueError as err:
    st.info(text.no_quiz(loaded.name, str(err)))
else:
    st.markdown(f"**Line {line.number + 1}:** {line.masked.replace(tok.mask_token, ' ▁▁▁▁▁ ')}")
    with st.form("quiz", border=False, enter_to_submit=True):
        guess_column, reveal_column = st.columns([3, 1], vertical_alignment="bottom")
        guess = guess_column.text_input("Your guess for the hidden word", max_chars=40, key="bert.quiz_guess")
        revealed = reveal_column.form_submit_button("Reveal", width="stretch") or tally.revealed(line)
    if revealed:  # a line once revealed stays revealed, with the guess that counted
        shown = per_model(wq.reveal, loaded, line, limit)
        counted = tally.count(line, guess, shown.bert_top1)
        (st.success if counted.you else st.info)(text.verdict(line.answer, shown.bert_top1, counted))
        if lesson.plain_guess(guess) != counted.guess:
            st.caption(text.ONLY_THE_FIRST_GUESS)
        st.plotly_chart(bert_figures.top_k_bars(shown.result.predictions[0]), width="stretch", key="quiz_bars")
    st.button("Next line ▶", **sets({quiz_key: line.number + 1, "bert.quiz_guess": ""}, "on_click"))
    if tally.rounds:
        metrics(("You", tally.you), ("BERT (first guess)", tally.bert))
    with st.expander("How often is BERT right? Score it on many held-out lines at once"):
        n_scored = ps.number("Lines", "quiz_n", 100, 20, wq.MAX_SCORED_LINES, widget="slider", step=20)
        if st.button(f"Score BERT on {n_scored} lines", key="bert.quiz_score"):
            st.session_state["bert.quiz_scoring"] = True  # from now on the score follows the slider
        if st.session_state.get("bert.quiz_scoring"):
            what = f"BERT guesses {n_scored} hidden words"
            scored = per_model_in_turn(what, wq.score_on_held_out_lines, loaded, n_scored, limit)
            metrics(*text.score_metrics(scored))
            st.caption(text.score(scored.n, len(tok), loaded.source == "bundled"))
            st.dataframe(wq.scored_table(scored), hide_index=True, width="stretch", height=260)
    if revealed:
        code = code_panel.fill_mask_code(ref, loaded.has_nsp, shown.text, limit, shown.decisions, wq.TOP_K)
        show_code(code, title="The code for BERT's guesses")
    show_code(code_panel.quiz_score_code(ref, loaded.has_nsp, n_scored, limit), title="The code for the score")

st.header("3 · Next-sentence prediction")
pair = None
if not loaded.has_nsp:
    st.info(text.no_nsp(loaded.name))
else:
    a_key, b_key = ps.key("a", ns.DEFAULT_PAIR[0]), ps.key("b", ns.DEFAULT_PAIR[1])
    sentence_a = st.text_input("Sentence A", key=a_key, max_chars=1000)
    sentence_b = st.text_input("Sentence B", key=b_key, max_chars=1000)
    n = st.session_state.get("bert.swaps", 0) + 1  # a new pair at each press, the same one on every rerun
    random_b = {"bert.swaps": n, b_key: ns.random_sentence(n, sentence_b)}
    real = {"bert.swaps": n, a_key: ns.real_pair(n)[0], b_key: ns.real_pair(n)[1]}
    c1, c2 = st.columns(2)
    c1.button("🔀 Swap in a random sentence as B", width="stretch", **sets(random_b, "on_click"))
    c2.button("📖 A real consecutive pair", width="stretch", **sets(real, "on_click"))
    if not sentence_a.strip() or not sentence_b.strip():
        st.info(text.TYPE_BOTH)
    else:
        pair = ns.next_sentence(model, tok, sentence_a, sentence_b, limit)
        st.metric("P(IsNext): B follows A", f"{pair.is_next_probability:.1%}")
        st.progress(pair.is_next_probability)
        st.caption(text.nsp_logits(pair.logits, loaded.source == "bundled"))
        show_code(code_panel.next_sentence_code(ref, sentence_a, sentence_b, limit))

st.header("4 · Attention")
inputs = {"the masked sentence": (filling.result.seen_tokens, filling.result.attentions, None)} if filling else {}
if pair is not None:
    inputs["the sentence pair"] = (pair.encoded.tokens, pair.attentions, pair.sentence_b_start)
if not inputs:
    st.info(text.NO_ATTENTION_INPUT)
else:
    source = ps.select("Input", "attn_input", inputs, next(iter(inputs)), widget="radio", horizontal=True)
    tokens, attentions, b_start = inputs[source]
    attention_view(ps, attentions, tokens, sentence_b_start=b_start)

st.header("5 · Sequence classification, from the lesson")
head_seed = ps.number("Seed for the new head", "head_seed", 0, 0, MAX_SEED, step=1)
model_type = model.config.model_type
load_classifier = st.cache_resource(sc.load_classifier, show_spinner="Building the classifier…")
classifier, fresh = load_classifier(loaded.path or loaded.name, model_type, head_seed)
cls = sc.classify(classifier, tok, fresh)
st.markdown(f"`{cls.class_name}` on *“{sc.LESSON_SENTENCE}”* with label **{cls.label}**:")
metrics(("Loss", f"{cls.loss:.4f}"), ("Logits", f"[{cls.logits[0]:.3f}, {cls.logits[1]:.3f}]"))
st.warning(text.fresh_head(fresh, head_seed))
show_code(code_panel.classification_code(ref, model_type, head_seed, sc.LESSON_SENTENCE, sc.LESSON_LABEL))
ps.publish()
