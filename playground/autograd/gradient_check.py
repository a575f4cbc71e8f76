"""Three ways to the same gradient: the chain rule by hand, `torch.autograd`, and finite differences.

If all three agree, the hand derivation is right. PyTorch runs in float64 here so that "agree" can mean 1e-6 and
still catch a wrong formula; the loss is `binary_cross_entropy_with_logits`, the fused, saturation-proof form of
sigmoid followed by BCE (see playground/autograd/neuron.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import torch
import torch.nn.functional as F

from playground.autograd.finite_differences import neuron_numeric_gradients
from playground.autograd.neuron import NeuronPoint, forward_backward
from playground.autograd.neuron import format_number as fmt

TOLERANCE = 1e-6


def torch_neuron(point: NeuronPoint):
    """The neuron in PyTorch, after `loss.backward()`: returns (w, b, loss) with w.grad and b.grad filled in."""
    x = torch.tensor(point.x, dtype=torch.float64)
    y = torch.tensor(point.y, dtype=torch.float64)
    w = torch.tensor(point.w, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(point.b, dtype=torch.float64, requires_grad=True)
    z = x * w + b
    loss = F.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    return w, b, loss


def torch_gradients(point: NeuronPoint) -> dict[str, float]:
    w, b, _ = torch_neuron(point)
    return {"w": w.grad.item(), "b": b.grad.item()}


@dataclass(frozen=True)
class GradientRow:
    parameter: str
    by_hand: float
    autograd: float
    numeric: float

    @property
    def largest_difference(self) -> float:
        values = (self.by_hand, self.autograd, self.numeric)
        return max(values) - min(values)

    @property
    def agree(self) -> bool:
        """Within 1e-6, relative to the gradient's size once it exceeds 1 (finite differences lose digits there)."""
        return self.largest_difference <= TOLERANCE * max(1.0, abs(self.by_hand))


def compare_gradients(point: NeuronPoint) -> list[GradientRow]:
    hand = forward_backward(point)
    auto = torch_gradients(point)
    numeric = neuron_numeric_gradients(point)
    return [
        GradientRow("w", hand.dL_dw, auto["w"], numeric["w"]),
        GradientRow("b", hand.dL_db, auto["b"], numeric["b"]),
    ]


def gradient_table(rows: list[GradientRow]) -> pd.DataFrame:
    """Short column names: the table must fit a phone."""
    return pd.DataFrame(
        [
            {
                "gradient": f"∂L/∂{r.parameter}",
                "by hand": fmt(r.by_hand),
                "torch.autograd": fmt(r.autograd),
                "finite diff.": fmt(r.numeric),
                "max gap": f"{r.largest_difference:.0e}",
            }
            for r in rows
        ]
    ).set_index("gradient")


def lesson_form_in_float32(point: NeuronPoint) -> dict[str, float]:
    """The lesson's unfused code, torch.sigmoid then F.binary_cross_entropy, in float32: right until σ saturates."""
    x = torch.tensor(point.x)
    y = torch.tensor(point.y)
    w = torch.tensor(point.w, requires_grad=True)
    b = torch.tensor(point.b, requires_grad=True)
    loss = F.binary_cross_entropy(torch.sigmoid(x * w + b), y)
    loss.backward()
    return {"loss": loss.item(), "w": w.grad.item(), "b": b.grad.item()}


def unfused_goes_wrong(point: NeuronPoint) -> dict[str, float] | None:
    """The lesson's float32 sigmoid + BCELoss numbers where they are off by more than 0.1%, else None.

    BCELoss clamps log(a) and log(1 − a) at −100 and divides by max(a(1 − a), 1e-12) in its backward, so once σ
    saturates its two edges no longer multiply out to a − y.
    """
    naive = lesson_form_in_float32(point)
    hand = forward_backward(point)
    right = {"loss": hand.loss, "w": hand.dL_dw, "b": hand.dL_db}
    off = any(abs(naive[k] - right[k]) > 1e-3 * max(1.0, abs(right[k])) for k in right)
    return naive if off else None
