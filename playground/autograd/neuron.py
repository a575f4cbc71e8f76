"""One sigmoid neuron and its loss, forward and backward, by hand.

The lesson's example: z = x·w + b, a = σ(z), L = BCE(a, y). With x = 1.1, y = 1.0, w = 2.2, b = 0.0 PyTorch reports
dL/dw = −0.0898 and dL/db = −0.0817. Here every number is derived with the chain rule in plain float64 Python, so the
page can check it against `torch.autograd` and finite differences.

Why the logits form: once σ saturates (w·x = ±50) a = σ(z) rounds to exactly 0 or 1, and log(a) or log(1 − a) is
log(0). PyTorch's `BCELoss` clamps the log at −100, so the loss and the gradient come out wrong (L = 100 instead of
50, dL/dw = 0 instead of x). Writing L directly in terms of z, L = max(z, 0) − y·z + log(1 + e^(−|z|)), and a − y as
(1 − y)·σ(z) − y·σ(−z), keeps every number finite and correct. It is what `BCEWithLogitsLoss` does.

Past |z| ≈ 709 even float64 gives out on the two edges that σ and BCE split a − y into: ∂a/∂z = a(1 − a) ≈ e^(−|z|)
underflows to 0 and ∂L/∂a ≈ e^|z| overflows to ∞. They are shown as such (∞ × 0 has no value, which is the whole case
for the fused form); every other number, a − y included, is still exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LESSON = {"x": 1.1, "w": 2.2, "b": 0.0, "y": 1.0}

# Inputs are capped so that |L| ≤ |z| ≤ 2550: finite differences (h = 1e-6) then still agree with the chain rule to
# 1e-6, and the loss landscape stays drawable. Far inside the cap σ has saturated completely (|z| ≈ 40).
INPUT_LIMIT = 50.0
# Below this a(1 − a) (at most 0.25) lets σ pass on too little of the gradient to learn from: σ has saturated
# (|z| ≳ 4.6).
SATURATED = 0.01


@dataclass(frozen=True)
class NeuronPoint:
    x: float  # the input (data: no gradient is needed for it)
    w: float  # the weight (a parameter)
    b: float  # the bias (a parameter)
    y: float  # the label, a probability in [0, 1] (data)


def check_point(x: float, w: float, b: float, y: float) -> NeuronPoint:
    """Refuse what has no meaningful answer, with a message that says what to change."""
    for name, value in (("x", x), ("w", w), ("b", b), ("y", y)):
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{name} = {value} is not a finite number: type an ordinary number such as 0.5.")
    if not 0.0 <= y <= 1.0:
        raise ValueError(
            f"y = {y:g} is outside [0, 1]: the label of binary cross-entropy is a probability. "
            "Use 1 for the positive class, 0 for the negative, or anything in between."
        )
    for name, value in (("x", x), ("w", w), ("b", b)):
        if abs(value) > INPUT_LIMIT:
            raise ValueError(
                f"{name} = {value:g} is outside [−{INPUT_LIMIT:g}, {INPUT_LIMIT:g}]: pick a value inside the "
                "range. Nothing new happens further out: σ has saturated completely once |x·w + b| is past 40."
            )
    return NeuronPoint(float(x), float(w), float(b), float(y))


def sigmoid(z: float) -> float:
    """σ(z) without overflow: e^(−z) overflows for z < −709, so use the mirrored form for negative z."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def bce_with_logits(z: float, y: float) -> float:
    """BCE(σ(z), y) written in z: −y·log σ(z) − (1 − y)·log σ(−z) = max(z, 0) − y·z + log(1 + e^(−|z|))."""
    return max(z, 0.0) - y * z + math.log1p(math.exp(-abs(z)))


@dataclass(frozen=True)
class NeuronPass:
    """Every forward value and every derivative of the neuron at one point."""

    point: NeuronPoint
    m: float  # x·w, the output of the mul node
    z: float  # x·w + b, the output of the add node (the logit)
    a: float  # σ(z), the prediction
    loss: float  # BCE(a, y)
    dL_da: float  # ∂L/∂a = (a − y) / (a(1 − a))
    da_dz: float  # ∂a/∂z = a(1 − a)
    dL_dz: float  # ∂L/∂z = a − y
    dL_dm: float  # ∂L/∂(x·w) = ∂L/∂z · 1
    dL_dw: float  # ∂L/∂w = x(a − y)
    dL_db: float  # ∂L/∂b = a − y
    dL_dy: float  # local ∂L/∂y = −z (y is data, so this never becomes a gradient we use)


