"""The pass's tensors as heatmaps, drawn the way the Tensors page draws a tensor: row 0 at the top, a diverging
red-blue scale centred on zero (white is exactly 0), the numbers written in the cells while they fit, and the
followed row or cell outlined in orange.

A single `go.Heatmap` per tensor, not the Tensors page's subplot grid: the page draws about twenty tensors per
layer, and the grid's set-up (≈ 150 ms a figure, against 3) would outweigh the whole forward pass. The values go
to plotly as a float32 array, which it sends as binary, not as 50,000 numbers of text.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
import torch

from playground.inside_gpt.steps import Panel
from playground.tensors.figures import HIGHLIGHT, MAX_TEXT_CELLS

ROW_PX, MIN_HEIGHT, MAX_HEIGHT = 22, 150, 620
# Streamlit draws its charts in its own theme; plotly's default template, deep-copied into every one of twenty
# figures, was a third of their cost and none of their look.
TEMPLATE = "none"


def _label(text: str) -> str:
    """Plotly reads a few HTML tags in labels (<b>, <br>, <a href>): a token such as "<br>" must show as typed."""
    return html.escape(text, quote=False)


def _range(z: np.ndarray) -> tuple[float, float]:
    finite = z[np.isfinite(z)]
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)


def heatmap(panel: Panel) -> go.Figure:
    """The figure is built in one constructor call: every `update_*` / `add_shape` afterwards validates the whole
    figure again, which made each heatmap cost 10 ms instead of 2."""
    z = panel.tensor.detach().to(torch.float32).numpy()
    low, high = _range(z)
    diverging = low < 0 < high
    reach = max(-low, high)
    rows, cols = z.shape
    trace = dict(
        type="heatmap",
        z=np.where(np.isfinite(z), z, np.nan),  # -inf (masked scores) is not valid JSON: drawn as an empty cell
        colorscale="RdBu" if diverging else "Blues",
        reversescale=diverging,
        zmin=-reach if diverging else low,
        zmax=reach if diverging else high,
        showscale=False,
        xgap=1 if cols <= 64 else 0,
        ygap=1 if rows <= 64 else 0,
        hovertemplate="%{y} · col %{x}: %{z:.4g}<extra></extra>",
    )
    if z.size <= MAX_TEXT_CELLS:
        integer = not panel.tensor.dtype.is_floating_point  # token ids are written whole, not as 1.55e+03
        text = [["−∞" if np.isneginf(v) else str(int(v)) if integer else f"{v:.3g}" for v in row] for row in z]
        trace |= dict(text=text, texttemplate="%{text}", customdata=text)
        trace["hovertemplate"] = "%{y} · %{x}: %{customdata}<extra></extra>"
    labelled = panel.columns is not None or cols <= 20
    x_axis = dict(showgrid=False, zeroline=False, side="top", automargin=True)
    if labelled:
        x_axis |= dict(tickvals=list(range(cols)), ticktext=[_label(c) for c in panel.columns or map(str, range(cols))])
    outlines = [
        dict(type="rect", x0=j[0] - 0.5, x1=j[1] + 0.5, y0=i - 0.5, y1=i + 0.5, line=dict(color=HIGHLIGHT, width=w))
        for i, j, w in _outlines(panel, cols)
    ]
    layout = dict(
        title=dict(text=panel.title, font=dict(size=15), x=0, y=0.99, yanchor="top"),
        yaxis=dict(
            autorange="reversed",
            tickvals=list(range(rows)),
            ticktext=[_label(r) for r in panel.rows],
            showgrid=False,
            zeroline=False,
            automargin=True,
        ),
        xaxis=x_axis,
        shapes=outlines,
        height=min(max(MIN_HEIGHT, 90 + ROW_PX * rows), MAX_HEIGHT),
        margin=dict(l=10, r=10, t=70, b=10),
        font=dict(size=14),
        template=TEMPLATE,
    )
    return go.Figure(data=[trace], layout=layout)


def _outlines(panel: Panel, cols: int) -> list[tuple[int, tuple[int, int], int]]:
    """(row, (first column, last column), line width): the followed row thinly, the picked cell thickly."""
    found = []
    if panel.row is not None and panel.tensor.shape[0] > 1:
        found.append((panel.row, (0, cols - 1), 2))
    if panel.cell is not None:
        found.append((panel.cell[0], (panel.cell[1], panel.cell[1]), 4))
    return found


def distribution_chart(rows: list[dict], temperature: float) -> go.Figure:
    """The most likely next tokens as horizontal bars, the likeliest on top, each labelled with its probability."""
    tokens = [_label(repr(r["token"])) for r in rows][::-1]
    probs = [r["probability"] for r in rows][::-1]
    figure = go.Figure(
        go.Bar(
            x=probs,
            y=list(range(len(rows))),
            orientation="h",
            text=[f"{p:.1%}" for p in probs],
            textposition="auto",
            marker_color="#1f77b4",
            hovertemplate="%{customdata}: %{x:.4f}<extra></extra>",
            customdata=tokens,
        )
    )
    figure.update_yaxes(tickvals=list(range(len(rows))), ticktext=tokens, automargin=True)
    figure.update_xaxes(
        title=f"probability at temperature {temperature:g}", range=[0, max(probs) * 1.15], tickformat=".0%"
    )
    figure.update_layout(height=90 + 34 * len(rows), margin=dict(l=10, r=10, t=30, b=10), font=dict(size=15))
    return figure
