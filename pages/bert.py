"""BERT: masking, fill-in predictions, next-sentence prediction and attention, live."""

import math
import re

import streamlit as st

from playground.attention.heatmap import attention_heatmap
from playground.attention.views import MAX_BERTVIZ_TOKENS, head_view_html, model_view_html
from playground.bert import classification as sc
from playground.bert import code_panel as bert_code
from playground.bert import figures as bert_figures
from playground.bert import fill_mask as fm
from playground.bert import masking as bm
from playground.bert import next_sentence as ns
from playground.bert import quiz as wq
from playground.bert.encode import encode, max_input_tokens
from playground.generation.decode import MAX_SEED  # torch.manual_seed takes any 0…2**31-1
from playground.url_values import within
from ui.code import show_code
from ui.models import require_model
from ui.state import PageState, as_bool

DEFAULT_TEXT = "O Romeo, Romeo! wherefore art thou Romeo? Deny thy father and refuse thy name."
st.title("🎭 BERT")
st.markdown(
    "BERT reads the whole sentence at once and is pretrained on two games: **fill in the masked words** "
    "(masked-language modelling) and **does sentence B follow sentence A?** (next-sentence prediction). "
    "Click tokens to hide them and see what the model guesses, with how sure it is."
)


def positions(text: str) -> list[int]:
    return [int(p) for p in text.split(",") if p.strip()]


ps = PageState("bert")
loaded = require_model("bert", ps)
ps.reserve_warnings_slot()
model, tok = loaded.model, loaded.tokenizer
model_ref = loaded.path or loaded.name  # the folder it was read from, for the classifier below
shown_ref = "assets/models/shakespeare-bert" if loaded.source == "bundled" else loaded.name
limit = max_input_tokens(model, tok)

# ---- masking ----------------------------------------------------------------------------------------------------
st.header("1 · Mask tokens, let BERT fill them in")
default_masked = [i for i, t in enumerate(encode(tok, DEFAULT_TEXT, limit).tokens) if t in ("thou", "father")]
masked_key, seed_key = ps.key("masked", default_masked, positions), ps.key("seed", 0, within(0, MAX_SEED, int))
text_key = ps.key("text", DEFAULT_TEXT)
rule = ps.get("rule", False, as_bool)


def forget_masks():
    st.session_state[masked_key] = []
    ps.set("rule", False)


def apply_rule():
    enc = encode(tok, st.session_state[text_key], limit)
    decisions = bm.pretraining_mask(
        enc.input_ids,
        enc.special_tokens_mask,
        tok.mask_token_id,
        len(tok),
        st.session_state[seed_key],
        never_random_ids=tok.all_special_ids,
    )
    st.session_state[masked_key] = [d.position for d in decisions]
    ps.set("rule", True)


st.text_area("Your text", key=text_key, max_chars=6000, height=80, on_change=forget_masks)


