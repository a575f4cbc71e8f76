"""One attention head as a plotly heatmap: the view that still works when bertviz has too many tokens to draw.

Row i is the query token, column j the key token; cell (i, j) is how much token i attends to token j in that head, and
each row sums to 1 (it is a softmax). Reused by the BERT and GPT pages.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import torch


def head_matrix(attentions, layer: int, head: int) -> torch.Tensor:
    """The (seq, seq) attention of one head, from transformers' `output_attentions` (one (1, H, S, S) per layer)."""
    if attentions is None or len(attentions) == 0:
        raise ValueError(
            'No attention weights: run the model with output_attentions=True and attn_implementation="eager".'
        )
    if not 0 <= layer < len(attentions):
        raise ValueError(f"layer {layer} does not exist: the model has layers 0 to {len(attentions) - 1}.")
    weights = torch.as_tensor(attentions[layer]).detach().float().cpu()
    if weights.dim() == 4:
        weights = weights[0]
    if weights.dim() != 3:
        raise ValueError(f"Layer {layer} attention has shape {tuple(weights.shape)}; expected (1, heads, seq, seq).")
    if not 0 <= head < weights.shape[0]:
        raise ValueError(f"head {head} does not exist: layer {layer} has heads 0 to {weights.shape[0] - 1}.")
    return weights[head]


def _unique_labels(tokens: Sequence[str]) -> list[str]:
    """plotly merges equal category labels; number them so 'the' at 2 and 'the' at 7 stay separate rows."""
    return [f"{i}: {token}" for i, token in enumerate(tokens)]


def attention_heatmap(
    attentions, tokens: Sequence[str], layer: int, head: int, *, title: str | None = None
) -> go.Figure:
    """Heatmap of layer `layer`, head `head`; hover shows query token, key token and the weight."""
    matrix = head_matrix(attentions, layer, head)
    if matrix.shape[0] != len(tokens):
        raise ValueError(
            f"Attention has {matrix.shape[0]} positions but {len(tokens)} tokens were given: they must match."
        )
    labels = _unique_labels([str(t) for t in tokens])
    figure = go.Figure(
        go.Heatmap(
            z=matrix.numpy(),
            x=labels,
            y=labels,
            colorscale="Blues",
            zmin=0.0,
            zmax=1.0,
            colorbar=dict(title="weight"),
            hovertemplate="query %{y}<br>key %{x}<br>weight %{z:.3f}<extra></extra>",
        )
    )
    side = max(360, min(1400, 18 * len(tokens) + 160))
    figure.update_layout(
        title=title or f"Layer {layer}, head {head}: row = query token, column = key token it attends to",
        xaxis=dict(title="key (attended to)", tickangle=-60, type="category"),
        yaxis=dict(title="query (attending)", autorange="reversed", type="category"),
        height=side,
        margin=dict(l=10, r=10, t=50, b=10),
    )
    return figure
