"""Tokenizers: the same text through GPT's byte-level BPE and BERT's WordPiece, token by token.

Named tokenization.py, not tokenizers.py: AppTest puts pages/ on sys.path, where a tokenizers.py would shadow the
`tokenizers` library that transformers imports.
"""

import streamlit as st

from playground.models import BUNDLED, BUNDLED_DIRS, HUB_CHOICES, REPO, ModelLoadError, load_tokenizer
from playground.tokenization.chips import legend_html, tokens_html
from playground.tokenization.code_panel import tokenization_code
from playground.tokenization.tokens import MAX_CHARS, check_text, tokenize
from playground.url_values import one_of
from ui.code import show_code
from ui.state import PageState

DEFAULT_TEXT = "ROMEO: But soft, what light through yonder window breaks?\nTokenizers dislike unfamiliar words."
EXAMPLES = {
    "Shakespeare": DEFAULT_TEXT,
    "emoji, Greek, Japanese": "Hello 🙂 λόγος 東京",
    "numbers and code": "x = 12345 + 678; print(x)",
    "a long made-up word": "Antidisestablishmentarianism is unbelievably long.",
}


@st.cache_resource(show_spinner="Loading tokenizer…", max_entries=8)
def cached_tokenizer(kind: str, choice: str):
    return load_tokenizer(kind, choice)


def pick(ps, kind: str, label: str):
    """Selectbox for one side; on an error, say why and fall back to the bundled tokenizer."""
    options = [BUNDLED, *HUB_CHOICES[kind]]

    choice = st.selectbox(
        label,
        options,
        key=ps.key(kind, BUNDLED, one_of(options)),
        format_func=lambda c: f"bundled {BUNDLED_DIRS[kind].name}" if c == BUNDLED else c,
    )
    try:
        tok, name, _ = cached_tokenizer(kind, choice)
        return tok, name, choice
    except ModelLoadError as err:
        st.error(str(err))
        st.warning("Showing the bundled tokenizer instead.")
        tok, name, _ = cached_tokenizer(kind, BUNDLED)
        return tok, name, BUNDLED


def show(result, tok, text):
    st.subheader(result.algorithm)
    st.caption(f"{result.tokenizer_name}: vocabulary of {result.vocab_size:,} tokens")
    with st.container(horizontal=True):  # stays a row on a phone, where columns would stack
        st.metric("characters", len(text))
        st.metric("tokens", result.n_tokens, help=f"{result.n_special} of them special tokens")
        st.metric("chars / token", f"{result.chars_per_token:.2f}")
    st.html(tokens_html(result))
    if result.n_unknown:
        st.warning(
            f"{result.n_unknown} piece(s) became `{tok.unk_token}`: this vocabulary has no pieces for "
            "them, so the model cannot tell what was written there."
        )
    non_ascii = sum(ord(ch) > 127 for ch in text)
    if non_ascii and result.algorithm == "byte-level BPE":
        n_bytes = len(text.encode("utf-8")) - (len(text) - non_ascii)
        st.info(
            f"{non_ascii} non-ASCII character(s) take {n_bytes} UTF-8 bytes; byte-level BPE encodes them "
            "byte by byte when it has no merged piece, so nothing is ever unknown. Pieces like `ð` or `Ł` "
            "are such bytes, written in GPT-2's printable byte alphabet."
        )
    with st.expander("ids (what the model receives)"):
        st.code(str(result.ids), language=None, wrap_lines=True)


def lesson():
    st.title("🔤 Tokenizers: text → tokens → ids")
    st.markdown(
        "A language model never sees letters. A **tokenizer** cuts the text into pieces from a fixed vocabulary "
        "and hands the model their **ids**, one number per piece. GPT-2 uses **byte-level BPE**: it works on "
        "bytes, so it can encode anything, and a space belongs to the next word, shown as `Ġ` (a newline is "
        "`Ċ`). BERT uses **WordPiece**: it splits at spaces and punctuation first; a piece *inside* a word "
        "starts with `##`, and a word it has no pieces for becomes `[UNK]`. Both vocabularies were learned from "
        "text: frequent words are one token, rare words are cut into several."
    )
    ps = PageState("tokenizers")
    example = st.selectbox("Try an example", ["(your own text)", *EXAMPLES], key="tokenizers.example")
    text_key = ps.key("text", DEFAULT_TEXT)
    if example in EXAMPLES and st.session_state.get("tokenizers.last_example") != example:
        st.session_state[text_key] = EXAMPLES[example]
    st.session_state["tokenizers.last_example"] = example
    raw = st.text_area(f"Text (up to {MAX_CHARS:,} characters)", key=text_key, height=110)
    text, too_long = check_text(raw)
    if too_long:
        st.warning(too_long)
    if text.strip():
        st.html(legend_html())

    left, right = st.columns(2)
    with left:
        gpt_tok, gpt_name, gpt_choice = pick(ps, "gpt", "GPT tokenizer")
    with right:
        bert_tok, bert_name, bert_choice = pick(ps, "bert", "BERT tokenizer")
    ps.show_warnings()

    if not text.strip():
        st.info("Type some text above to see it tokenized.")
    else:
        for column, tok, name in ((left, gpt_tok, gpt_name), (right, bert_tok, bert_name)):
            with column:
                show(tokenize(tok, text, name), tok, text)

    refs = [
        str(BUNDLED_DIRS[kind].relative_to(REPO)) if choice == BUNDLED else choice
        for kind, choice in (("gpt", gpt_choice), ("bert", bert_choice))
    ]
    show_code(tokenization_code(text, refs))
    ps.publish()


lesson()