def mask_section() -> fm.FillMaskResult | None:
    """The learner's text, masked and filled in; None while there is no text to mask."""
    enc = encode(tok, st.session_state[text_key], limit)
    maskable = bm.maskable_positions(enc.special_tokens_mask)
    if not maskable:
        st.info("Type a sentence above to begin: there is nothing to mask yet.")
        return None
    if enc.truncated:
        st.warning(
            f"Your text has {enc.n_tokens_before_cut} tokens; this model reads at most {limit}, so only the "
            f"first {limit} (with [CLS] and [SEP]) are used."
        )
    if unknown := enc.unknown_positions(tok.unk_token):
        st.info(
            f"{len(unknown)} token(s) became `{tok.unk_token}`: the WordPiece vocabulary has no pieces for those "
            "characters (emoji, CJK or Greek in an English vocabulary), so BERT only knows *something* was there."
        )
    st.session_state[masked_key] = [p for p in st.session_state[masked_key] if p in maskable]
    st.pills(
        "Click tokens to mask them",
        maskable,
        selection_mode="multi",
        key=masked_key,
        format_func=lambda p: enc.tokens[p],
        on_change=lambda: ps.set("rule", False),
    )
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    left.number_input(
        "Seed",
        min_value=0,
        max_value=MAX_SEED,
        step=1,
        key=seed_key,
        on_change=lambda: apply_rule() if ps.get("rule") else None,
    )
    right.button("🎲 Mask like pretraining (15% · 80/10/10)", on_click=apply_rule, width="stretch")
    chosen = st.session_state[masked_key]
    if ps.get("rule") and chosen:
        decisions = bm.pretraining_mask(
            enc.input_ids,
            enc.special_tokens_mask,
            tok.mask_token_id,
            len(tok),
            st.session_state[seed_key],
            never_random_ids=tok.all_special_ids,
        )
    else:
        decisions = bm.mask_chosen(enc.input_ids, chosen, tok.mask_token_id)
    top_k = st.slider("Predictions per mask (top-k)", 1, 10, key=ps.key("k", 5, within(1, 10, int)))
    with st.spinner("Running BERT…"):
        result = fm.fill_mask(model, tok, enc.input_ids, decisions, token_type_ids=enc.token_type_ids, top_k=top_k)

    if not decisions:
        st.info("Nothing is masked yet: click some tokens above, or press **Mask like pretraining**.")
    else:
        if len(decisions) == len(maskable) and not ps.get("rule"):
            st.warning(
                "Every token is masked: BERT has only positions and [CLS]/[SEP] to go on, so it guesses the "
                "most common tokens. Unmask a few to give it context."
            )
        st.html(
            "<p><b>Filled in by the top predictions:</b> "
            + bert_figures.filled_html(result, set(tok.all_special_tokens))
            + "</p>"
        )
        counts = bert_figures.action_counts(result)
        st.metric(
            "Masked-LM loss on the picked tokens",
            f"{result.mlm_loss:.3f}",
            help="Mean of −log p(original token) over the picked positions, the loss BERT is pretrained on.",
        )
        st.caption(
            f"{len(decisions)} picked: {counts[bm.MASKED]} → [MASK], {counts[bm.RANDOM]} → random token, "
            f"{counts[bm.UNCHANGED]} unchanged. A uniform guess over {len(tok):,} tokens would score "
            f"ln {len(tok):,} = {math.log(len(tok)):.2f}."
        )
        st.dataframe(bert_figures.decisions_table(result), hide_index=True, width="stretch")
        columns = st.columns(2)
        for i, prediction in enumerate(result.predictions[:24]):
            columns[i % 2].plotly_chart(bert_figures.top_k_bars(prediction), width="stretch", key=f"bars{i}")
    show_code(
        bert_code.fill_mask_code(
            shown_ref,
            loaded.has_nsp,
            st.session_state[text_key],
            limit,
            decisions,
            top_k,
            rule_seed=st.session_state[seed_key] if ps.get("rule") and chosen else None,
        )
    )
    return result


result = mask_section()

# ---- guess the word ---------------------------------------------------------------------------------------------
st.header("2 · Guess the hidden word: you against BERT")
st.markdown(
    "A line from the held-out end of the plays (the bundled BERT never read it), with one ordinary word "
    "hidden. Type your guess, then see BERT's five best guesses. Who is right more often?"
)
quiz_key = ps.key("quiz", 0, within(0, 10**6, int))
quiz_n_key = ps.key("quiz_n", 100, within(20, wq.MAX_SCORED_LINES, int))


def next_line(number: int):
    st.session_state[quiz_key] = number
    st.session_state["bert.quiz_guess"] = ""


def shown_guess(guess: str) -> str:
    """The learner's guess as plain text inside the page's markdown: letters, apostrophes, hyphens and spaces."""
    return re.sub(r"[^\w' -]", "", guess).strip()


@st.cache_data(max_entries=16, show_spinner=False)  # underscored arguments are not hashed: model_ref names them
def held_out_score(model_ref: str, n_lines: int, max_tokens: int, _model, _tok):
    return wq.score_on_held_out_lines(_model, _tok, n_lines, max_tokens)


@st.cache_data(max_entries=64, show_spinner=False)  # a revealed line stays on screen while other sections rerun
def revealed_line(model_ref: str, line_number: int, max_tokens: int, _model, _tok, _line: wq.QuizLine):
    return wq.reveal(_model, _tok, _line, max_tokens)