def forward_backward(point: NeuronPoint) -> NeuronPass:
    """The forward pass node by node, then the chain rule from L back to w and b."""
    x, w, b, y = point.x, point.w, point.b, point.y
    m = x * w
    z = m + b
    s_pos, s_neg = sigmoid(z), sigmoid(-z)  # σ(z) and 1 − σ(z), each computed without cancellation
    loss = bce_with_logits(z, y)
    dL_da = _share(1.0 - y, s_neg) - _share(y, s_pos)  # −y/a + (1 − y)/(1 − a), ±∞ once σ(∓z) has underflowed
    da_dz = s_pos * s_neg
    dL_dz = (1.0 - y) * s_pos - y * s_neg  # = a − y, the product ∂L/∂a · ∂a/∂z without 0·∞ at saturation
    return NeuronPass(
        point, m, z, s_pos, loss, dL_da, da_dz, dL_dz, dL_dm=dL_dz, dL_dw=x * dL_dz, dL_db=dL_dz, dL_dy=-z
    )


def _share(weight: float, probability: float) -> float:
    """weight / probability, one term of ∂L/∂a: no term when its weight is 0 (even where σ has rounded the
    probability to 0), ∞ where the probability has underflowed, as float64 division would overflow."""
    if weight == 0:
        return 0.0
    return weight / probability if probability > 0 else math.inf


def is_saturated(p: NeuronPass) -> bool:
    return p.da_dz < SATURATED


def loss_at(x: float, w: float, b: float, y: float) -> float:
    """L as a plain function of the four numbers, for finite differences and the loss landscape."""
    return bce_with_logits(x * w + b, y)


def format_number(value: float) -> str:
    """Four decimals like the lesson, switching to scientific notation when four decimals would hide the number."""
    if value == 0:
        return "0.0000"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if 1e-4 <= abs(value) < 1e6:
        text = f"{value:.4f}"
    else:
        text = f"{value:.4e}"
    return text.replace("-", "−")


def chain_rule_latex(p: NeuronPass) -> list[str]:
    """The lesson's five formulas, each followed by its value at this point, as LaTeX for st.latex."""

    def n(v: float) -> str:
        if math.isinf(v):
            return r"\infty" if v > 0 else r"-\infty"
        text = format_number(v).replace("−", "-")
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
        return text

    def f(v: float) -> str:  # a factor: negative numbers in parentheses, so "1.1 × (−0.08)" reads right
        return f"({n(v)})" if v < 0 else n(v)

    a, y = n(p.a), n(p.point.y)
    # Two lines each (the formula, then its value) so they fit a phone's width.
    d = r"\partial"
    return [
        rf"\begin{{aligned}}\frac{{{d} L}}{{{d} a}} &= -\frac{{y}}{{a}} + \frac{{1-y}}{{1-a}} = \frac{{a-y}}{{a(1-a)}}"
        rf"\\ &= {n(p.dL_da)}\end{{aligned}}",
        rf"\begin{{aligned}}\frac{{{d} a}}{{{d} z}} &= a(1-a) \\ &= {a}\,(1-{a}) = {n(p.da_dz)}\end{{aligned}}",
        rf"\begin{{aligned}}\frac{{{d} L}}{{{d} z}} &= \frac{{{d} L}}{{{d} a}}\frac{{{d} a}}{{{d} z}} = a - y"
        rf"\\ &= {a} - {y} = {n(p.dL_dz)}\end{{aligned}}",
        rf"\begin{{aligned}}\frac{{{d} L}}{{{d} w}} &= x\,(a - y) \\ &= {f(p.point.x)} \times {f(p.dL_dz)} = "
        rf"{n(p.dL_dw)}\end{{aligned}}",
        rf"\begin{{aligned}}\frac{{{d} L}}{{{d} b}} &= a - y \\ &= {n(p.dL_db)}\end{{aligned}}",
    ]
