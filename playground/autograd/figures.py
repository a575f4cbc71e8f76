"""Plotly figures for the autograd page: the loss landscape with the descent path, the loss curve, and heatmaps.

Figures are built here, not in the page, so the page stays a thin list of widgets and charts.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.autograd.descent import DescentStep, loss_surface, surface_window
from playground.autograd.neuron import NeuronPoint
from playground.autograd.simple_net import TrainingStep, as_matrix

_MARGIN = dict(l=10, r=10, t=40, b=10)


def landscape_figure(point: NeuronPoint, path: list[DescentStep]) -> go.Figure:
    w_range, b_range = surface_window(path)
    ws, bs, L = loss_surface(point, w_range, b_range)
    fig = go.Figure(
        go.Contour(
            x=ws,
            y=bs,
            z=L,
            colorscale="Viridis",
            ncontours=30,
            colorbar=dict(title="L"),
            hovertemplate="w=%{x:.3f}<br>b=%{y:.3f}<br>L=%{z:.4f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[s.w for s in path],
            y=[s.b for s in path],
            mode="lines+markers",
            name="SGD path",
            line=dict(color="white", width=2),
            marker=dict(size=5, color="white"),
            customdata=[[s.step, s.loss] for s in path],
            hovertemplate="step %{customdata[0]}<br>w=%{x:.4f}<br>b=%{y:.4f}<br>L=%{customdata[1]:.4f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[path[0].w], y=[path[0].b], mode="markers", name="start", marker=dict(size=12, color="red", symbol="x")
        )
    )
    fig.update_layout(
        title=f"Loss landscape L(w, b) at x = {point.x:g}, y = {point.y:g}",
        xaxis_title="w",
        yaxis_title="b",
        height=480,
        margin=_MARGIN,
        showlegend=False,
    )
    return fig


def loss_curve_figure(path: list[DescentStep]) -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=[s.step for s in path],
            y=[s.loss for s in path],
            mode="lines+markers",
            hovertemplate="step %{x}<br>L=%{y:.4f}<extra></extra>",
        )
    )
    fig.update_layout(title="Loss after each step", xaxis_title="step", yaxis_title="L", height=320, margin=_MARGIN)
    return fig


# Numbers are written in the cells up to this many columns: fc1.weight's 10 still fit a phone at three decimals.
MAX_NUMBERED_COLUMNS = 10


def cell_text(value: float) -> str:
    """Three decimals, a ReLU's exact zero as 0, and what three decimals would round away in scientific form."""
    if value == 0:
        return "0"
    return f"{value:.3f}".replace("-", "−") if abs(value) >= 5e-4 else f"{value:.1e}".replace("-", "−")


def _heatmap(matrix: np.ndarray, colorscale: str, colorbar: dict) -> go.Heatmap:
    rows, cols = matrix.shape
    reach = float(np.abs(matrix).max()) or 1.0  # symmetric about 0, so white is exactly zero in every panel
    return go.Heatmap(
        z=matrix,
        x=[str(c) for c in range(cols)],
        y=[str(r) for r in range(rows)],
        colorscale=colorscale,
        zmin=-reach,
        zmax=reach,
        colorbar=colorbar,
        text=np.vectorize(cell_text)(matrix),
        texttemplate="%{text}" if cols <= MAX_NUMBERED_COLUMNS else "",
        textfont=dict(size=13),
        hovertemplate="row %{y}, column %{x}<br>%{z:.6f}<extra></extra>",
    )


def _stack(panels: list[tuple[str, np.ndarray]]) -> go.Figure:
    """Heatmaps one above the other (readable on a phone), each row as tall as its matrix, each with its colour bar
    beside it: the panels' scales differ, so one bar could not serve them all."""
    heights = [m.shape[0] + 1.5 for _, m in panels]
    total = 80 + 42 * sum(heights) + 60 * (len(panels) - 1)
    fig = make_subplots(
        rows=len(panels),
        cols=1,
        row_heights=heights,
        vertical_spacing=60 / total,
        subplot_titles=[title for title, _ in panels],
    )
    for i, (_, matrix) in enumerate(panels, start=1):
        low, high = fig.layout[f"yaxis{i if i > 1 else ''}"].domain
        bar = dict(y=(low + high) / 2, len=high - low, yanchor="middle", thickness=12, tickfont=dict(size=11))
        fig.add_trace(_heatmap(matrix, "RdBu_r", bar), row=i, col=1)
        # Row and column numbers are labels, not a continuous axis: one tick per row and per column.
        fig.update_yaxes(type="category", autorange="reversed", showticklabels=matrix.shape[0] > 1, row=i, col=1)
        fig.update_xaxes(type="category", showticklabels=matrix.shape[1] > 1, row=i, col=1)
    fig.update_layout(height=int(total), margin=_MARGIN)
    return fig


def gradient_heatmaps(step: TrainingStep) -> go.Figure:
    """One heatmap per parameter: red (positive) pushes the weight down at the step, blue pushes it up."""
    return _stack([(f"∂L/∂{n}  {tuple(g.shape)}", as_matrix(g)) for n, g in step.grads.items()])


def before_after_heatmaps(step: TrainingStep, name: str) -> go.Figure:
    """A parameter before and after optimizer.step(), and the change, which is exactly −lr × its gradient."""
    before, after = as_matrix(step.before[name]), as_matrix(step.after[name])
    return _stack(
        [
            (f"{name} before", before),
            (f"{name} after optimizer.step()", after),
            ("change = after − before", after - before),
        ]
    )