def guess_the_word(line: wq.QuizLine):
    # per model (a new model starts from 0 of 0): line number -> the guess that counted and who was right
    tally = st.session_state.setdefault("bert.quiz_tally", {}).setdefault(model_ref, {})
    st.markdown(f"**Line {line.number + 1}:** {line.masked.replace(tok.mask_token, ' ▁▁▁▁▁ ')}")
    with st.form("quiz", border=False, enter_to_submit=True):
        guess_column, reveal_column = st.columns([3, 1], vertical_alignment="bottom")
        guess_column.text_input("Your guess for the hidden word", max_chars=40, key="bert.quiz_guess")
        revealed = reveal_column.form_submit_button("Reveal", width="stretch")
    revealed = revealed or line.number in tally  # a line once revealed stays revealed: its guesses are counted
    if revealed:
        shown = revealed_line(model_ref, line.number, limit, model, tok, line)
        bert_right = wq.is_right(shown.bert_top1, line.answer)
        if line.number not in tally:  # a line counts once, with the guess made before the reveal
            guess = shown_guess(st.session_state["bert.quiz_guess"])
            tally[line.number] = {"guess": guess, "you": wq.is_right(guess, line.answer), "bert": bert_right}
        guess, you_right = tally[line.number]["guess"], tally[line.number]["you"]
        verdict = (
            f"The hidden word is **{line.answer}**. BERT's first guess, **{shown.bert_top1}**, is "
            f"{'right' if bert_right else 'wrong'}; "
        )
        verdict += (
            f"yours, **{guess}**, is {'right' if you_right else 'wrong'}."
            if guess
            else "you made no guess, which counts as a miss."
        )
        (st.success if you_right else st.info)(verdict)
        if shown_guess(st.session_state["bert.quiz_guess"]) != guess:
            st.caption("Only the guess made before the reveal counts. Press **Next line** for a new one.")
        st.plotly_chart(bert_figures.top_k_bars(shown.result.predictions[0]), width="stretch", key="quiz_bars")
    st.button("Next line ▶", on_click=next_line, args=(line.number + 1,))
    if tally:
        c1, c2 = st.columns(2)
        c1.metric("You", f"{sum(t['you'] for t in tally.values())} of {len(tally)}")
        c2.metric("BERT (first guess)", f"{sum(t['bert'] for t in tally.values())} of {len(tally)}")
    with st.expander("How often is BERT right? Score it on many held-out lines at once"):
        n_scored = st.slider("Lines", 20, wq.MAX_SCORED_LINES, key=quiz_n_key, step=20)
        if st.button(f"Score BERT on {n_scored} lines", key="bert.quiz_score"):
            st.session_state["bert.quiz_scoring"] = True  # from now on the score follows the slider
        if st.session_state.get("bert.quiz_scoring"):
            with st.spinner(f"BERT guesses {n_scored} hidden words…"):
                scored = held_out_score(model_ref, n_scored, limit, model, tok)
            c1, c2 = st.columns(2)
            c1.metric("First guess right", f"{scored.accuracy:.0%}", help=f"{scored.right} of {scored.n}")
            c2.metric(
                "Word among the five guesses", f"{scored.top5_accuracy:.0%}", help=f"{scored.in_top5} of {scored.n}"
            )
            card = (
                " The model card (`assets/models/shakespeare-bert/README.md`) measures the same way on every "
                "held-out *line* of the plays rather than these whole sentences, which give BERT a little more to "
                "go on, and splits its figure by how often the training text has the word: BERT guesses common "
                "words far more often than rare ones."
                if loaded.source == "bundled"
                else ""
            )
            st.caption(
                f"The quiz's first {scored.n} lines. A guess drawn at random from the {len(tok):,} tokens "
                f"would be right {1 / len(tok):.3%} of the time.{card}"
            )
            st.dataframe(wq.scored_table(scored), hide_index=True, width="stretch", height=260)
    if revealed:
        show_code(
            bert_code.fill_mask_code(shown_ref, loaded.has_nsp, shown.text, limit, shown.decisions, wq.TOP_K),
            title="The code for BERT's guesses",
        )
    show_code(bert_code.quiz_score_code(shown_ref, loaded.has_nsp, n_scored, limit), title="The code for the score")


try:
    quiz_line = wq.quiz_line(tok, st.session_state[quiz_key], limit)
except ValueError as err:
    st.info(f"No quiz for `{loaded.name}`: {err}. The other sections work as usual.")
else:
    guess_the_word(quiz_line)

# ---- next sentence ----------------------------------------------------------------------------------------------
st.header("3 · Next-sentence prediction")
pair = None
if not loaded.has_nsp:
    st.info(
        f"`{loaded.name}` has no next-sentence head: DistilBERT was distilled with the masked-LM loss only. "
        "Pick the bundled model or bert-base-uncased to try this."
    )
