"""Autograd: the computational graph of one sigmoid neuron, forward and backward, live; then SGD and SimpleNet."""

import math

import streamlit as st

from playground.autograd.code_panel import descent_code, neuron_code, simple_net_code
from playground.autograd.descent import MAX_LEARNING_RATE, MAX_STEPS, check_descent, descend
from playground.autograd.figures import before_after_heatmaps, gradient_heatmaps, landscape_figure, loss_curve_figure
from playground.autograd.gradient_check import compare_gradients, gradient_table, torch_neuron, unfused_goes_wrong
from playground.autograd.graph import (
    STEP_COUNT,
    correspondence_markdown,
    neuron_dot,
    step_markdown,
    steps_table,
    torch_graph,
)
from playground.autograd.neuron import LESSON, chain_rule_latex, check_point, forward_backward
from playground.autograd.neuron import format_number as fmt
from playground.autograd.simple_net import LEARNING_RATE, MAX_SEED, check_seed, five_steps_markdown, one_training_step
from playground.url_values import one_of, within
from ui.code import show_code
from ui.state import PageState


def finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def neuron_section(point):
    p = forward_backward(point)
    st.header("The computational graph")
    st.markdown(
        "Every box is a value: its **data** from the forward pass and its **grad**, ∂L/∂(that value), from "
        "the backward pass. Each edge carries the **local derivative** of the box it enters with respect to "
        "the box it leaves. Walk the passes one step at a time; the box being computed is gold."
    )
    step = st.slider(
        "Step of the walk (0 = inputs only, 4 = forward done, 10 = backward done)",
        0,
        STEP_COUNT,
        key=ps.key("step", STEP_COUNT, within(0, STEP_COUNT, int)),
    )
    graph, explain = st.columns([3, 2])
    graph.graphviz_chart(neuron_dot(p, step), width="stretch")
    explain.markdown(step_markdown(p, step))
    with st.expander("Every step of both passes"):
        st.table(steps_table(p))

    st.header("The chain rule, formula by formula")
    for formula in chain_rule_latex(p):
        st.latex(formula)
    naive = unfused_goes_wrong(point)
    if naive:
        st.info(
            f"σ has saturated (z = {fmt(p.z)}). The lesson's unfused `torch.sigmoid` + "
            f"`F.binary_cross_entropy` in float32 would report L = {fmt(naive['loss'])}, "
            f"∂L/∂w = {fmt(naive['w'])}, ∂L/∂b = {fmt(naive['b'])} here: BCELoss clamps log at −100 and "
            "divides by a(1 − a) clamped at 1e-12, so its two edges stop multiplying out to a − y. The numbers "
            "on this page use the logits form L = max(z, 0) − y·z + log(1 + e^(−|z|)), which stays correct."
        )

    st.header("Three ways to the same gradient")
    rows = compare_gradients(point)
    st.table(gradient_table(rows))
    if all(r.agree for r in rows):
        st.success("The chain rule by hand, `torch.autograd` and central finite differences agree to 1e-6.")
    else:
        st.error("The three gradients do NOT agree to 1e-6 here; see the max gap column.")

    st.header("PyTorch's own graph")
    st.markdown(
        "`loss.backward()` walks the chain of `grad_fn` objects that the forward pass recorded. "
        "torchviz's `make_dot` draws that chain for the real loss, shown after our graph. "
        "PyTorch draws only what needs a gradient, one node per backward function."
    )
    w, b, loss = torch_neuron(point)
    torch_dot, names = torch_graph(loss, {"w": w, "b": b})
    left, right = st.columns(2)
    left.graphviz_chart(neuron_dot(p, highlight=False), width="stretch")
    right.graphviz_chart(torch_dot, width="stretch")
    st.markdown(correspondence_markdown(names))
    show_code(neuron_code(point))


def descent_section(point):
    st.header("Learning from the gradient")
    st.markdown(
        "Gradient descent moves w and b a little against their gradient, w ← w − η·∂L/∂w and "
        "b ← b − η·∂L/∂b, and repeats. x and y stay fixed, so the loss is a surface L(w, b)."
    )
    col_lr, col_steps = st.columns(2)
    lr = col_lr.number_input(
        f"Learning rate η (0 < η ≤ {MAX_LEARNING_RATE:g})", key=ps.key("lr", 1.0, finite), step=0.1, format="%.4f"
    )
    steps = col_steps.slider("Steps k", 1, MAX_STEPS, key=ps.key("steps", 30, within(1, MAX_STEPS, int)))
    ps.show_warnings()
    try:
        check_descent(int(steps), float(lr))
    except ValueError as err:
        st.error(str(err))
        return
    path = descend(point, float(lr), int(steps))
    st.plotly_chart(landscape_figure(point, path), width="stretch")
    st.plotly_chart(loss_curve_figure(path), width="stretch")
    first, last = path[0], path[-1]
    st.markdown(
        f"After {steps} steps: w {fmt(first.w)} → **{fmt(last.w)}**, b {fmt(first.b)} → **{fmt(last.b)}**, "
        f"L {fmt(first.loss)} → **{fmt(last.loss)}**."
    )
    show_code(descent_code(point, float(lr), int(steps)))


def simple_net_section():
    st.header("Backpropagation in a bigger network")
    st.markdown(
        f"The lesson's **SimpleNet**: 10 inputs → 5 hidden units (ReLU) → 1 output (sigmoid), `BCELoss`, "
        f"SGD with lr {LEARNING_RATE}, one seeded random input with label 1. One training step:"
    )
    seed = st.number_input(f"Seed (0…{MAX_SEED})", key=ps.key("seed", 0, within(0, MAX_SEED, int)), step=1)
    ps.show_warnings()
    try:
        check_seed(int(seed))
    except ValueError as err:
        st.error(str(err))
        return
    with st.spinner("Running one training step (the first one also loads torch.optim)…"):
        t = one_training_step(int(seed))
    st.markdown(five_steps_markdown(t))
    st.caption("Red is a positive gradient (the step will lower that weight), blue a negative one (it will raise it).")
    st.plotly_chart(gradient_heatmaps(t), width="stretch")
    options = list(t.grads)
    name = st.selectbox(
        "Parameter before and after the step", options, key=ps.key("param", "fc2.weight", one_of(options))
    )
    st.plotly_chart(before_after_heatmaps(t, name), width="stretch")
    show_code(simple_net_code(int(seed)))


st.title("🔁 Autograd: the chain rule, live")
st.markdown(
    "One sigmoid neuron learning one example, the lesson's running example: **z = x·w + b**, "
    "**a = σ(z)**, **L = BCE(a, y)**. Change the numbers and every value, gradient and graph below follows. "
    "At x = 1.1, y = 1, w = 2.2, b = 0 PyTorch gives ∂L/∂w = −0.0898 and ∂L/∂b = −0.0817."
)
ps = PageState("autograd")
columns = st.columns(4)
labels = {"x": "x (input)", "w": "w (weight)", "b": "b (bias)", "y": "y (label, 0…1)"}
values = {
    name: col.number_input(label, key=ps.key(name, LESSON[name], finite), step=0.1, format="%.4f")
    for col, (name, label) in zip(columns, labels.items(), strict=True)
}
ps.show_warnings()
try:
    point = check_point(**values)
except ValueError as err:
    st.error(str(err))
    point = None
if point is not None:
    neuron_section(point)
    descent_section(point)
simple_net_section()
ps.publish()
