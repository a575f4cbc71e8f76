"""Tensors as plotly heatmaps: one grid of cells per 2D slice, numbers written in the cells while they fit.

A 0D tensor is one cell, a 1D tensor one row, a 2D tensor a matrix with row 0 at the top (as PyTorch prints it), and
3D/4D tensors are cut into 2D slices x[i] or x[i, j], drawn side by side with one shared colour scale so colours
compare across slices.
"""

from __future__ import annotations

import itertools
import math

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

MAX_SLICES = 6  # more small multiples than this stop being readable on a phone
MAX_TEXT_CELLS = 150  # beyond this the numbers in the cells overlap; the hover still shows them
HIGHLIGHT = "#f5a623"


def _cell_text(v: float, is_float: bool) -> str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.3g}" if is_float else str(int(v))


def slices(t: torch.Tensor, keep: tuple[int, ...] | None = None) -> list[tuple[str, torch.Tensor, tuple[int, ...]]]:
    """(label, 2D tensor, leading index) for every 2D slice, capped at MAX_SLICES; the slice `keep` (a leading
    index) is always among them, in the last place if it is past the cap, so a picked cell is never hidden."""
    t = t.detach()
    if t.dim() == 0:
        return [("", t.reshape(1, 1), ())]
    if t.dim() == 1:
        return [("", t.reshape(1, -1), ())]
    if t.dim() == 2:
        return [("", t, ())]
    leads = list(itertools.islice(itertools.product(*(range(s) for s in t.shape[:-2])), MAX_SLICES))
    if keep is not None and tuple(keep) not in leads:
        leads[-1] = tuple(keep)
    return [(f"[{', '.join(str(i) for i in lead)}, :, :]", t[lead], lead) for lead in leads]


def slice_count(t: torch.Tensor) -> int:
    return math.prod(t.shape[:-2]) if t.dim() >= 3 else 1


def _value_range(t: torch.Tensor) -> tuple[float, float]:
    values = t.detach().to(torch.float64)
    finite = values[values.isfinite()]
    return (float(finite.min()), float(finite.max())) if finite.numel() else (0.0, 1.0)


def heatmap(
    t: torch.Tensor,
    title: str = "",
    highlight: list[tuple[int, ...]] | None = None,
    value_range: tuple[float, float] | None = None,
) -> go.Figure:
    """The values of t as one heatmap per 2D slice; `highlight` outlines cells (for 0D-2D tensors).
    `value_range` fixes the colour scale, so separately drawn slices of one tensor share it."""
    is_float = t.dtype.is_floating_point
    low, high = value_range or _value_range(t)
    diverging = low < 0 < high
    reach = max(-low, high)  # a diverging scale is symmetric, so white is exactly zero
    parts = slices(t)
    cols = min(len(parts), 3)
    rows = math.ceil(len(parts) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[label for label, _, _ in parts] if len(parts) > 1 else None,
        horizontal_spacing=0.06,
        vertical_spacing=0.12,
    )
    for n, (_, part, _) in enumerate(parts):
        grid = part.to(torch.float64)
        z = grid.masked_fill(~grid.isfinite(), float("nan")).tolist()  # inf is not valid JSON; the text says "inf"
        text = [[_cell_text(v, is_float) for v in row] for row in grid.tolist()]
        fig.add_trace(
            go.Heatmap(
                z=z,
                text=text,
                texttemplate="%{text}" if part.numel() <= MAX_TEXT_CELLS else None,
                hovertemplate="row %{y}, col %{x}: %{text}<extra></extra>",
                colorscale="RdBu" if diverging else "Blues",
                reversescale=diverging,
                zmin=-reach if diverging else low,
                zmax=reach if diverging else high,
                showscale=False,
                xgap=2,
                ygap=2,
            ),
            row=n // cols + 1,
            col=n % cols + 1,
        )
    for cell in highlight or []:
        if t.dim() > 2:
            break
        i, j = (0, cell[0]) if len(cell) == 1 else ((0, 0) if not cell else cell)
        fig.add_shape(
            type="rect",
            x0=j - 0.5,
            x1=j + 0.5,
            y0=i - 0.5,
            y1=i + 0.5,
            line=dict(color=HIGHLIGHT, width=4),
            row=1,
            col=1,
        )
    height_cells = parts[0][1].shape[0]
    fig.update_yaxes(autorange="reversed", dtick=1, showgrid=False, zeroline=False)
    fig.update_xaxes(
        dtick=1 if parts[0][1].shape[1] <= 20 else None,
        showgrid=False,
        zeroline=False,
        side="top" if len(parts) == 1 else "bottom",
    )  # slice titles sit on top
    fig.update_layout(
        title=dict(text=title, font=dict(size=15), y=0.99, yanchor="top") if title else None,
        height=rows * min(60 + 42 * height_cells, 420) + (50 if title else 10),
        margin=dict(l=10, r=10, t=60 if title else 30, b=10),
        font=dict(size=14),
    )
    return fig


def slice_heatmaps(t: torch.Tensor, highlight: list[tuple[int, ...]] | None = None) -> list[tuple[str, go.Figure]]:
    """One figure per 2D slice (capped at MAX_SLICES), all on the tensor's colour scale. Drawn in Streamlit columns,
    they sit side by side on a wide screen and stack at full width on a phone, where one figure's small multiples
    would shrink to unreadable cells. `highlight` holds full indices (batch…, i, j); each is outlined in its slice."""
    scale, cells = _value_range(t), highlight or []
    keep = tuple(cells[0][:-2]) if cells and t.dim() > 2 else None
    return [
        (label, heatmap(part, label, [c[len(lead) :] for c in cells if tuple(c[: len(lead)]) == lead], scale))
        for label, part, lead in slices(t, keep)
    ]
