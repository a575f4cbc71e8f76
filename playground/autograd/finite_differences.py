"""Central finite differences: the gradient with no calculus at all, only two extra evaluations of the loss.

(f(θ + h) − f(θ − h)) / 2h has error O(h²) from the Taylor series and O(ε·|f|/h) from float64 rounding; h = 1e-6
balances the two for losses of order one, so it matches the analytic gradient to about 1e-9.
"""

from __future__ import annotations

from collections.abc import Callable

from playground.autograd.neuron import NeuronPoint, loss_at

STEP = 1e-6


def central_difference(f: Callable[[float], float], at: float, h: float = STEP) -> float:
    return (f(at + h) - f(at - h)) / (2 * h)


def neuron_numeric_gradients(point: NeuronPoint, h: float = STEP) -> dict[str, float]:
    """∂L/∂w and ∂L/∂b of the neuron, each by nudging one parameter up and down."""
    x, w, b, y = point.x, point.w, point.b, point.y
    return {
        "w": central_difference(lambda w_: loss_at(x, w_, b, y), w, h),
        "b": central_difference(lambda b_: loss_at(x, w, b_, y), b, h),
    }
