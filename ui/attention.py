"""Where a model's heads look, shared by the BERT and GPT pages: bertviz's head and model views (offline), or a
heatmap of one head that shows every token. The view, the layer and the head live in the page's link."""

from __future__ import annotations

import streamlit as st

from playground.attention.heatmap import attention_heatmap
from playground.attention.views import MAX_BERTVIZ_TOKENS, head_view_html, model_view_html

HEAD_VIEW, MODEL_VIEW, HEATMAP = "head view", "model view", "heatmap"
ALL_VIEWS = (HEAD_VIEW, MODEL_VIEW, HEATMAP)


def attention_view(ps, attentions, tokens, views=ALL_VIEWS, sentence_b_start=None, long_as_heatmap=False) -> None:
    """`long_as_heatmap`: past bertviz's cap, draw the heatmap rather than bertviz's first tokens (a GPT's last
    tokens, the ones just before the step being looked at, matter most)."""
    view = ps.select("View", "view", views, views[0], widget="segmented_control")
    too_long = len(tokens) > MAX_BERTVIZ_TOKENS
    if too_long and view != HEATMAP and not long_as_heatmap:
        cut = f"{len(tokens)} tokens: bertviz shows the first {MAX_BERTVIZ_TOKENS}."
        st.info(f"{cut} Pick **heatmap** to see them all.")
    if view == HEATMAP or (too_long and long_as_heatmap):
        left, right = st.columns(2)
        layer = ps.select("Layer", "layer", range(len(attentions)), 0, where=left)
        head = ps.select("Head", "head", range(attentions[0].shape[1]), 0, where=right)
        st.plotly_chart(attention_heatmap(attentions, tokens, layer, head), width="stretch")
    elif view == MODEL_VIEW:
        st.iframe(model_view_html(attentions, tokens, sentence_b_start=sentence_b_start), height="content")
    else:  # the head view, also when the learner unselects every view
        st.caption("Hover a token to see where it looks; double-click a colour square to show one head alone.")
        st.iframe(head_view_html(attentions, tokens, sentence_b_start=sentence_b_start), height="content")