else:
    a_key, b_key = ps.key("a", ns.real_pair(0)[0]), ps.key("b", ns.real_pair(0)[1])
    st.session_state.setdefault("bert.swaps", 0)

    def swap(real: bool):
        st.session_state["bert.swaps"] += 1
        if real:
            st.session_state[a_key], st.session_state[b_key] = ns.real_pair(st.session_state["bert.swaps"])
        else:
            st.session_state[b_key] = ns.random_sentence(st.session_state["bert.swaps"], st.session_state[b_key])

    st.text_input("Sentence A", key=a_key, max_chars=1000)
    st.text_input("Sentence B", key=b_key, max_chars=1000)
    c1, c2 = st.columns(2)
    c1.button("🔀 Swap in a random sentence as B", on_click=swap, args=(False,), width="stretch")
    c2.button("📖 A real consecutive pair", on_click=swap, args=(True,), width="stretch")
    if not st.session_state[a_key].strip() or not st.session_state[b_key].strip():
        st.info("Type both sentences to see whether BERT thinks B follows A.")
    else:
        pair = ns.next_sentence(model, tok, st.session_state[a_key], st.session_state[b_key], limit)
        st.metric("P(IsNext): B follows A", f"{pair.is_next_probability:.1%}")
        st.progress(pair.is_next_probability)
        st.caption(
            f"Logits [IsNext, NotNext] = [{pair.logits[0]:.3f}, {pair.logits[1]:.3f}]; softmax of these. "
            "In pretraining, half the pairs were real and half random."
        )
        show_code(bert_code.next_sentence_code(shown_ref, st.session_state[a_key], st.session_state[b_key], limit))

# ---- attention --------------------------------------------------------------------------------------------------
st.header("4 · Attention")
inputs = (["the masked sentence"] if result else []) + (["the sentence pair"] if pair else [])


def attention_section():
    source = st.radio("Input", inputs, horizontal=True, key=ps.key("attn_input", inputs[0]))
    tokens, attentions, b_start = (
        (pair.encoded.tokens, pair.attentions, pair.sentence_b_start)
        if source == "the sentence pair"
        else (result.seen_tokens, result.attentions, None)
    )
    view = st.segmented_control("View", ["head view", "model view", "heatmap"], key=ps.key("view", "head view"))
    if len(tokens) > MAX_BERTVIZ_TOKENS and view != "heatmap":
        st.info(
            f"{len(tokens)} tokens: bertviz shows the first {MAX_BERTVIZ_TOKENS}. Pick **heatmap** to see them all."
        )
    if view == "heatmap":
        c1, c2 = st.columns(2)
        layer = c1.selectbox("Layer", range(len(attentions)), key=ps.key("layer", 0, int))
        head = c2.selectbox("Head", range(attentions[0].shape[1]), key=ps.key("head", 0, int))
        st.plotly_chart(attention_heatmap(attentions, tokens, layer, head), width="stretch")
    elif view == "model view":
        st.iframe(model_view_html(attentions, tokens, sentence_b_start=b_start), height="content")
    else:
        st.caption("Hover a token to see where it looks; double-click a colour square to show one head alone.")
        st.iframe(head_view_html(attentions, tokens, sentence_b_start=b_start), height="content")


if inputs:
    attention_section()
else:
    st.info("Type a sentence in section 1, or two in section 3, to see where BERT's heads look.")

# ---- sequence classification ------------------------------------------------------------------------------------
st.header("5 · Sequence classification, from the lesson")
head_seed = st.number_input(
    "Seed for the new head", 0, MAX_SEED, step=1, key=ps.key("head_seed", 0, within(0, MAX_SEED, int))
)
model_type = model.config.model_type
classifier, fresh = st.cache_resource(sc.load_classifier, show_spinner="Building the classifier…")(
    model_ref, model_type, head_seed
)
cls = sc.classify(classifier, tok, fresh)
st.markdown(f"`{cls.class_name}` on *“{sc.LESSON_SENTENCE}”* with label **{cls.label}**:")
c1, c2 = st.columns(2)
c1.metric("Loss", f"{cls.loss:.4f}")
c2.metric("Logits", f"[{cls.logits[0]:.3f}, {cls.logits[1]:.3f}]")
st.warning(
    f"The classification head ({', '.join(f'`{w}`' for w in fresh)}) is **freshly initialised** from seed "
    f"{head_seed}, not trained: these logits are noise and the loss is near ln 2 = 0.693 whatever the "
    "sentence says. Fine-tuning on labelled sentences would train this head (and nudge BERT's body) until the "
    "logits for the right label rise and the loss falls toward 0."
)
show_code(bert_code.classification_code(shown_ref, model_type, head_seed, sc.LESSON_SENTENCE, sc.LESSON_LABEL))
ps.publish()
