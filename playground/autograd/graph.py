"""The neuron's computational graph as Graphviz DOT, drawn the micrograd way, and PyTorch's own graph beside it.

micrograd's `draw_dot` shows one record per value, `data | grad`; we do the same and also write each edge's local
derivative on it, so the chain rule can be read off the picture: a node's grad is the product of the local derivatives
along the path from L. The pass can be walked step by step: nodes not reached yet show "?".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from playground.autograd.neuron import NeuronPass, is_saturated
from playground.autograd.neuron import format_number as fmt

FORWARD = "forward"
BACKWARD = "backward"


@dataclass(frozen=True)
class PassStep:
    """One step of the walk: which node is computed, by which formula, and the value it gets."""

    number: int  # 1-based over both passes
    direction: str  # FORWARD or BACKWARD
    node: str  # node id in the DOT
    what: str  # the quantity computed, e.g. "∂L/∂z"
    local: str  # forward: the operation; backward: the local derivative, as text
    local_value: float | None  # the local derivative's value (backward only)
    chain: str  # the chain-rule product that gives the value
    value: float


# Leaves are data or parameters; operations carry the value they produced. Keys are DOT node ids.
LEAVES = ("x", "w", "b", "y")
OPERATIONS = {"mul": "mul  x·w", "add": "add  z = x·w + b", "sigmoid": "sigmoid  a = σ(z)", "bce": "BCE  L"}


def pass_steps(p: NeuronPass) -> list[PassStep]:
    """The forward pass node by node, then backward from L, multiplying one local derivative per step."""
    x, w, b, y = p.point.x, p.point.w, p.point.b, p.point.y
    return [
        PassStep(1, FORWARD, "mul", "x·w", "multiply", None, f"{fmt(x)} × {fmt(w)}", p.m),
        PassStep(2, FORWARD, "add", "z", "add", None, f"{fmt(p.m)} + {fmt(b)}", p.z),
        PassStep(3, FORWARD, "sigmoid", "a", "σ(z) = 1 / (1 + e^(−z))", None, f"σ({fmt(p.z)})", p.a),
        PassStep(4, FORWARD, "bce", "L", "−y·log a − (1 − y)·log(1 − a)", None, f"BCE({fmt(p.a)}, {fmt(y)})", p.loss),
        PassStep(5, BACKWARD, "bce", "∂L/∂L", "seed: ∂L/∂L = 1", 1.0, "1", 1.0),
        PassStep(
            6, BACKWARD, "sigmoid", "∂L/∂a", "∂L/∂a = (a − y) / (a(1 − a))", p.dL_da, f"1 × {fmt(p.dL_da)}", p.dL_da
        ),
        PassStep(
            7,
            BACKWARD,
            "add",
            "∂L/∂z",
            "∂a/∂z = a(1 − a)",
            p.da_dz,
            f"∂L/∂a · ∂a/∂z = {fmt(p.dL_da)} × {fmt(p.da_dz)} = a − y",
            p.dL_dz,
        ),
        PassStep(8, BACKWARD, "b", "∂L/∂b", "∂z/∂b = 1", 1.0, f"∂L/∂z · 1 = {fmt(p.dL_dz)} × 1", p.dL_db),
        PassStep(9, BACKWARD, "mul", "∂L/∂(x·w)", "∂z/∂(x·w) = 1", 1.0, f"∂L/∂z · 1 = {fmt(p.dL_dz)} × 1", p.dL_dm),
        PassStep(10, BACKWARD, "w", "∂L/∂w", "∂(x·w)/∂w = x", x, f"∂L/∂(x·w) · x = {fmt(p.dL_dm)} × {fmt(x)}", p.dL_dw),
    ]


STEP_COUNT = 10


def step_markdown(p: NeuronPass, step: int) -> str:
    """What happens at one step of the walk, in a sentence with its numbers."""
    if step == 0:
        return "**Step 0:** only the inputs x, w, b and y are known; move the slider to run the forward pass."
    s = pass_steps(p)[step - 1]
    text = f"**Step {step}, {s.direction} pass, node `{s.node}`:** {s.what} = {s.chain} = **{fmt(s.value)}**"
    text += f"  \nlocal derivative: {s.local}" if s.local_value is not None else ""
    if s.what == "∂L/∂z" and is_saturated(p):  # the step where σ's tiny local derivative is multiplied in
        text += f" = {fmt(s.local_value)} ≈ 0: σ has saturated (see below)"
    return text


def _record(label: str, data: str, grad: str, stacked: bool) -> str:
    """Name over `data | grad` side by side (short and wide, for the walk), or the three stacked (narrow)."""
    return (
        f"{{ {label} | data {data} | grad {grad} }}" if stacked else f"{{ {label} | {{ data {data} | grad {grad} }} }}"
    )


# How big a label reads is set by the browser, not by `fontsize`: Streamlit draws every label of a graphviz chart in
# its own font at 9.6 of the drawing's units, and shows the drawing at its own size, shrunk to fit the column but
# never grown. So `fontsize=10` only sizes each box to fit that text, and `size` with "!" scales every drawing up to
# 30 inches, so each one is shrunk to exactly its column's width. What is left to choose is the shape: the walk fills
# the main column, and its two-line records and tight spacing make it about 1.6 times as wide as it is tall, so at
# 1280 px its text is larger than the page's body text while the whole graph fits a projector's height. Beside
# PyTorch's graph, in half the width, the copy has no edge labels and stacks each record, to stay as legible.
FILL = "30,30!"
_WALK = (
    f'  rankdir=TB; bgcolor="transparent"; nodesep=0.15; ranksep=0.2; size="{FILL}";',
    '  node [shape=record fontname="Helvetica" fontsize=10 style="filled" margin="0.04,0.02" height=0.2];',
    '  edge [fontname="Helvetica" fontsize=10];',
)
_BESIDE = (
    f'  rankdir=TB; bgcolor="transparent"; nodesep=0.15; ranksep=0.2; size="{FILL}";',
    '  node [shape=record fontname="Helvetica" fontsize=10 style="filled" margin="0.04,0.02" height=0.2];',
)


def neuron_dot(p: NeuronPass, upto: int = STEP_COUNT, highlight: bool = True, beside_torch: bool = False) -> str:
    """DOT for the graph after `upto` steps of the walk (STEP_COUNT: everything known; 0: only the inputs).

    Drawn top to bottom, inputs first, like PyTorch's graph; `beside_torch` draws the narrow copy without edge labels.
    """
    steps = pass_steps(p)
    done = [s for s in steps if s.number <= upto]
    data = {"x": fmt(p.point.x), "w": fmt(p.point.w), "b": fmt(p.point.b), "y": fmt(p.point.y)}
    data.update({s.node: fmt(s.value) for s in done if s.direction == FORWARD})
    grad = {"x": "—", "y": "—"}  # data, not parameters: PyTorch gives them no .grad either
    grad.update({s.node: fmt(s.value) for s in done if s.direction == BACKWARD})
    current = done[-1].node if done and highlight else None

    def node(name: str, label: str, shape_color: str) -> str:
        fill = "gold" if name == current else shape_color
        record = _record(label, data.get(name, "?"), grad.get(name, "?"), stacked=beside_torch)
        return f'  {name} [label="{record}" fillcolor="{fill}"]'

    # Edge labels: the local derivative of the child with respect to the parent, known once the forward pass is.
    forward_known = upto >= 4

    def d(text: str, value: float) -> str:
        return f"{text} = {fmt(value)}" if forward_known else text

    x, w = p.point.x, p.point.w
    edges = [
        ("x", "mul", d("∂/∂x = w", w)),
        ("w", "mul", d("∂/∂w = x", x)),
        ("mul", "add", "∂/∂(x·w) = 1"),
        ("b", "add", "∂/∂b = 1"),
        ("add", "sigmoid", d("∂a/∂z = a(1−a)", p.da_dz)),
        ("sigmoid", "bce", d("∂L/∂a", p.dL_da)),
        ("y", "bce", d("∂L/∂y = −z", p.dL_dy)),
    ]
    lines = ["digraph neuron {", *(_BESIDE if beside_torch else _WALK)]
    lines += [
        node(n, n + ("  (parameter)" if n in "wb" else "  (data)"), "lightblue" if n in "wb" else "white")
        for n in LEAVES
    ]
    lines += [node(n, label, "#e8e8e8") for n, label in OPERATIONS.items()]
    lines += [f"  {a} -> {b}" + ("" if beside_torch else f' [label="{label}"]') for a, b, label in edges]
    lines.append("}")
    return "\n".join(lines)


def torch_graph(loss, params: dict) -> tuple[str, list[str]]:
    """torchviz's DOT of the loss's grad_fn chain, and the names of its backward nodes from L down to the leaves.

    `params` names the leaf tensors (e.g. {"w": w, "b": b}) so their AccumulateGrad boxes are labelled.
    """
    from torchviz import make_dot  # only needs the graphviz Python package, which builds the DOT text

    names: list[str] = []
    seen: set[int] = set()
    stack = [loss.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        names.append(type(fn).__name__)
        stack.extend(next_fn for next_fn, _ in reversed(fn.next_functions))
    dot = make_dot(loss, params=params)
    dot.graph_attr.update(size=FILL, bgcolor="transparent")
    dot.node_attr.update(fontname="Helvetica")  # boxes sized for the proportional font the browser draws in
    # torchviz leaves the output's name blank; call it L like the hand-drawn graph.
    source = dot.source.replace('label="\n ()" fillcolor=darkolivegreen1', 'label="L\n ()" fillcolor=darkolivegreen1')
    return source, names


def steps_table(p: NeuronPass) -> pd.DataFrame:
    """The walk as a table: node, local derivative, chain-rule product so far, value."""
    return pd.DataFrame(
        [
            {
                "step": s.number,
                "pass": s.direction,
                "node": s.node,
                "computes": s.what,
                "local (op or derivative)": s.local,
                "chain rule so far": s.chain,
                "value": fmt(s.value),
            }
            for s in pass_steps(p)
        ]
    ).set_index("step")


# Which of our hand-drawn nodes each backward node of PyTorch stands for.
_TORCH_MEANING = {
    "BinaryCrossEntropyWithLogitsBackward0": (
        "sigmoid + BCE",
        "both nodes fused: its local derivative ∂L/∂z = a − y is the product of our two edges ∂L/∂a · ∂a/∂z",
    ),
    "BinaryCrossEntropyBackward0": ("BCE", "∂L/∂a"),
    "SigmoidBackward0": ("sigmoid", "∂a/∂z = a(1 − a)"),
    "AddBackward0": ("add", "passes the gradient to both inputs unchanged (local derivative 1)"),
    "MulBackward0": ("mul", "multiplies by the other input: x for w (it saved x in the forward pass)"),
    "AccumulateGrad": ("w, b", "a leaf that requires grad: writes the arriving gradient into .grad"),
}


def correspondence(names: list[str]) -> list[tuple[str, str, str]]:
    """Each node of PyTorch's grad_fn chain beside the hand-drawn node it plays the part of: (theirs, ours, role)."""
    rows, seen = [], set()
    for name in names:
        if name not in seen:
            seen.add(name)
            rows.append((name, *_TORCH_MEANING.get(name, ("—", "not in the hand-drawn graph"))))
    rows.append(("(no node)", "x, y", "tensors with requires_grad=False are constants to autograd"))
    return rows


def correspondence_markdown(names: list[str]) -> str:
    """A bullet list rather than a table: the explanations wrap on a phone."""
    return "\n".join(f"- **{theirs}** ↔ `{ours}`: {role}" for theirs, ours, role in correspondence(names))
