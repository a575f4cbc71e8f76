"""Where a model's heads look, shared by the BERT and GPT pages: bertviz's head and model views (offline), or a
heatmap of one head that shows every token. The view, the layer and the head live in the page's link."""

from __future__ import annotations

import streamlit as st

from playground.attention.heatmap import attention_heatmap
from playground.attention.views import MAX_BERTVIZ_TOKENS, head_view_html, model_view_html

HEAD_VIEW, MODEL_VIEW, HEATMAP = "head view", "model view", "heatmap"
ALL_VIEWS = (HEAD_VIEW, MODEL_VIEW, HEATMAP)


@st.cache_resource(max_entries=16, show_spinner=False)
def _drawn_once(build: str, key, tokens: tuple, args: tuple, kwargs: tuple, _build, _attentions):
    return _build(_attentions, list(tokens), *args, **dict(kwargs))


def drawn(key, build, attentions, tokens, *args, **kwargs):
    """`build(attentions, tokens, ...)`, built once for the whole class when the caller names what the attention is
    of (`key`: the model and the text it read), so hashing tens of MB of weights is never needed; else every time."""
    if key is None:
        return build(attentions, list(tokens), *args, **kwargs)
    return _drawn_once(build.__name__, key, tuple(tokens), args, tuple(sorted(kwargs.items())), build, attentions)


def attention_view(
    ps, attentions, tokens, views=ALL_VIEWS, sentence_b_start=None, long_as_heatmap=False, key=None
) -> None:
    """`long_as_heatmap`: past bertviz's cap, draw the heatmap rather than bertviz's first tokens (a GPT's last
    tokens, the ones just before the step being looked at, matter most). `key` names the attention (model and text
    read) when it is one object shared by every session: its drawings are then shared too."""
    view = ps.select("View", "view", views, views[0], widget="segmented_control")
    options = {"sentence_b_start": sentence_b_start, "served_scripts": True}  # d3 and jQuery from this server
    too_long = len(tokens) > MAX_BERTVIZ_TOKENS
    if too_long and view != HEATMAP and not long_as_heatmap:
        cut = f"{len(tokens)} tokens: bertviz shows the first {MAX_BERTVIZ_TOKENS}."
        st.info(f"{cut} Pick **heatmap** to see them all.")
    if view == HEATMAP or (too_long and long_as_heatmap):
        left, right = st.columns(2)
        layer = ps.select("Layer", "layer", range(len(attentions)), 0, where=left)
        head = ps.select("Head", "head", range(attentions[0].shape[1]), 0, where=right)
        st.plotly_chart(drawn(key, attention_heatmap, attentions, tokens, layer, head), width="stretch")
    elif view == MODEL_VIEW:
        st.iframe(drawn(key, model_view_html, attentions, tokens, **options), height="content")
    else:  # the head view, also when the learner unselects every view
        st.caption("Hover a token to see where it looks; double-click a colour square to show one head alone.")
        st.iframe(drawn(key, head_view_html, attentions, tokens, **options), height="content")
