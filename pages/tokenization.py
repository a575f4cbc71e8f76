"""Tokenizers: the same text through GPT's byte-level BPE and BERT's WordPiece, token by token.

Named tokenization.py, not tokenizers.py: AppTest puts pages/ on sys.path, where a tokenizers.py would shadow the
`tokenizers` library that transformers imports.
"""

import streamlit as st

from playground.tokenization import lesson, text
from playground.tokenization.chips import legend_html, tokens_html
from playground.tokenization.tokens import MAX_CHARS
from ui.code_panel import show_code
from ui.layout import say
from ui.models import model_picker
from ui.state import PageState

st.title("🔤 Tokenizers: text → tokens → ids")
st.markdown(text.INTRO)
ps = PageState("tokenizers")
text_key = ps.key("text", text.DEFAULT_TEXT)


def use_example():
    if (example := st.session_state["tokenizers.example"]) in text.EXAMPLES:
        st.session_state[text_key] = text.EXAMPLES[example]


st.selectbox("Try an example", ["(your own text)", *text.EXAMPLES], key="tokenizers.example", on_change=use_example)
typed = st.text_area(f"Text (up to {MAX_CHARS:,} characters)", key=text_key, height=110)
above = st.container()  # the cap's warning and the legend, once the text is read
columns = st.columns(2)
tokenizers = []
for column, kind, label in zip(columns, ("gpt", "bert"), ("GPT tokenizer", "BERT tokenizer"), strict=True):
    with column:
        tokenizers.append(model_picker(kind, ps, name=kind, label=label, tokenizer_only=True))
ps.show_warnings()
if None in tokenizers:  # even the bundled tokenizer is missing: the picker said why
    ps.publish()
    st.stop()

shown = lesson.run(typed, tokenizers)
if shown.too_long:
    above.warning(shown.too_long)
if not shown.sides:
    st.info(text.TYPE_SOMETHING)
else:
    above.html(legend_html())
for column, side in zip(columns, shown.sides, strict=False):
    with column:
        result = side.result
        st.subheader(result.algorithm)
        st.caption(f"{result.tokenizer_name}: vocabulary of {result.vocab_size:,} tokens")
        with st.container(horizontal=True):  # stays a row on a phone, where columns would stack
            st.metric("characters", len(shown.text))
            st.metric("tokens", result.n_tokens, help=f"{result.n_special} of them special tokens")
            st.metric("chars / token", f"{result.chars_per_token:.2f}")
        st.html(tokens_html(result))
        say(side.messages)
        with st.expander("ids (what the model receives)"):
            st.code(str(result.ids), language=None, wrap_lines=True)
show_code(shown.code)
ps.publish()
