"""Pictures and tables for the BERT page, built from the backend's results (plotly and pandas, no streamlit)."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from playground.bert.fill_mask import FillMaskResult, PositionPrediction
from playground.bert.masking import MASKED, RANDOM, TYPED, UNCHANGED
from playground.bert.text import filled_legend

RIGHT, WRONG, TYPED_GUESS, OTHER = "#1a7f37", "#cf222e", "#0969da", "#1f77b4"


def probability_axis(top: float) -> dict:
    """An axis that fits the bars: to a little past the longest (room for its label), never past 100%, with ticks
    that still read when every bar is a few percent."""
    end = min(1.0, max(top, 0.005) * 1.3)
    return dict(title="probability", range=[0, end], tickformat=".0%" if end >= 0.05 else ".1%")


def top_k_bars(prediction: PositionPrediction) -> go.Figure:
    """Horizontal bars, most likely first; the original token's bar is green so a hit is visible at a glance (a
    typed mask has no original token: no bar is green)."""
    tokens = [p.token for p in prediction.top][::-1]
    probabilities = [p.probability for p in prediction.top][::-1]
    colors = [RIGHT if t == prediction.original_token else OTHER for t in tokens]
    if prediction.original_token is None:
        title = f"#{prediction.position} typed {prediction.seen_token}: answer unknown"
    else:
        title = f"#{prediction.position} '{prediction.original_token}' shown as {prediction.seen_token}"
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
        title=title,
        xaxis=probability_axis(max(probabilities)),
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
                "original": "(unknown)" if p.original_token is None else p.original_token,
                "done to it": p.action,
                "model sees": p.seen_token,
                "top guess": p.top[0].token,
                "p(original)": None if p.original_probability is None else round(p.original_probability, 4),
                "loss −log p": None if p.loss is None else round(p.loss, 3),
            }
        )
    return pd.DataFrame(rows)


def filled_html(result: FillMaskResult, special_tokens: set[str]) -> str:
    """The sentence with the model's top guesses highlighted, and a line saying what the colours mean: a right guess
    green with ✓, a wrong one red with ✗ and the hidden word, a typed mask's (no answer) blue and dotted. WordPiece '##'
    pieces are glued back onto their word.

    HTML rather than markdown because a guess can be half a word ("cat" + "##s"), and markdown emphasis does not
    start in the middle of a word. Every piece of text is escaped.
    """
    picked = {p.position: p for p in result.predictions}
    words: list[str] = []
    for position, token in enumerate(result.filled_tokens):
        if token in special_tokens and position not in picked:
            continue
        glue = (token.startswith("##") or token in {".", ",", ";", ":", "!", "?"}) and bool(words)
        piece = html.escape(token[2:] if token.startswith("##") else token)
        if position in picked:
            piece = _marked(piece, picked[position])
        if glue and words:
            words[-1] += piece
        else:
            words.append(piece)
    rights = [p.right for p in result.predictions]
    legend = filled_legend(True in rights, False in rights, None in rights)
    sentence = f"<p><b>Filled in by the top predictions:</b> {' '.join(words)}</p>"
    return sentence + f'<p style="font-size:0.9em;color:#57606a">{legend}</p>'


def _marked(piece: str, prediction: PositionPrediction) -> str:
    if prediction.right is None:
        return f'<b style="color:{TYPED_GUESS};text-decoration:underline dotted">{piece}</b>'
    if prediction.right:
        return f'<b style="color:{RIGHT}">{piece}✓</b>'
    hidden = html.escape(prediction.original_token.removeprefix("##"))
    return f'<b style="color:{WRONG}">{piece}✗</b><span style="color:#57606a"> ({hidden})</span>'


def action_counts(result: FillMaskResult) -> dict[str, int]:
    counts = {MASKED: 0, RANDOM: 0, UNCHANGED: 0, TYPED: 0}
    for p in result.predictions:
        counts[p.action] += 1
    return counts
