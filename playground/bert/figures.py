"""Pictures and tables for the BERT page, built from the backend's results (plotly and pandas, no streamlit)."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from playground.bert.fill_mask import FillMaskResult, PositionPrediction
from playground.bert.masking import MASKED, RANDOM


def top_k_bars(prediction: PositionPrediction) -> go.Figure:
    """Horizontal bars, most likely first; the original token's bar is green so a hit is visible at a glance."""
    tokens = [p.token for p in prediction.top][::-1]
    probabilities = [p.probability for p in prediction.top][::-1]
    colors = ["#2ca02c" if t == prediction.original_token else "#1f77b4" for t in tokens]
    figure = go.Figure(
        go.Bar(
            x=probabilities,
            y=[f"{t} " for t in tokens],  # a trailing space keeps plotly from merging equal labels with numbers
            orientation="h",
            marker_color=colors,
            text=[f"{p:.1%}" for p in probabilities],
            textposition="auto",
            hovertemplate="%{y}: %{x:.4f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=f"#{prediction.position} '{prediction.original_token}' shown as {prediction.seen_token}",
        xaxis=dict(title="probability", range=[0, 1], tickformat=".0%"),
        yaxis=dict(type="category"),
        height=80 + 32 * len(tokens),
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return figure


def decisions_table(result: FillMaskResult) -> pd.DataFrame:
    """One row per picked token: what was done to it, what the model guessed, and the loss it contributes."""
    rows = []
    for p in result.predictions:
        rows.append(
            {
                "position": p.position,
                "original": p.original_token,
                "done to it": p.action,
                "model sees": p.seen_token,
                "top guess": p.top[0].token,
                "p(original)": round(p.original_probability, 4),
                "loss −log p": round(p.loss, 3),
            }
        )
    return pd.DataFrame(rows)


def filled_html(result: FillMaskResult, special_tokens: set[str]) -> str:
    """The sentence with the model's top guesses highlighted: WordPiece '##' pieces glued back onto their word.

    HTML rather than markdown because a guess can be half a word ("cat" + "##s"), and markdown emphasis does not
    start in the middle of a word. Every piece of text is escaped.
    """
    picked = {p.position for p in result.predictions}
    words: list[str] = []
    for position, token in enumerate(result.filled_tokens):
        if token in special_tokens and position not in picked:
            continue
        glue = (token.startswith("##") or token in {".", ",", ";", ":", "!", "?"}) and bool(words)
        piece = html.escape(token[2:] if token.startswith("##") else token)
        if position in picked:
            piece = f'<b style="color:#1a7f37">{piece}</b>'
        if glue and words:
            words[-1] += piece
        else:
            words.append(piece)
    return " ".join(words)


def action_counts(result: FillMaskResult) -> dict[str, int]:
    counts = {MASKED: 0, RANDOM: 0, "unchanged": 0}
    for p in result.predictions:
        counts[p.action] += 1
    return counts
