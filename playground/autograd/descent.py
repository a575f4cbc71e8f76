"""Learning from the gradient: plain gradient descent on the neuron's w and b, and the loss surface it walks on.

x and y stay fixed (one training example), so L is a function of two numbers, L(w, b), and can be drawn as a contour
map. Each step moves (w, b) against the gradient: w ← w − η·∂L/∂w, b ← b − η·∂L/∂b, exactly what `torch.optim.SGD`
does with no momentum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from playground.autograd.neuron import NeuronPoint, forward_backward

MAX_STEPS = 200
MAX_LEARNING_RATE = 10.0


def check_descent(steps: int, lr: float) -> None:
    """Caps keep the page fast and the path on a drawable map."""
    if not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps = {steps} is outside 1…{MAX_STEPS}: pick a whole number of steps in that range.")
    if not math.isfinite(lr) or not 0 < lr <= MAX_LEARNING_RATE:
        raise ValueError(
            f"learning rate η = {lr:g} is outside (0, {MAX_LEARNING_RATE:g}]: use a positive number "
            f"no larger than {MAX_LEARNING_RATE:g}, such as 0.5."
        )


@dataclass(frozen=True)
class DescentStep:
    step: int  # 0 is the starting point
    w: float
    b: float
    loss: float
    dL_dw: float
    dL_db: float


def descend(point: NeuronPoint, lr: float, steps: int) -> list[DescentStep]:
    """`steps` SGD updates from the chosen (w, b); returns the start and every point after an update."""
    check_descent(steps, lr)
    w, b = point.w, point.b
    path = []
    for step in range(steps + 1):
        p = forward_backward(NeuronPoint(point.x, w, b, point.y))
        path.append(DescentStep(step, w, b, p.loss, p.dL_dw, p.dL_db))
        w, b = w - lr * p.dL_dw, b - lr * p.dL_db
    return path


def loss_surface(point: NeuronPoint, w_range: tuple[float, float], b_range: tuple[float, float], n: int = 81):
    """L(w, b) on an n×n grid, vectorised with the same saturation-proof formula as the single neuron."""
    ws = np.linspace(*w_range, n)
    bs = np.linspace(*b_range, n)
    W, B = np.meshgrid(ws, bs)  # rows follow b, columns follow w: what plotly's contour expects for z
    Z = point.x * W + B
    L = np.maximum(Z, 0) - point.y * Z + np.log1p(np.exp(-np.abs(Z)))
    return ws, bs, L


def surface_window(path: list[DescentStep]) -> tuple[tuple[float, float], tuple[float, float]]:
    """A window around the whole path, with a margin so the start and end are not on the border."""

    def span(values):
        lo, hi = min(values), max(values)
        pad = max(1.0, 0.15 * (hi - lo))
        return lo - pad, hi + pad

    return span([s.w for s in path]), span([s.b for s in path])
